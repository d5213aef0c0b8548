//! # gateway-core
//!
//! The Enkrypt Secure MCP Gateway as a library: to an MCP client it is one MCP server, to each upstream
//! server it is an MCP client. A request enters in [`downstream`], is authenticated ([`auth`]), routed and
//! access-checked, forwarded through the [`upstream`] pool, and recorded in the [`audit`] log. Discovered
//! tool lists live in the [`cache`]. The file format lives in [`config`].
//!
//! The binary (`main.rs`) only parses the command line ([`cli`]) and calls into this crate.

pub mod audit;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod clients;
pub mod config;
pub mod downstream;
pub mod files;
pub mod guardrails;
pub mod logging;
pub mod oauth;
pub mod parse_guard;
pub mod platform;
pub mod reload;
pub mod secret;
pub mod secrets;
pub mod serve;
pub mod setup;
pub mod shutdown;
pub mod telemetry;
pub mod upstream;
