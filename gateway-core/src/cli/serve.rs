//! `gateway-core serve --listen ADDR [--allow-remote] [--no-auth]`: MCP over streamable HTTP at `/mcp`.
//!
//! Binding rules (DESIGN.md): loopback unless `--allow-remote`; `--no-auth` only on loopback, with a
//! warning, and the gateway then chosen by `ENKRYPT_GATEWAY_KEY` as in stdio mode. Serving is
//! [`crate::run::run_http`], until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::secret::Sensitive;
use crate::serve::{KeySource, ServeOptions};

const EXAMPLES: &str = "\
Examples:
  gateway-core serve --listen 127.0.0.1:8000
  curl -H 'Authorization: Bearer <gateway key>' ... http://127.0.0.1:8000/mcp";

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the address is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// Allow a non-loopback listen address (every request still needs the gateway key).
    #[arg(long)]
    allow_remote: bool,
    /// Do not check a key per request (test rigs such as the MCP conformance suite): the gateway is the
    /// one `ENKRYPT_GATEWAY_KEY` selects. Loopback only.
    #[arg(long)]
    no_auth: bool,
}

/// Exit status for a refused listen address or a port that cannot be bound.
const EXIT_LISTEN: u8 = 1;

/// Runs `serve` until SIGINT/SIGTERM.
pub async fn run(args: ServeArgs, path: PathBuf) -> ExitCode {
    let loopback = args.listen.ip().is_loopback();
    if !loopback && !args.allow_remote {
        eprintln!(
            "error: refusing to listen on {} (not a loopback address): MCP clients on other machines could reach your servers. Use 127.0.0.1, or pass --allow-remote if you really mean it.",
            args.listen
        );
        return ExitCode::from(EXIT_LISTEN);
    }
    if args.no_auth && !loopback {
        eprintln!("error: --no-auth is accepted only with a loopback --listen address");
        return ExitCode::from(EXIT_LISTEN);
    }
    let keys = if args.no_auth {
        let key = match crate::run::key_from_env().await {
            Ok(key) => key,
            Err(error) => return super::exit_for(error),
        };
        eprintln!(
            "warning: --no-auth: requests to this endpoint are NOT authenticated; every local process can use the gateway selected by ENKRYPT_GATEWAY_KEY"
        );
        KeySource::Fixed(Sensitive::new(key.unwrap_or_default()))
    } else {
        KeySource::Headers
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", args.listen);
            return ExitCode::from(EXIT_LISTEN);
        }
    };
    let options = ServeOptions {
        allow_remote: args.allow_remote,
        keys,
    };
    match crate::run::run_http(listener, &path, options, crate::shutdown::wait_for_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => super::exit_for(error),
    }
}
