//! The tool catalog of one gateway: each server's tools (cache first, then discovery), the aggregated
//! direct-tool listing, and the map from exposed names back to `(server, upstream tool)`.
//!
//! Aggregated listing never waits on the slowest upstream: every server is discovered concurrently and
//! the listing waits at most `list_deadline`; a server that is still starting keeps discovering in the
//! background and the client gets `notifications/tools/list_changed` when its tools arrive.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rmcp::model::Tool;

use super::Gateway;
use super::names::{bare_name, direct_name};
use crate::audit::{AuditEvent, Decision, EventKind};
use crate::config::ToolNamePrefix;
use crate::guardrails::pins::PinStatus;
use crate::guardrails::poisoning;
use crate::upstream::UpstreamError;

/// Where a server's tool list came from (the reference's `source` / `tools_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolSource {
    Cache,
    Discovery,
}

impl ToolSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolSource::Cache => "cache",
            ToolSource::Discovery => "discovery",
        }
    }
}

/// Exposed direct-tool name → (server index, upstream tool name).
#[derive(Debug, Default, Clone)]
pub struct NameMap {
    pub by_exposed: HashMap<String, (usize, String)>,
    /// The input schema of each exposed tool, for checking `Mcp-Param-*` headers (SEP-2243) before a
    /// call reaches the handler.
    pub schemas: HashMap<String, Arc<rmcp::model::JsonObject>>,
}

impl Gateway {
    /// The tools of server `index` to check a call against: cached or freshly discovered, never the
    /// on-disk snapshot, so a definition changed since the last run is reviewed (and quarantined)
    /// before anything is called.
    pub async fn live_server_tools(
        &self,
        index: usize,
    ) -> Result<(Arc<Vec<Tool>>, ToolSource), UpstreamError> {
        match self.cached_tools(index).await {
            Some(tools) => Ok((tools, ToolSource::Cache)),
            None => self.discover(index).await,
        }
    }

    async fn cached_tools(&self, index: usize) -> Option<Arc<Vec<Tool>>> {
        let name = &self.servers[index].config.server_name;
        self.cache
            .get(&self.gateway_id, name)
            .await
            .map(|hit| hit.tools)
    }

    /// All tools of server `index` as the upstream reports them (not yet filtered by access rules),
    /// for listing: when nothing is cached, the list saved by the last run answers at once and the
    /// live list is fetched in the background.
    pub async fn server_tools(
        &self,
        index: usize,
    ) -> Result<(Arc<Vec<Tool>>, ToolSource), UpstreamError> {
        if let Some(tools) = self.cached_tools(index).await {
            return Ok((tools, ToolSource::Cache));
        }
        if let Some(tools) = self
            .snapshot
            .get(&self.gateway_id, &self.servers[index].config)
        {
            self.refresh_in_background(index, &tools);
            return Ok((Arc::new(tools), ToolSource::Cache));
        }
        self.discover(index).await
    }

    /// Asks the upstream for its tools, reviews them, and caches and snapshots the list.
    async fn discover(&self, index: usize) -> Result<(Arc<Vec<Tool>>, ToolSource), UpstreamError> {
        let server = &self.servers[index];
        let tools = server.upstream.list_tools().await?;
        if self.common.guardrails_enabled {
            self.review_tools(index, &tools).await;
        }
        self.snapshot
            .save(&self.gateway_id, &server.config, &tools)
            .await;
        let entry = self
            .cache
            .put(&self.gateway_id, &server.config.server_name, tools)
            .await;
        Ok((entry.tools, ToolSource::Discovery))
    }

    /// Instant start: the snapshot answered; discover for real once, in the background, and tell the
    /// client when the live list differs from the saved one.
    fn refresh_in_background(&self, index: usize, saved: &[Tool]) {
        let Some(gateway) = self.this.upgrade() else {
            return;
        };
        let first = self
            .refreshing
            .lock()
            .map(|mut set| set.insert(index))
            .unwrap_or(false);
        if !first {
            return;
        }
        let saved = saved.to_vec();
        tokio::spawn(async move {
            let outcome = gateway.discover(index).await;
            if let Ok(mut set) = gateway.refreshing.lock() {
                set.remove(&index);
            }
            match outcome {
                Ok((live, _)) if live.as_slice() != saved.as_slice() => {
                    tracing::info!(server = %gateway.servers[index].config.server_name, "tools changed since the last run");
                    gateway.notify_tools_changed().await;
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(server = %gateway.servers[index].config.server_name, %error, "tool discovery failed; listing the last known tools")
                }
            }
        });
    }

