//! One configured upstream server: started once on first need, its MCP session reused, restarted with
//! backoff after it dies, every request bounded by a timeout.
//!
//! Concurrent first callers share one start: the start runs while holding this upstream's own lock, so
//! waiting callers get the same connection; other upstreams are never behind this lock. Requests do not
//! hold the lock, so one slow call never blocks another.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[allow(deprecated)] // Logging: see `on_logging_message`.
use rmcp::model::LoggingMessageNotificationParam;
#[allow(deprecated)] // Sampling and roots (SEP-2577): still what legacy peers speak.
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, ClientConfig,
    CreateMessageRequest, CreateMessageRequestParams, CreateMessageResult, ElicitRequest,
    ElicitRequestParams, ElicitResult, Implementation, InputRequest, InputRequiredResult,
    InputResponses, ListRootsResult, ProgressNotificationParam, ProgressToken, ProtocolVersion,
    Tool,
};
use rmcp::service::{NotificationContext, RequestContext, RunningService};
use rmcp::{ClientHandler, ClientLifecycleMode, ClientServiceExt, ErrorData, RoleClient};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::bridge::{self, Ask, Parked, ParkedCalls};
use super::callers::{Caller, InFlight, ProgressRoute, Target};
use super::stdio::{self, ProcessGuard};
use super::subscriptions::Subscriptions;
use super::{UpstreamError, UpstreamEvent, UpstreamLimits};
use crate::config::UpstreamTransport;

/// Upstream progress token → route, for the requests of one upstream that are in flight.
type ProgressRoutes =
    Arc<std::sync::Mutex<std::collections::HashMap<ProgressToken, ProgressRoute>>>;

/// The MCP client the gateway runs towards one upstream; it reports upstream notifications.
#[derive(Clone)]
struct UpstreamClient {
    server: Arc<str>,
    events: mpsc::Sender<UpstreamEvent>,
    progress: ProgressRoutes,
    in_flight: Arc<InFlight>,
}

/// A tool call running on its own task (so it can stay parked between two client requests);
/// dropping it aborts the task, which cancels the request upstream.
struct Exchange(tokio::task::JoinHandle<Result<CallToolResponse, UpstreamError>>);

impl Drop for Exchange {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the streamable-HTTP attempt reports when the server wants an OAuth sign-in.
const SIGN_IN_NEEDED: &str = "sign-in needed";

/// The key of the one input request the gateway puts in an `input_required` result it makes.
const ASK_KEY: &str = "enkrypt_gateway_input";

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
struct RouteGuard {
    routes: ProgressRoutes,
    token: ProgressToken,
}

impl Drop for RouteGuard {
    fn drop(&mut self) {
        if let Ok(mut routes) = self.routes.lock() {
            routes.remove(&self.token);
        }
    }
}

/// Sends `notifications/cancelled` upstream when a request is abandoned (timeout, client cancel).
struct CancelOnDrop {
    peer: rmcp::Peer<RoleClient>,
    id: Option<rmcp::model::RequestId>,
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

/// A live session with a running process.
pub struct Connection {
    service: Mutex<Option<RunningService<RoleClient, UpstreamClient>>>,
    peer: rmcp::Peer<RoleClient>,
    /// The child process of a stdio upstream; `None` for HTTP.
    guard: Mutex<Option<ProcessGuard>>,
    oversized: Arc<AtomicBool>,
    pid: Option<u32>,
    /// The 2026-07-28 list-change stream of this connection, if any; aborted with the connection.
    list_watch: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// A second, legacy-era connection when the server offers more there (era.rs; HTTP only).
    legacy: Option<super::era::LegacySide<UpstreamClient>>,
}

impl Connection {
    fn is_alive(&self) -> bool {
        !self.peer.is_transport_closed()
            && !self.oversized.load(Ordering::Relaxed)
            && (self.legacy.as_ref()).is_none_or(|legacy| !legacy.peer.is_transport_closed())
    }

    /// Where resource subscriptions go: the legacy connection when only it advertises them.
    fn subscription_peer(&self) -> &rmcp::Peer<RoleClient> {
        let main_subscribes = self.peer.peer_info().is_some_and(|info| {
            (info.capabilities.resources.as_ref()).is_some_and(|r| r.subscribe == Some(true))
        });
        match &self.legacy {
            Some(legacy) if !main_subscribes && legacy.subscribes() => &legacy.peer,
            _ => &self.peer,
        }
    }

