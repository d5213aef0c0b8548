//! A live MCP session with one upstream, whatever its transport: the rmcp service and its peer, the
//! child process of a stdio server, and the 2026-07-28 list-change stream; and [`Dial`], what a
//! transport needs to make one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::service::RunningService;
use tokio::sync::{Mutex, mpsc};

use super::era::LegacySide;
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
    /// A second, legacy-era connection when the server offers more there (era.rs; HTTP only).
    pub(super) legacy: Option<LegacySide<UpstreamClient>>,
}

impl Connection {
    /// Wraps a running session (with the child process of a stdio server) and starts watching its
    /// list changes.
    pub(super) fn new(
        service: RunningService<RoleClient, UpstreamClient>,
        guard: Option<ProcessGuard>,
        oversized: Arc<AtomicBool>,
        pid: Option<u32>,
        legacy: Option<LegacySide<UpstreamClient>>,
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
            legacy,
        }
    }

    pub(super) fn is_alive(&self) -> bool {
        !self.peer.is_transport_closed()
            && !self.oversized.load(Ordering::Relaxed)
            && (self.legacy.as_ref()).is_none_or(|legacy| !legacy.peer.is_transport_closed())
    }

    /// Where resource subscriptions go: the legacy connection when only it advertises them.
    pub(super) fn subscription_peer(&self) -> &rmcp::Peer<RoleClient> {
        let main_subscribes = self.peer.peer_info().is_some_and(|info| {
            (info.capabilities.resources.as_ref()).is_some_and(|r| r.subscribe == Some(true))
        });
        match &self.legacy {
            Some(legacy) if !main_subscribes && legacy.subscribes() => &legacy.peer,
            _ => &self.peer,
        }
    }

    /// The peer a call of `tool` for a client goes to: a legacy client's call goes to the legacy
    /// connection, if any, when that one has the tool (era.rs).
    pub(super) fn call_peer(&self, tool: &str, legacy_client: bool) -> &rmcp::Peer<RoleClient> {
        match &self.legacy {
            Some(legacy) if legacy_client && legacy.serves_tool(tool) => &legacy.peer,
            _ => &self.peer,
        }
    }

    pub(super) async fn stop(&self) {
        if let Some(watch) = self.list_watch.lock().ok().and_then(|mut w| w.take()) {
            watch.abort();
        }
        if let Some(legacy) = &self.legacy {
            legacy.stop().await;
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
