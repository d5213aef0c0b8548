//! The clients connected to one gateway, for notifications that are not replies
//! (`notifications/tools/list_changed`).
//!
//! A stdio gateway has one client; `gateway-core serve` has one per legacy HTTP session (stateless
//! 2026-07-28 requests get a short-lived peer that is pruned as soon as its transport closes).

use rmcp::{Peer, RoleServer};
use tokio::sync::Mutex;

/// Upper bound on remembered peers: beyond it the closed ones are pruned first, then the oldest dropped.
const MAX_PEERS: usize = 1024;

/// The connected clients of one gateway.
#[derive(Default)]
pub struct Peers {
    peers: Mutex<Vec<Peer<RoleServer>>>,
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
