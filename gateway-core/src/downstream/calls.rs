//! Tool calls: one path for direct tools and for each item of `enkrypt_secure_call_tools`.
//!
//! Order: access rules (allow-list, `denied_tools`) → tool exists on the server → input guardrails
//! (PII redaction, detection; the upstream never sees a blocked call) → upstream call with timeout →
//! output guardrails (the client never sees a blocked result) → PII restore → audit. In async input
//! mode the input checks run alongside the upstream call and a block withholds the result; the action
//! itself has then already happened (documented in the README).

use std::sync::Arc;
use std::time::Instant;

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolRequestParams, CallToolResponse, JsonObject};
use serde_json::{Value, json};

use super::Gateway;
use super::access::Refusal;
use crate::audit::{AuditEvent, Decision, EventKind};
use crate::config::GuardrailPolicy;
use crate::guardrails::{Detection, Side, ToolOrigin, Verdict, flag};
use crate::upstream::{Caller, UpstreamError};
use crate::wire;

/// What the guardrails said about a call that went through (for `enkrypt_policy_detections`).
#[derive(Debug, Clone, Default)]
pub struct GuardrailReport {
    pub input: Option<Value>,
    pub output: Option<Value>,
}

/// What became of one call.
#[derive(Debug)]
pub enum CallOutcome {
    /// The upstream answered (its own `isError` is kept inside).
    Answered {
        response: Box<CallToolResponse>,
        report: GuardrailReport,
    },
    /// Refused by the server's access rules; the upstream was not called.
    Refused(Refusal),
    /// Blocked by guardrails on `side`; on the input side the upstream was not called (unless
    /// `tool_ran`, in async input mode), on the output side its result was withheld.
    Blocked {
        side: Side,
        detectors: Vec<String>,
        reasons: Vec<String>,
        verdict: Value,
        tool_ran: bool,
    },
    /// The server has no such tool.
    UnknownTool { server: String, tool: String },
    /// The upstream could not answer.
    Failed(UpstreamError),
}

impl CallOutcome {
    /// The call's verdict as the audit log and telemetry name it.
    pub fn decision(&self) -> Decision {
        match self {
            Self::Answered { response, .. } => match &**response {
                CallToolResponse::Complete(result) if result.is_error == Some(true) => {
                    Decision::Error
                }
                _ => Decision::Allowed,
            },
            Self::Refused(_) | Self::Blocked { .. } => Decision::Blocked,
            Self::UnknownTool { .. } | Self::Failed(_) => Decision::Error,
        }
    }
}

fn fired_names(detections: &[Detection]) -> Vec<String> {
    detections
        .iter()
        .filter(|d| d.fired)
        .map(|d| d.detector.clone())
        .collect()
}

/// What a client's `tools/call` carries besides the tool and its arguments, forwarded upstream:
/// `_meta`, and on a multi-round-trip retry the client's answers and the echoed `requestState`.
#[derive(Debug, Default)]
pub struct Carry {
    pub meta: Option<rmcp::model::RequestMetaObject>,
    pub input_responses: Option<rmcp::model::InputResponses>,
    pub request_state: Option<String>,
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

    fn guardrails_on(&self, policy: &GuardrailPolicy) -> bool {
        self.common.guardrails_enabled && policy.enabled
    }

    fn blocked(
        &self,
        side: Side,
        verdict: &Verdict,
        tool_ran: bool,
        ctx: (&str, &str, &str),
        started: Instant,
    ) -> Option<CallOutcome> {
        let Verdict::Block {
            detectors, reasons, ..
        } = verdict
        else {
            return None;
        };
        let (server, tool, request_id) = ctx;
        self.audit.record(
            self.audit_event(EventKind::Block, server, tool, request_id)
                .with_decision(Decision::Blocked)
                .with_detectors(detectors.iter().cloned())
                .with_side(side.as_str())
                .with_message(reasons.join("; "))
                .with_duration(started.elapsed()),
        );
        Some(CallOutcome::Blocked {
            side,
            detectors: detectors.clone(),
            reasons: reasons.clone(),
            verdict: verdict.to_json(),
            tool_ran,
        })
    }

    /// Runs one call of `tool` on server `index` through the whole pipeline.
    pub async fn execute(
        &self,
        index: usize,
        tool: &str,
        arguments: Option<JsonObject>,
        carry: Carry,
        caller: Caller,
        request_id: &str,
    ) -> CallOutcome {
        let started = crate::telemetry::enabled().then(Instant::now);
        let outcome = self
            .execute_pipeline(index, tool, arguments, carry, caller, request_id)
            .await;
        if let Some(started) = started {
            let server = &self.servers[index].config.server_name;
            let decision = outcome.decision();
            crate::telemetry::record_call(server, tool, decision, started.elapsed());
        }
        outcome
    }