    async fn stop(&self) {
        if let Some(watch) = self.list_watch.lock().ok().and_then(|mut w| w.take()) {
            watch.abort();
        }
        if let Some(legacy) = &self.legacy {
            legacy.stop().await;
        }
        if let Some(service) = self.service.lock().await.take() {
            // Cancelling closes the child's stdin: a well-behaved server exits by itself.
            let _ = tokio::time::timeout(Duration::from_millis(200), service.cancel()).await;
        }
        if let Some(guard) = self.guard.lock().await.as_mut() {
            guard.terminate(Duration::from_millis(200)).await;
        }
    }
}

/// Start bookkeeping, only touched on the slow path (no live connection).
#[derive(Default)]
struct StartState {
    retry_at: Option<Instant>,
}

/// One upstream server.
pub struct Upstream {
    name: Arc<str>,
    transport: UpstreamTransport,
    limits: UpstreamLimits,
    events: mpsc::Sender<UpstreamEvent>,
    /// The live connection: read on every request without waiting on a start in progress.
    current: std::sync::RwLock<Option<Arc<Connection>>>,
    /// Held while starting, so concurrent first callers share one start.
    start: Mutex<StartState>,
    consecutive_failures: AtomicU32,
    starts: AtomicU64,
    progress: ProgressRoutes,
    /// Clients with calls in flight, for what the upstream asks back.
    in_flight: Arc<InFlight>,
    /// Calls waiting for a 2026-07-28 client's answer to the upstream's question.
    parked: ParkedCalls<Exchange>,
    /// Resource URIs subscribed on the current connection.
    subscriptions: Subscriptions,
    /// URIs subscribed on a connection that died, to subscribe again on the next one.
    lost_subscriptions: std::sync::Mutex<Vec<String>>,
}

/// Delay before the n-th consecutive restart attempt: immediate once, then 250 ms doubling up to 10 s.
fn backoff(consecutive_failures: u32) -> Duration {
    match consecutive_failures {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis(250u64.saturating_mul(1u64 << (n - 2).min(6)))
            .min(Duration::from_secs(10)),
    }
}

impl Upstream {
    pub(super) fn new(
        name: &str,
        transport: UpstreamTransport,
        limits: UpstreamLimits,
        events: mpsc::Sender<UpstreamEvent>,
    ) -> Self {
        Self {
            name: Arc::from(name),
            transport,
            limits,
            events,
            current: std::sync::RwLock::new(None),
            start: Mutex::new(StartState::default()),
            consecutive_failures: AtomicU32::new(0),
            starts: AtomicU64::new(0),
            progress: ProgressRoutes::default(),
            in_flight: Arc::default(),
            parked: ParkedCalls::default(),
            subscriptions: Subscriptions::default(),
            lost_subscriptions: Default::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How this upstream is reached (command paths already resolved).
    pub fn transport(&self) -> &UpstreamTransport {
        &self.transport
    }

    /// The limits it runs under.
    pub fn limits(&self) -> UpstreamLimits {
        self.limits
    }

    /// How many processes were started for this upstream so far.
    pub fn start_count(&self) -> u64 {
        self.starts.load(Ordering::Relaxed)
    }

    /// The pid of the running process, if any.
    pub async fn pid(&self) -> Option<u32> {
        self.live().and_then(|c| c.pid)
    }

    fn live(&self) -> Option<Arc<Connection>> {
        self.current.read().ok().and_then(|guard| guard.clone())
    }

    fn set_current(&self, conn: Option<Arc<Connection>>) -> Option<Arc<Connection>> {
        match self.current.write() {
            Ok(mut guard) => std::mem::replace(&mut *guard, conn),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), conn),
        }
    }

    fn fail(&self, start: &mut StartState) -> u32 {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        start.retry_at = Some(Instant::now() + backoff(failures));
        failures
    }

