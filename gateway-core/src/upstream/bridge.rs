//! What an upstream asks the client while a request runs, carried across protocol eras.
//!
//! Legacy revisions (up to 2025-11-25) let a server send the client requests (`sampling/createMessage`,
//! `elicitation/create`, `roots/list`); 2026-07-28 forbids them and has the server answer
//! `input_required` with the same requests inside, which the client fulfils and retries with. The
//! gateway sits between a client and an upstream that may speak different eras:
//!
//! - **legacy client, 2026 upstream**: the upstream's `input_required` result is fulfilled by sending
//!   each input request to the client as a legacy request ([`fulfil_for_legacy`]), then the call is
//!   retried upstream with the answers; the client only ever sees the final result.
//! - **2026 client, legacy upstream**: the upstream's server-to-client request cannot be sent to the
//!   client, so the gateway *parks* the running upstream call ([`ParkedCalls`]) and answers the client
//!   `input_required` with the request inside and a gateway `requestState` token. The client's retry
//!   carries the token and its answer, which the gateway hands to the waiting upstream request.
//! - same era on both sides: requests are forwarded as they are (legacy) or `input_required` is passed
//!   through (2026).

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[allow(deprecated)] // Sampling (SEP-2577): still what legacy peers speak.
use rmcp::model::{
    CallToolResponse, CreateMessageRequestParams, ElicitRequestParams, InputRequest, InputRequests,
    InputResponses,
};
use rmcp::{ErrorData, ServiceError};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::UpstreamError;
use super::callers::{Ask, ClientRef, Target};

/// Prefix of the `requestState` values the gateway itself hands out for parked calls.
const PARK_PREFIX: &str = "enkrypt-gateway-park:";
/// How long a parked call waits for the client's retry before it is dropped (and cancelled upstream).
pub const PARK_TTL: Duration = Duration::from_secs(600);
/// Most calls parked at once per upstream; the oldest is dropped beyond it.
const MAX_PARKED: usize = 256;
/// Most `input_required` rounds the gateway drives for a legacy client before giving up.
pub const MAX_ROUNDS: usize = rmcp::model::DEFAULT_MRTR_MAX_ROUNDS;

/// A tool call running on its own task (so it can stay parked between two client requests);
/// dropping it aborts the task, which cancels the request upstream.
pub struct Exchange(pub tokio::task::JoinHandle<Result<CallToolResponse, UpstreamError>>);

