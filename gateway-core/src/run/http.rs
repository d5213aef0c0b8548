//! The streamable-HTTP front end: every configured gateway behind `/mcp` on a listener the caller
//! bound (the command line checks the address rules), one hot reload for all of them, and a bounded
//! drain of open connections when `shutdown` completes.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{RunError, Started, flush_audit};
use crate::audit::{AuditEvent, EventKind};
use crate::serve::{KeySource, ServeOptions, ServeState};

/// How long open connections (SSE streams included) may take to finish after `shutdown`.
const DRAIN: Duration = Duration::from_secs(5);

/// Serves MCP over streamable HTTP at `/mcp` on `listener` with the config at `path` until
/// `shutdown` completes. With [`KeySource::Fixed`], that key must select a gateway.
pub async fn run_http(
    listener: TcpListener,
    path: &Path,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let started = Started::load(path).await?;
    if let KeySource::Fixed(key) = &options.keys {
        let key = Some(key.expose().as_str()).filter(|k| !k.is_empty());
        crate::auth::find_gateway_index(&started.config, key).map_err(|error| {
            RunError::Auth(format!(
                "an unauthenticated endpoint needs ENKRYPT_GATEWAY_KEY to select a gateway: {error}"
            ))
        })?;
    }
    let local = listener.local_addr().ok();
    let Started {
        path,
        initial_text,
        config,
        audit,
        cache,
    } = started;
    let first_id = config
        .gateways
        .first()
        .map(|g| g.id.clone())
        .unwrap_or_default();
    let _telemetry = crate::telemetry::init(&config.common.extra);
    let cancel = CancellationToken::new();
    let state = ServeState::new(config, cache, audit.clone(), options, cancel.clone());
    let endpoint = local.map_or_else(|| "/mcp".to_owned(), |a| format!("http://{a}/mcp"));
    audit.record(
        AuditEvent::new(EventKind::Config, first_id.clone()).with_message(format!(
            "gateway serving {endpoint} on {} ({} gateway(s))",
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
        "gateway-core: serving MCP on {endpoint} (config {})",
        path.display()
    );

    let app = crate::serve::router(state.clone());
    let stop = cancel.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.cancelled().await;
    });
    let server = tokio::spawn(async move { server.await });
    // `shutdown` is awaited here, not in axum, so open SSE streams cannot hold it forever.
    shutdown.await;
    tracing::info!("shutting down");
    cancel.cancel();
    if tokio::time::timeout(DRAIN, server).await.is_err() {
        tracing::warn!("open connections did not finish within 5 s; closing them");
    }
    reload.abort();
    state.shutdown().await;
    flush_audit(audit).await;
    Ok(())
}
