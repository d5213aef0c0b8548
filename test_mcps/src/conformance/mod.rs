//! `conformance-server`: an MCP server implementing the server scenarios of the official
//! conformance suite (`@modelcontextprotocol/conformance`), built on rmcp.
//!
//! It is the upstream a gateway fronts during a conformance run, so it must pass the suite on
//! its own first: names, URIs and texts follow the suite's reference server. A tour:
//!
//! - [`fixtures`]: the fixed payloads (PNG, WAV, texts, URIs).
//! - [`content_tools`]: tools judged by their result alone (text, image, audio, embedded
//!   resource, mixed, tool error, JSON Schema 2020-12).
//! - [`notifying_tools`]: tools that log, report progress, or end their own SSE stream.
//! - [`client_request_tools`] and [`elicitation_forms`]: sampling and elicitation as
//!   server-to-client requests, for legacy protocol versions.
//! - [`input_required`]: questions as 2026-07-28 `InputRequiredResult` rounds (SEP-2322).
//! - [`stateless_tools`] and [`subscriptions`]: probes of the 2026-07-28 stateless rules
//!   (per-request log level, `Mcp-Param-*` headers, `subscriptions/listen`).
//! - [`resources`], [`prompts`], [`completion`], [`logging`]: the non-tool surface.
//! - [`sse_streams`]: which SSE stream carries which request, so a tool can close its own.
//! - [`serve`]: stdio and streamable HTTP transports.
//!
//! This module owns the handler: it routes each MCP method to the module that answers it and
//! holds the per-connection state (log level, subscriptions) and the [`Shared`] process state. Protocol negotiation, framing,
//! Host validation and the 2026-07-28 stateless rules are rmcp's.

pub mod client_request_tools;
pub mod completion;
pub mod content_tools;
pub mod elicitation_forms;
pub mod fixtures;
pub mod input_required;
pub mod logging;
pub mod notifying_tools;
pub mod prompts;
pub mod resources;
pub mod serve;
pub mod sse_streams;
pub mod stateless_tools;
pub mod subscriptions;

use std::{future::Future, pin::Pin};

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    handler::server::router::tool::ToolRouter,
    model::{
        CallToolResponse, CompleteRequestParams, CompleteResult, GetPromptRequestParams,
        GetPromptResponse, Implementation, ListPromptsResult, ListResourceTemplatesResult,
        ListResourcesResult, PaginatedRequestParams, Prompt, ReadResourceRequestParams,
        ReadResourceResponse, ServerCapabilities, ServerConfig, SubscribeRequestParams,
        SubscriptionFilter, UnsubscribeRequestParams,
    },
    service::{RequestContext, SubscriptionContext},
    tool_handler,
};

use self::{
    input_required::PendingRounds, logging::LogLevel, resources::Subscriptions,
    sse_streams::StreamControl, subscriptions::Listeners,
};

pub use serve::{Options, run};

/// What a hand-built tool route returns.
type ToolFuture<'a> =
    Pin<Box<dyn Future<Output = Result<CallToolResponse, ErrorData>> + Send + 'a>>;

/// State shared by every connection of one process. 2026-07-28 clients are stateless, so
/// anything that must outlive one request (MRTR rounds, listen streams) lives here.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    /// The HTTP session manager's request streams; empty over stdio.
    pub streams: StreamControl,
    /// `InputRequiredResult` rounds waiting for the client's answer.
    pub rounds: PendingRounds,
    /// Open `subscriptions/listen` streams.
    pub listeners: Listeners,
}

/// The handler of one connection (one stdio peer, or one HTTP session or stateless request).
#[derive(Debug, Clone)]
pub struct ConformanceServer {
    log_level: LogLevel,
    subscriptions: Subscriptions,
    shared: Shared,
    tool_router: ToolRouter<Self>,
}

impl ConformanceServer {
    /// A handler for a new connection of the process whose state is `shared`.
    pub fn new(shared: Shared) -> Self {
        let mut tool_router = Self::content_tools()
            + Self::notifying_tools()
            + Self::client_request_tools()
            + Self::input_required_tools()
            + Self::stateless_tools();
        tool_router.add_route(content_tools::json_schema_route());
        tool_router.add_route(stateless_tools::custom_header_route());
        Self {
            log_level: LogLevel::default(),
            subscriptions: Subscriptions::default(),
            shared,
            tool_router,
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ConformanceServer {
    #[allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_resources_list_changed()
            .enable_prompts()
            .enable_prompts_list_changed()
            .enable_logging()
            .enable_completions()
            .build();
        ServerConfig::new(capabilities).with_server_info(Implementation::new(
            fixtures::SERVER_NAME,
            env!("CARGO_PKG_VERSION"),
        ))
    }

    #[allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.log_level.set(request.level);
        let level = serde_json::to_value(request.level).unwrap_or_default();
        let line = format!("Log level set to: {}", level.as_str().unwrap_or_default());
        self.log_info(&context, line).await;
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        Ok(completion::complete(&request))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let mut prompts = prompts::list();
        prompts.push(Prompt::new(
            input_required::PROMPT,
            Some("MRTR: prompt that requires elicitation input"),
            None,
        ));
        Ok(ListPromptsResult::with_all_items(prompts))
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        // Everything asked for; rmcp narrows it to the capabilities advertised above.
        Some(requested.clone())
    }

    async fn listen(&self, subscription: SubscriptionContext) -> Result<(), ErrorData> {
        self.shared.listeners.listen(subscription).await;
        Ok(())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name == input_required::PROMPT {
            return Ok(input_required::prompt(&request));
        }
        prompts::get(&request).map(Into::into)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(&request.uri).map(Into::into)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions.subscribe(&request.uri)?;
        self.log_info(&context, format!("Subscribed to resource: {}", request.uri))
            .await;
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.subscriptions.unsubscribe(&request.uri);
        self.log_info(
            &context,
            format!("Unsubscribed from resource: {}", request.uri),
        )
        .await;
        Ok(())
    }
}

impl ConformanceServer {
    /// An `info` line from the server itself (not from a tool).
    #[allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.
    async fn log_info(&self, context: &RequestContext<RoleServer>, line: String) {
        self.log_level
            .send(
                context,
                rmcp::model::LoggingLevel::Info,
                Some(logging::LOGGER),
                serde_json::Value::String(line),
            )
            .await;
    }
}
