//! `gateway-core init` (being implemented).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct InitArgs {}

pub async fn run(_args: InitArgs, _config: PathBuf) -> ExitCode {
    eprintln!("error: `init` is not available in this build yet");
    ExitCode::FAILURE
}
