//! [`GatewayHandle`]: the current [`Gateway`] of one gateway key, swapped when the config reloads.
//!
//! Every request reads the current gateway once (a read lock and an `Arc` clone) and runs to the end on
//! that version, so a reload never changes the rules under a call in flight. Upstream notifications
//! arrive on one channel for the handle's whole life (`UpstreamPool::reconcile` keeps the sender).

use std::sync::{Arc, RwLock};

use tokio::sync::mpsc;

use super::Gateway;
use super::peers::{Broadcast, Peers};
use crate::config::GatewayConfig;
use crate::upstream::{self, UpstreamEvent};

/// The current version of one gateway.
pub struct GatewayHandle {
    current: RwLock<Arc<Gateway>>,
    /// Set when a reloaded config no longer holds this gateway's key: every request is refused until
    /// a later version brings the key back.
    revoked: std::sync::atomic::AtomicBool,
}

/// What a reload changed, for the audit log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReloadSummary {
    pub servers: usize,
    pub restarted_upstreams: usize,
}

impl GatewayHandle {
    /// A handle over a freshly built gateway.
    pub fn new(gateway: Arc<Gateway>) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(gateway),
            revoked: Default::default(),
        })
    }

    /// The gateway to use for the next request.
    pub fn current(&self) -> Arc<Gateway> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            // A writer never panics while holding the lock (it only swaps an Arc), but stay usable.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Refuses every request from now on (the key was removed from the config), or serves again.
    pub fn set_revoked(&self, revoked: bool) {
        self.revoked
            .store(revoked, std::sync::atomic::Ordering::Release);
    }

    /// Whether requests are refused because the key left the config.
    pub fn is_revoked(&self) -> bool {
        self.revoked.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(super) fn peers(&self) -> Arc<Peers> {
        self.current().peers.clone()
    }

    /// Switches to `config` (where `gateway_index` selects this gateway): unchanged upstreams keep
    /// running, changed and removed ones are stopped after the swap, and clients are told that the
    /// tool list changed.
    pub async fn reload(&self, config: &GatewayConfig, gateway_index: usize) -> ReloadSummary {
        let old = self.current();
        let (new, dropped) = old.reloaded(config, gateway_index).await;
        let summary = ReloadSummary {
            servers: new.servers.len(),
            restarted_upstreams: dropped.len(),
        };
        match self.current.write() {
            Ok(mut guard) => *guard = new.clone(),
            Err(poisoned) => *poisoned.into_inner() = new.clone(),
        }
        self.set_revoked(false);
        upstream::stop_all(&dropped).await;
        new.notify_tools_changed().await;
        summary
    }

    /// Reacts to upstream notifications until every upstream sender is gone.
    pub async fn run_events(self: Arc<Self>, mut events: mpsc::Receiver<UpstreamEvent>) {
        while let Some(event) = events.recv().await {
            match event {
                UpstreamEvent::ToolsChanged(server) => {
                    let gateway = self.current();
                    gateway.cache.remove(&gateway.gateway_id, &server).await;
                    tracing::info!(server = %server, "upstream tool list changed");
                    gateway.notify_tools_changed().await;
                }
                UpstreamEvent::Log { server, params } => {
                    self.current().peers.forward_log(&server, params).await;
                }
                UpstreamEvent::ResourcesChanged(server) => {
                    tracing::info!(server = %server, "upstream resource list changed");
                    self.peers().broadcast(Broadcast::ResourcesChanged).await;
                }
                UpstreamEvent::PromptsChanged(server) => {
                    tracing::info!(server = %server, "upstream prompt list changed");
                    self.peers().broadcast(Broadcast::PromptsChanged).await;
                }
                UpstreamEvent::ResourceUpdated { server, uri } => {
                    let gateway = self.current();
                    if let Some(index) = gateway.server_index(&server) {
                        let exposed = gateway.exposed_uri(index, &uri);
                        gateway.peers.notify_resource_updated(&exposed).await;
                    }
                }
            }
        }
    }

    /// Stops every upstream of the current gateway.
    pub async fn shutdown(&self) {
        self.current().shutdown().await;
    }
}
