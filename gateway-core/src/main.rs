//! `gateway-core` binary: parse the command line, set up logging on stderr, run.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gateway_core::cli::Cli::parse();
    gateway_core::logging::init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(gateway_core::cli::run(cli))
}
