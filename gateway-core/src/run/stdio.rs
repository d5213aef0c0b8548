//! The stdio front end: one MCP client on a pair of pipes, the gateway its key selects, hot reload
//! that follows that key (a key removed from the config is refused at once), and a clean stop when
//! the client closes its end, disconnects or `shutdown` completes.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use tokio::io::{AsyncRead, AsyncWrite};

use super::{RunError, Started, flush_audit};
use crate::audit::{AuditEvent, AuditLog, EventKind};
use crate::config::GatewayConfig;
use crate::downstream::{Gateway, GatewayHandle, GatewayServer};

/// Serves MCP on `input`/`output` for the gateway `key` selects in the config at `path`, until the
/// client leaves or `shutdown` completes. Lines that are not JSON get a JSON-RPC parse error.
pub async fn run_stdio<R, W>(
    path: &Path,
    key: Option<String>,
    (input, output): (R, W),
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let started = Started::load(path).await?;
    let index = crate::auth::find_gateway_index(&started.config, key.as_deref())
        .map_err(|error| RunError::Auth(error.to_string()))?;
    let Started {
        path,
        initial_text,
        config,
        audit,
        cache,
    } = started;
    let _telemetry = crate::telemetry::init(&config.common.extra);
    let (gateway, events) = Gateway::new(&config, index, cache, audit.clone());
    audit.record(
        AuditEvent::new(EventKind::Config, gateway.gateway_id.clone()).with_message(format!(
            "gateway started on {} ({} servers)",
            path.display(),
            gateway.servers.len()
        )),
    );
    let handle = GatewayHandle::new(gateway.clone());
    let events_task = tokio::spawn(handle.clone().run_events(events));
    let reload_task = crate::reload::spawn(
        path.clone(),
        initial_text.as_deref(),
        Arc::new(StdioReload {
            handle: handle.clone(),
            key,
            audit: audit.clone(),
        }),
        audit.clone(),
        gateway.gateway_id.clone(),
    );
    drop(gateway);

    let (input, eof) = crate::shutdown::EofWatch::new(input);
    // Lines that are not JSON get a JSON-RPC parse error (rmcp's stdio would skip them silently).
    let transport = crate::lines::LineTransport::<rmcp::RoleServer, _, _>::new(input, output);
    match GatewayServer::new(handle.clone()).serve(transport).await {
        Ok(service) => {
            let waiting = service.waiting();
            tokio::pin!(waiting);
            tokio::select! {
                quit = &mut waiting => {
                    tracing::debug!(?quit, "client disconnected");
                }
                _ = crate::shutdown::wait_for_eof(eof) => {
                    tracing::debug!("client closed stdin");
                    // Stop upstreams first so in-flight calls fail fast, then let rmcp finish.
                    reload_task.abort();
                    handle.shutdown().await;
                    let _ = tokio::time::timeout(Duration::from_secs(2), &mut waiting).await;
                }
                _ = shutdown => {
                    tracing::info!("shutting down");
                }
            }
        }
        // A client that leaves before `initialize` is not an error of the gateway.
        Err(error) => tracing::warn!(%error, "MCP session did not start"),
    }
    reload_task.abort();
    handle.shutdown().await;
    events_task.abort();
    flush_audit(audit).await;
    Ok(())
}

/// Hot reload for a stdio gateway: the process's key selects its gateway in each new version.
struct StdioReload {
    handle: Arc<GatewayHandle>,
    key: Option<String>,
    audit: AuditLog,
}

impl crate::reload::Reloadable for StdioReload {
    async fn apply(&self, cfg: Arc<GatewayConfig>) {
        let gateway_id = self.handle.current().gateway_id.clone();
        match crate::auth::find_gateway_index(&cfg, self.key.as_deref()) {
            Ok(index) => {
                let summary = self.handle.reload(&cfg, index).await;
                crate::reload::record_reload(
                    &self.audit,
                    &gateway_id,
                    &cfg.path,
                    summary.servers,
                    summary.restarted_upstreams,
                );
            }
            Err(error) => {
                // The key was removed or changed: a revoked key must stop working at once.
                self.handle.set_revoked(true);
                tracing::warn!(%error, "this process's gateway key is no longer in the config; refusing every request");
                self.audit
                    .record(AuditEvent::new(EventKind::Error, gateway_id).with_message(
                    format!(
                        "gateway key revoked by a config change; every request is refused: {error}"
                    ),
                ));
                self.handle.current().notify_tools_changed().await;
            }
        }
    }
}
