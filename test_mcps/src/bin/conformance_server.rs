//! `conformance-server`: the MCP conformance suite's server scenarios, over stdio or HTTP.
//!
//! Parses the flags, sends logs to stderr (stdout is the protocol over stdio) and hands over
//! to [`test_mcps::conformance::run`]. The scenarios and their tools are listed in
//! `test_mcps::conformance`.

use std::net::SocketAddr;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

/// MCP server implementing the conformance suite's server scenarios.
#[derive(Debug, clap::Parser)]
#[command(name = "conformance-server", version)]
struct Cli {
    /// Serve streamable HTTP at http://ADDR/mcp instead of stdio (e.g. 127.0.0.1:3000;
    /// port 0 picks a free port, printed on stdout).
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,

    /// Which lifecycle to speak on stdio: `legacy` makes a pre-2026 server (only `initialize`),
    /// so a gateway in front of it has to bridge server-to-client requests for 2026 clients.
    #[arg(long, value_enum, default_value_t = test_mcps::Era::Both)]
    era: test_mcps::Era,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    test_mcps::conformance::run(test_mcps::conformance::Options {
        http: cli.http,
        era: cli.era,
    })
    .await
}
