//! A live MCP session with one upstream, whatever its transport: the rmcp service and its peer, the
//! child process of a stdio server, and the 2026-07-28 list-change stream; and [`Dial`], what a
//! transport needs to make one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::service::RunningService;
use tokio::sync::{Mutex, mpsc};

use super::handler::UpstreamClient;
use super::process::ProcessGuard;
use super::{UpstreamEvent, UpstreamLimits};

/// What a transport needs to connect one upstream.
pub(super) struct Dial<'a> {
    pub name: &'a str,
    pub limits: UpstreamLimits,
    /// The handler for this connection (what the server asks back, its notifications).
    pub client: UpstreamClient,
    pub events: &'a mpsc::Sender<UpstreamEvent>,
}

/// A live session with a running process.
pub struct Connection {
    pub(super) service: Mutex<Option<RunningService<RoleClient, UpstreamClient>>>,
    pub(super) peer: rmcp::Peer<RoleClient>,
    /// The child process of a stdio upstream; `None` for HTTP.
    pub(super) guard: Mutex<Option<ProcessGuard>>,
    pub(super) oversized: Arc<AtomicBool>,
    pub(super) pid: Option<u32>,
    /// The 2026-07-28 list-change stream of this connection, if any; aborted with the connection.
    pub(super) list_watch: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Connection {
    /// Wraps a running session (with the child process of a stdio server) and starts watching its
    /// list changes.
    pub(super) fn new(
        service: RunningService<RoleClient, UpstreamClient>,
        guard: Option<ProcessGuard>,
        oversized: Arc<AtomicBool>,
        pid: Option<u32>,
        name: &str,
        events: &mpsc::Sender<UpstreamEvent>,
    ) -> Self {
        let peer = service.peer().clone();
        let list_watch = super::subscriptions::watch_list_changes(name, &peer, events);
        Self {
            service: Mutex::new(Some(service)),
            peer,
            guard: Mutex::new(guard),
            oversized,
            pid,
            list_watch: std::sync::Mutex::new(list_watch),
        }
    }

    pub(super) fn is_alive(&self) -> bool {
        !self.peer.is_transport_closed() && !self.oversized.load(Ordering::Relaxed)
    }

    pub(super) async fn stop(&self) {
        if let Some(watch) = self.list_watch.lock().ok().and_then(|mut w| w.take()) {
            watch.abort();
        }
        if let Some(service) = self.service.lock().await.take() {
            // Cancelling closes the child's stdin: a well-behaved server exits by itself.
            let _ = tokio::time::timeout(Duration::from_millis(200), service.cancel()).await;
        }
        if let Some(guard) = self.guard.lock().await.as_mut() {
            guard.terminate(Duration::from_millis(200)).await;
        }
    }
}
