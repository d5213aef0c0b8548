//! The MCP surface beyond tools, relayed to the upstreams: resources, resource templates, prompts and
//! completion, namespaced like direct tools and guarded like tool calls.
//!
//! Names: prompts are exposed as `<server><sep><prompt>` (same rules as tools); resource URIs and URI
//! templates as `enkrypt://<server>/<original URI>`. With `tool_name_prefix: when_needed` and one
//! server, both stay as the upstream gave them. Guardrails: prompt arguments go through the server's
//! input policy, resource contents and prompt messages through its output policy; a block is a
//! JSON-RPC error naming the side and the detectors, and the blocked content never reaches the client.
//! Listing asks every server concurrently and waits at most `list_deadline` for each.

use std::sync::Arc;
use std::time::Instant;

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, GetPromptRequestParams, GetPromptResponse, Prompt,
    ReadResourceRequestParams, ReadResourceResponse, Reference, Resource, ResourceContents,
    ResourceTemplate,
};
use serde_json::Value;

use super::Gateway;
use super::names::sanitise;
use crate::audit::{AuditEvent, Decision, EventKind};
use crate::guardrails::{Side, Verdict};
use crate::upstream::UpstreamError;
use crate::wire;

/// Scheme of namespaced resource URIs.
const SCHEME: &str = "enkrypt://";

impl Gateway {
    /// The exposed form of `uri` (or URI template) of server `index`.
    pub fn exposed_uri(&self, index: usize, uri: &str) -> String {
        if self.prefixed() {
            format!(
                "{SCHEME}{}/{uri}",
                sanitise(&self.servers[index].config.server_name)
            )
        } else {
            uri.to_string()
        }
    }

    /// The server and upstream URI behind an exposed URI.
    pub fn resolve_uri(&self, exposed: &str) -> Option<(usize, String)> {
        if !self.prefixed() {
            return (!self.servers.is_empty()).then(|| (0, exposed.to_string()));
        }
        let rest = exposed.strip_prefix(SCHEME)?;
        let (server, uri) = rest.split_once('/')?;
        let index = self
            .servers
            .iter()
            .position(|s| sanitise(&s.config.server_name) == server)?;
        Some((index, uri.to_string()))
    }

    /// The upstream and its own URI behind an exposed resource URI (for subscriptions).
    pub fn resource_upstream(
        &self,
        exposed: &str,
    ) -> Result<(Arc<crate::upstream::Upstream>, String), McpError> {
        let (index, uri) = self
            .resolve_uri(exposed)
            .ok_or_else(|| wire::unknown_resource(exposed))?;
        Ok((self.servers[index].upstream.clone(), uri))
    }