    /// Scans freshly discovered tools for poisoning, pins their definitions and reports what got
    /// quarantined (poisoned, or changed since approval) to the audit log.
    async fn review_tools(&self, index: usize, tools: &[Tool]) {
        let server = &self.servers[index].config.server_name;
        let mut others = Vec::new();
        for (i, other) in self.servers.iter().enumerate() {
            if i != index
                && let Some(hit) = self
                    .cache
                    .get(&self.gateway_id, &other.config.server_name)
                    .await
            {
                others.extend(hit.tools.iter().map(|t| t.name.to_string()));
            }
        }
        for tool in tools {
            if others.iter().any(|o| o == tool.name.as_ref()) {
                tracing::warn!(server = %server, tool = %tool.name, "tool name also offered by another server");
                self.audit.record(
                    AuditEvent::new(EventKind::Error, self.gateway_id.clone())
                        .with_server(server.clone())
                        .with_tool(tool.name.to_string())
                        .with_detectors(["tool_name_collision"])
                        .with_message("tool name also offered by another server"),
                );
            }
        }
        // A tool naming a sibling on its own server is ordinary, even when another server offers that
        // name too.
        let foreign: Vec<String> = others
            .iter()
            .filter(|o| !tools.iter().any(|t| t.name.as_ref() == o.as_str()))
            .cloned()
            .collect();
        let findings: BTreeMap<String, Vec<String>> = tools
            .iter()
            .map(|t| (t.name.to_string(), poisoning::scan(t, &foreign)))
            .filter(|(_, reasons)| !reasons.is_empty())
            .collect();
        match self.pins.review(&self.gateway_id, server, tools, &findings) {
            Ok(quarantined) => {
                for q in quarantined {
                    let detector = if q.diff.is_some() {
                        "tool_changed"
                    } else {
                        "tool_poisoning"
                    };
                    let mut message = format!("tool quarantined: {}", q.reasons.join("; "));
                    if let Some(diff) = &q.diff {
                        message.push('\n');
                        message.push_str(diff);
                    }
                    tracing::warn!(server = %server, tool = %q.tool, detector, reasons = %q.reasons.join("; "), "tool quarantined");
                    self.audit.record(
                        AuditEvent::new(EventKind::Block, self.gateway_id.clone())
                            .with_server(server.clone())
                            .with_tool(q.tool.clone())
                            .with_decision(Decision::Blocked)
                            .with_detectors([detector])
                            .with_side("discovery")
                            .with_message(message),
                    );
                }
            }
            Err(error) => {
                tracing::warn!(%error, "tool pins unavailable; only poisoned tools are hidden")
            }
        }
    }

    /// Whether a tool is quarantined or denied (only while guardrails are on).
    pub fn is_quarantined(&self, index: usize, tool: &Tool) -> bool {
        if !self.common.guardrails_enabled {
            return false;
        }
        let server = &self.servers[index].config.server_name;
        match self.pins.status(&self.gateway_id, server, &tool.name) {
            Some(PinStatus::Approved) => false,
            Some(PinStatus::Quarantined | PinStatus::Denied) => true,
            // Unpinned (pin file unusable): hide what looks poisoned.
            None => !poisoning::scan(tool, &[]).is_empty(),
        }
    }

    /// The tools of server `index` that its access rules and the quarantine let through.
    pub fn visible(&self, index: usize, tools: &[Tool]) -> Vec<Tool> {
        let policy = &self.servers[index].access;
        tools
            .iter()
            .filter(|t| policy.check(&t.name).is_ok() && !self.is_quarantined(index, t))
            .cloned()
            .collect()
    }

