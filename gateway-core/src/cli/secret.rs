//! `gateway-core secret set|list|delete|migrate` (being implemented).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum SecretCommand {
    /// Not yet available.
    List,
}

pub async fn run(_command: SecretCommand, _config: PathBuf) -> ExitCode {
    eprintln!("error: `secret` is not available in this build yet");
    ExitCode::FAILURE
}
