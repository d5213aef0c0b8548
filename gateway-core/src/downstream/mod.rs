//! The downstream side: the gateway as one MCP server to its clients.
//!
//! [`Gateway`] is the state of one authenticated gateway for one version of the config (its servers,
//! upstream pool, tool cache, audit log); [`GatewayHandle`] (`handle.rs`) holds the current one and
//! swaps it on a config reload; [`GatewayServer`] is the rmcp `ServerHandler` over a handle, answering
//! both protocol eras (rmcp handles `initialize` and `server/discover`). Tool names live in `names.rs`,
//! access rules in `access.rs`, discovery and listing in `catalog.rs`, calls in `calls.rs`, the
//! reference's six gateway tools in `meta.rs`, connected clients in `peers.rs`.

pub mod access;
pub mod calls;
pub mod catalog;
pub mod handle;
pub mod meta;
pub mod names;
pub mod peers;
pub mod surface;

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CompleteRequestParams, CompleteResult,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig as ServerInfo,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use tokio::sync::mpsc;

use crate::audit::{AuditEvent, AuditLog, EventKind};
use crate::cache::ToolCache;
use crate::config::{CommonConfig, GatewayConfig, ServerConfig, ToolExposure};
use crate::guardrails::Guardrails;
use crate::guardrails::pins::PinStore;
use crate::upstream::{Upstream, UpstreamEvent, UpstreamPool};
use crate::wire;
use access::AccessPolicy;
use catalog::NameMap;
pub use handle::GatewayHandle;
use peers::Peers;

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
    /// Exposed prompt name → (server index, upstream prompt name), refreshed by `prompts/list`.
    prompt_names: RwLock<std::collections::HashMap<String, (usize, String)>>,
    /// Connected clients, shared by every version of this gateway across reloads.
    peers: Arc<Peers>,
    /// Last known tool lists on disk (instant start).
    pub snapshot: crate::cache::snapshot::ToolSnapshot,
    /// Servers whose snapshot list is being refreshed from the upstream right now.
    refreshing: std::sync::Mutex<std::collections::HashSet<usize>>,
    /// Servers whose discovery outlived a listing's deadline and is still running: later listings answer
    /// at once without them (the running discovery sends `list_changed` when it lands).
    slow_discovery: std::sync::Mutex<std::collections::HashSet<usize>>,
    /// This gateway itself, for background work started from `&self` methods.
    this: std::sync::Weak<Gateway>,
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
        let (pool, events) = UpstreamPool::new(&entry.servers, &config.common, &base_dir(config));
        let gateway = Self::assemble(config, gateway_index, pool, cache, audit, Arc::default());
        (gateway, events)
    }

    /// The same gateway on a reloaded `config` (`gateway_index` selects it there): unchanged upstreams
    /// keep running, the cache entries of changed or removed servers are dropped. Returns the new
    /// gateway and the upstreams it no longer uses, for the caller to stop once it is swapped in.
    pub async fn reloaded(
        &self,
        config: &GatewayConfig,
        gateway_index: usize,
    ) -> (Arc<Self>, Vec<Arc<Upstream>>) {
        let entry = &config.gateways[gateway_index];
        let (pool, dropped) =
            self.pool
                .reconcile(&entry.servers, &config.common, &base_dir(config));
        for old in &self.servers {
            let name = &old.config.server_name;
            let same = entry
                .servers
                .iter()
                .find(|s| &s.server_name == name)
                .is_some_and(|new| same_server(&old.config, new));
            if !same || self.gateway_id != entry.id {
                self.cache.remove(&self.gateway_id, name).await;
            }
        }
        let gateway = Self::assemble(
            config,
            gateway_index,
            pool,
            self.cache.clone(),
            self.audit.clone(),
            self.peers.clone(),
        );
        (gateway, dropped)
    }

    fn assemble(
        config: &GatewayConfig,
        gateway_index: usize,
        pool: UpstreamPool,
        cache: Arc<dyn ToolCache>,
        audit: AuditLog,
        peers: Arc<Peers>,
    ) -> Arc<Self> {
        let entry = &config.gateways[gateway_index];
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
        // The reference's config cache entry (secrets masked), written on every (re)load.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (cache, id) = (cache.clone(), entry.id.clone());
            let (key, shared) = (
                entry.key.expose().clone(),
                crate::cache::config_entry::shareable(entry),
            );
            runtime.spawn(async move { cache.put_config(&id, &key, shared).await });
        }
        Arc::new_cyclic(|this| Self {
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
            prompt_names: RwLock::default(),
            peers,
            snapshot: crate::cache::snapshot::ToolSnapshot::for_config(&config.path),
            refreshing: Default::default(),
            slow_discovery: Default::default(),
            this: this.clone(),
        })
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

    /// Tells every connected client (legacy sessions) that the tool list changed. Best effort.
    pub async fn notify_tools_changed(&self) {
        self.peers.notify_tools_changed().await;
    }

    /// Stops every upstream and flushes the audit log.
    pub async fn shutdown(&self) {
        self.pool.shutdown().await;
    }
}

