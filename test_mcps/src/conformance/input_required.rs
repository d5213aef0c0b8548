//! Multi round-trip requests (SEP-2322, 2026-07-28): tools and a prompt that answer with an
//! `InputRequiredResult` (elicitation, sampling, roots) and complete when the client retries
//! with `inputResponses`.
//!
//! `requestState` is an opaque random handle; what a round is waiting for stays server-side in
//! [`PendingRounds`] (bounded, one use per handle). A handle the server never issued, already
//! used or evicted — including a tampered one — is rejected with `-32602`: nothing the client
//! echoes back is trusted. Malformed or missing `inputResponses` are not errors: the question is
//! asked again. Legacy peers cannot receive `InputRequiredResult`; rmcp answers them with a
//! protocol error instead.
#![allow(deprecated)] // SEP-2577 deprecates sampling and roots; SEP-2322 still carries them.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use rmcp::{
    ErrorData, RoleServer,
    handler::server::tool::{InputResponses, RequestState},
    model::{
        CallToolResponse, CallToolResult, ClientCapabilities, ContentBlock, CreateMessageRequest,
        CreateMessageRequestParams, CreateMessageResult, ElicitRequest, ElicitRequestParams,
        ElicitResult, ElicitationSchema, GetPromptRequestParams, GetPromptResponse,
        GetPromptResult, InputRequest, InputRequests, InputRequiredResult, ListRootsRequest,
        ListRootsResult, PromptMessage, Role, SamplingMessage,
    },
    service::RequestContext,
    tool, tool_router,
};

use super::ConformanceServer;

/// The prompt that needs an elicitation round.
pub const PROMPT: &str = "test_input_required_result_prompt";
/// Most rounds waiting for an answer at once; the oldest is forgotten first.
pub const MAX_PENDING_ROUNDS: usize = 1024;

/// What an issued `requestState` handle is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// `test_input_required_result_request_state`: a confirmation.
    Confirmation,
    /// `test_input_required_result_multiple_inputs`: a name, a greeting and the roots.
    ThreeInputs,
    /// `test_input_required_result_multi_round`: the name (step 1).
    Name,
    /// `test_input_required_result_multi_round`: the colour of someone already named (step 2).
    Colour { name: String },
    /// `test_input_required_result_tampered_state`: a confirmation, state integrity checked.
    IntegrityCheck,
}

/// Rounds waiting for the client's answer, shared by every connection of the process.
#[derive(Debug, Clone, Default)]
pub struct PendingRounds(Arc<Mutex<Rounds>>);

#[derive(Debug, Default)]
struct Rounds {
    by_handle: HashMap<String, Pending>,
    /// Live handles, oldest first.
    order: VecDeque<String>,
}

impl PendingRounds {
    /// Remember `pending` and return the handle to send as `requestState`.
    fn open(&self, pending: Pending) -> String {
        let handle = uuid::Uuid::new_v4().to_string();
        let mut rounds = self.lock();
        if rounds.order.len() >= MAX_PENDING_ROUNDS
            && let Some(oldest) = rounds.order.pop_front()
        {
            rounds.by_handle.remove(&oldest);
        }
        rounds.order.push_back(handle.clone());
        rounds.by_handle.insert(handle.clone(), pending);
        handle
    }

