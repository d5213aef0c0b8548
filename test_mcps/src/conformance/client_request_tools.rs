//! Tools that ask the client something in the middle of a call: `sampling/createMessage` and
//! `elicitation/create`.
//!
//! To a legacy peer they are server-to-client requests. Every request carries a timeout, so a
//! client that never answers fails the call instead of hanging it. A client that did not declare
//! the capability, refused the request or answered out of shape gets a tool error result
//! (`isError: true`) saying so. Protocol 2026-07-28 forbids those requests, so to a 2026 peer the
//! same tools answer `input_required` with the same request inside, and finish when the retry
//! carries the answer: the behaviour a gateway in front of this server has to bridge for its
//! legacy clients.
#![allow(deprecated)] // SEP-2577 deprecates sampling; legacy (2025-11-25) peers still use it.

use std::time::Duration;

use rmcp::{
    RoleServer,
    handler::server::{tool::InputResponses, wrapper::Parameters},
    model::{
        CallToolResponse, CallToolResult, ClientResult, ContentBlock, CreateMessageRequest,
        CreateMessageRequestParams, CreateMessageResult, ElicitRequest, ElicitRequestParams,
        ElicitResult, InputRequest, InputRequiredResult, ProtocolVersion, SamplingMessage,
        ServerRequest,
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
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        if !declares(&context, |caps| caps.sampling.is_some()) {
            return CallToolResult::error(vec![ContentBlock::text(
                "Sampling not supported: the client did not declare the sampling capability",
            )])
            .into();
        }
        let params = CreateMessageRequestParams::new(
            vec![SamplingMessage::user_text(prompt)],
            SAMPLING_MAX_TOKENS,
        );
        let answer = if is_modern(&context) {
            match responses.as_ref().and_then(|r| r.get(INPUT_KEY)) {
                Some(value) => serde_json::from_value::<CreateMessageResult>(value.clone())
                    .map(|r| ClientResult::CreateMessageResult(Box::new(r)))
                    .map_err(|e| e.to_string()),
                None => {
                    let request = CreateMessageRequest::new(params);
                    return input_required(InputRequest::CreateMessage(request));
                }
            }
        } else {
            let request = ServerRequest::CreateMessageRequest(CreateMessageRequest::new(params));
            ask(&context, request).await.map_err(|e| e.to_string())
        };
        match answer {
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
        .into()
    }

    #[tool(description = "Tests server-initiated elicitation (user input request)")]
    async fn test_elicitation(
        &self,
        Parameters(ElicitationArgs { message }): Parameters<ElicitationArgs>,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        elicit(
            &context,
            responses,
            message,
            elicitation_forms::user_details(),
            "User response",
        )
        .await
    }

    #[tool(description = "Tests elicitation with default values per SEP-1034")]
    async fn test_elicitation_sep1034_defaults(
        &self,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        elicit(
            &context,
            responses,
            "Please review and update the form fields with defaults".to_owned(),
            elicitation_forms::primitive_defaults(),
            "Elicitation completed",
        )
        .await
    }

    #[tool(description = "Tests elicitation with enum schema improvements per SEP-1330")]
    async fn test_elicitation_sep1330_enums(
        &self,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        elicit(
            &context,
            responses,
            "Please select options from the enum fields".to_owned(),
            elicitation_forms::enum_variants(),
            "Elicitation completed",
        )
        .await
    }
}

/// The key of the one input request these tools put in an `input_required` result.
const INPUT_KEY: &str = "client_request";

/// Whether the request of `context` is on protocol 2026-07-28 or later (no server-to-client requests).
fn is_modern(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28)
}

fn input_required(request: InputRequest) -> CallToolResponse {
    let requests = std::collections::BTreeMap::from([(INPUT_KEY.to_owned(), request)]);
    InputRequiredResult::new(Some(requests), None).into()
}

/// Ask the client to fill `form`, and report its answer after `label`.
async fn elicit(
    context: &RequestContext<RoleServer>,
    responses: Option<rmcp::model::InputResponses>,
    message: String,
    form: serde_json::Value,
    label: &str,
) -> CallToolResponse {
    if !declares(context, |caps| caps.elicitation.is_some()) {
        return CallToolResult::error(vec![ContentBlock::text(
            "Elicitation not supported: the client did not declare the elicitation capability",
        )])
        .into();
    }
    let requested_schema = match elicitation_forms::to_schema(form) {
        Ok(schema) => schema,
        Err(error) => {
            return CallToolResult::error(vec![ContentBlock::text(error.message)]).into();
        }
    };
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema,
    };
    let answer = if is_modern(context) {
        match responses.as_ref().and_then(|r| r.get(INPUT_KEY)) {
            Some(value) => serde_json::from_value::<ElicitResult>(value.clone())
                .map(ClientResult::ElicitResult)
                .map_err(|e| e.to_string()),
            None => return input_required(InputRequest::Elicitation(ElicitRequest::new(params))),
        }
    } else {
        let request = ServerRequest::ElicitRequest(ElicitRequest::new(params));
        ask(context, request).await.map_err(|e| e.to_string())
    };
    match answer {
        Ok(ClientResult::ElicitResult(result)) => {
            CallToolResult::success(vec![ContentBlock::text(describe(label, &result))])
        }
        Ok(_) => unexpected_answer("elicitation/create"),
        Err(error) => CallToolResult::error(vec![ContentBlock::text(format!(
            "Elicitation not supported or error: {error}"
        ))]),
    }
    .into()
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
