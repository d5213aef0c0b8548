//! Real upstream MCP servers for gateway tests: one configurable stdio server,
//! `test-mcp-server`, built on rmcp and able to behave well or badly on demand.
//!
//! A tour of the modules, in the order a process uses them:
//!
//! - [`cli`]: the command-line flags (`--era`, `--stdout-noise`, `--exit-after-ms`, ...).
//! - [`tools_file`]: extra echo tools loaded from `--tools-file` (poisoned descriptions, many
//!   tools).
//! - [`stdout`]: the single owner of the process's stdout. rmcp's JSON-RPC lines and the
//!   deliberate garbage lines of the `noise` tool go through it, so a garbage line never lands
//!   inside a JSON-RPC message.
//! - [`server`]: the MCP tool handler (`echo`, `add`, `crash`, `hang`, `noise`, ...).
//! - [`content`]: resources, a resource template, a prompt and completion for the non-tool surface.
//! - [`era`]: which protocol lifecycle the server speaks (`initialize`, `server/discover`, or
//!   both), applied as a thin wrapper around the handler.
//! - [`run`]: the start-up sequence and the serve loop the binary calls.
//! - [`sse`]: the legacy HTTP+SSE transport (`--sse`), for the gateway's SSE fallback.
//! - [`oauth`]: `oauth-mcp-server`, the tools over streamable HTTP behind OAuth 2.1 with its own
//!   authorization server (dynamic registration, PKCE, short-lived tokens, rotating refresh tokens).
//! - [`conformance`]: a second server, `conformance-server`, implementing the server scenarios
//!   of the official MCP conformance suite (stdio or streamable HTTP).
//!
//! Deliberately not here: any gateway logic, and any hand-written JSON-RPC; rmcp owns framing,
//! negotiation and schemas on both sides.
#![deny(missing_docs)]

pub mod cli;
pub mod conformance;
pub mod content;
pub mod era;
pub mod oauth;
pub mod run;
pub mod server;
pub mod sse;
pub mod stdout;
pub mod tools_file;

pub use cli::Cli;
pub use era::Era;
pub use run::run;
