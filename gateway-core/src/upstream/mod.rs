//! The upstream side: the gateway as an MCP client of each configured server.
//!
//! [`UpstreamPool`] holds one [`Upstream`] per configured server; `reconcile` carries a pool over a
//! config reload, keeping unchanged upstreams running. One upstream is split by job:
//! - `lifecycle.rs`: start once on first need, reuse, restart with backoff, stop, classify failures;
//! - `connection.rs`: a live session, whatever the transport;
//! - one file per transport: `stdio.rs` (over a child process, `process.rs`), `streamable_http.rs`,
//!   `sse.rs` (legacy HTTP+SSE);
//! - `handler.rs`: the MCP client handler (what the upstream asks back, its notifications);
//! - `calls.rs` (`tools/call`, `tools/list`) and `requests.rs` (resources, prompts, completion);
//! - `era.rs`: a second, legacy connection beside a 2026-07-28 one when the server offers more there;
//! - `callers.rs` (who a request is for), `bridge.rs` (questions across protocol eras),
//!   `subscriptions.rs` (resource subscriptions held once per URI).

pub mod bridge;
pub mod callers;
mod calls;
mod connection;
pub mod era;
mod handler;
pub mod lifecycle;
pub mod process;
mod requests;
pub mod sse;
pub mod stdio;
mod streamable_http;
pub mod subscriptions;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

pub use callers::{Caller, ClientRef, ProgressRoute};
pub use lifecycle::Upstream;

use crate::config::{CommonConfig, ServerConfig, UpstreamTransport};

/// Limits applied to every upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamLimits {
    pub request_timeout: Duration,
    pub start_timeout: Duration,
    pub max_message_bytes: usize,
}

impl UpstreamLimits {
    pub fn from_common(common: &CommonConfig) -> Self {
        Self {
            request_timeout: common.upstream_timeout,
            start_timeout: common.upstream_start_timeout,
            max_message_bytes: common.max_upstream_message_bytes,
        }
    }
}

/// Something an upstream told us outside a request.
#[derive(Debug, Clone)]
pub enum UpstreamEvent {
    /// `notifications/tools/list_changed` from this server.
    ToolsChanged(String),
    /// `notifications/resources/list_changed` from this server.
    ResourcesChanged(String),
    /// `notifications/prompts/list_changed` from this server.
    PromptsChanged(String),
    /// `notifications/resources/updated` for a URI (as the server names it) a client subscribed to.
    ResourceUpdated { server: String, uri: String },
    /// `notifications/message` (a log line) from this server.
    // Logging is deprecated in 2026-07-28 (SEP-2577); legacy peers still use it.
    #[allow(deprecated)]
    Log {
        server: String,
        params: rmcp::model::LoggingMessageNotificationParam,
    },
}

/// Why an upstream request failed. Every message names the server and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("server '{server}' could not be started: command '{command}' failed: {source}")]
    Spawn {
        server: String,
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server '{server}' started but the MCP handshake failed: {reason}")]
    Handshake { server: String, reason: String },
    #[error("server '{server}' did not finish starting within {after:?}")]
    StartTimeout { server: String, after: Duration },
    #[error("server '{server}' did not answer {what} within {after:?}")]
    Timeout {
        server: String,
        what: String,
        after: Duration,
    },
    #[error(
        "server '{server}' exited or closed its connection during the request; it will be restarted on the next call"
    )]
    Exited { server: String },
    #[error(
        "server '{server}' sent a message larger than the {limit}-byte limit (max_upstream_message_bytes); the request was abandoned and the server will be restarted"
    )]
    Oversized { server: String, limit: usize },
    #[error(
        "server '{server}' failed {failures} time(s) in a row; next restart attempt in {retry_in:?}"
    )]
    Backoff {
        server: String,
        failures: u32,
        retry_in: Duration,
    },
    #[error("server '{server}' returned an error: {message}")]
    Rpc { server: String, message: String },
    /// A JSON-RPC error answer from the server itself (kept whole, so it can be passed through).
    #[error("server '{server}' returned an error: {}", error.message)]
    Protocol {
        server: String,
        error: Box<rmcp::ErrorData>,
    },
    #[error("server '{server}': {what}")]
    Unsupported { server: String, what: String },
    /// An HTTP server answered 401/403 and no usable OAuth token is stored (the gateway never opens a
    /// browser itself).
    #[error("server '{server}' needs sign-in ({reason}): sign in with `{command}` or from the app")]
    SignInNeeded {
        server: String,
        reason: String,
        command: String,
    },
}

impl UpstreamError {
    /// [`UpstreamError::SignInNeeded`] for `server`.
    pub fn sign_in_needed(server: &str, reason: impl Into<String>) -> Self {
        Self::SignInNeeded {
            server: server.to_owned(),
            reason: reason.into(),
            command: crate::oauth::login_command(server),
        }
    }
}

