//! The downstream side: the gateway as one MCP server to its client.
//!
//! [`Gateway`] is the state of one authenticated gateway (its servers, upstream pool, tool cache, audit
//! log); [`GatewayServer`] is the rmcp `ServerHandler` over it, answering both protocol eras (rmcp
//! handles `initialize` and `server/discover`). Tool names live in `names.rs`, access rules in
//! `access.rs`, discovery and listing in `catalog.rs`, calls in `calls.rs`, the reference's six gateway
//! tools in `meta.rs`.

pub mod access;
pub mod calls;
pub mod catalog;
pub mod meta;
pub mod names;

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig as ServerInfo,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, Peer, RoleServer, ServerHandler};
use tokio::sync::mpsc;

use crate::audit::{AuditEvent, AuditLog, EventKind};
use crate::cache::ToolCache;
use crate::config::{CommonConfig, GatewayConfig, ServerConfig, ToolExposure};
use crate::guardrails::Guardrails;
use crate::guardrails::pins::PinStore;
use crate::upstream::{Upstream, UpstreamEvent, UpstreamPool};
use access::AccessPolicy;
use catalog::NameMap;

/// The name the gateway reports to clients (the reference's).
pub const SERVER_NAME: &str = "Enkrypt Secure MCP Gateway";

/// One configured server with its compiled access rules and its upstream.
pub struct ServerEntry {
    pub config: ServerConfig,
    pub access: AccessPolicy,
    pub upstream: Arc<Upstream>,
}

/// The state of one authenticated gateway.
pub struct Gateway {
    pub gateway_id: String,
    pub common: CommonConfig,
    pub servers: Vec<ServerEntry>,
    pub pool: UpstreamPool,
    pub cache: Arc<dyn ToolCache>,
    pub audit: AuditLog,
    pub guardrails: Guardrails,
    /// Pinned tool definitions and quarantine (rug-pull and poisoning protection).
    pub pins: PinStore,
    pub loaded_at: SystemTime,
    pub list_deadline: Duration,
    names: RwLock<NameMap>,
    peer: tokio::sync::Mutex<Option<Peer<RoleServer>>>,
}

impl Gateway {
    /// Builds the gateway selected by `gateway_index` of `config`. Nothing is started yet.
    pub fn new(
        config: &GatewayConfig,
        gateway_index: usize,
        cache: Arc<dyn ToolCache>,
        audit: AuditLog,
    ) -> (Arc<Self>, mpsc::Receiver<UpstreamEvent>) {
        let entry = &config.gateways[gateway_index];
        let base_dir = config
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let base_dir = std::fs::canonicalize(base_dir).unwrap_or_else(|_| base_dir.to_path_buf());
        let (pool, events) = UpstreamPool::new(&entry.servers, &config.common, &base_dir);
        let servers = entry
            .servers
            .iter()
            .filter_map(|server| {
                let upstream = pool.get(&server.server_name)?;
                Some(ServerEntry {
                    access: AccessPolicy::new(server),
                    config: server.clone(),
                    upstream,
                })
            })
            .collect();
        let gateway = Arc::new(Self {
            gateway_id: entry.id.clone(),
            common: config.common.clone(),
            servers,
            pool,
            cache,
            audit,
            guardrails: Guardrails::for_config(config),
            pins: PinStore::for_config(&config.path),
            loaded_at: SystemTime::now(),
            list_deadline: config.common.upstream_timeout.min(Duration::from_secs(5)),
            names: RwLock::new(NameMap::default()),
            peer: tokio::sync::Mutex::new(None),
        });
        (gateway, events)
    }

    /// Index of the server called `name`.
    pub fn server_index(&self, name: &str) -> Option<usize> {
        self.servers
            .iter()
            .position(|s| s.config.server_name == name)
    }

    fn exposes_meta(&self) -> bool {
        matches!(
            self.common.tool_exposure,
            ToolExposure::Both | ToolExposure::Meta
        )
    }

    fn exposes_direct(&self) -> bool {
        matches!(
            self.common.tool_exposure,
            ToolExposure::Both | ToolExposure::Direct
        )
    }

    fn is_meta_name(&self, name: &str) -> bool {
        self.exposes_meta() && meta::is_meta_tool(name)
    }

    /// Tells the client (legacy sessions) that the tool list changed. Best effort.
    pub async fn notify_tools_changed(&self) {
        let peer = self.peer.lock().await.clone();
        if let Some(peer) = peer
            && let Err(error) = peer.notify_tool_list_changed().await
        {
            tracing::debug!(%error, "could not send tools/list_changed");
        }
    }

    /// Reacts to upstream notifications until the pool goes away.
    pub async fn run_events(self: Arc<Self>, mut events: mpsc::Receiver<UpstreamEvent>) {
        while let Some(event) = events.recv().await {
            match event {
                UpstreamEvent::ToolsChanged(server) => {
                    self.cache.remove(&self.gateway_id, &server).await;
                    tracing::info!(server = %server, "upstream tool list changed");
                    self.notify_tools_changed().await;
                }
            }
        }
    }

    /// Stops every upstream and flushes the audit log.
    pub async fn shutdown(&self) {
        self.pool.shutdown().await;
    }
}

/// The rmcp server handler.
#[derive(Clone)]
pub struct GatewayServer {
    gateway: Arc<Gateway>,
}

impl GatewayServer {
    pub fn new(gateway: Arc<Gateway>) -> Self {
        Self { gateway }
    }

    async fn remember_peer(&self, context: &RequestContext<RoleServer>) {
        let mut slot = self.gateway.peer.lock().await;
        if slot.is_none() {
            *slot = Some(context.peer.clone());
        }
    }
}

impl ServerHandler for GatewayServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build())
            .with_server_info(
                Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")).with_title(SERVER_NAME),
            )
            .with_instructions(
                "Secure gateway to your MCP servers: every tool call is authenticated, access-checked and logged. \
                 Call tools directly as <server>__<tool>, or use enkrypt_list_all_servers and enkrypt_secure_call_tools.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.remember_peer(&context).await;
        let mut tools = Vec::new();
        if self.gateway.exposes_meta() {
            tools.extend(meta::definitions());
        }
        if self.gateway.exposes_direct() {
            tools.extend(self.gateway.list_direct_tools().await);
        }
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let request_id = context.id.to_string();
        if self.gateway.exposes_meta() && meta::is_meta_tool(&request.name) {
            self.gateway.audit.record(
                AuditEvent::new(EventKind::Request, self.gateway.gateway_id.clone())
                    .with_tool(request.name.to_string())
                    .with_request_id(request_id.clone()),
            );
            let result =
                meta::call(&self.gateway, &request.name, request.arguments, &request_id).await;
            return Ok(result.into());
        }
        if self.gateway.exposes_direct() {
            return self.gateway.call_direct(request, &request_id).await;
        }
        Err(McpError::invalid_params(
            format!(
                "Unknown tool '{}': this gateway exposes only the enkrypt_* gateway tools",
                request.name
            ),
            None,
        ))
    }
}
