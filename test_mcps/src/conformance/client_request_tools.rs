//! Tools that ask the client something in the middle of a call (legacy protocol versions):
//! `sampling/createMessage` and `elicitation/create`, sent as server-to-client requests.
//!
//! Every request carries a timeout, so a client that never answers fails the call instead of
//! hanging it. A client that did not declare the capability, refused the request or answered
//! out of shape gets a tool error result (`isError: true`) saying so; protocol 2026-07-28 forbids
//! these requests altogether (rmcp refuses to send them).
#![allow(deprecated)] // SEP-2577 deprecates sampling; legacy (2025-11-25) peers still use it.

use std::time::Duration;

use rmcp::{
    RoleServer,
    handler::server::wrapper::Parameters,
    model::{
        CallToolResult, ClientResult, ContentBlock, CreateMessageRequest,
        CreateMessageRequestParams, ElicitRequest, ElicitRequestParams, ElicitResult,
        SamplingMessage, ServerRequest,
    },
    service::{PeerRequestOptions, RequestContext},
    tool, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::{ConformanceServer, elicitation_forms};

/// How long the client may take to answer a server-to-client request.
pub const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// `maxTokens` of the sampling request.
const SAMPLING_MAX_TOKENS: u32 = 100;

/// Arguments of `test_sampling`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SamplingArgs {
    /// The prompt to send to the LLM
    pub prompt: String,
}

/// Arguments of `test_elicitation`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ElicitationArgs {
    /// The message to show the user
    pub message: String,
}

#[tool_router(router = client_request_tools, vis = "pub(super)")]
impl ConformanceServer {
    #[tool(description = "Tests server-initiated sampling (LLM completion request)")]
    async fn test_sampling(
        &self,
        Parameters(SamplingArgs { prompt }): Parameters<SamplingArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        if !declares(&context, |caps| caps.sampling.is_some()) {
            return CallToolResult::error(vec![ContentBlock::text(
                "Sampling not supported: the client did not declare the sampling capability",
            )]);
        }
        let params = CreateMessageRequestParams::new(
            vec![SamplingMessage::user_text(prompt)],
            SAMPLING_MAX_TOKENS,
        );
        let request = ServerRequest::CreateMessageRequest(CreateMessageRequest::new(params));
        match ask(&context, request).await {
            Ok(ClientResult::CreateMessageResult(result)) => {
                let text = result
                    .message
                    .content
                    .first()
                    .and_then(|block| block.as_text())
                    .map_or("No response", |text| text.text.as_str());
                CallToolResult::success(vec![ContentBlock::text(format!("LLM response: {text}"))])
            }
            Ok(_) => unexpected_answer("sampling/createMessage"),
            Err(error) => CallToolResult::error(vec![ContentBlock::text(format!(
                "Sampling not supported or error: {error}"
            ))]),
        }
    }

    #[tool(description = "Tests server-initiated elicitation (user input request)")]
    async fn test_elicitation(
        &self,
        Parameters(ElicitationArgs { message }): Parameters<ElicitationArgs>,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        elicit(
            &context,
            message,
            elicitation_forms::user_details(),
            "User response",
        )
        .await
    }

    #[tool(description = "Tests elicitation with default values per SEP-1034")]
    async fn test_elicitation_sep1034_defaults(
        &self,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        elicit(
            &context,
            "Please review and update the form fields with defaults".to_owned(),
            elicitation_forms::primitive_defaults(),
            "Elicitation completed",
        )
        .await
    }

    #[tool(description = "Tests elicitation with enum schema improvements per SEP-1330")]
    async fn test_elicitation_sep1330_enums(
        &self,
        context: RequestContext<RoleServer>,
    ) -> CallToolResult {
        elicit(
            &context,
            "Please select options from the enum fields".to_owned(),
            elicitation_forms::enum_variants(),
            "Elicitation completed",
        )
        .await
    }
}

/// Ask the client to fill `form`, and report its answer after `label`.
async fn elicit(
    context: &RequestContext<RoleServer>,
    message: String,
    form: serde_json::Value,
    label: &str,
) -> CallToolResult {
    if !declares(context, |caps| caps.elicitation.is_some()) {
        return CallToolResult::error(vec![ContentBlock::text(
            "Elicitation not supported: the client did not declare the elicitation capability",
        )]);
    }
    let requested_schema = match elicitation_forms::to_schema(form) {
        Ok(schema) => schema,
        Err(error) => return CallToolResult::error(vec![ContentBlock::text(error.message)]),
    };
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema,
    };
    let request = ServerRequest::ElicitRequest(ElicitRequest::new(params));
    match ask(context, request).await {
        Ok(ClientResult::ElicitResult(result)) => {
            CallToolResult::success(vec![ContentBlock::text(describe(label, &result))])
        }
        Ok(_) => unexpected_answer("elicitation/create"),
        Err(error) => CallToolResult::error(vec![ContentBlock::text(format!(
            "Elicitation not supported or error: {error}"
        ))]),
    }
}

/// `"<label>: action=<action>, content=<json>"`, the reference server's wording.
fn describe(label: &str, result: &ElicitResult) -> String {
    let action = serde_json::to_value(&result.action)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    let content = result
        .content
        .clone()
        .unwrap_or_else(|| serde_json::json!({}));
    format!("{label}: action={action}, content={content}")
}

/// Whether the client of `context` declared the capability `has`.
fn declares(
    context: &RequestContext<RoleServer>,
    has: impl Fn(&rmcp::model::ClientCapabilities) -> bool,
) -> bool {
    context.client_capabilities().as_ref().is_some_and(has)
}

/// Send `request` to the client and wait, at most [`CLIENT_ANSWER_TIMEOUT`], for its answer.
async fn ask(
    context: &RequestContext<RoleServer>,
    request: ServerRequest,
) -> Result<ClientResult, rmcp::ServiceError> {
    context
        .peer
        .send_request_with_option(
            request,
            PeerRequestOptions::with_timeout(CLIENT_ANSWER_TIMEOUT),
        )
        .await?
        .await_response()
        .await
}

fn unexpected_answer(method: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "the client answered {method} with a result of another type"
    ))])
}