    /// The live connection, starting (or restarting) the upstream when needed.
    async fn connection(&self) -> Result<Arc<Connection>, UpstreamError> {
        if let Some(conn) = self.live().filter(|c| c.is_alive()) {
            return Ok(conn);
        }
        let mut start = self.start.lock().await;
        // Another caller may have finished a start while we waited for the lock.
        match self.live() {
            Some(conn) if conn.is_alive() => return Ok(conn),
            Some(_) => {
                let failures = self.fail(&mut start);
                tracing::warn!(server = %self.name, failures, "upstream session ended; will restart");
                if let Some(dead) = self.set_current(None) {
                    tokio::spawn(async move { dead.stop().await });
                }
                let lost = self.subscriptions.drain().await;
                if let Ok(mut pending) = self.lost_subscriptions.lock() {
                    pending.extend(lost);
                }
            }
            None => {}
        }
        if let Some(retry_at) = start.retry_at {
            let now = Instant::now();
            if retry_at > now {
                return Err(UpstreamError::Backoff {
                    server: self.name.to_string(),
                    failures: self.consecutive_failures.load(Ordering::Relaxed),
                    retry_in: retry_at - now,
                });
            }
        }
        match tokio::time::timeout(self.limits.start_timeout, self.start()).await {
            Ok(Ok(conn)) => {
                let conn = Arc::new(conn);
                self.set_current(Some(conn.clone()));
                start.retry_at = None;
                self.resubscribe(&conn).await;
                Ok(conn)
            }
            Ok(Err(error)) => {
                self.fail(&mut start);
                Err(error)
            }
            Err(_) => {
                self.fail(&mut start);
                Err(UpstreamError::StartTimeout {
                    server: self.name.to_string(),
                    after: self.limits.start_timeout,
                })
            }
        }
    }

    /// Subscribes a fresh connection to the URIs its dead predecessor held (bounded: a server that
    /// does not answer in time loses them, with a log line).
    async fn resubscribe(&self, conn: &Connection) {
        let lost: Vec<String> = match self.lost_subscriptions.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        for uri in lost {
            let again = self.subscriptions.subscribe(
                &self.name,
                conn.subscription_peer(),
                &uri,
                &self.events,
            );
            match tokio::time::timeout(self.limits.request_timeout, again).await {
                Ok(Ok(())) => {
                    tracing::info!(server = %self.name, uri, "resource subscription restored after restart")
                }
                Ok(Err(error)) => {
                    tracing::warn!(server = %self.name, uri, %error, "could not restore a resource subscription")
                }
                Err(_) => {
                    tracing::warn!(server = %self.name, uri, "restoring a resource subscription timed out")
                }
            }
        }
    }

    fn client(&self) -> UpstreamClient {
        UpstreamClient {
            server: self.name.clone(),
            events: self.events.clone(),
            progress: self.progress.clone(),
            in_flight: self.in_flight.clone(),
        }
    }

    async fn start(&self) -> Result<Connection, UpstreamError> {
        match &self.transport {
            UpstreamTransport::Stdio { command, args, env } => {
                self.start_stdio(command, args, env).await
            }
            UpstreamTransport::Http {
                url,
                headers,
                oauth,
            } => self.start_http(url, headers, oauth).await,
        }
    }

