//! Tools that probe the 2026-07-28 stateless rules (SEP-2575, SEP-2243): a request's own log
//! level, notifications on a request stream, `Mcp-Param-*` headers mirrored from arguments,
//! and list-changed fan-out to `subscriptions/listen` streams.
//!
//! The rules themselves are rmcp's (header validation, subscription filters, no server-to-client
//! requests on a request stream); these tools only give the suite something to exercise them
//! with. They behave the same for legacy peers, minus what legacy peers cannot receive.
#![allow(deprecated)] // SEP-2577 deprecates logging; the probe checks it is withheld correctly.

use std::sync::Arc;

use rmcp::{
    RoleServer,
    handler::server::{router::tool::ToolRoute, tool::ToolCallContext},
    model::{
        CallToolResponse, CallToolResult, ContentBlock, LoggingLevel, ProgressNotificationParam,
        Tool,
    },
    service::RequestContext,
    tool, tool_router,
};
use serde_json::json;

use super::{ConformanceServer, ToolFuture, subscriptions::ListChange};

/// The tool whose `region` argument is mirrored in the `Mcp-Param-Region` header.
pub const CUSTOM_HEADER_TOOL: &str = "test_custom_header";

#[tool_router(router = stateless_tools, vis = "pub(super)")]
impl ConformanceServer {
    #[tool(description = "Diagnostic tool validating response progress streams")]
    async fn test_streaming_elicitation(
        &self,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        // Only notifications (never a server-to-client request) may precede the result.
        if let Some(token) = context.meta.get_progress_token() {
            let params = ProgressNotificationParam::new(token, 50.0).with_total(100.0);
            if let Err(error) = context.peer.notify_progress(params).await {
                tracing::debug!(%error, "progress notification not delivered");
            }
        }
        CallToolResult::success(vec![ContentBlock::text("Streaming complete")])
    }

    #[tool(description = "Diagnostic logging validator tool")]
    async fn test_logging_tool(&self, context: RequestContext<RoleServer>) -> CallToolResult {
        // Sent only if the request (2026-07-28) or the session (legacy) asked for `info`.
        self.log_level
            .send(
                &context,
                LoggingLevel::Info,
                None,
                json!("Diagnostic trace logging activated"),
            )
            .await;
        CallToolResult::success(vec![ContentBlock::text("Logging evaluated")])
    }

    #[tool(description = "Announce a tools list change on listen streams that asked for it")]
    async fn test_trigger_tool_change(&self) -> CallToolResult {
        let delivered = self.shared.listeners.announce(ListChange::Tools).await;
        CallToolResult::success(vec![ContentBlock::text(format!(
            "Mutation triggered ({delivered} stream(s) notified)"
        ))])
    }

    #[tool(description = "Announce a prompts list change on listen streams that asked for it")]
    async fn test_trigger_prompt_change(&self) -> CallToolResult {
        let delivered = self.shared.listeners.announce(ListChange::Prompts).await;
        CallToolResult::success(vec![ContentBlock::text(format!(
            "Mutation triggered ({delivered} stream(s) notified)"
        ))])
    }
}

/// The route of [`CUSTOM_HEADER_TOOL`]. Built by hand because `x-mcp-header` is a schema
/// annotation schemars cannot emit; rmcp's HTTP server reads it back to validate the header.
pub(super) fn custom_header_route() -> ToolRoute<ConformanceServer> {
    let schema = json!({
        "type": "object",
        "properties": {
            "region": {
                "type": "string",
                "description": "Deployment region, mirrored in the Mcp-Param-Region header",
                "x-mcp-header": "Region"
            }
        },
        "required": ["region"]
    });
    let serde_json::Value::Object(schema) = schema else {
        unreachable!("a json! object literal is an object");
    };
    let tool = Tool::new(
        CUSTOM_HEADER_TOOL,
        "Echoes `region`, which clients also send as the Mcp-Param-Region header (SEP-2243)",
        Arc::new(schema),
    );
    ToolRoute::new_dyn(
        tool,
        |context: ToolCallContext<'_, ConformanceServer>| -> ToolFuture<'_> {
            let region = context
                .arguments
                .as_ref()
                .and_then(|arguments| arguments.get("region"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            Box::pin(async move {
                let result = match region {
                    Some(region) => CallToolResult::success(vec![ContentBlock::text(format!(
                        "region: {region}"
                    ))]),
                    None => CallToolResult::error(vec![ContentBlock::text(
                        "missing required string argument `region`",
                    )]),
                };
                Ok(CallToolResponse::from(result))
            })
        },
    )
}
