//! The MCP tool handler of `test-mcp-server`.
//!
//! Every server exposes the same built-in tools, each small and named for what a gateway test
//! needs from it: `echo`, `add`, `fail`, `multi` for result shapes; `crash`, `hang`, `slow`,
//! `huge`, `noise` for misbehaviour; `env`, `pid`, `count` for observing the process the
//! gateway started; `touch` announces an update of a subscribed resource. Extra echo tools come from [`crate::tools_file`].
//!
//! Not handled here: which lifecycle is spoken ([`crate::era`]) and who owns stdout
//! ([`crate::stdout`]); the `noise` tool only asks the stdout writer for garbage lines.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    handler::server::{
        router::tool::{ToolRoute, ToolRouter},
        tool::ToolCallContext,
        wrapper::Parameters,
    },
    model::{
        CacheScope, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
        ContentBlock, GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
        ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
        ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
        ResourceContents, ServerCapabilities, ServerConfig, Tool,
    },
    service::RequestContext,
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::{content, era::Era, stdout::Noise, tools_file::ExtraTool};

/// Largest result the `huge` tool builds; above it the tool answers with an error result.
pub const HUGE_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Most garbage lines the `noise` tool writes in one call.
pub const NOISE_MAX_LINES: u64 = 10_000_000;
/// What `env` answers for a variable that is not set.
pub const UNSET: &str = "<unset>";

/// Settings of one server process that tools and `get_info` read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `serverInfo.name`.
    pub name: String,
    /// The lifecycle spoken; decides the protocol version offered to `initialize`.
    pub era: Era,
    /// Delay before every `tools/list` answer.
    pub tools_delay: Duration,
}

/// The tool handler; see the module docs.
#[derive(Debug, Clone)]
pub struct TestServer {
    settings: Arc<Settings>,
    noise: Noise,
    calls_counted: Arc<AtomicU64>,
    cancellations: Arc<AtomicU64>,
    /// Resource URIs the client subscribed to (legacy `resources/subscribe`).
    subscribed: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    tool_router: ToolRouter<Self>,
}

/// Arguments of `echo`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EchoArgs {
    /// Text returned unchanged.
    pub message: String,
}

/// Arguments of `add`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AddArgs {
    /// First addend.
    pub a: f64,
    /// Second addend.
    pub b: f64,
}

/// Arguments of `slow`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SlowArgs {
    /// Milliseconds to sleep before replying.
    pub ms: u64,
}

/// Arguments of `huge`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HugeArgs {
    /// Exact size of the returned text, in bytes.
    pub bytes: u64,
}

/// Arguments of `noise`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoiseArgs {
    /// Number of garbage lines to write to stdout.
    pub lines: u64,
}

/// Arguments of `fail`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FailArgs {
    /// Text of the error result.
    pub message: String,
}

/// Arguments of `env`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EnvArgs {
    /// Name of the environment variable to read.
    pub name: String,
}

/// Arguments of `progress`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProgressArgs {
    /// Number of progress notifications to send before answering.
    pub steps: u32,
}

/// Arguments of `touch`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TouchArgs {
    /// Resource URI to announce as updated.
    pub uri: String,
}

/// Arguments of `header`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HeaderArgs {
    /// Name of the HTTP request header to read.
    pub name: String,
}

impl TestServer {
    /// A server with the built-in tools plus `extra_tools`; fails if an extra tool reuses a
    /// built-in name.
    pub fn new(
        settings: Settings,
        noise: Noise,
        extra_tools: Vec<ExtraTool>,
    ) -> anyhow::Result<Self> {
        let mut tool_router = Self::tool_router();
        for extra in extra_tools {
            anyhow::ensure!(
                !tool_router.has_route(&extra.name),
                "extra tool {:?} clashes with a built-in tool",
                extra.name
            );
            tool_router.add_route(echo_arguments_route(extra));
        }
        Ok(Self {
            settings: Arc::new(settings),
            noise,
            calls_counted: Arc::new(AtomicU64::new(0)),
            cancellations: Arc::new(AtomicU64::new(0)),
            subscribed: Arc::default(),
            tool_router,
        })
    }
}