    /// Connects to a streamable-HTTP server, in whichever protocol era it speaks.
    async fn start_http(
        &self,
        url: &str,
        headers: &std::collections::BTreeMap<String, crate::secret::Sensitive<String>>,
        oauth: &crate::config::OAuthSettings,
    ) -> Result<Connection, UpstreamError> {
        use rmcp::transport::StreamableHttpClientTransport;
        use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
        self.starts.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let handshake = |reason: String| UpstreamError::Handshake {
            server: self.name.to_string(),
            reason,
        };
        let mut custom = std::collections::HashMap::with_capacity(headers.len());
        for (name, value) in headers {
            let header = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                handshake(format!("header name '{name}' is not a valid HTTP header"))
            })?;
            let mut value = http::HeaderValue::from_str(value.expose()).map_err(|_| {
                handshake(format!(
                    "the value of header '{name}' is not a valid HTTP header value"
                ))
            })?;
            value.set_sensitive(true);
            custom.insert(header, value);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.limits.start_timeout)
            .build()
            .map_err(|e| handshake(format!("cannot build the HTTP client: {e}")))?;
        // A stored OAuth sign-in puts a bearer token on every request and refreshes it (oauth/).
        let authorized = crate::oauth::authorized_client(&self.name, url, oauth, http.clone())
            .await
            .map_err(|e| handshake(e.to_string()))?;
        let streamable = async |lifecycle: ClientLifecycleMode| {
            let config = StreamableHttpClientTransportConfig::with_uri(url.to_string())
                .custom_headers(custom.clone())
                .max_json_response_size(self.limits.max_message_bytes)
                .max_sse_event_size(self.limits.max_message_bytes);
            let served = match &authorized {
                Some(auth) => {
                    let transport =
                        StreamableHttpClientTransport::with_client(auth.clone(), config);
                    self.client()
                        .serve_with_lifecycle(transport, lifecycle)
                        .await
                }
                None => {
                    let transport =
                        StreamableHttpClientTransport::with_client(http.clone(), config);
                    self.client()
                        .serve_with_lifecycle(transport, lifecycle)
                        .await
                }
            };
            served.map_err(|error| {
                if crate::oauth::needs_sign_in(&error) {
                    SIGN_IN_NEEDED.to_owned()
                } else {
                    error.to_string()
                }
            })
        };
        // The 2024-11-05 HTTP+SSE transport, for servers that predate streamable HTTP (legacy only).
        let legacy_sse = || async {
            let headers: http::HeaderMap = custom.clone().into_iter().collect();
            let transport = super::sse::connect(
                http.clone(),
                url,
                headers,
                self.limits.max_message_bytes,
                self.limits.start_timeout,
            )
            .await
            .map_err(|e| e.to_string())?;
            self.client()
                .serve_with_lifecycle(transport, ClientLifecycleMode::Initialize)
                .await
                .map_err(|error| error.to_string())
        };
        let auto = || ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: None,
        };
        let (service, kind) = if super::sse::looks_like_sse(url) {
            match legacy_sse().await {
                Ok(service) => (service, "SSE"),
                Err(sse_error) => match streamable(auto()).await {
                    Ok(service) => (service, "streamable HTTP"),
                    Err(error) => {
                        return Err(handshake(format!(
                            "{url}: SSE: {sse_error}; streamable HTTP: {error}"
                        )));
                    }
                },
            }
        } else {
            match streamable(auto()).await {
                Ok(service) => (service, "streamable HTTP"),
                Err(error) if error == SIGN_IN_NEEDED => {
                    let reason = if authorized.is_some() {
                        "the stored sign-in was refused and could not be renewed"
                    } else {
                        "the server asks for OAuth and no sign-in is stored"
                    };
                    return Err(UpstreamError::sign_in_needed(&self.name, reason));
                }
                Err(error) => match legacy_sse().await {
                    Ok(service) => (service, "SSE (fallback)"),
                    Err(sse_error) => {
                        return Err(handshake(format!(
                            "{url}: {error}; SSE fallback: {sse_error}"
                        )));
                    }
                },
            }
        };
        // Never trade a capability for the 2026 era: a legacy connection beside it if it offers more (era.rs).
        let legacy = if super::era::is_modern(service.peer().peer_info().as_deref()) {
            let attempt = streamable(ClientLifecycleMode::Initialize);
            super::era::legacy_side(&self.name, &service, attempt).await
        } else {
            None
        };
        tracing::info!(server = %self.name, url, transport = kind, elapsed_ms = started.elapsed().as_millis() as u64, "upstream connected over HTTP");
        let peer = service.peer().clone();
        let peer_for_watch = peer.clone();
        Ok(Connection {
            service: Mutex::new(Some(service)),
            peer,
            guard: Mutex::new(None),
            oversized: Arc::default(),
            pid: None,
            list_watch: std::sync::Mutex::new(super::subscriptions::watch_list_changes(
                &self.name,
                &peer_for_watch,
                &self.events,
            )),
            legacy,
        })
    }

    async fn start_stdio(
        &self,
        command: &str,
        args: &[String],
        env: &std::collections::BTreeMap<String, crate::secret::Sensitive<String>>,
    ) -> Result<Connection, UpstreamError> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let spawned = stdio::spawn(
            &self.name,
            command,
            args,
            env,
            self.limits.max_message_bytes,
        )
        .map_err(|source| UpstreamError::Spawn {
            server: self.name.to_string(),
            command: command.to_string(),
            source,
        })?;
        let pid = spawned.guard.pid();
        let mut guard = spawned.guard;
        let client = self.client();
        let lifecycle = ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: None,
        };
        let service = match client
            .serve_with_lifecycle((spawned.stdout, spawned.stdin), lifecycle)
            .await
        {
            Ok(service) => service,
            Err(error) => {
                guard.terminate(Duration::from_millis(100)).await;
                return Err(UpstreamError::Handshake {
                    server: self.name.to_string(),
                    reason: error.to_string(),
                });
            }
        };
        tracing::info!(server = %self.name, pid, elapsed_ms = started.elapsed().as_millis() as u64, "upstream started");
        let peer = service.peer().clone();
        let peer_for_watch = peer.clone();
        Ok(Connection {
            service: Mutex::new(Some(service)),
            peer,
            guard: Mutex::new(Some(guard)),
            oversized: spawned.oversized,
            pid,
            list_watch: std::sync::Mutex::new(super::subscriptions::watch_list_changes(
                &self.name,
                &peer_for_watch,
                &self.events,
            )),
            legacy: None,
        })
    }

    fn classify(&self, conn: &Connection, error: rmcp::ServiceError) -> UpstreamError {
        if conn.oversized.load(Ordering::Relaxed) {
            return UpstreamError::Oversized {
                server: self.name.to_string(),
                limit: self.limits.max_message_bytes,
            };
        }
        match crate::oauth::sign_in_challenge(&error) {
            Some(crate::oauth::SignInChallenge::InsufficientScope(scope)) => {
                let reason = match &scope {
                    Some(scope) => format!("the operation needs scope `{scope}`"),
                    None => "the operation needs more scopes".to_owned(),
                };
                if let (Some(scope), UpstreamTransport::Http { oauth, .. }) =
                    (scope, &self.transport)
                {
                    // Noted in the keychain entry, so the next sign-in asks for it (step-up).
                    let (oauth, server) = (oauth.clone(), self.name.clone());
                    tokio::spawn(async move {
                        if let Err(error) =
                            crate::oauth::remember_step_up(&oauth, &server, &scope).await
                        {
                            tracing::warn!(server = %server, %error, "could not note the scopes to ask for");
                        }
                    });
                }
                return UpstreamError::sign_in_needed(&self.name, reason);
            }
            Some(crate::oauth::SignInChallenge::Required) => {
                return UpstreamError::sign_in_needed(
                    &self.name,
                    "the server refused the stored sign-in",
                );
            }
            None => {}
        }
        match error {
            rmcp::ServiceError::TransportClosed | rmcp::ServiceError::TransportSend(_) => {
                UpstreamError::Exited {
                    server: self.name.to_string(),
                }
            }
            rmcp::ServiceError::McpError(error) => UpstreamError::Protocol {
                server: self.name.to_string(),
                error: Box::new(error),
            },
            other => UpstreamError::Rpc {
                server: self.name.to_string(),
                message: other.to_string(),
            },
        }
    }

    fn record_success(&self) {
        if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
            self.consecutive_failures.store(0, Ordering::Relaxed);
        }
    }

    /// `tools/list` (all pages) with the request timeout.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, UpstreamError> {
        let conn = self.connection().await?;
        match tokio::time::timeout(self.limits.request_timeout, conn.peer.list_all_tools()).await {
            Err(_) => Err(UpstreamError::Timeout {
                server: self.name.to_string(),
                what: "tools/list".into(),
                after: self.limits.request_timeout,
            }),
            Ok(Err(error)) => Err(self.classify(&conn, error)),
            Ok(Ok(tools)) => {
                self.record_success();
                Ok(tools)
            }
        }
    }

    /// `tools/call` with the request timeout. A late reply after a timeout is dropped (the request is
    /// cancelled upstream).
    pub async fn call_tool(
        self: &Arc<Self>,
        params: CallToolRequestParams,
    ) -> Result<CallToolResponse, UpstreamError> {
        self.call_tool_for(params, Caller::default()).await
    }

    /// [`Self::call_tool`] for `caller`: its progress notifications go to it, and what the upstream
    /// asks back while the call runs is put to that client, across protocol eras (`bridge.rs`).
    /// Abandoning the returned future (client cancel, timeout) cancels the request upstream.
    pub async fn call_tool_for(
        self: &Arc<Self>,
        mut params: CallToolRequestParams,
        caller: Caller,
    ) -> Result<CallToolResponse, UpstreamError> {
        let tool = params.name.to_string();
        if let Some(token) = params
            .request_state
            .clone()
            .filter(|state| bridge::is_park_token(state))
        {
            return self
                .resume(&token, &tool, params.input_responses.take())
                .await;
        }
        match caller.client {
            Some(client) if !client.is_legacy() => {
                let (asks_tx, asks) = mpsc::channel(4);
                let target = Target {
                    client,
                    asks: Some(asks_tx),
                    screen: caller.screen.clone(),
                };
                let screen_target = target.clone();
                let this = self.clone();
                let progress = caller.progress;
                let exchange = Exchange(tokio::spawn(async move {
                    this.call_round(params, progress, Some(target)).await
                }));
                let response = self.drive(exchange, asks, tool).await?;
                // The upstream's own `input_required`, passed through: screened like relayed asks.
                if let CallToolResponse::InputRequired(result) = &response
                    && !result
                        .request_state
                        .as_deref()
                        .is_some_and(bridge::is_park_token)
                {
                    for request in result.input_requests.iter().flat_map(|r| r.values()) {
                        screen_target
                            .screen(request)
                            .await
                            .map_err(|e| self.rpc_error(e.message.to_string()))?;
                    }
                }
                Ok(response)
            }
            client => {
                let target = client.clone().map(|client| Target {
                    client,
                    asks: None,
                    screen: caller.screen.clone(),
                });
                let mut rounds = 0u64;
                loop {
                    let response = self
                        .call_round(params.clone(), caller.progress.clone(), target.clone())
                        .await?;
                    let (CallToolResponse::InputRequired(result), Some(client)) =
                        (&response, &client)
                    else {
                        return Ok(response);
                    };
                    // A legacy client cannot take `input_required`: fulfil it for the client.
                    rounds += 1;
                    if rounds > bridge::MAX_ROUNDS as u64 {
                        return Err(self.rpc_error(format!(
                            "asked for client input {} times without finishing tools/call {tool}",
                            bridge::MAX_ROUNDS
                        )));
                    }
                    let requests = result.input_requests.clone().unwrap_or_default();
                    if requests.is_empty() {
                        tokio::time::sleep(Duration::from_millis(25 * rounds)).await;
                    }
                    let target = Target {
                        client: client.clone(),
                        asks: None,
                        screen: caller.screen.clone(),
                    };
                    let responses = bridge::fulfil_for_legacy(&target, &self.name, requests)
                        .await
                        .map_err(|e| self.rpc_error(e.message.to_string()))?;
                    params.input_responses = (!responses.is_empty()).then_some(responses);
                    params.request_state = result.request_state.clone();
                }
            }
        }
    }

    fn rpc_error(&self, message: String) -> UpstreamError {
        UpstreamError::Rpc {
            server: self.name.to_string(),
            message,
        }
    }

    /// Waits for a call on its own task: its result, or a question for the 2026-07-28 client, which
    /// parks the call and answers the client `input_required`.
    async fn drive(
        &self,
        mut exchange: Exchange,
        mut asks: mpsc::Receiver<Ask>,
        tool: String,
    ) -> Result<CallToolResponse, UpstreamError> {
        enum Event {
            Done(Result<Result<CallToolResponse, UpstreamError>, tokio::task::JoinError>),
            Ask(Ask),
        }
        let event = tokio::select! {
            joined = &mut exchange.0 => Event::Done(joined),
            Some(ask) = asks.recv() => Event::Ask(ask),
        };
        match event {
            Event::Done(joined) => joined.unwrap_or_else(|error| {
                Err(self.rpc_error(format!("tools/call {tool} ended abnormally: {error}")))
            }),
            Event::Ask(ask) => Ok(self.park(exchange, asks, ask, tool)),
        }
    }

    fn park(
        &self,
        exchange: Exchange,
        asks: mpsc::Receiver<Ask>,
        ask: Ask,
        tool: String,
    ) -> CallToolResponse {
        let request = ask.request.clone();
        let token = self
            .parked
            .park(Parked::new(exchange, asks, ask, ASK_KEY.to_string(), tool));
        let requests = std::collections::BTreeMap::from([(ASK_KEY.to_string(), request)]);
        CallToolResponse::InputRequired(InputRequiredResult::new(Some(requests), Some(token)))
    }

    /// A 2026-07-28 client's retry of a parked call: hands its answer to the waiting upstream request.
    async fn resume(
        &self,
        token: &str,
        tool: &str,
        responses: Option<InputResponses>,
    ) -> Result<CallToolResponse, UpstreamError> {
        let Some(parked) = self.parked.take(token, tool) else {
            return Err(self.rpc_error(format!(
                "the requestState of this tools/call {tool} does not match a call waiting for input (it was already answered, was for another tool, or expired after {} minutes); call the tool again",
                bridge::PARK_TTL.as_secs() / 60
            )));
        };
        let (key, request, reply) = parked.pending;
        match responses.and_then(|mut answers| answers.remove(&key)) {
            Some(answer) => {
                let _ = reply.send(Ok(answer));
                self.drive(parked.exchange, parked.asks, tool.to_string())
                    .await
            }
            // No answer to the question: ask it again.
            None => Ok(self.park(
                parked.exchange,
                parked.asks,
                Ask { request, reply },
                tool.to_string(),
            )),
        }
    }

    /// One `tools/call` request upstream with the request timeout.
    async fn call_round(
        &self,
        params: CallToolRequestParams,
        progress: Option<ProgressRoute>,
        target: Option<Target>,
    ) -> Result<CallToolResponse, UpstreamError> {
        use rmcp::model::{CallToolRequest, ClientRequest, ServerResult};
        let conn = self.connection().await?;
        // A legacy client's call goes to the legacy connection, if any, when that one has the tool (era.rs).
        let peer = match (&conn.legacy, &target) {
            (Some(legacy), Some(t)) if t.client.is_legacy() && legacy.serves_tool(&params.name) => {
                &legacy.peer
            }
            _ => &conn.peer,
        };
        // The upstream sees what the calling client supports (2026-07-28 carries it per request),
        // not the gateway's own superset: a server must not ask for what the client cannot give.
        let per_request_meta = peer
            .peer_info()
            .is_some_and(|info| info.protocol_version >= ProtocolVersion::V_2026_07_28);
        let options = match &target {
            // Legacy connections fixed the capabilities at `initialize`; only 2026 carries them.
            Some(target) if per_request_meta => {
                let mut meta = rmcp::model::RequestMetaObject::default();
                meta.set_client_capabilities(target.client.capabilities.clone());
                let mut options = rmcp::service::PeerRequestOptions::no_options();
                options.meta = Some(meta);
                options
            }
            _ => rmcp::service::PeerRequestOptions::no_options(),
        };
        let _in_flight = target.map(|t| self.in_flight.enter(t.client.session, t));
        let tool = params.name.to_string();
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let exchange = async {
            let handle = peer.send_request_with_option(request, options).await?;
            let route_guard = progress.map(|route| {
                if let Ok(mut routes) = self.progress.lock() {
                    routes.insert(handle.progress_token.clone(), route);
                }
                RouteGuard {
                    routes: self.progress.clone(),
                    token: handle.progress_token.clone(),
                }
            });
            let mut cancel = CancelOnDrop {
                peer: peer.clone(),
                id: Some(handle.id.clone()),
            };
            let result = handle.await_response().await;
            cancel.id = None;
            // rmcp hands each notification to its own task but answers responses at once: let the
            // progress notifications that arrived before this response reach the client first (the
            // route is removed when this block ends).
            if route_guard.is_some() {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            }
            result
        };
        match tokio::time::timeout(self.limits.request_timeout, exchange).await {
            Err(_) => Err(UpstreamError::Timeout {
                server: self.name.to_string(),
                what: format!("tools/call {tool}"),
                after: self.limits.request_timeout,
            }),
            Ok(Err(error)) => Err(self.classify(&conn, error)),
            Ok(Ok(result)) => {
                self.record_success();
                match result {
                    ServerResult::CallToolResult(result) => Ok(CallToolResponse::Complete(result)),
                    ServerResult::InputRequiredResult(result) => {
                        Ok(CallToolResponse::InputRequired(result))
                    }
                    ServerResult::CreateTaskResult(result) => Ok(CallToolResponse::Task(result)),
                    _ => Err(UpstreamError::Rpc {
                        server: self.name.to_string(),
                        message: format!(
                            "answered tools/call {tool} with something that is not a tool result"
                        ),
                    }),
                }
            }
        }
    }

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

    /// Stops the process (if any). The next request starts a fresh one.
    pub async fn stop(&self) {
        self.subscriptions.clear().await;
        if let Some(conn) = self.set_current(None) {
            conn.stop().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::ZERO);
        assert_eq!(backoff(2), Duration::from_millis(250));
        assert_eq!(backoff(3), Duration::from_millis(500));
        assert_eq!(backoff(40), Duration::from_secs(10));
    }
}
