//! The MCP client handler the gateway runs towards one upstream: what the upstream asks back
//! (sampling, elicitation, roots) goes to the client whose call is in flight, across protocol eras
//! (`bridge.rs`); its notifications (list changes, resource updates, progress, logs) become
//! [`UpstreamEvent`]s or reach the caller's progress route.

#[allow(deprecated)] // Logging: see `on_logging_message`.
use rmcp::model::LoggingMessageNotificationParam;
#[allow(deprecated)] // Sampling and roots (SEP-2577): still what legacy peers speak.
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequest, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequest, ElicitRequestParams, ElicitResult, Implementation,
    InputRequest, ListRootsResult, ProgressNotificationParam, ProgressToken,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ClientHandler, ErrorData, RoleClient};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use super::UpstreamEvent;
use super::bridge;
use super::callers::{Ask, InFlight, ProgressRoute, Target};

/// Upstream progress token → route, for the requests of one upstream that are in flight.
pub(super) type ProgressRoutes =
    Arc<std::sync::Mutex<std::collections::HashMap<ProgressToken, ProgressRoute>>>;

/// The MCP client the gateway runs towards one upstream; it reports upstream notifications.
#[derive(Clone)]
pub(super) struct UpstreamClient {
    pub(super) server: Arc<str>,
    pub(super) events: mpsc::Sender<UpstreamEvent>,
    pub(super) progress: ProgressRoutes,
    pub(super) in_flight: Arc<InFlight>,
}

impl UpstreamClient {
    /// Puts a question to a 2026-07-28 client through its call's queue and waits for the answer.
    async fn ask_parked<T: serde::de::DeserializeOwned>(
        &self,
        target: &Target,
        request: InputRequest,
    ) -> Result<T, ErrorData> {
        let Some(asks) = &target.asks else {
            return Err(ErrorData::internal_error(
                "no way to reach the client for this request",
                None,
            ));
        };
        let (reply, answer) = oneshot::channel();
        asks.send(Ask { request, reply }).await.map_err(|_| {
            ErrorData::internal_error("the client's call ended before it could be asked", None)
        })?;
        let value = answer.await.map_err(|_| {
            ErrorData::internal_error(
                "the client did not answer (the call was cancelled or expired)",
                None,
            )
        })??;
        serde_json::from_value(value).map_err(|e| {
            ErrorData::invalid_params(
                format!("the client's answer has the wrong shape: {e}"),
                None,
            )
        })
    }
}

/// Removes a progress route when its request ends, however it ends.
pub(super) struct RouteGuard {
    pub(super) routes: ProgressRoutes,
    pub(super) token: ProgressToken,
}

impl Drop for RouteGuard {
    fn drop(&mut self) {
        if let Ok(mut routes) = self.routes.lock() {
            routes.remove(&self.token);
        }
    }
}

/// Sends `notifications/cancelled` upstream when a request is abandoned (timeout, client cancel).
pub(super) struct CancelOnDrop {
    pub(super) peer: rmcp::Peer<RoleClient>,
    pub(super) id: Option<rmcp::model::RequestId>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let peer = self.peer.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let notification = rmcp::model::CancelledNotification::new(
                    rmcp::model::CancelledNotificationParam::new(
                        Some(id),
                        Some("abandoned by the gateway (timeout or client cancel)".into()),
                    ),
                );
                let _ = peer
                    .send_notification(rmcp::model::ClientNotification::CancelledNotification(
                        notification,
                    ))
                    .await;
            });
        }
    }
}

impl ClientHandler for UpstreamClient {
    // Sampling and roots are deprecated in 2026-07-28 (SEP-2577); legacy servers still ask for them.
    #[allow(deprecated)]
    fn get_info(&self) -> ClientConfig {
        // Everything a client may support: what the actual client lacks is refused per request.
        let capabilities = ClientCapabilities::builder()
            .enable_sampling()
            .enable_elicitation()
            .enable_roots()
            .build();
        ClientConfig::new(
            capabilities,
            Implementation::new("enkrypt-secure-mcp-gateway", env!("CARGO_PKG_VERSION")),
        )
    }

    #[allow(deprecated)]
    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let target = self.in_flight.pick(&self.server, "sampling")?;
        let request = InputRequest::CreateMessage(CreateMessageRequest::new(params.clone()));
        target.screen(&request).await?;
        if target.client.is_legacy() {
            return bridge::sample(&target.client, &self.server, params).await;
        }
        if target.client.capabilities.sampling.is_none() {
            return Err(bridge::unsupported(
                &self.server,
                "sampling (an LLM completion)",
                "sampling",
            ));
        }
        self.ask_parked(&target, request).await
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let target = self.in_flight.pick(&self.server, "elicitation")?;
        let request = InputRequest::Elicitation(ElicitRequest::new(params.clone()));
        target.screen(&request).await?;
        if target.client.is_legacy() {
            return bridge::elicit(&target.client, &self.server, params).await;
        }
        if target.client.capabilities.elicitation.is_none() {
            return Err(bridge::unsupported(
                &self.server,
                "user input (elicitation)",
                "elicitation",
            ));
        }
        self.ask_parked(&target, request).await
    }

    #[allow(deprecated)]
    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        let target = self.in_flight.pick(&self.server, "roots")?;
        if target.client.is_legacy() {
            return bridge::roots(&target.client, &self.server).await;
        }
        if target.client.capabilities.roots.is_none() {
            return Err(bridge::unsupported(
                &self.server,
                "the client's roots",
                "roots",
            ));
        }
        let request = InputRequest::ListRoots(rmcp::model::ListRootsRequest::default());
        self.ask_parked(&target, request).await
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self
            .events
            .try_send(UpstreamEvent::ToolsChanged(self.server.to_string()));
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self
            .events
            .try_send(UpstreamEvent::ResourcesChanged(self.server.to_string()));
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self
            .events
            .try_send(UpstreamEvent::PromptsChanged(self.server.to_string()));
    }

    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.events.try_send(UpstreamEvent::ResourceUpdated {
            server: self.server.to_string(),
            uri: params.uri,
        });
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let route = self
            .progress
            .lock()
            .ok()
            .and_then(|routes| routes.get(&params.progress_token).cloned());
        if let Some(route) = route {
            route(params).await;
        }
    }

    // Logging is deprecated in the 2026-07-28 revision (SEP-2577) but legacy servers and clients use it.
    #[allow(deprecated)]
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        // Best effort: a flood of upstream logs is dropped rather than slowing calls down.
        let _ = self.events.try_send(UpstreamEvent::Log {
            server: self.server.to_string(),
            params,
        });
    }
}
