//! The clients connected to one gateway, for notifications that are not replies
//! (`notifications/{tools,resources,prompts}/list_changed`, upstream log lines at or above the level a
//! client asked for, `notifications/resources/updated` for the URIs each client subscribed to).
//!
//! A stdio gateway has one client; `gateway-core serve` has one per legacy HTTP session (stateless
//! 2026-07-28 requests get a short-lived peer that is pruned as soon as its transport closes).

use std::sync::atomic::{AtomicU8, Ordering};

#[allow(deprecated)]
// Logging is deprecated in 2026-07-28 (SEP-2577); legacy clients still use it.
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::SubscriptionSink;
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
    /// Resource subscriptions: (exposed URI, client session, client).
    watchers: Mutex<Vec<(String, u64, Peer<RoleServer>)>>,
    /// Open 2026-07-28 `subscriptions/listen` streams, by a number of their own. Each sink applies
    /// the filter its client asked for (list changes, resource URIs).
    listeners: Mutex<Vec<(u64, SubscriptionSink)>>,
    next_listener: std::sync::atomic::AtomicU64,
}

/// A notification sent to every connected client.
#[derive(Debug, Clone, Copy)]
pub enum Broadcast {
    ToolsChanged,
    ResourcesChanged,
    PromptsChanged,
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

    /// The level a client asked for with `logging/setLevel`, if any.
    #[allow(deprecated)]
    pub fn log_level(&self) -> Option<LoggingLevel> {
        let levels = [
            LoggingLevel::Debug,
            LoggingLevel::Info,
            LoggingLevel::Notice,
            LoggingLevel::Warning,
            LoggingLevel::Error,
            LoggingLevel::Critical,
            LoggingLevel::Alert,
            LoggingLevel::Emergency,
        ];
        let wanted = self.log_level.load(Ordering::Relaxed);
        levels.into_iter().find(|level| rank(*level) == wanted)
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
        // Only legacy sessions: a 2026-07-28 request gets log lines only for itself, when it names a
        // level (SEP-2575), and upstream lines carry nothing that ties them to one request.
        let live: Vec<Peer<RoleServer>> = {
            let mut peers = self.peers.lock().await;
            peers.retain(|p| !p.is_transport_closed());
            peers
                .iter()
                .filter(|p| {
                    p.peer_info().is_some_and(|info| {
                        info.protocol_version < rmcp::model::ProtocolVersion::V_2026_07_28
                    })
                })
                .cloned()
                .collect()
        };
        for peer in live {
            let _ = peer.notify_logging_message(params.clone()).await;
        }
    }

    /// Sends `notifications/tools/list_changed` to every client still connected. Best effort.
    pub async fn notify_tools_changed(&self) {
        self.broadcast(Broadcast::ToolsChanged).await;
    }

    /// Sends `what` to every client still connected. Best effort.
    pub async fn broadcast(&self, what: Broadcast) {
        let live: Vec<Peer<RoleServer>> = {
            let mut peers = self.peers.lock().await;
            peers.retain(|p| !p.is_transport_closed());
            peers.clone()
        };
        let listeners: Vec<SubscriptionSink> = {
            let listeners = self.listeners.lock().await;
            listeners.iter().map(|(_, sink)| sink.clone()).collect()
        };
        for sink in listeners {
            // A stream that did not ask for this kind refuses it: that is the filter working.
            let _ = match what {
                Broadcast::ToolsChanged => sink.notify_tool_list_changed().await,
                Broadcast::ResourcesChanged => sink.notify_resource_list_changed().await,
                Broadcast::PromptsChanged => sink.notify_prompt_list_changed().await,
            };
        }
        for peer in live {
            let sent = match what {
                Broadcast::ToolsChanged => peer.notify_tool_list_changed().await,
                Broadcast::ResourcesChanged => peer.notify_resource_list_changed().await,
                Broadcast::PromptsChanged => peer.notify_prompt_list_changed().await,
            };
            if let Err(error) = sent {
                tracing::debug!(%error, ?what, "could not send a list_changed notification");
            }
        }
    }

    /// Records that the client of `session` watches `exposed_uri`.
    pub async fn watch(&self, exposed_uri: &str, session: u64, peer: Peer<RoleServer>) {
        let mut watchers = self.watchers.lock().await;
        watchers.retain(|(_, _, p)| !p.is_transport_closed());
        if !watchers
            .iter()
            .any(|(uri, s, _)| uri == exposed_uri && *s == session)
        {
            watchers.push((exposed_uri.to_string(), session, peer));
        }
    }

    /// The client of `session` stops watching `exposed_uri`; returns whether anyone still watches it.
    pub async fn unwatch(&self, exposed_uri: &str, session: u64) -> bool {
        self.watchers.lock().await.retain(|(uri, s, p)| {
            !(p.is_transport_closed() || (uri == exposed_uri && *s == session))
        });
        self.is_watched(exposed_uri).await
    }

    /// Remembers an open `subscriptions/listen` stream; returns its number for [`Self::unlisten`].
    pub async fn listen(&self, sink: SubscriptionSink) -> u64 {
        let id = self
            .next_listener
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.listeners.lock().await.push((id, sink));
        id
    }

    /// Forgets a listen stream that ended.
    pub async fn unlisten(&self, id: u64) {
        self.listeners.lock().await.retain(|(n, _)| *n != id);
    }

    /// Whether any client (legacy subscription or listen stream) still watches `exposed_uri`.
    pub async fn is_watched(&self, exposed_uri: &str) -> bool {
        let legacy = self
            .watchers
            .lock()
            .await
            .iter()
            .any(|(uri, _, p)| uri == exposed_uri && !p.is_transport_closed());
        legacy
            || self.listeners.lock().await.iter().any(|(_, sink)| {
                sink.accepted()
                    .resource_subscriptions
                    .as_ref()
                    .is_some_and(|uris| uris.iter().any(|u| u == exposed_uri))
            })
    }

    /// Sends `notifications/resources/updated` to the clients watching `exposed_uri`.
    pub async fn notify_resource_updated(&self, exposed_uri: &str) {
        let targets: Vec<Peer<RoleServer>> = {
            let mut watchers = self.watchers.lock().await;
            watchers.retain(|(_, _, p)| !p.is_transport_closed());
            watchers
                .iter()
                .filter(|(uri, _, _)| uri == exposed_uri)
                .map(|(_, _, p)| p.clone())
                .collect()
        };
        let listeners: Vec<SubscriptionSink> = {
            let listeners = self.listeners.lock().await;
            listeners.iter().map(|(_, sink)| sink.clone()).collect()
        };
        for sink in listeners {
            // Sinks whose filter does not name this URI refuse it.
            let _ = sink.notify_resource_updated(exposed_uri).await;
        }
        for peer in targets {
            let params = rmcp::model::ResourceUpdatedNotificationParam::new(exposed_uri);
            if let Err(error) = peer.notify_resource_updated(params).await {
                tracing::debug!(%error, "could not send resources/updated");
            }
        }
    }
}
