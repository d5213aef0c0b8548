//! Tools that send notifications while they run: log lines, progress, and the SSE reconnection
//! tool that ends its own response stream before answering.
//!
//! The short sleeps between notifications are part of the contract (the suite wants several
//! notifications spread over the call, not one burst); they are not synchronisation.
#![allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.

use std::time::Duration;

use rmcp::{
    RoleServer,
    model::{CallToolResult, ContentBlock, LoggingLevel, ProgressNotificationParam},
    service::RequestContext,
    tool, tool_router,
};
use serde_json::json;

use super::ConformanceServer;

/// Pause between two notifications of one call.
const STEP: Duration = Duration::from_millis(50);
/// Progress values `test_tool_with_progress` reports, out of [`PROGRESS_TOTAL`].
const PROGRESS_STEPS: [u32; 3] = [0, 50, 100];
const PROGRESS_TOTAL: u32 = 100;

#[tool_router(router = notifying_tools, vis = "pub(super)")]
impl ConformanceServer {
    #[tool(description = "Tests tool that emits log messages during execution")]
    async fn test_tool_with_logging(&self, context: RequestContext<RoleServer>) -> CallToolResult {
        let lines = [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed",
        ];
        for (index, line) in lines.into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(STEP).await;
            }
            self.log_level
                .send(&context, LoggingLevel::Info, None, json!(line))
                .await;
        }
        CallToolResult::success(vec![ContentBlock::text(
            "Tool with logging executed successfully",
        )])
    }

    #[tool(description = "Tests tool that reports progress notifications")]
    async fn test_tool_with_progress(&self, context: RequestContext<RoleServer>) -> CallToolResult {
        // Without a progress token there is no one to report to; the call still succeeds.
        let Some(token) = context.meta.get_progress_token() else {
            return CallToolResult::success(vec![ContentBlock::text("no progress token")]);
        };
        for (index, step) in PROGRESS_STEPS.into_iter().enumerate() {
            if index > 0 {
                tokio::time::sleep(STEP).await;
            }
            let params = ProgressNotificationParam::new(token.clone(), f64::from(step))
                .with_total(f64::from(PROGRESS_TOTAL))
                .with_message(format!("Completed step {step} of {PROGRESS_TOTAL}"));
            if let Err(error) = context.peer.notify_progress(params).await {
                tracing::debug!(%error, "progress notification not delivered");
            }
        }
        CallToolResult::success(vec![ContentBlock::text(token.0.to_string())])
    }

    #[tool(
        description = "Tests SSE stream disconnection and client reconnection (SEP-1699). Server will close the stream mid-call and send the result after client reconnects."
    )]
    async fn test_reconnection(&self, context: RequestContext<RoleServer>) -> CallToolResult {
        self.shared.streams.close_request_stream(&context).await;
        // Leave the client time to reconnect with Last-Event-ID before the result is sent.
        tokio::time::sleep(Duration::from_millis(100)).await;
        CallToolResult::success(vec![ContentBlock::text(
            "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.",
        )])
    }
}