    async fn execute_pipeline(
        &self,
        index: usize,
        tool: &str,
        arguments: Option<JsonObject>,
        carry: Carry,
        caller: Caller,
        request_id: &str,
    ) -> CallOutcome {
        let started = Instant::now();
        let server = &self.servers[index];
        let server_name = server.config.server_name.as_str();
        let ctx = (server_name, tool, request_id);
        let mut args = arguments.unwrap_or_default();
        self.audit.record(
            self.audit_event(EventKind::Request, server_name, tool, request_id)
                .with_args(&args),
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

        // Whether the tool exists, and if so whether it is quarantined (no copy of its definition).
        let found = self.live_server_tools(index).await.map(|(tools, _)| {
            tools
                .iter()
                .find(|t| t.name == tool)
                .map(|definition| self.is_quarantined(index, definition))
        });
        if let Ok(Some(true)) = found {
            let verdict = Verdict::Block {
                detectors: vec!["tool_quarantine".to_string()],
                reasons: vec![format!(
                    "tool '{tool}' of server '{server_name}' is quarantined (its definition looks poisoned or changed since it was approved); review it with `gateway-core tools list` and approve it with `gateway-core tools approve {server_name} {tool}`"
                )],
                detections: vec![],
            };
            if let Some(blocked) = self.blocked(Side::Input, &verdict, false, ctx, started) {
                return blocked;
            }
        }
        match found {
            Ok(None) => {
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
            Ok(Some(_)) => {}
            Err(error) => {
                self.audit_failure(server_name, tool, request_id, started, &error);
                return CallOutcome::Failed(error);
            }
        }

        let in_policy = &server.config.input_guardrails;
        let out_policy = &server.config.output_guardrails;
        let mut report = GuardrailReport::default();
        let mut reported = Vec::new();
        let mut redaction_key = None;
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.meta = carry.meta;
        params.input_responses = carry.input_responses;
        params.request_state = carry.request_state;

        let upstream_result = if self.guardrails_on(in_policy) {
            let async_mode = self.guardrails.async_input && !flag(in_policy, "pii_redaction");
            if async_mode {
                params.arguments = Some(args.clone());
                let (check, result) = tokio::join!(
                    self.guardrails.check_input(in_policy, args.clone()),
                    server.upstream.call_tool_for(params, caller.clone())
                );
                if let Some(blocked) = self.blocked(Side::Input, &check.verdict, true, ctx, started)
                {
                    return blocked;
                }
                if let Verdict::Pass { detections } = &check.verdict {
                    reported.extend(fired_names(detections));
                }
                report.input = Some(check.verdict.to_json());
                result
            } else {
                let check = self.guardrails.check_input(in_policy, args.clone()).await;
                if let Some(blocked) =
                    self.blocked(Side::Input, &check.verdict, false, ctx, started)
                {
                    return blocked;
                }
                if let Verdict::Pass { detections } = &check.verdict {
                    reported.extend(fired_names(detections));
                }
                report.input = Some(check.verdict.to_json());
                redaction_key = check.redaction_key;
                params.arguments = Some(check.args);
                server.upstream.call_tool_for(params, caller).await
            }
        } else {
            // The arguments are needed again only by an output check.
            params.arguments = Some(if self.guardrails_on(out_policy) {
                args.clone()
            } else {
                std::mem::take(&mut args)
            });
            server.upstream.call_tool_for(params, caller).await
        };

        let mut response = match upstream_result {
            Ok(response) => response,
            Err(error) => {
                self.audit_failure(server_name, tool, request_id, started, &error);
                return CallOutcome::Failed(error);
            }
        };

        if let CallToolResponse::Complete(result) = &mut response {
            if self.guardrails_on(out_policy) {
                let origin = self.tool_origin(index, server_name, tool).await;
                let verdict = self
                    .guardrails
                    .check_output(out_policy, &args, result, &origin)
                    .await;
                if let Some(blocked) = self.blocked(Side::Output, &verdict, true, ctx, started) {
                    return blocked;
                }
                if let Verdict::Pass { detections } = &verdict {
                    reported.extend(fired_names(detections));
                }
                report.output = Some(verdict.to_json());
            }
            if let Some(key) = &redaction_key {
                self.guardrails.restore(result, key).await;
            }
        }

        let upstream_error =
            matches!(&response, CallToolResponse::Complete(r) if r.is_error == Some(true));
        let decision = if upstream_error {
            Decision::Error
        } else if redaction_key.is_some() {
            Decision::Redacted
        } else {
            Decision::Allowed
        };
        self.audit.record(
            self.audit_event(EventKind::Response, server_name, tool, request_id)
                .with_decision(decision)
                .with_detectors(reported)
                .with_duration(started.elapsed()),
        );
        CallOutcome::Answered {
            response: Box::new(response),
            report,
        }
    }

    /// Where a result comes from, for the output check: the server, the tool, and every tool name the
    /// gateway knows (the last listing's exposed and upstream names, plus this server's tools), so a
    /// result telling the model to call another tool is recognised.
    async fn tool_origin(&self, index: usize, server: &str, tool: &str) -> ToolOrigin {
        let mut catalog: Vec<String> = Vec::new();
        if let Ok(map) = self.names.read() {
            for (exposed, (_, upstream)) in &map.by_exposed {
                catalog.push(exposed.clone());
                catalog.push(upstream.clone());
            }
        }
        if let Ok((tools, _)) = self.live_server_tools(index).await {
            catalog.extend(tools.iter().map(|t| t.name.to_string()));
        }
        catalog.sort_unstable();
        catalog.dedup();
        ToolOrigin {
            server: server.to_string(),
            tool: tool.to_string(),
            catalog,
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
        caller: Caller,
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
            return Err(wire::unknown(
                "tool",
                &request.name,
                "no configured server offers it (use tools/list or enkrypt_list_all_servers to see what is available)",
            ));
        };
        // What the upstream asks the client during the call goes through the output guardrails.
        let mut caller = caller;
        if self.guardrails_on(&self.servers[index].config.output_guardrails) {
            let (gateway, request_id) = (Arc::clone(self), request_id.to_string());
            caller.screen = Some(Arc::new(move |text: String| {
                let (gateway, request_id) = (gateway.clone(), request_id.clone());
                Box::pin(async move {
                    gateway
                        .guard_text(index, Side::Output, &text, "client request", &request_id)
                        .await
                })
            }));
        }
        Ok(
            match self
                .execute(
                    index,
                    &tool,
                    request.arguments,
                    Carry {
                        meta: request.meta,
                        input_responses: request.input_responses,
                        request_state: request.request_state,
                    },
                    caller,
                    request_id,
                )
                .await
            {
                CallOutcome::Answered { response, .. } => *response,
                CallOutcome::Refused(refusal) => tool_error(format!(
                    "Blocked by the gateway's access policy (input): {refusal}"
                )),
                CallOutcome::Blocked {
                    side,
                    detectors,
                    reasons,
                    tool_ran,
                    ..
                } => tool_error(block_message(side, &detectors, &reasons, tool_ran)),
                CallOutcome::UnknownTool { server, tool } => {
                    tool_error(format!("Tool '{tool}' not found on server '{server}'"))
                }
                CallOutcome::Failed(error) => return wire::tool_failure(error),
            },
        )
    }
}

/// The text of a guardrail block: side, detectors and reasons, never the blocked content.
pub fn block_message(
    side: Side,
    detectors: &[String],
    reasons: &[String],
    tool_ran: bool,
) -> String {
    let mut text = format!(
        "Blocked by Enkrypt guardrails ({} side): {}. {}",
        side.as_str(),
        detectors.join(", "),
        reasons.join("; ")
    );
    if tool_ran && side == Side::Input {
        text.push_str(
            " Note: async input checks were on, so the tool already ran; its result was withheld.",
        );
    }
    text
}

/// A tool result with `isError: true` and one text item.
pub use crate::wire::tool_error;

/// `enkrypt_policy_detections` for a batch item.
pub fn detections_json(gateway: &Gateway, index: usize, report: &GuardrailReport) -> Value {
    let server = &gateway.servers[index].config;
    let policy = |p: &GuardrailPolicy| json!({"enabled": p.enabled, "policy_name": p.policy_name, "block": p.block, "additional_config": p.additional_config});
    json!({
        "input_guardrail_policy": policy(&server.input_guardrails),
        "input_guardrail_response": report.input.clone().unwrap_or_else(|| json!({})),
        "output_guardrail_policy": policy(&server.output_guardrails),
        "output_guardrail_response": report.output.clone().unwrap_or_else(|| json!({})),
        "output_relevancy_response": {}, "output_adherence_response": {}, "output_hallucination_response": {},
    })
}
