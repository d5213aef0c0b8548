//! `gateway-core client install|uninstall|status` (being implemented).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Not yet available.
    Status,
}

pub async fn run(_command: ClientCommand, _config: PathBuf) -> ExitCode {
    eprintln!("error: `client` is not available in this build yet");
    ExitCode::FAILURE
}
