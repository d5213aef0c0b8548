//! `gateway-core logs [--follow] [--json]` (being implemented).

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct LogsArgs {}

pub async fn run(_args: LogsArgs, _config: PathBuf) -> ExitCode {
    eprintln!("error: `logs` is not available in this build yet");
    ExitCode::FAILURE
}
