//! `enkrypt_secure_call_tools`: a batch of calls to one server, each through the same pipeline as a
//! direct call, in the reference's batch result shape.
//!
//! As in the reference the batch stops at the first call that is not a success; unlike it, the summary
//! also says how many calls were skipped, and an upstream `isError` result is an `error` item.

use std::sync::Arc;

use rmcp::model::{CallToolResponse, CallToolResult, JsonObject};
use serde_json::{Value, json};

use super::super::access::Refusal;
use super::super::calls::{CallOutcome, GuardrailReport, detections_json};
use super::servers::{discovery_reply, unknown_server};
use super::{Gateway, answered, json_result, outcome_text};
use crate::guardrails::Side;

const NAME_KEYS: [&str; 6] = [
    "name",
    "tool_name",
    "tool",
    "function",
    "function_name",
    "function_id",
];
const ARG_KEYS: [&str; 5] = ["args", "arguments", "parameters", "input", "params"];

/// The tool name and arguments of one call item, with the reference's key aliases.
fn parse_item(item: &Value) -> Result<(String, JsonObject), String> {
    let Some(object) = item.as_object() else {
        return Err(format!(
            "each tool call must be an object like {{\"name\": ..., \"args\": {{...}}}}, got {item}"
        ));
    };
    let name = NAME_KEYS
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_str))
        .ok_or_else(|| {
            format!(
                "tool call has no tool name (expected one of: {})",
                NAME_KEYS.join(", ")
            )
        })?;
    let mut args = JsonObject::new();
    for key in ARG_KEYS {
        match object.get(key) {
            Some(Value::Object(map)) if !map.is_empty() => {
                args = map.clone();
                break;
            }
            Some(Value::String(text)) if !text.is_empty() => {
                // Some models send the arguments as a JSON string.
                match serde_json::from_str::<Value>(text) {
                    Ok(Value::Object(map)) => {
                        args = map;
                        break;
                    }
                    _ => return Err(format!("'{key}' must be an object of arguments")),
                }
            }
            Some(Value::Object(_)) | Some(Value::Null) | None => {}
            Some(other) => {
                return Err(format!(
                    "'{key}' must be an object of arguments, got {other}"
                ));
            }
        }
    }
    Ok((name.to_string(), args))
}

fn guardrails_applied(gateway: &Gateway, index: usize) -> Value {
    let server = &gateway.servers[index].config;
    let on = gateway.common.guardrails_enabled;
    let flag = |map: &serde_json::Map<String, Value>, key: &str| {
        map.get(key).and_then(Value::as_bool).unwrap_or(false)
    };
    json!({
        "input_guardrails_enabled": on && server.input_guardrails.enabled,
        "output_guardrails_enabled": on && server.output_guardrails.enabled,
        "pii_redaction_enabled": on && flag(&server.input_guardrails.additional_config, "pii_redaction"),
        "relevancy_check_enabled": on && flag(&server.output_guardrails.additional_config, "relevancy"),
        "adherence_check_enabled": on && flag(&server.output_guardrails.additional_config, "adherence"),
        "hallucination_check_enabled": on && flag(&server.output_guardrails.additional_config, "hallucination"),
    })
}

fn error_item(mcp_data: Value, error: String) -> Value {
    json!({"status": "error", "error": error, "message": "Error while processing tool call", "enkrypt_mcp_data": mcp_data})
}

/// One result item for an executed call.
fn result_item(gateway: &Gateway, index: usize, outcome: &CallOutcome, mcp_data: Value) -> Value {
    if let (Some(result), CallOutcome::Answered { report, .. }) = (answered(outcome), outcome) {
        return success_or_error(result, mcp_data, detections_json(gateway, index, report));
    }
    match outcome {
        CallOutcome::Answered { response, .. } if matches!(response.as_ref(), CallToolResponse::InputRequired(_)) => error_item(
            mcp_data,
            "The tool asked for interactive input, which enkrypt_secure_call_tools cannot relay; call the tool directly".into(),
        ),
        CallOutcome::Answered { .. } => error_item(mcp_data, "The tool returned an unsupported result type".into()),
        CallOutcome::Blocked { side, detectors, verdict, tool_ran, .. } => {
            let status = match side {
                Side::Input => "blocked_input",
                Side::Output => "blocked_output",
            };
            let message = format!("Request blocked due to {} guardrail violations: {}", side.as_str(), detectors.join(", "));
            let mut detections = detections_json(gateway, index, &GuardrailReport::default());
            let key = match side {
                Side::Input => "input_guardrail_response",
                Side::Output => "output_guardrail_response",
            };
            detections[key] = verdict.clone();
            json!({
                "status": status,
                "message": message,
                "response": "",
                "tool_ran": tool_ran,
                "enkrypt_mcp_data": mcp_data,
                "enkrypt_policy_detections": detections,
            })
        }
        CallOutcome::Refused(refusal) => {
            let text = refusal.to_string();
            let status = match refusal {
                Refusal::Denied { .. } | Refusal::NotAllowed { .. } => "denied",
            };
            json!({"status": status, "error": text, "message": text, "enkrypt_mcp_data": mcp_data})
        }
        CallOutcome::UnknownTool { tool, .. } => error_item(mcp_data, format!("Tool '{tool}' not found for this server.")),
        CallOutcome::Failed(error) => error_item(mcp_data, error.to_string()),
    }
}