    /// Runs `fetch` on every server concurrently, each bounded by `list_deadline`, in config order.
    async fn gather<T, F, Fut>(self: &Arc<Self>, what: &'static str, fetch: F) -> Vec<(usize, T)>
    where
        F: Fn(Arc<Self>, usize) -> Fut,
        Fut: std::future::Future<Output = Result<T, UpstreamError>>,
    {
        let deadline = self.list_deadline;
        let waits = (0..self.servers.len()).map(|index| {
            let fut = fetch(Arc::clone(self), index);
            async move {
                match tokio::time::timeout(deadline, fut).await {
                    Ok(Ok(items)) => Some((index, items)),
                    Ok(Err(error)) => {
                        tracing::warn!(server = %self.servers[index].config.server_name, what, %error, "listing failed");
                        None
                    }
                    Err(_) => {
                        tracing::info!(server = %self.servers[index].config.server_name, what, "listing timed out; left out");
                        None
                    }
                }
            }
        });
        futures::future::join_all(waits)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// Every server's resources, namespaced.
    pub async fn list_resources(self: &Arc<Self>) -> Vec<Resource> {
        let per_server = self
            .gather("resources/list", |g, i| async move {
                g.servers[i].upstream.list_resources().await
            })
            .await;
        per_server
            .into_iter()
            .flat_map(|(index, items)| {
                items.into_iter().map(move |mut r| {
                    r.uri = self.exposed_uri(index, &r.uri);
                    r
                })
            })
            .collect()
    }

    /// Every server's resource templates, namespaced.
    pub async fn list_resource_templates(self: &Arc<Self>) -> Vec<ResourceTemplate> {
        let per_server = self
            .gather("resources/templates/list", |g, i| async move {
                g.servers[i].upstream.list_resource_templates().await
            })
            .await;
        per_server
            .into_iter()
            .flat_map(|(index, items)| {
                items.into_iter().map(move |mut t| {
                    t.uri_template = self.exposed_uri(index, &t.uri_template);
                    t
                })
            })
            .collect()
    }

    /// Every server's prompts, renamed like direct tools.
    pub async fn list_prompts(self: &Arc<Self>) -> Vec<Prompt> {
        let per_server = self
            .gather("prompts/list", |g, i| async move {
                g.servers[i].upstream.list_prompts().await
            })
            .await;
        let mut out = Vec::new();
        let mut names = std::collections::HashMap::new();
        for (index, prompts) in per_server {
            for mut prompt in prompts {
                let exposed = self.exposed_name(index, &prompt.name);
                if names.contains_key(&exposed) {
                    tracing::warn!(prompt = %exposed, "duplicate prompt name; keeping the first");
                    continue;
                }
                names.insert(exposed.clone(), (index, prompt.name.clone()));
                prompt.name = exposed;
                out.push(prompt);
            }
        }
        if let Ok(mut map) = self.prompt_names.write() {
            *map = names;
        }
        out
    }

    /// The server and upstream name behind an exposed prompt name (listing once when unknown).
    async fn resolve_prompt(self: &Arc<Self>, exposed: &str) -> Option<(usize, String)> {
        let lookup = |g: &Self| {
            g.prompt_names
                .read()
                .ok()
                .and_then(|m| m.get(exposed).cloned())
        };
        if let Some(hit) = lookup(self) {
            return Some(hit);
        }
        self.list_prompts().await;
        lookup(self)
    }

    fn surface_event(
        &self,
        kind: EventKind,
        index: usize,
        what: &str,
        request_id: &str,
    ) -> AuditEvent {
        AuditEvent::new(kind, self.gateway_id.clone())
            .with_server(self.servers[index].config.server_name.clone())
            .with_tool(what.to_string())
            .with_request_id(request_id.to_string())
    }

    /// Checks `text` on `side` with server `index`'s policy; `Err` is the block to answer with.
    pub(super) async fn guard_text(
        &self,
        index: usize,
        side: Side,
        text: &str,
        what: &str,
        request_id: &str,
    ) -> Result<(), McpError> {
        let config = &self.servers[index].config;
        let policy = match side {
            Side::Input => &config.input_guardrails,
            Side::Output => &config.output_guardrails,
        };
        if !(self.common.guardrails_enabled && policy.enabled) || text.is_empty() {
            return Ok(());
        }
        match self.guardrails.check_text(side, policy, text).await {
            Verdict::Pass { .. } => Ok(()),
            Verdict::Block {
                detectors, reasons, ..
            } => {
                self.audit.record(
                    self.surface_event(EventKind::Block, index, what, request_id)
                        .with_decision(Decision::Blocked)
                        .with_side(side.as_str())
                        .with_detectors(detectors.iter().cloned())
                        .with_message(reasons.join("; ")),
                );
                Err(wire::blocked(side.as_str(), &detectors, &reasons))
            }
        }
    }

    /// `resources/read` through the gateway.
    pub async fn read_resource(
        self: &Arc<Self>,
        mut params: ReadResourceRequestParams,
        request_id: &str,
    ) -> Result<ReadResourceResponse, McpError> {
        let exposed = params.uri.clone();
        let (index, uri) = self
            .resolve_uri(&exposed)
            .ok_or_else(|| wire::unknown_resource(&exposed))?;
        let started = Instant::now();
        self.audit.record(self.surface_event(
            EventKind::Request,
            index,
            "resources/read",
            request_id,
        ));
        params.uri = uri;
        let response = self.servers[index]
            .upstream
            .read_resource(params)
            .await
            .map_err(wire::upstream)?;
        let ReadResourceResponse::Complete(mut result) = response else {
            return Ok(response);
        };
        let text: Vec<&str> = result
            .contents
            .iter()
            .filter_map(|c| match c {
                ResourceContents::TextResourceContents { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        self.guard_text(
            index,
            Side::Output,
            &text.join("\n"),
            "resources/read",
            request_id,
        )
        .await?;
        for content in &mut result.contents {
            match content {
                ResourceContents::TextResourceContents { uri, .. }
                | ResourceContents::BlobResourceContents { uri, .. } => {
                    *uri = self.exposed_uri(index, uri);
                }
                // A content kind newer than this gateway: passed on unchanged.
                _ => {}
            }
        }
        self.audit.record(
            self.surface_event(EventKind::Response, index, "resources/read", request_id)
                .with_decision(Decision::Allowed)
                .with_duration(started.elapsed()),
        );
        // `resultType` is required by 2026-07-28 clients; rmcp strips it for legacy ones.
        result
            .result_type
            .get_or_insert(rmcp::model::ResultType::COMPLETE);
        Ok(ReadResourceResponse::Complete(result))
    }

    /// `prompts/get` through the gateway.
    pub async fn get_prompt(
        self: &Arc<Self>,
        mut params: GetPromptRequestParams,
        request_id: &str,
    ) -> Result<GetPromptResponse, McpError> {
        let exposed = params.name.clone();
        let (index, name) = self.resolve_prompt(&exposed).await.ok_or_else(|| {
            wire::unknown(
                "prompt",
                &exposed,
                "no configured server offers it (use prompts/list)",
            )
        })?;
        let started = Instant::now();
        self.audit
            .record(self.surface_event(EventKind::Request, index, &name, request_id));
        if let Some(args) = &params.arguments {
            let text = Value::Object(args.clone()).to_string();
            self.guard_text(index, Side::Input, &text, &name, request_id)
                .await?;
        }
        params.name = name.clone();
        let mut response = self.servers[index]
            .upstream
            .get_prompt(params)
            .await
            .map_err(wire::upstream)?;
        if let GetPromptResponse::Complete(result) = &mut response {
            result
                .result_type
                .get_or_insert(rmcp::model::ResultType::COMPLETE);
            let text: Vec<String> = result
                .messages
                .iter()
                .filter_map(|m| match m.content.as_text() {
                    Some(t) => Some(t.text.clone()),
                    None => serde_json::to_value(&m.content).ok().map(|v| v.to_string()),
                })
                .collect();
            self.guard_text(index, Side::Output, &text.join("\n"), &name, request_id)
                .await?;
        }
        self.audit.record(
            self.surface_event(EventKind::Response, index, &name, request_id)
                .with_decision(Decision::Allowed)
                .with_duration(started.elapsed()),
        );
        Ok(response)
    }

    /// `completion/complete` through the gateway.
    pub async fn complete(
        self: &Arc<Self>,
        mut params: CompleteRequestParams,
    ) -> Result<CompleteResult, McpError> {
        let index = match &mut params.r#ref {
            Reference::Prompt(prompt) => {
                let (index, name) = self
                    .resolve_prompt(&prompt.name)
                    .await
                    .ok_or_else(|| wire::unknown("prompt", &prompt.name, ""))?;
                prompt.name = name;
                index
            }
            Reference::Resource(resource) => {
                let (index, uri) = self
                    .resolve_uri(&resource.uri)
                    .ok_or_else(|| wire::unknown("resource", &resource.uri, ""))?;
                resource.uri = uri;
                index
            }
            _ => {
                return Err(wire::invalid_params(
                    "completion for this kind of reference is not supported by the gateway",
                ));
            }
        };
        self.servers[index]
            .upstream
            .complete(params)
            .await
            .map_err(wire::upstream)
    }
}
