//! Direct decoding of the two messages the gateway relays most: a client's `tools/call` request (the
//! gateway as server) and an upstream's result for one (the gateway as client).
//!
//! rmcp decodes every message through untagged enums: the line is buffered, each request or result
//! type is tried in turn (`CallToolResult` is the sixteenth result type), and a mismatch allocates an
//! error. Here one pass over the line reads its envelope; when it is one of the two messages, its body
//! is decoded with rmcp's own `Deserialize` for that one type. The outcome is the value rmcp would have
//! produced; anything else, or anything this path cannot decode, returns `None` and takes rmcp's path.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Mutex;

use rmcp::model::{
    CallToolRequest, CallToolResult, ClientJsonRpcMessage, ClientRequest, JsonRpcMessage,
    JsonRpcVersion2_0, RequestId, ServerJsonRpcMessage, ServerResult,
};
use rmcp::service::{RxJsonRpcMessage, ServiceRole, TxJsonRpcMessage};
use rmcp::{RoleClient, RoleServer};
use serde::Deserialize;
use serde_json::value::RawValue;

/// How many `tools/call` ids are remembered at most; a call never answered is forgotten when the set
/// is full (its answer then takes rmcp's path, which is only slower).
const MAX_PENDING: usize = 4096;

/// One end of a [`super::LineTransport`]: what it answers and what it decodes directly.
pub trait Side: ServiceRole {
    /// What this end remembers of the messages it sent.
    type Calls: Default + Send + Sync + 'static;
    /// Whether a line that is not JSON is answered with a parse error (the server end).
    const ANSWERS_PARSE_ERRORS: bool;
    /// Called for each message sent, before it is written.
    fn sent(calls: &Self::Calls, message: &TxJsonRpcMessage<Self>);
    /// Called for each message decoded by rmcp's path.
    fn received(calls: &Self::Calls, message: &RxJsonRpcMessage<Self>);
    /// The message `line` holds, when it is one this end decodes directly.
    fn decode_fast(calls: &Self::Calls, line: &[u8]) -> Option<RxJsonRpcMessage<Self>>;
}

/// Whether a key is present, whatever its value (`null` included).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer)?;
        Ok(Self(true))
    }
}

/// The envelope of a JSON-RPC message: what tells its kind, with the body left unread.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    jsonrpc: Option<JsonRpcVersion2_0>,
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default, borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Present,
}

fn envelope(line: &[u8]) -> Option<Envelope<'_>> {
    let envelope: Envelope = serde_json::from_slice(line).ok()?;
    envelope.jsonrpc.is_some().then_some(envelope)
}

impl Side for RoleServer {
    type Calls = ();
    const ANSWERS_PARSE_ERRORS: bool = true;

    fn sent(_: &(), _: &ServerJsonRpcMessage) {}

    fn received(_: &(), _: &ClientJsonRpcMessage) {}

    fn decode_fast(_: &(), line: &[u8]) -> Option<ClientJsonRpcMessage> {
        let envelope = envelope(line)?;
        if envelope.method.as_deref() != Some("tools/call")
            || envelope.result.is_some()
            || envelope.error.0
        {
            return None;
        }
        let id = envelope.id?;
        // rmcp's `Request` reads `method` and `params` (with `_meta`) and ignores the other keys.
        let request: CallToolRequest = serde_json::from_slice(line).ok()?;
        Some(JsonRpcMessage::request(
            ClientRequest::CallToolRequest(request),
            id,
        ))
    }
}

/// The ids of `tools/call` requests sent to an upstream and not answered yet.
#[derive(Default)]
pub struct PendingCalls(Mutex<HashSet<RequestId>>);

impl PendingCalls {
    fn insert(&self, id: &RequestId) {
        let mut ids = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if ids.len() >= MAX_PENDING {
            ids.clear();
        }
        ids.insert(id.clone());
    }

    fn is_empty(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_empty()
    }

    /// Forgets `id`; true when it was a pending `tools/call`.
    fn remove(&self, id: &RequestId) -> bool {
        let mut ids = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        !ids.is_empty() && ids.remove(id)
    }
}

impl Side for RoleClient {
    type Calls = PendingCalls;
    const ANSWERS_PARSE_ERRORS: bool = false;

    fn sent(calls: &PendingCalls, message: &ClientJsonRpcMessage) {
        if let JsonRpcMessage::Request(request) = message
            && matches!(request.request, ClientRequest::CallToolRequest(_))
        {
            calls.insert(&request.id);
        }
    }

    fn received(calls: &PendingCalls, message: &ServerJsonRpcMessage) {
        match message {
            JsonRpcMessage::Response(response) => {
                calls.remove(&response.id);
            }
            JsonRpcMessage::Error(error) => {
                if let Some(id) = &error.id {
                    calls.remove(id);
                }
            }
            _ => {}
        }
    }

    fn decode_fast(calls: &PendingCalls, line: &[u8]) -> Option<ServerJsonRpcMessage> {
        // No call waiting: nothing here can be a `tools/call` result; skip reading the envelope.
        if calls.is_empty() {
            return None;
        }
        let envelope = envelope(line)?;
        if envelope.method.is_some() || envelope.error.0 {
            return None;
        }
        let result = envelope.result?;
        let id = envelope.id?;
        if !calls.remove(&id) {
            return None;
        }
        // A result that is not a complete `CallToolResult` (one asking for input, say) takes rmcp's
        // path, which tries the other result types.
        let result: CallToolResult = serde_json::from_str(result.get()).ok()?;
        Some(JsonRpcMessage::response(
            ServerResult::CallToolResult(result),
            id,
        ))
    }
}

/// Whether rmcp would skip `line` silently: a notification (no `id`) with a method outside MCP, or
/// any `notifications/…` method MCP does not define (rmcp's stdio compatibility rule).
pub fn ignorable_notification(line: &[u8]) -> bool {
    let Ok(envelope) = serde_json::from_slice::<Envelope>(line) else {
        return false;
    };
    let Some(method) = envelope.method.as_deref() else {
        return false;
    };
    let notification = STANDARD_NOTIFICATIONS.contains(&method);
    (envelope.id.is_none() && !notification && !STANDARD_REQUESTS.contains(&method))
        || (method.starts_with("notifications/") && !notification)
}

const STANDARD_REQUESTS: &[&str] = &[
    "initialize",
    "ping",
    "server/discover",
    "prompts/get",
    "prompts/list",
    "resources/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "resources/templates/list",
    "subscriptions/listen",
    "tools/call",
    "tools/list",
    "completion/complete",
    "elicitation/create",
    "logging/setLevel",
    "roots/list",
    "sampling/createMessage",
];

const STANDARD_NOTIFICATIONS: &[&str] = &[
    "notifications/cancelled",
    "notifications/initialized",
    "notifications/message",
    "notifications/progress",
    "notifications/prompts/list_changed",
    "notifications/resources/list_changed",
    "notifications/resources/updated",
    "notifications/roots/list_changed",
    "notifications/subscriptions/acknowledged",
    "notifications/tools/list_changed",
];
