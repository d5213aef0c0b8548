//! Command-line flags of `test-mcp-server`.
//!
//! Every misbehaviour a gateway test needs is a flag here, so one binary covers the
//! well-behaved server, the slow starter, the stdout flooder and the crasher. This module only
//! describes the flags; [`crate::run`] acts on them.

use std::path::PathBuf;

use clap::Parser;

use crate::era::Era;

/// Flags accepted by `test-mcp-server`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "test-mcp-server",
    version,
    about = "A real MCP stdio server for gateway tests that can misbehave on request"
)]
pub struct Cli {
    /// Name reported as `serverInfo.name`.
    #[arg(long, default_value = "test-mcp-server")]
    pub name: String,

    /// Which MCP lifecycle to speak.
    #[arg(long, value_enum, default_value_t = Era::Both)]
    pub era: Era,

    /// Sleep this long before reading stdin (a slow starter).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub startup_delay_ms: u64,

    /// Before serving, write this many non-JSON garbage lines to stdout.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub stdout_noise: u64,

    /// At start, write this many log lines to stderr.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub stderr_lines: u64,

    /// Exit the process with status 1 this long after start, whatever it is doing.
    #[arg(long, value_name = "MS")]
    pub exit_after_ms: Option<u64>,

    /// JSON array of extra tools `{name, description, inputSchema}` that echo their arguments.
    #[arg(long, value_name = "PATH")]
    pub tools_file: Option<PathBuf>,

    /// Delay every `tools/list` answer by this long.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub tools_delay_ms: u64,

    /// Serve streamable HTTP at `http://ADDR/mcp` instead of stdio (both eras; `--era` is ignored
    /// except `split`).
    /// The bound address is printed on stdout as `listening on http://ADDR/mcp`.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<std::net::SocketAddr>,

    /// Serve the legacy HTTP+SSE transport (2024-11-05) at `http://ADDR/sse` instead of stdio. The
    /// bound address is printed on stdout as `listening on http://ADDR/sse`.
    #[arg(long, value_name = "ADDR", conflicts_with = "http")]
    pub sse: Option<std::net::SocketAddr>,
}