    /// Whether direct names carry the server prefix.
    pub(super) fn prefixed(&self) -> bool {
        match self.common.tool_name_prefix {
            ToolNamePrefix::Always => true,
            ToolNamePrefix::WhenNeeded => self.servers.len() != 1,
        }
    }

    /// The exposed name of `tool` on server `index`.
    pub fn exposed_name(&self, index: usize, tool: &str) -> String {
        if self.prefixed() {
            direct_name(
                &self.servers[index].config.server_name,
                &self.common.tool_name_separator,
                tool,
            )
        } else {
            bare_name(tool)
        }
    }

    /// Discovers every server concurrently (bounded by `list_deadline`) and returns the direct tools,
    /// renamed, in config order. Also refreshes the name map.
    pub async fn list_direct_tools(self: &Arc<Self>) -> Vec<Tool> {
        let deadline = self.list_deadline;
        let slow: std::collections::HashSet<usize> = self
            .slow_discovery
            .lock()
            .map(|set| set.clone())
            .unwrap_or_default();
        let waits = (0..self.servers.len()).map(|index| {
            let gateway = Arc::clone(self);
            let already_slow = slow.contains(&index);
            let task = (!already_slow)
                .then(|| tokio::spawn(async move { gateway.server_tools(index).await }));
            let gateway = Arc::clone(self);
            async move {
                // Still discovering since an earlier listing gave up waiting: answer without it now.
                let mut task = task?;
                match tokio::time::timeout(deadline, &mut task).await {
                    Ok(Ok(Ok((tools, _)))) => Some(tools),
                    Ok(Ok(Err(error))) => {
                        tracing::warn!(server = %gateway.servers[index].config.server_name, %error, "tool discovery failed");
                        None
                    }
                    Ok(Err(join_error)) => {
                        tracing::error!(%join_error, "tool discovery task failed");
                        None
                    }
                    Err(_) => {
                        tracing::info!(server = %gateway.servers[index].config.server_name, "tool discovery still running; listing without it");
                        if let Ok(mut set) = gateway.slow_discovery.lock() {
                            set.insert(index);
                        }
                        tokio::spawn(async move {
                            let outcome = task.await;
                            if let Ok(mut set) = gateway.slow_discovery.lock() {
                                set.remove(&index);
                            }
                            if let Ok(Ok(_)) = outcome {
                                gateway.notify_tools_changed().await;
                            }
                        });
                        None
                    }
                }
            }
        });
        let per_server = futures::future::join_all(waits).await;
        let mut names = NameMap::default();
        let mut out = Vec::new();
        for (index, tools) in per_server.into_iter().enumerate() {
            let Some(tools) = tools else { continue };
            for mut tool in self.visible(index, &tools) {
                let exposed = self.exposed_name(index, &tool.name);
                if names.by_exposed.contains_key(&exposed) || self.is_meta_name(&exposed) {
                    tracing::warn!(tool = %exposed, "duplicate direct tool name; keeping the first");
                    continue;
                }
                names
                    .by_exposed
                    .insert(exposed.clone(), (index, tool.name.to_string()));
                names
                    .schemas
                    .insert(exposed.clone(), tool.input_schema.clone());
                tool.name = exposed.into();
                out.push(tool);
            }
        }
        if let Ok(mut map) = self.names.write() {
            *map = names;
        }
        out
    }

    /// Resolves an exposed direct-tool name, refreshing the catalog once when it is unknown (a stateless
    /// client may call a tool without listing first).
    pub async fn resolve_direct(self: &Arc<Self>, exposed: &str) -> Option<(usize, String)> {
        if let Some(hit) = self.lookup_name(exposed) {
            return Some(hit);
        }
        self.list_direct_tools().await;
        self.lookup_name(exposed)
    }

    /// The input schema of an exposed direct tool, as last listed.
    pub fn listed_schema(&self, exposed: &str) -> Option<Arc<rmcp::model::JsonObject>> {
        self.names
            .read()
            .ok()
            .and_then(|m| m.schemas.get(exposed).cloned())
    }

    fn lookup_name(&self, exposed: &str) -> Option<(usize, String)> {
        self.names
            .read()
            .ok()
            .and_then(|m| m.by_exposed.get(exposed).cloned())
    }
}