#[tool_router]
impl TestServer {
    #[tool(description = "Return `message` unchanged.")]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.message
    }

    #[tool(description = "Return a + b as text and as structuredContent {\"sum\": …}.")]
    async fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> CallToolResult {
        let sum = a + b;
        let mut result = CallToolResult::success(vec![ContentBlock::text(sum.to_string())]);
        result.structured_content = Some(serde_json::json!({ "sum": sum }));
        result
    }

    #[tool(description = "Exit the server process with status 1 without replying.")]
    async fn crash(&self) -> String {
        tracing::warn!("crash tool called: exiting with status 1");
        std::process::exit(1)
    }

    #[tool(description = "Never reply.")]
    async fn hang(&self) -> String {
        std::future::pending().await
    }

    #[tool(description = "Sleep `ms` milliseconds, then reply \"slept <ms>\".")]
    async fn slow(&self, Parameters(SlowArgs { ms }): Parameters<SlowArgs>) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        format!("slept {ms}")
    }

    #[tool(description = "Return one text item of exactly `bytes` bytes ('x' repeated).")]
    async fn huge(
        &self,
        Parameters(HugeArgs { bytes }): Parameters<HugeArgs>,
    ) -> Result<String, String> {
        if bytes > HUGE_MAX_BYTES {
            return Err(format!("bytes must be at most {HUGE_MAX_BYTES}"));
        }
        let bytes = usize::try_from(bytes).map_err(|error| error.to_string())?;
        Ok("x".repeat(bytes))
    }

    #[tool(description = "Write `lines` non-JSON garbage lines to stdout, then reply \"noisy\".")]
    async fn noise(
        &self,
        Parameters(NoiseArgs { lines }): Parameters<NoiseArgs>,
    ) -> Result<String, String> {
        if lines > NOISE_MAX_LINES {
            return Err(format!("lines must be at most {NOISE_MAX_LINES}"));
        }
        self.noise
            .emit(lines)
            .await
            .map_err(|error| error.to_string())?;
        Ok("noisy".to_owned())
    }

    #[tool(description = "Return two text items and an embedded text resource, isError false.")]
    async fn multi(&self) -> CallToolResult {
        CallToolResult::success(vec![
            ContentBlock::text("first"),
            ContentBlock::text("second"),
            ContentBlock::resource(
                ResourceContents::text("embedded resource text", "test://multi/resource")
                    .with_mime_type("text/plain"),
            ),
        ])
    }

    #[tool(description = "Return a tool error result (isError true) carrying `message`.")]
    async fn fail(&self, Parameters(FailArgs { message }): Parameters<FailArgs>) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(message)])
    }

    #[tool(description = "Return the value of environment variable `name`, or \"<unset>\".")]
    async fn env(&self, Parameters(EnvArgs { name }): Parameters<EnvArgs>) -> String {
        // A name that cannot be looked up (empty, contains '=' or NUL) is unset by definition;
        // check before asking the OS, which may reject such names.
        let valid_name = !name.is_empty() && !name.contains(['=', '\0']);
        valid_name
            .then(|| std::env::var_os(&name))
            .flatten()
            .map_or_else(
                || UNSET.to_owned(),
                |value| value.to_string_lossy().into_owned(),
            )
    }

    #[tool(
        description = "Return the value of HTTP request header `name` (HTTP mode), or \"<unset>\"."
    )]
    async fn header(
        &self,
        Parameters(HeaderArgs { name }): Parameters<HeaderArgs>,
        context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> String {
        context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(name.as_str()))
            .and_then(|value| value.to_str().ok())
            .map_or_else(|| UNSET.to_owned(), str::to_owned)
    }

    #[tool(
        description = "Send `steps` progress notifications (to the caller's progress token) and one info log line, then reply \"done <steps>\"."
    )]
    async fn progress(
        &self,
        Parameters(ProgressArgs { steps }): Parameters<ProgressArgs>,
        context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> String {
        #[allow(deprecated)] // Logging is deprecated in 2026-07-28 but legacy peers use it.
        let log = rmcp::model::LoggingMessageNotificationParam::new(
            rmcp::model::LoggingLevel::Info,
            serde_json::json!(format!("progress tool: {steps} steps")),
        );
        #[allow(deprecated)]
        let _ = context.peer.notify_logging_message(log).await;
        if let Some(token) = context.meta.get_progress_token() {
            for step in 1..=steps {
                let params =
                    rmcp::model::ProgressNotificationParam::new(token.clone(), f64::from(step))
                        .with_total(f64::from(steps));
                let _ = context.peer.notify_progress(params).await;
            }
        }
        format!("done {steps}")
    }

    #[tool(
        description = "Send `notifications/resources/updated` for `uri` if the client subscribed to it; reply \"notified\" or \"not subscribed\"."
    )]
    async fn touch(
        &self,
        Parameters(TouchArgs { uri }): Parameters<TouchArgs>,
        context: rmcp::service::RequestContext<rmcp::RoleServer>,
    ) -> String {
        let subscribed = self
            .subscribed
            .lock()
            .map(|set| set.contains(&uri))
            .unwrap_or(false);
        if !subscribed {
            return "not subscribed".into();
        }
        let params = rmcp::model::ResourceUpdatedNotificationParam::new(uri);
        match context.peer.notify_resource_updated(params).await {
            Ok(()) => "notified".into(),
            Err(error) => format!("not delivered: {error}"),
        }
    }

    #[tool(description = "How many `notifications/cancelled` this process has received.")]
    async fn cancelled(&self) -> String {
        self.cancellations.load(Ordering::SeqCst).to_string()
    }

    #[tool(description = "Return the server's process id.")]
    async fn pid(&self) -> String {
        std::process::id().to_string()
    }

    #[tool(description = "Increment this process's call counter and return its new value.")]
    async fn count(&self) -> String {
        (self.calls_counted.fetch_add(1, Ordering::SeqCst) + 1).to_string()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TestServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_prompts()
            .enable_completions()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(
                self.settings.name.clone(),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_protocol_version(self.settings.era.preferred_protocol_version())
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        self.settings.era.supported_protocol_versions()
    }

    /// `--era split` discovers less than it initializes (see [`Era::Split`]).
    async fn discover(
        &self,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::DiscoverResult, ErrorData> {
        let mut result = rmcp::model::DiscoverResult::from_server_info(
            self.supported_protocol_versions().into_owned(),
            self.get_info(),
        );
        if self.settings.era == Era::Split {
            let capabilities = &mut result.capabilities;
            if let Some(resources) = capabilities.resources.as_mut() {
                resources.subscribe = None;
            }
            capabilities.logging = None;
            capabilities.completions = None;
        }
        Ok(result)
    }

    #[allow(deprecated)] // resources/subscribe is legacy-only: what the `touch` tool serves.
    async fn subscribe(
        &self,
        request: rmcp::model::SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if let Ok(mut set) = self.subscribed.lock() {
            set.insert(request.uri);
        }
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: rmcp::model::UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if let Ok(mut set) = self.subscribed.lock() {
            set.remove(&request.uri);
        }
        Ok(())
    }

    async fn on_cancelled(
        &self,
        _params: rmcp::model::CancelledNotificationParam,
        _context: rmcp::service::NotificationContext<RoleServer>,
    ) {
        self.cancellations.fetch_add(1, Ordering::SeqCst);
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(content::resources()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            content::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Ok(ReadResourceResult::new(content::read(&request.uri)?).into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(content::prompts()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        Ok(content::get_prompt(&request)?.into())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        Ok(content::complete(&request))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        if !self.settings.tools_delay.is_zero() {
            tokio::time::sleep(self.settings.tools_delay).await;
        }
        let mut result = ListToolsResult::with_all_items(self.tool_router.list_all());
        // Same cache hints as rmcp's generated `list_tools`: 2026-07-28 requires them.
        if context
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28)
        {
            result = result.with_ttl_ms(0).with_cache_scope(CacheScope::Public);
        }
        Ok(result)
    }
}

type ToolFuture<'a> =
    Pin<Box<dyn Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'a>>;

/// A route for an extra tool: it answers with its arguments serialised as JSON text.
fn echo_arguments_route(extra: ExtraTool) -> ToolRoute<TestServer> {
    let mut tool = Tool::new(extra.name, "", extra.input_schema);
    tool.description = extra.description.map(Into::into);
    ToolRoute::new_dyn(
        tool,
        |context: ToolCallContext<'_, TestServer>| -> ToolFuture<'_> {
            let arguments = serde_json::Value::Object(context.arguments.unwrap_or_default());
            Box::pin(async move {
                Ok(CallToolResult::success(vec![ContentBlock::text(arguments.to_string())]).into())
            })
        },
    )
}
