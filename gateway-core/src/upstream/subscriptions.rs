//! Resource subscriptions the gateway holds on one upstream connection, for its clients.
//!
//! A legacy upstream takes `resources/subscribe` / `resources/unsubscribe` and sends
//! `notifications/resources/updated` unscoped (reported by the client handler in `handler.rs`). A
//! 2026-07-28 upstream has no `resources/subscribe`: the gateway opens a `subscriptions/listen`
//! stream per URI (rmcp's [`rmcp::Peer::listen`]) and reports its updates; dropping the stream's task
//! ends it. Either way each upstream URI is subscribed once, however many clients watch it; which
//! client watches what is the downstream's business (`downstream/peers.rs`).
//!
//! Subscriptions belong to one connection: when an upstream restarts, the gateway subscribes the new
//! connection to the same URIs ([`Subscriptions::drain`], then `subscribe` again), so clients keep
//! getting updates without noticing.

use std::collections::HashMap;

use rmcp::model::{
    ProtocolVersion, ServerNotification, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::{Peer, RoleClient, ServiceError};
use tokio::sync::mpsc;

use super::UpstreamEvent;

/// How one URI is subscribed upstream.
enum Held {
    /// `resources/subscribe` was sent (legacy upstream).
    Legacy,
    /// A listen stream forwards updates; aborting the task ends the stream.
    Listen(tokio::task::JoinHandle<()>),
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Held::Listen(task) = self {
            task.abort();
        }
    }
}

/// The URIs subscribed on one upstream connection.
#[derive(Default)]
pub struct Subscriptions {
    held: tokio::sync::Mutex<HashMap<String, Held>>,
}

fn is_modern(peer: &Peer<RoleClient>) -> bool {
    peer.peer_info()
        .is_some_and(|info| info.protocol_version >= ProtocolVersion::V_2026_07_28)
}

impl Subscriptions {
    /// Subscribes to `uri` upstream unless it already is.
    #[allow(deprecated)] // resources/subscribe is legacy-only; used only with legacy upstreams.
    pub async fn subscribe(
        &self,
        server: &str,
        peer: &Peer<RoleClient>,
        uri: &str,
        events: &mpsc::Sender<UpstreamEvent>,
    ) -> Result<(), ServiceError> {
        let mut held = self.held.lock().await;
        if held.contains_key(uri) {
            return Ok(());
        }
        let entry = if is_modern(peer) {
            let filter = SubscriptionFilter::builder()
                .resource_subscription(uri)
                .build();
            let mut subscription = peer.listen(filter).await?;
            let (server, events) = (server.to_string(), events.clone());
            Held::Listen(tokio::spawn(async move {
                while let Ok(Some(notification)) = subscription.next().await {
                    if let ServerNotification::ResourceUpdatedNotification(n) = notification {
                        let _ = events
                            .send(UpstreamEvent::ResourceUpdated {
                                server: server.clone(),
                                uri: n.params.uri,
                            })
                            .await;
                    }
                }
            }))
        } else {
            peer.subscribe(SubscribeRequestParams::new(uri)).await?;
            Held::Legacy
        };
        held.insert(uri.to_string(), entry);
        Ok(())
    }

    /// Ends the upstream subscription of `uri`, if any.
    #[allow(deprecated)] // resources/unsubscribe is legacy-only; used only with legacy upstreams.
    pub async fn unsubscribe(
        &self,
        peer: &Peer<RoleClient>,
        uri: &str,
    ) -> Result<(), ServiceError> {
        let removed = self.held.lock().await.remove(uri);
        match removed {
            Some(Held::Legacy) => peer
                .unsubscribe(UnsubscribeRequestParams::new(uri))
                .await
                .map(|_| ()),
            // Dropping the entry aborts the listen task, which ends the stream.
            Some(Held::Listen(_)) | None => Ok(()),
        }
    }

    /// Forgets every subscription and returns the URIs (the connection they lived on is gone; the
    /// caller subscribes the next one again).
    pub async fn drain(&self) -> Vec<String> {
        self.held.lock().await.drain().map(|(uri, _)| uri).collect()
    }

    /// Forgets every subscription (the connection they lived on is gone).
    ///
    /// The list-change stream of a 2026-07-28 connection is owned by the connection itself
    /// ([`watch_list_changes`]).
    pub async fn clear(&self) {
        self.held.lock().await.clear();
    }
}

/// On a 2026-07-28 connection, list changes arrive only on a `subscriptions/listen` stream: opens one
/// for whatever the server advertises and reports each change as an event. Returns `None` for legacy
/// connections (their notifications come unscoped, to the client handler). Aborting the task ends
/// the stream.
pub fn watch_list_changes(
    server: &str,
    peer: &Peer<RoleClient>,
    events: &mpsc::Sender<UpstreamEvent>,
) -> Option<tokio::task::JoinHandle<()>> {
    let info = peer.peer_info()?;
    if info.protocol_version < ProtocolVersion::V_2026_07_28 {
        return None;
    }
    let caps = &info.capabilities;
    let mut filter = SubscriptionFilter::builder();
    let mut any = false;
    if caps
        .tools
        .as_ref()
        .is_some_and(|t| t.list_changed == Some(true))
    {
        filter = filter.tools_list_changed();
        any = true;
    }
    if caps
        .prompts
        .as_ref()
        .is_some_and(|p| p.list_changed == Some(true))
    {
        filter = filter.prompts_list_changed();
        any = true;
    }
    if caps
        .resources
        .as_ref()
        .is_some_and(|r| r.list_changed == Some(true))
    {
        filter = filter.resources_list_changed();
        any = true;
    }
    if !any {
        return None;
    }
    let filter = filter.build();
    let (server, peer, events) = (server.to_string(), peer.clone(), events.clone());
    Some(tokio::spawn(async move {
        let mut subscription = match peer.listen(filter).await {
            Ok(subscription) => subscription,
            Err(error) => {
                tracing::info!(server, %error, "upstream refused subscriptions/listen; list changes will not be relayed");
                return;
            }
        };
        while let Ok(Some(notification)) = subscription.next().await {
            let event = match notification {
                ServerNotification::ToolListChangedNotification(_) => {
                    UpstreamEvent::ToolsChanged(server.clone())
                }
                ServerNotification::PromptListChangedNotification(_) => {
                    UpstreamEvent::PromptsChanged(server.clone())
                }
                ServerNotification::ResourceListChangedNotification(_) => {
                    UpstreamEvent::ResourcesChanged(server.clone())
                }
                _ => continue,
            };
            if events.send(event).await.is_err() {
                break;
            }
        }
    }))
}
