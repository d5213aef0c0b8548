//! The other requests to one upstream (resources, prompts, completion, subscriptions), each bounded
//! by the request timeout and skipped when the server does not offer the feature.

use rmcp::RoleClient;

use super::UpstreamError;
use super::lifecycle::Upstream;

impl Upstream {
    /// One request to the upstream with the request timeout; `what` names it in errors.
    async fn request<T, F, Fut>(&self, what: &str, send: F) -> Result<T, UpstreamError>
    where
        F: FnOnce(rmcp::Peer<RoleClient>) -> Fut,
        Fut: std::future::Future<Output = Result<T, rmcp::ServiceError>>,
    {
        let conn = self.connection().await?;
        match tokio::time::timeout(self.limits.request_timeout, send(conn.peer.clone())).await {
            Err(_) => Err(UpstreamError::Timeout {
                server: self.name.to_string(),
                what: what.to_string(),
                after: self.limits.request_timeout,
            }),
            Ok(Err(error)) => Err(self.classify(&conn, error)),
            Ok(Ok(value)) => {
                self.record_success();
                Ok(value)
            }
        }
    }

    /// What the upstream said it supports (starting it if needed).
    pub async fn capabilities(&self) -> Result<rmcp::model::ServerCapabilities, UpstreamError> {
        let conn = self.connection().await?;
        Ok(conn
            .peer
            .peer_info()
            .map(|info| info.capabilities.clone())
            .unwrap_or_default())
    }

    /// `resources/list` (all pages); empty when the server has no resources.
    pub async fn list_resources(&self) -> Result<Vec<rmcp::model::Resource>, UpstreamError> {
        if self.capabilities().await?.resources.is_none() {
            return Ok(Vec::new());
        }
        self.request("resources/list", |peer| async move {
            peer.list_all_resources().await
        })
        .await
    }

    /// `resources/templates/list` (all pages); empty when the server has no resources.
    pub async fn list_resource_templates(
        &self,
    ) -> Result<Vec<rmcp::model::ResourceTemplate>, UpstreamError> {
        if self.capabilities().await?.resources.is_none() {
            return Ok(Vec::new());
        }
        self.request("resources/templates/list", |peer| async move {
            peer.list_all_resource_templates().await
        })
        .await
    }

    /// One `resources/read` round (an `input_required` answer is passed back as it is).
    pub async fn read_resource(
        &self,
        params: rmcp::model::ReadResourceRequestParams,
    ) -> Result<rmcp::model::ReadResourceResponse, UpstreamError> {
        let what = format!("resources/read {}", params.uri);
        self.request(&what, |peer| async move {
            peer.read_resource_once(params).await
        })
        .await
    }

    /// `prompts/list` (all pages); empty when the server has no prompts.
    pub async fn list_prompts(&self) -> Result<Vec<rmcp::model::Prompt>, UpstreamError> {
        if self.capabilities().await?.prompts.is_none() {
            return Ok(Vec::new());
        }
        self.request("prompts/list", |peer| async move {
            peer.list_all_prompts().await
        })
        .await
    }

    /// One `prompts/get` round.
    pub async fn get_prompt(
        &self,
        params: rmcp::model::GetPromptRequestParams,
    ) -> Result<rmcp::model::GetPromptResponse, UpstreamError> {
        let what = format!("prompts/get {}", params.name);
        self.request(
            &what,
            |peer| async move { peer.get_prompt_once(params).await },
        )
        .await
    }

    /// `completion/complete`; no suggestions when the server does not offer completions.
    pub async fn complete(
        &self,
        params: rmcp::model::CompleteRequestParams,
    ) -> Result<rmcp::model::CompleteResult, UpstreamError> {
        if self.capabilities().await?.completions.is_none() {
            return Ok(rmcp::model::CompleteResult::default());
        }
        self.request("completion/complete", |peer| async move {
            peer.complete(params).await
        })
        .await
    }

    /// `resources/subscribe` for `uri` (held once per URI, however many clients watch it).
    pub async fn subscribe(&self, uri: &str) -> Result<(), UpstreamError> {
        // Servers that do not advertise `resources.subscribe` are not asked (a 2026 server without it
        // may never acknowledge a listen stream for resources): the client gets a clear error at once.
        let conn = self.connection().await?;
        let peer = conn.subscription_peer().clone();
        let supported = peer.peer_info().is_some_and(|info| {
            (info.capabilities.resources.as_ref()).is_some_and(|r| r.subscribe == Some(true))
        });
        if !supported {
            return Err(self.rpc_error(
                "does not support resource subscriptions (no resources.subscribe capability)"
                    .into(),
            ));
        }
        let what = format!("resources/subscribe {uri}");
        self.request(&what, |_| async move {
            self.subscriptions
                .subscribe(&self.name, &peer, uri, &self.events)
                .await
        })
        .await
    }

    /// Ends the subscription of `uri` (no-op when there is none).
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), UpstreamError> {
        let what = format!("resources/unsubscribe {uri}");
        let peer = self.connection().await?.subscription_peer().clone();
        self.request(&what, |_| async move {
            self.subscriptions.unsubscribe(&peer, uri).await
        })
        .await
    }
}
