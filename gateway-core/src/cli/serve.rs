//! `gateway-core serve --listen ADDR [--allow-remote] [--no-auth]`: MCP over streamable HTTP at `/mcp`.
//!
//! Binding rules (DESIGN.md): loopback unless `--allow-remote`; `--no-auth` only on loopback, with a
//! warning, and the gateway then chosen by `ENKRYPT_GATEWAY_KEY` as in stdio mode. SIGINT/SIGTERM stop
//! accepting, let in-flight requests finish (bounded), stop every upstream and flush the audit log.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{EXIT_AUTH, open_audit, presented_key};
use crate::audit::{AuditEvent, EventKind};
use crate::secret::Sensitive;
use crate::serve::{KeySource, ServeOptions, ServeState};

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
    let (initial_text, cfg) = match super::load_for_serving(&path).await {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let keys = if args.no_auth {
        let key = match presented_key().await {
            Ok(key) => key,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(EXIT_AUTH);
            }
        };
        if let Err(error) = crate::auth::find_gateway_index(&cfg, key.as_deref()) {
            eprintln!("error: --no-auth needs ENKRYPT_GATEWAY_KEY to select a gateway: {error}");
            return ExitCode::from(EXIT_AUTH);
        }
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
    let local = listener.local_addr().unwrap_or(args.listen);

    let audit = open_audit(&cfg);
    let _telemetry = crate::telemetry::init(&cfg.common.extra);
    let first_id = cfg
        .gateways
        .first()
        .map(|g| g.id.clone())
        .unwrap_or_default();
    let cache = crate::cache::for_config(&cfg.common);
    let shutdown = CancellationToken::new();
    let state = ServeState::new(
        cfg,
        cache,
        audit.clone(),
        ServeOptions {
            allow_remote: args.allow_remote,
            keys,
        },
        shutdown.clone(),
    );
    audit.record(
        AuditEvent::new(EventKind::Config, first_id.clone()).with_message(format!(
            "gateway serving http://{local}/mcp on {} ({} gateway(s))",
            path.display(),
            state.gateway_count()
        )),
    );
    let reload = crate::reload::spawn(
        path.clone(),
        initial_text.as_deref(),
        state.clone(),
        audit.clone(),
        first_id,
    );
    eprintln!(
        "gateway-core: serving MCP on http://{local}/mcp (config {})",
        path.display()
    );

    let app = crate::serve::router(state.clone());
    let stop = shutdown.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.cancelled().await;
    });
    let server = tokio::spawn(async move { server.await });
    // The signal is awaited here, not in axum, so open SSE streams cannot hold shutdown forever.
    crate::shutdown::wait_for_signal().await;
    tracing::info!("signal received; shutting down");
    shutdown.cancel();
    if tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish within 5 s; closing them");
    }
    reload.abort();
    state.shutdown().await;
    let _ = tokio::task::spawn_blocking(move || audit.flush_and_close(Duration::from_millis(500)))
        .await;
    ExitCode::SUCCESS
}
