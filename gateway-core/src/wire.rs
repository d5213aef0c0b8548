//! Every failure the gateway answers a client with, mapped to JSON-RPC in one place and the same way
//! for every method:
//! - an upstream's own JSON-RPC error is passed through: code and data kept, the message prefixed
//!   with the server's name ([`upstream`]);
//! - any other upstream failure (it did not start, timed out, exited, answered too much, needs a
//!   sign-in) is an internal error (-32603) naming the server, except in `tools/call`, where MCP wants
//!   a failed execution as a result with `isError` ([`tool_failure`]) so the model can read it;
//! - a tool, prompt or resource no server offers is invalid params (-32602; `resources/read` uses
//!   MCP's resource-not-found code, -32002) ([`unknown`], [`unknown_resource`]);
//! - a guardrail block outside `tools/call` and a request the gateway refuses (a revoked gateway
//!   key) are invalid request (-32600) ([`blocked`], [`refused`]);
//! - below the methods, the stdio transport (`lines`) answers a line that is not JSON with a parse
//!   error (-32700) and JSON that is not a message with invalid request (-32600), both with a null id.
//!
//! Errors the gateway answers *upstream* (a server's sampling or elicitation request it cannot
//! relay) are built in `upstream::bridge`, next to the relaying they describe.

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};

use crate::upstream::UpstreamError;

/// An upstream failure of any method but `tools/call`.
pub fn upstream(error: UpstreamError) -> McpError {
    match error {
        UpstreamError::Protocol { server, error } => {
            let error = *error;
            McpError::new(
                error.code,
                format!("server '{server}': {}", error.message),
                error.data,
            )
        }
        other => McpError::internal_error(other.to_string(), None),
    }
}

/// An upstream failure of `tools/call`: the upstream's own JSON-RPC error is passed through as an
/// error; every other failure is a tool result with `isError`, saying what went wrong.
pub fn tool_failure(error: UpstreamError) -> Result<CallToolResponse, McpError> {
    match error {
        protocol @ UpstreamError::Protocol { .. } => Err(upstream(protocol)),
        other => Ok(tool_error(other.to_string())),
    }
}

/// A tool result with `isError` carrying `message` (what the model reads).
pub fn tool_error(message: String) -> CallToolResponse {
    CallToolResponse::Complete(CallToolResult::error(vec![ContentBlock::text(message)]))
}

/// A tool, prompt or completion reference no configured server offers; `hint` says where to look.
pub fn unknown(kind: &str, name: &str, hint: &str) -> McpError {
    let sep = if hint.is_empty() { "" } else { ": " };
    McpError::invalid_params(format!("Unknown {kind} '{name}'{sep}{hint}"), None)
}

/// A resource URI no configured server offers.
pub fn unknown_resource(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!("Unknown resource '{uri}': no configured server offers it (use resources/list)"),
        None,
    )
}

/// Parameters the gateway cannot act on (`what` says why).
pub fn invalid_params(what: impl Into<String>) -> McpError {
    McpError::invalid_params(what.into(), None)
}

/// A guardrail block of a request other than `tools/call` (whose blocks are tool results); the
/// error's data names the side and the detectors, never the blocked content.
pub fn blocked(side: &str, detectors: &[String], reasons: &[String]) -> McpError {
    McpError::invalid_request(
        format!(
            "Blocked by {side} guardrails: {} ({})",
            detectors.join(", "),
            reasons.join("; ")
        ),
        Some(serde_json::json!({"side": side, "detectors": detectors})),
    )
}

/// A request the gateway refuses to serve (`why` tells the user what to do).
pub fn refused(why: impl Into<String>) -> McpError {
    McpError::invalid_request(why.into(), None)
}

/// A request the client cancelled before it finished.
pub fn cancelled() -> McpError {
    McpError::internal_error("the request was cancelled by the client", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol() -> UpstreamError {
        UpstreamError::Protocol {
            server: "files".into(),
            error: Box::new(McpError::new(
                rmcp::model::ErrorCode(-32010),
                "quota",
                Some(serde_json::json!({"left": 0})),
            )),
        }
    }

    #[test]
    fn an_upstream_error_is_passed_through_for_every_method() {
        let error = upstream(protocol());
        assert_eq!(error.code.0, -32010);
        assert_eq!(error.message, "server 'files': quota");
        assert_eq!(error.data, Some(serde_json::json!({"left": 0})));
        let Err(call) = tool_failure(protocol()) else {
            panic!("a protocol error of tools/call must stay an error")
        };
        assert_eq!(call, error);
    }

    #[test]
    fn other_failures_are_internal_errors_or_tool_errors() {
        let exited = || UpstreamError::Exited {
            server: "files".into(),
        };
        let error = upstream(exited());
        assert_eq!(error.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
        assert!(error.message.contains("files"), "{}", error.message);
        let Ok(CallToolResponse::Complete(result)) = tool_failure(exited()) else {
            panic!("an exited upstream is a tool result with isError")
        };
        assert_eq!(result.is_error, Some(true));
    }
}
