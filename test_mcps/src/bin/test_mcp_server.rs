//! `test-mcp-server`: a real MCP stdio server for gateway tests.
//!
//! Parses the flags, sends logs to stderr (stdout is the protocol) and hands over to
//! [`test_mcps::run`]. Run with `--help` for the flags; the tools are listed in
//! `test_mcps::server`.

use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = test_mcps::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    test_mcps::run(cli).await
}