/// All upstreams of one gateway, by server name.
pub struct UpstreamPool {
    upstreams: HashMap<String, Arc<Upstream>>,
    /// Shared by every upstream of this pool and of the pools reconciled from it, so one receiver
    /// sees notifications across config reloads.
    events: mpsc::Sender<UpstreamEvent>,
}

impl UpstreamPool {
    /// Builds the pool; nothing is started until first needed. Upstream notifications arrive on the
    /// returned receiver.
    ///
    /// Relative command paths (`./bin/server`) are resolved against `base_dir`, the config file's folder.
    pub fn new(
        servers: &[ServerConfig],
        common: &CommonConfig,
        base_dir: &Path,
    ) -> (Self, mpsc::Receiver<UpstreamEvent>) {
        let (tx, rx) = mpsc::channel(256);
        let empty = Self {
            upstreams: HashMap::new(),
            events: tx,
        };
        let (pool, _) = empty.reconcile(servers, common, base_dir);
        (pool, rx)
    }

    /// The pool for a reloaded config: an upstream whose name, resolved transport and limits are
    /// unchanged is kept as it is (its process and session survive the reload); the others are new.
    /// Returns the new pool and the upstreams it no longer holds, which the caller stops.
    pub fn reconcile(
        &self,
        servers: &[ServerConfig],
        common: &CommonConfig,
        base_dir: &Path,
    ) -> (Self, Vec<Arc<Upstream>>) {
        let limits = UpstreamLimits::from_common(common);
        let mut upstreams = HashMap::with_capacity(servers.len());
        for server in servers {
            let transport = resolve_command(&server.transport, base_dir);
            let kept = self
                .upstreams
                .get(&server.server_name)
                .filter(|old| old.transport() == &transport && old.limits() == limits)
                .cloned();
            let upstream = kept.unwrap_or_else(|| {
                Arc::new(Upstream::new(
                    &server.server_name,
                    transport,
                    limits,
                    self.events.clone(),
                ))
            });
            upstreams.insert(server.server_name.clone(), upstream);
        }
        let dropped = self
            .upstreams
            .iter()
            .filter(|(name, old)| {
                upstreams
                    .get(*name)
                    .is_none_or(|new| !Arc::ptr_eq(new, old))
            })
            .map(|(_, old)| old.clone())
            .collect();
        (
            Self {
                upstreams,
                events: self.events.clone(),
            },
            dropped,
        )
    }

    pub fn get(&self, server: &str) -> Option<Arc<Upstream>> {
        self.upstreams.get(server).cloned()
    }

    /// Stops every upstream process concurrently (closes stdin, short grace, then SIGKILL to the group).
    pub async fn shutdown(&self) {
        stop_all(self.upstreams.values()).await;
    }
}

/// Stops the given upstreams concurrently.
pub async fn stop_all<'a>(upstreams: impl IntoIterator<Item = &'a Arc<Upstream>>) {
    futures::future::join_all(upstreams.into_iter().map(|u| u.stop())).await;
}

/// A stdio command written as a relative path (it contains a path separator) is taken relative to the
/// config file's folder, so a config can point at binaries next to it; bare names go through `PATH`.
fn resolve_command(transport: &UpstreamTransport, base_dir: &Path) -> UpstreamTransport {
    match transport {
        UpstreamTransport::Stdio { command, args, env } => {
            let as_path = Path::new(command);
            let is_relative_path =
                as_path.is_relative() && (command.contains('/') || command.contains('\\'));
            let command = if is_relative_path {
                base_dir.join(as_path).to_string_lossy().into_owned()
            } else {
                command.clone()
            };
            UpstreamTransport::Stdio {
                command,
                args: args.clone(),
                env: env.clone(),
            }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(command: &str) -> UpstreamTransport {
        UpstreamTransport::Stdio {
            command: command.into(),
            args: vec![],
            env: Default::default(),
        }
    }

    fn command_of(t: UpstreamTransport) -> String {
        match t {
            UpstreamTransport::Stdio { command, .. } => command,
            UpstreamTransport::Http { url, .. } => url,
        }
    }

    #[test]
    fn relative_paths_resolve_against_the_config_folder() {
        let base = Path::new("/etc/enkrypt");
        assert_eq!(
            command_of(resolve_command(&stdio("./bin/echo"), base)),
            "/etc/enkrypt/./bin/echo"
        );
        assert_eq!(command_of(resolve_command(&stdio("npx"), base)), "npx");
        assert_eq!(
            command_of(resolve_command(&stdio("/usr/bin/python3"), base)),
            "/usr/bin/python3"
        );
    }
}
