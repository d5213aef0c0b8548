//! Tool calls: one path for direct tools and for each item of `enkrypt_secure_call_tools`.
//!
//! Order: access rules (allow-list, `denied_tools`) → tool exists on the server → upstream call with
//! timeout → audit. Guardrails plug in around the upstream call (input before, output after) in the
//! guardrails issue; nothing here lets an upstream result past a refusal.

use std::sync::Arc;
use std::time::Instant;

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, JsonObject,
};
use serde_json::Value;

use super::Gateway;
use super::access::Refusal;
use crate::audit::{AuditEvent, Decision, EventKind};
use crate::upstream::UpstreamError;

/// What became of one call.
#[derive(Debug)]
pub enum CallOutcome {
    /// The upstream answered (its own `isError` is kept inside).
    Answered(CallToolResponse),
    /// Refused by the server's access rules; the upstream was not called.
    Refused(Refusal),
    /// The server has no such tool.
    UnknownTool { server: String, tool: String },
    /// The upstream could not answer.
    Failed(UpstreamError),
}

impl Gateway {
    fn audit_event(
        &self,
        kind: EventKind,
        server: &str,
        tool: &str,
        request_id: &str,
    ) -> AuditEvent {
        AuditEvent::new(kind, self.gateway_id.clone())
            .with_server(server)
            .with_tool(tool)
            .with_request_id(request_id)
    }

    /// Runs one call of `tool` on server `index` through the whole pipeline.
    pub async fn execute(
        &self,
        index: usize,
        tool: &str,
        arguments: Option<JsonObject>,
        meta: Option<rmcp::model::RequestMetaObject>,
        request_id: &str,
    ) -> CallOutcome {
        let started = Instant::now();
        let server = &self.servers[index];
        let server_name = server.config.server_name.as_str();
        let args_value = Value::Object(arguments.clone().unwrap_or_default());
        self.audit.record(
            self.audit_event(EventKind::Request, server_name, tool, request_id)
                .with_args(&args_value),
        );

        if let Err(refusal) = server.access.check(tool) {
            self.audit.record(
                self.audit_event(EventKind::Block, server_name, tool, request_id)
                    .with_decision(Decision::Blocked)
                    .with_detectors(["access_policy"])
                    .with_side("input")
                    .with_message(refusal.to_string())
                    .with_duration(started.elapsed()),
            );
            return CallOutcome::Refused(refusal);
        }

        match self.server_tools(index).await {
            Ok((tools, _)) if !tools.iter().any(|t| t.name == tool) => {
                self.audit.record(
                    self.audit_event(EventKind::Error, server_name, tool, request_id)
                        .with_decision(Decision::Error)
                        .with_message(format!("tool '{tool}' not found on server '{server_name}'"))
                        .with_duration(started.elapsed()),
                );
                return CallOutcome::UnknownTool {
                    server: server_name.to_string(),
                    tool: tool.to_string(),
                };
            }
            Ok(_) => {}
            Err(error) => {
                self.audit_failure(server_name, tool, request_id, started, &error);
                return CallOutcome::Failed(error);
            }
        }

        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = arguments;
        params.meta = meta;
        match server.upstream.call_tool(params).await {
            Ok(response) => {
                let upstream_error =
                    matches!(&response, CallToolResponse::Complete(r) if r.is_error == Some(true));
                self.audit.record(
                    self.audit_event(EventKind::Response, server_name, tool, request_id)
                        .with_decision(if upstream_error {
                            Decision::Error
                        } else {
                            Decision::Allowed
                        })
                        .with_duration(started.elapsed()),
                );
                CallOutcome::Answered(response)
            }
            Err(error) => {
                self.audit_failure(server_name, tool, request_id, started, &error);
                CallOutcome::Failed(error)
            }
        }
    }

    fn audit_failure(
        &self,
        server: &str,
        tool: &str,
        request_id: &str,
        started: Instant,
        error: &UpstreamError,
    ) {
        tracing::warn!(server, tool, %error, "upstream call failed");
        self.audit.record(
            self.audit_event(EventKind::Error, server, tool, request_id)
                .with_decision(Decision::Error)
                .with_message(error.to_string())
                .with_duration(started.elapsed()),
        );
    }

    /// A call of a direct tool (`<server><sep><tool>`).
    pub async fn call_direct(
        self: &Arc<Self>,
        request: CallToolRequestParams,
        request_id: &str,
    ) -> Result<CallToolResponse, McpError> {
        let Some((index, tool)) = self.resolve_direct(&request.name).await else {
            self.audit.record(
                AuditEvent::new(EventKind::Error, self.gateway_id.clone())
                    .with_tool(request.name.to_string())
                    .with_request_id(request_id)
                    .with_decision(Decision::Error)
                    .with_message("unknown tool"),
            );
            return Err(McpError::invalid_params(
                format!(
                    "Unknown tool '{}': no configured server offers it (use tools/list or enkrypt_list_all_servers to see what is available)",
                    request.name
                ),
                None,
            ));
        };
        Ok(
            match self
                .execute(index, &tool, request.arguments, request.meta, request_id)
                .await
            {
                CallOutcome::Answered(response) => response,
                CallOutcome::Refused(refusal) => tool_error(format!(
                    "Blocked by the gateway's access policy (input): {refusal}"
                )),
                CallOutcome::UnknownTool { server, tool } => {
                    tool_error(format!("Tool '{tool}' not found on server '{server}'"))
                }
                CallOutcome::Failed(error) => tool_error(error.to_string()),
            },
        )
    }
}

/// A tool result with `isError: true` and one text item.
pub fn tool_error(message: String) -> CallToolResponse {
    CallToolResponse::Complete(CallToolResult::error(vec![ContentBlock::text(message)]))
}
