//! # gateway-core
//!
//! The Enkrypt Secure MCP Gateway as a library: to an MCP client it is one MCP server, to each upstream
//! server it is an MCP client. The binary (`main.rs`) parses the command line ([`cli`]) and calls
//! into this crate; the desktop app links it too.
//!
//! ## A tour, in the order a request meets the modules
//! - [`run`]: start-up and shutdown of the two front ends, [`run::run_stdio`] (what MCP clients
//!   launch) and [`run::run_http`] (`serve`): load the config, open the audit log and cache, watch
//!   the file ([`reload`]), stop cleanly ([`shutdown`]). [`cli`] only parses arguments and maps
//!   outcomes to exit statuses.
//! - [`lines`]: JSON-RPC one message a line on both stdio sides (client and upstreams): a line that
//!   is not JSON gets a parse error, and `tools/call` requests and results are decoded directly.
//! - [`serve`]: the HTTP front end in front of rmcp's streamable-HTTP service: gateway key per
//!   request, loopback `Origin`/`Host` rules, one service per configured gateway.
//! - [`auth`]: which configured gateway a presented gateway key selects.
//! - [`downstream`]: the gateway as one MCP server: the tools it lists (direct or the reference's
//!   gateway tools), access rules, calls with guardrails on arguments and results, resources,
//!   prompts, completion, subscriptions, notifications to clients.
//! - [`guardrails`]: the checks on the way in and out: the offline engine (`guardrails::local`) or
//!   the Enkrypt API, redaction and restore, tool pinning against poisoned or changed tools.
//! - [`upstream`]: the gateway as an MCP client of each server: start once, reuse, restart with
//!   backoff, one file per transport, questions the server asks back put to the right client.
//! - [`oauth`]: OAuth 2.1 sign-in for remote servers, tokens in the OS keychain.
//! - [`wire`]: every failure mapped to a JSON-RPC error in one place.
//! - [`audit`]: the JSONL audit log of every request, response and block, followed by `logs`.
//! - [`cache`]: tool lists and config in process (moka) or in Redis/KeyDB.
//!
//! ## Configuration and the user's files
//! - [`config`]: the file format (reference 1.x/2.x layouts), loading with located diagnostics,
//!   `${env:…}`/`${keyring:…}` references, typed edits and atomic saves, the generated schema.
//! - [`secrets`]: the OS keychain (`${keyring:NAME}`, moving plaintext secrets out of a config,
//!   loading and saving a config with the keychain as its secret source); [`secret`]: values that
//!   never reach a log in full, and keychain entry names.
//! - [`clients`]: installing the gateway into MCP clients and importing their servers, with undo.
//! - [`platform`]: the rules that differ between macOS, Windows and Linux, as pure functions.
//! - [`files`]: atomic writes with backups; [`setup`]: the first-run config; [`logging`]: stderr.
//!
//! Modules never import each other in a circle (`tests/import_cycles.rs` checks it).

pub mod audit;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod clients;
pub mod config;
pub mod downstream;
pub mod files;
pub mod guardrails;
pub mod lines;
pub mod logging;
pub mod oauth;
pub mod platform;
pub mod reload;
pub mod run;
pub mod secret;
pub mod secrets;
pub mod serve;
pub mod setup;
pub mod shutdown;
pub mod telemetry;
pub mod upstream;
pub mod wire;