fn success_or_error(result: &CallToolResult, mcp_data: Value, detections: Value) -> Value {
    let text = outcome_text(result);
    if result.is_error == Some(true) {
        let mut item = error_item(mcp_data, text);
        item["content"] = json!(result.content);
        return item;
    }
    let mut item = json!({
        "status": "success",
        "message": "Request processed successfully",
        "response": text,
        "content": result.content,
        "enkrypt_mcp_data": mcp_data,
        "enkrypt_policy_detections": detections,
    });
    if let Some(structured) = &result.structured_content {
        item["structured_content"] = structured.clone();
    }
    item
}

pub(super) async fn secure_call(
    gateway: &Arc<Gateway>,
    server: &str,
    calls: &[Value],
    request_id: &str,
) -> CallToolResult {
    let Some(index) = gateway.server_index(server) else {
        return unknown_server(gateway, server);
    };
    if calls.is_empty() {
        let (reply, ok) = discovery_reply(gateway, index).await;
        if !ok {
            return json_result(reply, true);
        }
        return json_result(
            json!({
                "status": "success",
                "message": format!("Successfully discovered tools for {server}"),
                "tools": reply.get("tools").cloned().unwrap_or(Value::Null),
            }),
            false,
        );
    }
    let mut results = Vec::new();
    let (mut ok, mut blocked, mut failed) = (0usize, 0usize, 0usize);
    for (call_index, item) in calls.iter().enumerate() {
        let (tool, args) = match parse_item(item) {
            Ok(parsed) => parsed,
            Err(message) => {
                failed += 1;
                results.push(error_item(
                    json!({"call_index": call_index, "server_name": server}),
                    message,
                ));
                break;
            }
        };
        let mcp_data = json!({"call_index": call_index, "server_name": server, "tool_name": tool, "args": args});
        let item_request_id = format!("{request_id}#{call_index}");
        let outcome = gateway
            .execute(
                index,
                &tool,
                Some(args),
                Default::default(),
                Default::default(),
                &item_request_id,
            )
            .await;
        let result = result_item(gateway, index, &outcome, mcp_data);
        let status = result
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("error")
            .to_string();
        results.push(result);
        match status.as_str() {
            "success" => ok += 1,
            "denied" | "blocked_input" | "blocked_output" => {
                blocked += 1;
                break;
            }
            _ => {
                failed += 1;
                break;
            }
        }
    }
    let status = if ok == results.len() {
        "success"
    } else if failed == results.len() {
        "error"
    } else {
        "partial"
    };
    json_result(
        json!({
            "server_name": server,
            "status": status,
            "summary": {
                "total_calls": calls.len(),
                "successful_calls": ok,
                "blocked_calls": blocked,
                "failed_calls": failed,
                "skipped_calls": calls.len() - results.len(),
            },
            "guardrails_applied": guardrails_applied(gateway, index),
            "results": results,
        }),
        status != "success",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_name_and_args_aliases() {
        let (n, a) = parse_item(&json!({"tool_name": "echo", "arguments": {"message": "hi"}}))
            .expect("parse");
        assert_eq!(n, "echo");
        assert_eq!(a.get("message"), Some(&json!("hi")));
        let (_, a) =
            parse_item(&json!({"name": "echo", "args": {}, "params": {"x": 1}})).expect("parse");
        assert_eq!(
            a.get("x"),
            Some(&json!(1)),
            "first non-empty argument object wins"
        );
        let (_, a) = parse_item(&json!({"name": "echo", "args": "{\"m\": 2}"})).expect("parse");
        assert_eq!(a.get("m"), Some(&json!(2)));
    }

    #[test]
    fn items_without_a_name_are_rejected_clearly() {
        let err = parse_item(&json!({"args": {}})).expect_err("no name");
        assert!(err.contains("no tool name"));
        assert!(parse_item(&json!("echo")).is_err());
    }
}
