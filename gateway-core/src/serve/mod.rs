//! `gateway-core serve`: the gateway as a streamable-HTTP MCP server at `/mcp`.
//!
//! rmcp's [`StreamableHttpService`] does the MCP work (both protocol eras, legacy sessions, SSE); this
//! module adds what a gateway needs in front of it: the gateway key on every request
//! (`Authorization: Bearer <key>` or the reference's `apikey` header, compared in constant time; 401
//! otherwise), one rmcp service per configured gateway so a session can never cross keys, browser
//! `Origin`s other than loopback refused (403), `Host` checked against loopback unless remote access was
//! asked for, and hot reload of the config across all gateways. Start-up and shutdown live in
//! [`crate::run::run_http`]; the address rules in `cli/serve.rs`.

mod auth;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::audit::{AuditEvent, AuditLog, EventKind};
use crate::cache::ToolCache;
use crate::config::GatewayConfig;
use crate::downstream::{Gateway, GatewayHandle, GatewayServer};

pub use auth::{KeySource, presented_key};

/// Browser origins allowed to call the endpoint: pages served from this machine only.
const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

/// How the HTTP front end is set up.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Accept any `Host` (the listener is not on loopback; the gateway key still guards every call).
    pub allow_remote: bool,
    /// Where the key comes from: each request's headers, or one fixed key (`--no-auth`, test rigs).
    pub keys: KeySource,
}

/// One configured gateway behind the endpoint.
struct Served {
    handle: Arc<GatewayHandle>,
    service: StreamableHttpService<GatewayServer, LocalSessionManager>,
    events: tokio::task::JoinHandle<()>,
}

/// Everything the endpoint needs; shared by all requests.
pub struct ServeState {
    config: RwLock<Arc<GatewayConfig>>,
    gateways: RwLock<HashMap<String, Arc<Served>>>,
    cache: Arc<dyn ToolCache>,
    audit: AuditLog,
    options: ServeOptions,
    shutdown: CancellationToken,
}

impl ServeState {
    /// Builds the state for `config`; upstreams start on first use.
    pub fn new(
        config: GatewayConfig,
        cache: Arc<dyn ToolCache>,
        audit: AuditLog,
        options: ServeOptions,
        shutdown: CancellationToken,
    ) -> Arc<Self> {
        let config = Arc::new(config);
        let state = Arc::new(Self {
            config: RwLock::new(config.clone()),
            gateways: RwLock::new(HashMap::new()),
            cache,
            audit,
            options,
            shutdown,
        });
        let mut gateways = HashMap::new();
        for index in 0..config.gateways.len() {
            let served = state.build(&config, index);
            gateways.insert(config.gateways[index].id.clone(), served);
        }
        if let Ok(mut slot) = state.gateways.write() {
            *slot = gateways;
        }
        state
    }

    fn build(&self, config: &GatewayConfig, index: usize) -> Arc<Served> {
        let (gateway, events) = Gateway::new(config, index, self.cache.clone(), self.audit.clone());
        let handle = GatewayHandle::new(gateway);
        let events = tokio::spawn(handle.clone().run_events(events));
        let mut http = StreamableHttpServerConfig::default()
            .with_allowed_origins(LOOPBACK_ORIGINS)
            .enforce_origin_validation()
            .with_cancellation_token(self.shutdown.child_token());
        if self.options.allow_remote {
            http = http.disable_allowed_hosts();
        }
        let factory_handle = handle.clone();
        let service = StreamableHttpService::new(
            move || Ok(GatewayServer::new(factory_handle.clone())),
            Arc::new(LocalSessionManager::default()),
            http,
        );
        Arc::new(Served {
            handle,
            service,
            events,
        })
    }

    fn config(&self) -> Arc<GatewayConfig> {
        match self.config.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn served(&self, gateway_id: &str) -> Option<Arc<Served>> {
        self.gateways
            .read()
            .ok()
            .and_then(|map| map.get(gateway_id).cloned())
    }

    /// Number of configured gateways being served.
    pub fn gateway_count(&self) -> usize {
        self.gateways.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Stops every upstream of every gateway.
    pub async fn shutdown(&self) {
        let all: Vec<Arc<Served>> = self
            .gateways
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        futures::future::join_all(all.iter().map(|s| s.handle.shutdown())).await;
        for served in all {
            served.events.abort();
        }
    }
}

impl crate::reload::Reloadable for ServeState {
    async fn apply(&self, config: Arc<GatewayConfig>) {
        let old: HashMap<String, Arc<Served>> =
            self.gateways.read().map(|m| m.clone()).unwrap_or_default();
        let mut next = HashMap::new();
        for (index, entry) in config.gateways.iter().enumerate() {
            let served = match old.get(&entry.id) {
                Some(served) => {
                    let summary = served.handle.reload(&config, index).await;
                    crate::reload::record_reload(
                        &self.audit,
                        &entry.id,
                        &config.path,
                        summary.servers,
                        summary.restarted_upstreams,
                    );
                    served.clone()
                }
                None => {
                    self.audit.record(
                        AuditEvent::new(EventKind::Config, entry.id.clone())
                            .with_message("gateway added by a config reload"),
                    );
                    self.build(&config, index)
                }
            };
            next.insert(entry.id.clone(), served);
        }
        let removed: Vec<Arc<Served>> = old
            .iter()
            .filter(|(id, _)| !next.contains_key(*id))
            .map(|(_, s)| s.clone())
            .collect();
        if let Ok(mut slot) = self.config.write() {
            *slot = config;
        }
        if let Ok(mut slot) = self.gateways.write() {
            *slot = next;
        }
        for served in removed {
            served.handle.shutdown().await;
            served.events.abort();
        }
    }
}

/// The router: `/mcp` for MCP, everything else 404.
pub fn router(state: Arc<ServeState>) -> Router {
    Router::new()
        .route("/mcp", axum::routing::any(mcp))
        .with_state(state)
}

async fn mcp(State(state): State<Arc<ServeState>>, request: Request) -> Response {
    let config = state.config();
    let presented = match &state.options.keys {
        KeySource::Headers => presented_key(request.headers()),
        KeySource::Fixed(key) => Some(key.expose().clone()),
    };
    let index = match crate::auth::find_gateway_index(&config, presented.as_deref()) {
        Ok(index) => index,
        Err(error) => return auth::unauthorized(&error),
    };
    let Some(served) = state.served(&config.gateways[index].id) else {
        // The config was swapped between the two reads; the client retries.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the gateway config is being reloaded; retry",
        )
            .into_response();
    };
    served.service.handle(request).await.into_response()
}