impl Drop for Exchange {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends one input request to a legacy client as the legacy request it stands for; returns the
/// client's result as JSON (the shape an `inputResponses` entry has).
pub async fn ask_legacy(
    client: &ClientRef,
    server: &str,
    request: InputRequest,
) -> Result<Value, ErrorData> {
    let result = match request {
        InputRequest::CreateMessage(request) => {
            serde_json::to_value(sample(client, server, request.params).await?)
        }
        InputRequest::Elicitation(request) => {
            serde_json::to_value(elicit(client, server, request.params).await?)
        }
        InputRequest::ListRoots(_) => serde_json::to_value(roots(client, server).await?),
        _ => {
            return Err(ErrorData::invalid_request(
                format!("server '{server}' asked the client something the gateway cannot relay"),
                None,
            ));
        }
    };
    result.map_err(|e| ErrorData::internal_error(format!("cannot encode the answer: {e}"), None))
}

/// Fulfils every input request of an upstream's `input_required` result through a legacy client,
/// each screened by the guardrails first.
pub async fn fulfil_for_legacy(
    target: &Target,
    server: &str,
    requests: InputRequests,
) -> Result<InputResponses, ErrorData> {
    let mut responses = InputResponses::new();
    // One at a time: a person answers elicitations, and the order the server chose is kept.
    for (key, request) in requests {
        target.screen(&request).await?;
        responses.insert(key, ask_legacy(&target.client, server, request).await?);
    }
    Ok(responses)
}

/// The refusal when the server asks for something the client did not declare it supports.
pub fn unsupported(server: &str, what: &str, capability: &str) -> ErrorData {
    ErrorData::invalid_request(
        format!(
            "server '{server}' asked for {what}, but the client did not declare the '{capability}' capability"
        ),
        None,
    )
}

fn relay_error(server: &str, what: &str, error: ServiceError) -> ErrorData {
    match error {
        ServiceError::McpError(data) => data,
        other => ErrorData::internal_error(
            format!("the client did not answer the {what} request of server '{server}': {other}"),
            None,
        ),
    }
}

/// `sampling/createMessage` to a legacy client.
#[allow(deprecated)] // Sampling is deprecated in 2026-07-28 (SEP-2577); legacy clients use it.
pub async fn sample(
    client: &ClientRef,
    server: &str,
    params: CreateMessageRequestParams,
) -> Result<rmcp::model::CreateMessageResult, ErrorData> {
    if client.capabilities.sampling.is_none() {
        return Err(unsupported(
            server,
            "sampling (an LLM completion)",
            "sampling",
        ));
    }
    tracing::info!(server, "relaying a sampling request to the client");
    client
        .peer
        .create_message(params)
        .await
        .map_err(|e| relay_error(server, "sampling", e))
}

/// `elicitation/create` to a legacy client.
pub async fn elicit(
    client: &ClientRef,
    server: &str,
    params: ElicitRequestParams,
) -> Result<rmcp::model::ElicitResult, ErrorData> {
    if client.capabilities.elicitation.is_none() {
        return Err(unsupported(
            server,
            "user input (elicitation)",
            "elicitation",
        ));
    }
    tracing::info!(server, "relaying an elicitation request to the client");
    client
        .peer
        .create_elicitation(params)
        .await
        .map_err(|e| relay_error(server, "elicitation", e))
}

/// `roots/list` to a legacy client.
#[allow(deprecated)] // Roots are deprecated in 2026-07-28 (SEP-2577); legacy clients use them.
pub async fn roots(
    client: &ClientRef,
    server: &str,
) -> Result<rmcp::model::ListRootsResult, ErrorData> {
    if client.capabilities.roots.is_none() {
        return Err(unsupported(server, "the client's roots", "roots"));
    }
    client
        .peer
        .list_roots()
        .await
        .map_err(|e| relay_error(server, "roots", e))
}

/// Whether a `requestState` is one of the gateway's park tokens (not the upstream's own state).
pub fn is_park_token(state: &str) -> bool {
    state.starts_with(PARK_PREFIX)
}

/// A running upstream request, parked while its 2026-07-28 client answers a question.
pub struct Parked<T> {
    /// The running request: dropping it cancels the request upstream.
    pub exchange: T,
    /// Further questions of the same request.
    pub asks: mpsc::Receiver<Ask>,
    /// The question the client is answering, as sent to it, and where its answer goes.
    pub pending: (
        String,
        InputRequest,
        oneshot::Sender<Result<Value, ErrorData>>,
    ),
    /// The tool the call was for: a retry naming another tool does not resume it.
    pub tool: String,
    parked_at: Instant,
}

impl<T> Parked<T> {
    pub fn new(
        exchange: T,
        asks: mpsc::Receiver<Ask>,
        ask: Ask,
        key: String,
        tool: String,
    ) -> Self {
        Self {
            exchange,
            asks,
            pending: (key, ask.request, ask.reply),
            tool,
            parked_at: Instant::now(),
        }
    }
}

/// The parked calls of one upstream, by token.
pub struct ParkedCalls<T> {
    calls: std::sync::Mutex<HashMap<String, Parked<T>>>,
}

impl<T> Default for ParkedCalls<T> {
    fn default() -> Self {
        Self {
            calls: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl<T> ParkedCalls<T> {
    /// Parks `call`; returns the token the client must send back as `requestState`.
    pub fn park(&self, call: Parked<T>) -> String {
        let token = format!("{PARK_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let mut calls = match self.calls.lock() {
            Ok(calls) => calls,
            Err(poisoned) => poisoned.into_inner(),
        };
        calls.retain(|_, parked| parked.parked_at.elapsed() < PARK_TTL);
        if calls.len() >= MAX_PARKED
            && let Some(oldest) = calls
                .iter()
                .min_by_key(|(_, p)| p.parked_at)
                .map(|(token, _)| token.clone())
        {
            calls.remove(&oldest);
        }
        calls.insert(token.clone(), call);
        token
    }

    /// Takes the parked call of `token` (made for `tool`) out of the store.
    pub fn take(&self, token: &str, tool: &str) -> Option<Parked<T>> {
        let mut calls = match self.calls.lock() {
            Ok(calls) => calls,
            Err(poisoned) => poisoned.into_inner(),
        };
        let parked = calls.remove(token)?;
        if parked.tool != tool || parked.parked_at.elapsed() >= PARK_TTL {
            if parked.tool != tool {
                calls.insert(token.to_string(), parked);
            }
            return None;
        }
        Some(parked)
    }

    /// How many calls are parked (for tests and status).
    pub fn len(&self) -> usize {
        self.calls.lock().map(|c| c.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(deprecated)] // Roots (SEP-2577): a legacy request, the simplest to build.
    fn ask() -> (Ask, oneshot::Receiver<Result<Value, ErrorData>>) {
        let (reply, rx) = oneshot::channel();
        let request = InputRequest::ListRoots(rmcp::model::ListRootsRequest::default());
        (Ask { request, reply }, rx)
    }

    #[test]
    fn a_parked_call_resumes_once_and_only_for_its_tool() {
        let store: ParkedCalls<u32> = ParkedCalls::default();
        let (_tx, asks) = mpsc::channel(1);
        let (first, _rx) = ask();
        let token = store.park(Parked::new(7, asks, first, "1".into(), "echo".into()));
        assert!(is_park_token(&token));
        assert!(!is_park_token("the upstream's own state"));
        assert!(store.take(&token, "other").is_none(), "another tool");
        assert_eq!(store.take(&token, "echo").map(|p| p.exchange), Some(7));
        assert!(store.take(&token, "echo").is_none(), "resumed only once");
        assert!(store.take("enkrypt-gateway-park:forged", "echo").is_none());
    }

    #[test]
    fn the_store_is_bounded() {
        let store: ParkedCalls<usize> = ParkedCalls::default();
        for i in 0..MAX_PARKED + 10 {
            let (_tx, asks) = mpsc::channel(1);
            let (a, _rx) = ask();
            store.park(Parked::new(i, asks, a, "1".into(), "t".into()));
        }
        assert_eq!(store.len(), MAX_PARKED);
    }
}