/// The folder relative upstream command paths are resolved against: the config file's.
fn base_dir(config: &GatewayConfig) -> std::path::PathBuf {
    let dir = config
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// The client's `_meta` to send upstream with a call: everything but the keys the MCP SDK manages per
/// connection (protocol version, client info and capabilities, progress token), which rmcp sets for
/// the upstream connection itself.
fn forwarded_meta(meta: &rmcp::model::RequestMetaObject) -> Option<rmcp::model::RequestMetaObject> {
    let mut kept = meta.clone();
    kept.0
        .retain(|key, _| key != "progressToken" && !key.starts_with("io.modelcontextprotocol/"));
    (!kept.0.is_empty()).then_some(kept)
}

/// Who a call is for: the progress route (the calling client, with the progress token it chose; the
/// upstream sees a token of the gateway's own connection) and the client itself, for what the upstream
/// asks back while the call runs.
fn caller(context: &RequestContext<RoleServer>, session: u64) -> crate::upstream::Caller {
    let progress = context.meta.get_progress_token().map(|token| {
        let peer = context.peer.clone();
        Arc::new(move |mut params: rmcp::model::ProgressNotificationParam| {
            params.progress_token = token.clone();
            let peer = peer.clone();
            Box::pin(async move {
                let _ = peer.notify_progress(params).await;
            }) as futures::future::BoxFuture<'static, ()>
        }) as crate::upstream::ProgressRoute
    });
    let client = crate::upstream::ClientRef {
        session,
        peer: context.peer.clone(),
        version: context.protocol_version(),
        capabilities: context.client_capabilities().unwrap_or_default(),
    };
    crate::upstream::Caller {
        progress,
        client: Some(Arc::new(client)),
        screen: None,
    }
}

/// A final result relayed from an upstream that left out `resultType` (legacy servers, SDKs that treat
/// it as optional) gets `"complete"`, which 2026-07-28 clients require; rmcp strips it again for legacy
/// clients.
fn complete_result(response: CallToolResponse) -> CallToolResponse {
    match response {
        CallToolResponse::Complete(mut result) => {
            result
                .result_type
                .get_or_insert(rmcp::model::ResultType::COMPLETE);
            CallToolResponse::Complete(result)
        }
        other => other,
    }
}

/// Numbers the client sessions of this process (see [`crate::upstream::ClientRef::session`]).
static SESSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Whether a reloaded server entry can keep its cached tool list (same transport, same tool rules).
fn same_server(old: &ServerConfig, new: &ServerConfig) -> bool {
    old.transport == new.transport && old.tools == new.tools
}

/// The rmcp server handler: one per client session, over the gateway's handle.
#[derive(Clone)]
pub struct GatewayServer {
    handle: Arc<GatewayHandle>,
    registered: Arc<std::sync::atomic::AtomicBool>,
    /// This client session's number (one per handler: rmcp makes one per session or stateless request).
    session: u64,
}

impl GatewayServer {
    pub fn new(handle: Arc<GatewayHandle>) -> Self {
        Self {
            handle,
            registered: Arc::default(),
            session: SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The gateway for this request: the current config's, unless its key was removed from the
    /// config since this session started.
    fn gateway(&self) -> Result<Arc<Gateway>, McpError> {
        if self.handle.is_revoked() {
            return Err(wire::refused(
                "this gateway key is no longer in the gateway config (it was removed or changed); update ENKRYPT_GATEWAY_KEY in the MCP client's config and restart it",
            ));
        }
        Ok(self.handle.current())
    }

    async fn remember_peer(&self, context: &RequestContext<RoleServer>) {
        use std::sync::atomic::Ordering;
        if !self.registered.swap(true, Ordering::AcqRel) {
            self.handle.peers().add(context.peer.clone()).await;
        }
    }
}

impl ServerHandler for GatewayServer {
    // `enable_logging`: deprecated in 2026-07-28 (SEP-2577), still what legacy clients expect.
    #[allow(deprecated)]
    fn get_info(&self) -> ServerInfo {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_resources_list_changed()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_completions()
            .enable_logging()
            .build();
        ServerInfo::new(capabilities)
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
        let gateway = self.gateway()?;
        let mut tools = Vec::new();
        if gateway.exposes_meta() {
            tools.extend(meta::definitions());
        }
        if gateway.exposes_direct() {
            tools.extend(gateway.list_direct_tools().await);
        }
        Ok(ListToolsResult::with_all_items(tools))
    }

    /// The definition rmcp's HTTP layer checks `Mcp-Param-*` headers against (SEP-2243).
    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        let schema = self.handle.current().listed_schema(name)?;
        Some(rmcp::model::Tool::new(name.to_string(), "", schema))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        self.remember_peer(&context).await;
        Ok(ListResourcesResult::with_all_items(
            self.gateway()?.list_resources().await,
        ))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        self.remember_peer(&context).await;
        Ok(ListResourceTemplatesResult::with_all_items(
            self.gateway()?.list_resource_templates().await,
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        self.remember_peer(&context).await;
        self.gateway()?
            .read_resource(request, &context.id.to_string())
            .await
    }

    #[allow(deprecated)] // resources/subscribe is legacy-only; 2026 clients use subscriptions/listen.
    async fn subscribe(
        &self,
        request: rmcp::model::SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.remember_peer(&context).await;
        let gateway = self.gateway()?;
        let (upstream, uri) = gateway.resource_upstream(&request.uri)?;
        upstream.subscribe(&uri).await.map_err(wire::upstream)?;
        gateway
            .peers
            .watch(&request.uri, self.session, context.peer.clone())
            .await;
        Ok(())
    }

    /// 2026-07-28 `subscriptions/listen`: every kind of notification the gateway relays is
    /// accepted (rmcp narrows it to what the client asked for and the gateway advertises).
    fn accepted_subscription_filter(
        &self,
        requested: &rmcp::model::SubscriptionFilter,
    ) -> Option<rmcp::model::SubscriptionFilter> {
        Some(requested.clone())
    }

    async fn listen(&self, context: rmcp::service::SubscriptionContext) -> Result<(), McpError> {
        let gateway = self.gateway()?;
        let uris = context
            .accepted()
            .resource_subscriptions
            .clone()
            .unwrap_or_default();
        for exposed in &uris {
            let Ok((upstream, uri)) = gateway.resource_upstream(exposed) else {
                continue;
            };
            if let Err(error) = upstream.subscribe(&uri).await {
                tracing::info!(%error, uri = %exposed, "resource subscription not held upstream");
            }
        }
        let peers = self.handle.peers();
        let id = peers.listen(context.sink().clone()).await;
        context.cancelled().await;
        peers.unlisten(id).await;
        for exposed in &uris {
            if !peers.is_watched(exposed).await
                && let Ok((upstream, uri)) = gateway.resource_upstream(exposed)
            {
                let _ = upstream.unsubscribe(&uri).await;
            }
        }
        Ok(())
    }

    #[allow(deprecated)] // resources/unsubscribe is legacy-only.
    async fn unsubscribe(
        &self,
        request: rmcp::model::UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.remember_peer(&context).await;
        let gateway = self.gateway()?;
        let (upstream, uri) = gateway.resource_upstream(&request.uri)?;
        if !gateway.peers.unwatch(&request.uri, self.session).await {
            upstream.unsubscribe(&uri).await.map_err(wire::upstream)?;
        }
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        self.remember_peer(&context).await;
        Ok(ListPromptsResult::with_all_items(
            self.gateway()?.list_prompts().await,
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        self.remember_peer(&context).await;
        self.gateway()?
            .get_prompt(request, &context.id.to_string())
            .await
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.gateway()?.complete(request).await
    }

    #[allow(deprecated)] // Logging is deprecated in 2026-07-28 (SEP-2577); legacy clients use it.
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.remember_peer(&context).await;
        self.handle.peers().set_log_level(request.level);
        Ok(())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        self.remember_peer(&context).await;
        let gateway = self.gateway()?;
        let request_id = context.id.to_string();
        if gateway.exposes_meta() && meta::is_meta_tool(&request.name) {
            gateway.audit.record(
                AuditEvent::new(EventKind::Request, gateway.gateway_id.clone())
                    .with_tool(request.name.to_string())
                    .with_request_id(request_id.clone()),
            );
            let result = meta::call(&gateway, &request.name, request.arguments, &request_id).await;
            return Ok(result.into());
        }
        if gateway.exposes_direct() {
            let mut request = request;
            request.meta = forwarded_meta(&context.meta);
            // 2026-07-28 upstreams send log lines only when the request names a level (SEP-2575):
            // the client's own, or the one a legacy client set with `logging/setLevel`.
            let legacy_client = context
                .protocol_version()
                .is_none_or(|v| v < rmcp::model::ProtocolVersion::V_2026_07_28);
            let session_level = legacy_client
                .then(|| self.handle.peers().log_level())
                .flatten();
            if let Some(level) = context.meta.log_level().or(session_level) {
                request
                    .meta
                    .get_or_insert_with(Default::default)
                    .set_log_level(level);
            }
            let caller = caller(&context, self.session);
            // A client's `notifications/cancelled` cancels `context.ct`: dropping the call then cancels
            // it upstream too, and the late result is never sent.
            return tokio::select! {
                result = gateway.call_direct(request, caller, &request_id) => result.map(complete_result),
                _ = context.ct.cancelled() => Err(wire::cancelled()),
            };
        }
        Err(wire::unknown(
            "tool",
            &request.name,
            "this gateway exposes only the enkrypt_* gateway tools",
        ))
    }
}