    /// What `handle` was waiting for, forgetting it; `None` if it was never issued or is gone.
    fn take(&self, handle: &str) -> Option<Pending> {
        let mut rounds = self.lock();
        let pending = rounds.by_handle.remove(handle)?;
        rounds.order.retain(|live| live != handle);
        Some(pending)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rounds> {
        // Every update keeps map and queue consistent before it can panic: a poisoned lock is
        // safe to reuse.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The round a retry continues: `None` on a first call, an error for a handle not issued.
fn continued(rounds: &PendingRounds, state: Option<&str>) -> Result<Option<Pending>, ErrorData> {
    let Some(handle) = state else {
        return Ok(None);
    };
    rounds.take(handle).map(Some).ok_or_else(|| {
        ErrorData::invalid_params(
            "requestState integrity check failed: unknown, used or expired state",
            None,
        )
    })
}

#[tool_router(router = input_required_tools, vis = "pub(super)")]
impl ConformanceServer {
    #[tool(description = "MRTR: returns InputRequiredResult with elicitation request")]
    async fn test_input_required_result_elicitation(
        &self,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        match elicited(responses.as_ref(), "user_name") {
            Some(answer) => complete(format!("Hello, {}!", field(&answer, "name"))),
            None => ask([("user_name", name_question("What is your name?"))], None),
        }
    }

    #[tool(description = "MRTR: returns InputRequiredResult with sampling request")]
    async fn test_input_required_result_sampling(
        &self,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        match sampled(responses.as_ref(), "sample_request") {
            Some(text) => complete(format!("Sampling result: {text}")),
            None => ask(
                [(
                    "sample_request",
                    sampling_question("What is the capital of France?", 100),
                )],
                None,
            ),
        }
    }

    #[tool(description = "MRTR: returns InputRequiredResult with roots/list request")]
    async fn test_input_required_result_list_roots(
        &self,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        match roots(responses.as_ref(), "roots_request") {
            Some(count) => complete(format!("Found {count} root(s)")),
            None => ask([("roots_request", roots_question())], None),
        }
    }

    #[tool(description = "MRTR: returns InputRequiredResult with requestState")]
    async fn test_input_required_result_request_state(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        let pending = continued(&self.shared.rounds, state.as_deref())?;
        let confirmed = elicited(responses.as_ref(), "confirm")
            .is_some_and(|answer| answer.content.as_ref().is_some_and(|c| c["ok"] == true));
        if pending == Some(Pending::Confirmation) && confirmed {
            return Ok(complete("state-ok: requestState validated"));
        }
        let handle = self.shared.rounds.open(Pending::Confirmation);
        Ok(ask([("confirm", confirm_question())], Some(handle)))
    }

    #[tool(description = "MRTR: returns InputRequiredResult with multiple input requests")]
    async fn test_input_required_result_multiple_inputs(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        let pending = continued(&self.shared.rounds, state.as_deref())?;
        let responses = responses.as_ref();
        if pending == Some(Pending::ThreeInputs)
            && let (Some(name), Some(greeting), Some(count)) = (
                elicited(responses, "user_name"),
                sampled(responses, "greeting"),
                roots(responses, "client_roots"),
            )
        {
            let name = field(&name, "name");
            return Ok(complete(format!(
                "Name: {name}; Greeting: {greeting}; Roots: {count}"
            )));
        }
        let handle = self.shared.rounds.open(Pending::ThreeInputs);
        Ok(ask(
            [
                ("user_name", name_question("What is your name?")),
                ("greeting", sampling_question("Generate a greeting", 50)),
                ("client_roots", roots_question()),
            ],
            Some(handle),
        ))
    }

    #[tool(description = "MRTR: multi-round InputRequiredResult workflow")]
    async fn test_input_required_result_multi_round(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        let pending = continued(&self.shared.rounds, state.as_deref())?;
        let responses = responses.as_ref();
        let step = match (
            pending,
            elicited(responses, "step1"),
            elicited(responses, "step2"),
        ) {
            (Some(Pending::Name), Some(answer), _) => Pending::Colour {
                name: field(&answer, "name"),
            },
            (Some(Pending::Colour { name }), _, Some(answer)) => {
                let colour = field(&answer, "color");
                return Ok(complete(format!(
                    "Multi-round complete for {name} who likes {colour}"
                )));
            }
            // A first call, or an answer missing: (re)ask the question of that step.
            (Some(Pending::Colour { name }), _, None) => Pending::Colour { name },
            _ => Pending::Name,
        };
        let question = match &step {
            Pending::Colour { .. } => (
                "step2",
                elicit_question(
                    "Step 2: What is your favorite color?",
                    Answer::Text("color"),
                ),
            ),
            _ => ("step1", name_question("Step 1: What is your name?")),
        };
        let handle = self.shared.rounds.open(step);
        Ok(ask([question], Some(handle)))
    }

    #[tool(description = "MRTR: integrity-checked requestState test")]
    async fn test_input_required_result_tampered_state(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        let pending = continued(&self.shared.rounds, state.as_deref())?;
        if pending == Some(Pending::IntegrityCheck)
            && elicited(responses.as_ref(), "confirm").is_some()
        {
            return Ok(complete("integrity-ok: state verified"));
        }
        let handle = self.shared.rounds.open(Pending::IntegrityCheck);
        Ok(ask([("confirm", confirm_question())], Some(handle)))
    }

    #[tool(description = "MRTR: respects client capabilities in inputRequests")]
    async fn test_input_required_result_capabilities(
        &self,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        if let Some(responses) = responses.filter(|responses| !responses.is_empty()) {
            let keys: Vec<&str> = responses.keys().map(String::as_str).collect();
            return complete(format!("capabilities-ok: received {}", keys.join(",")));
        }
        let capabilities = context.client_capabilities().unwrap_or_default();
        let mut questions = InputRequests::new();
        if capabilities.elicitation.is_some() {
            questions.insert(
                "elicit_input".to_owned(),
                elicit_question("Elicitation input", Answer::Text("value")),
            );
        }
        if capabilities.sampling.is_some() {
            questions.insert(
                "sample_input".to_owned(),
                sampling_question("Sample request", 50),
            );
        }
        if questions.is_empty() {
            return complete("No supported capabilities declared");
        }
        InputRequiredResult::from_input_requests(questions).into()
    }

    #[tool(description = "Test tool requiring sampling")]
    async fn test_missing_capability(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let declared = context
            .client_capabilities()
            .is_some_and(|capabilities| capabilities.sampling.is_some());
        if !declared {
            // -32021; rmcp answers it with HTTP 400 on the stateless path.
            return Err(ErrorData::missing_required_client_capability(
                ClientCapabilities::builder().enable_sampling().build(),
            ));
        }
        Ok(CallToolResult::success(vec![ContentBlock::text("Success")]))
    }
}

/// `prompts/get` of [`PROMPT`]: asks for context, then builds the prompt from it.
pub fn prompt(request: &GetPromptRequestParams) -> GetPromptResponse {
    match elicited(request.input_responses.as_ref(), "user_context") {
        Some(answer) => GetPromptResult::new(vec![PromptMessage::new_text(
            Role::User,
            format!("Prompt with context: {}", field(&answer, "context")),
        )])
        .into(),
        None => {
            let question = elicit_question(
                "What context should the prompt use?",
                Answer::Text("context"),
            );
            InputRequiredResult::from_input_requests(InputRequests::from([(
                "user_context".to_owned(),
                question,
            )]))
            .into()
        }
    }
}

fn complete(text: impl Into<String>) -> CallToolResponse {
    CallToolResult::success(vec![ContentBlock::text(text)]).into()
}

/// An `InputRequiredResult` asking `questions`, with `state` as `requestState`.
fn ask<const N: usize>(
    questions: [(&str, InputRequest); N],
    state: Option<String>,
) -> CallToolResponse {
    let requests = questions
        .into_iter()
        .map(|(key, request)| (key.to_owned(), request))
        .collect();
    InputRequiredResult::new(Some(requests), state).into()
}

/// The one answer an elicitation question asks for.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// A required string property.
    Text(&'static str),
    /// A required boolean property.
    YesNo(&'static str),
}

/// An elicitation form asking for `answer`.
fn elicit_question(message: &str, answer: Answer) -> InputRequest {
    let form = match answer {
        Answer::Text(property) => ElicitationSchema::builder().required_string(property),
        Answer::YesNo(property) => ElicitationSchema::builder().required_bool(property),
    };
    // The only required property is the one just added, so the form is always valid.
    let requested_schema = form.build_unchecked();
    InputRequest::Elicitation(ElicitRequest::new(
        ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message.to_owned(),
            requested_schema,
        },
    ))
}

fn name_question(message: &str) -> InputRequest {
    elicit_question(message, Answer::Text("name"))
}

fn confirm_question() -> InputRequest {
    elicit_question("Please confirm", Answer::YesNo("ok"))
}

fn sampling_question(text: &str, max_tokens: u32) -> InputRequest {
    InputRequest::CreateMessage(CreateMessageRequest::new(CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text(text)],
        max_tokens,
    )))
}

fn roots_question() -> InputRequest {
    InputRequest::ListRoots(ListRootsRequest::default())
}

/// The elicitation answer under `key`, if present and well-formed.
fn elicited(responses: Option<&rmcp::model::InputResponses>, key: &str) -> Option<ElicitResult> {
    serde_json::from_value(responses?.get(key)?.clone()).ok()
}

/// The text of the sampling answer under `key`, if present and well-formed.
fn sampled(responses: Option<&rmcp::model::InputResponses>, key: &str) -> Option<String> {
    let result: CreateMessageResult = serde_json::from_value(responses?.get(key)?.clone()).ok()?;
    let text = result
        .message
        .content
        .first()
        .and_then(|block| block.as_text())
        .map_or_else(|| "no response".to_owned(), |text| text.text.clone());
    Some(text)
}

/// How many roots the answer under `key` lists, if present and well-formed.
fn roots(responses: Option<&rmcp::model::InputResponses>, key: &str) -> Option<usize> {
    let result: ListRootsResult = serde_json::from_value(responses?.get(key)?.clone()).ok()?;
    Some(result.roots.len())
}

/// The string field `name` of an accepted elicitation, or `"unknown"`.
fn field(answer: &ElicitResult, name: &str) -> String {
    answer
        .content
        .as_ref()
        .and_then(|content| content.get(name))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("unknown")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_handle_is_good_for_one_retry_only() {
        let rounds = PendingRounds::default();
        let handle = rounds.open(Pending::Confirmation);
        assert_eq!(rounds.take(&handle), Some(Pending::Confirmation));
        assert_eq!(rounds.take(&handle), None);
        assert!(continued(&rounds, Some(&format!("{handle}-TAMPERED"))).is_err());
    }

    #[test]
    fn the_oldest_round_is_forgotten_past_the_bound() {
        let rounds = PendingRounds::default();
        let first = rounds.open(Pending::Name);
        for _ in 0..MAX_PENDING_ROUNDS {
            rounds.open(Pending::Name);
        }
        assert_eq!(rounds.take(&first), None);
        assert_eq!(rounds.lock().order.len(), MAX_PENDING_ROUNDS);
    }

    #[test]
    fn a_malformed_answer_is_no_answer() {
        let responses = rmcp::model::InputResponses::from([("user_name".to_owned(), json!(12345))]);
        assert!(elicited(Some(&responses), "user_name").is_none());
    }
}
