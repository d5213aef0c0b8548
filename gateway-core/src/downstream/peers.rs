//! The clients connected to one gateway, for notifications that are not replies
//! (`notifications/tools/list_changed`, upstream log lines at or above the level a client asked for).
//!
//! A stdio gateway has one client; `gateway-core serve` has one per legacy HTTP session (stateless
//! 2026-07-28 requests get a short-lived peer that is pruned as soon as its transport closes).

use std::sync::atomic::{AtomicU8, Ordering};

#[allow(deprecated)]
// Logging is deprecated in 2026-07-28 (SEP-2577); legacy clients still use it.
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::{Peer, RoleServer};
use tokio::sync::Mutex;

/// Upper bound on remembered peers: beyond it the closed ones are pruned first, then the oldest dropped.
const MAX_PEERS: usize = 1024;

/// The connected clients of one gateway.
#[derive(Default)]
pub struct Peers {
    peers: Mutex<Vec<Peer<RoleServer>>>,
    /// Lowest log level forwarded, as set by `logging/setLevel` (0 = nothing until a client asks).
    log_level: AtomicU8,
}

#[allow(deprecated)]
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 1,
        LoggingLevel::Info => 2,
        LoggingLevel::Notice => 3,
        LoggingLevel::Warning => 4,
        LoggingLevel::Error => 5,
        LoggingLevel::Critical => 6,
        LoggingLevel::Alert => 7,
        LoggingLevel::Emergency => 8,
    }
}

impl Peers {
    /// Remembers a client.
    pub async fn add(&self, peer: Peer<RoleServer>) {
        let mut peers = self.peers.lock().await;
        if peers.len() >= MAX_PEERS / 2 {
            peers.retain(|p| !p.is_transport_closed());
        }
        if peers.len() >= MAX_PEERS {
            peers.remove(0);
        }
        peers.push(peer);
    }

    /// Forwards upstream log lines at or above `level` from now on.
    #[allow(deprecated)]
    pub fn set_log_level(&self, level: LoggingLevel) {
        self.log_level.store(rank(level), Ordering::Relaxed);
    }

    /// Relays an upstream log line to the clients, its logger prefixed with the server name, when a
    /// client asked for that level.
    #[allow(deprecated)]
    pub async fn forward_log(&self, server: &str, mut params: LoggingMessageNotificationParam) {
        let wanted = self.log_level.load(Ordering::Relaxed);
        if wanted == 0 || rank(params.level) < wanted {
            return;
        }
        params.logger = Some(match params.logger.take() {
            Some(logger) => format!("{server}/{logger}"),
            None => server.to_string(),
        });
        let live: Vec<Peer<RoleServer>> = {
            let mut peers = self.peers.lock().await;
            peers.retain(|p| !p.is_transport_closed());
            peers.clone()
        };
        for peer in live {
            let _ = peer.notify_logging_message(params.clone()).await;
        }
    }

    /// Sends `notifications/tools/list_changed` to every client still connected. Best effort.
    pub async fn notify_tools_changed(&self) {
        let live: Vec<Peer<RoleServer>> = {
            let mut peers = self.peers.lock().await;
            peers.retain(|p| !p.is_transport_closed());
            peers.clone()
        };
        for peer in live {
            if let Err(error) = peer.notify_tool_list_changed().await {
                tracing::debug!(%error, "could not send tools/list_changed");
            }
        }
    }
}
