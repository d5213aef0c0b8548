//! The reference's six gateway tools, with its names, arguments and result shapes
//! (REFERENCE.md §2): list servers, server info, discover tools, secure batch call, cache status,
//! clear cache. Results are one JSON text item (plus the same value as `structuredContent`).
//!
//! Where the reference is wrong we keep the shape and fix the behaviour: allow-lists work, upstream
//! `isError` results are reported as errors, every content item is returned, `denied_tools` objects
//! match, and `enkrypt_clear_cache` refuses other gateways' ids. Secrets in echoed server entries are
//! masked.

use std::sync::Arc;

use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations,
};
use serde_json::{Map, Value, json};

use super::Gateway;
use super::calls::CallOutcome;
use super::catalog::ToolSource;

mod batch;
mod cache_tools;
mod servers;

pub const LIST_ALL_SERVERS: &str = "enkrypt_list_all_servers";
pub const GET_SERVER_INFO: &str = "enkrypt_get_server_info";
pub const DISCOVER_ALL_TOOLS: &str = "enkrypt_discover_all_tools";
pub const SECURE_CALL_TOOLS: &str = "enkrypt_secure_call_tools";
pub const GET_CACHE_STATUS: &str = "enkrypt_get_cache_status";
pub const CLEAR_CACHE: &str = "enkrypt_clear_cache";

const NAMES: [&str; 6] = [
    LIST_ALL_SERVERS,
    GET_SERVER_INFO,
    DISCOVER_ALL_TOOLS,
    SECURE_CALL_TOOLS,
    GET_CACHE_STATUS,
    CLEAR_CACHE,
];

pub fn is_meta_tool(name: &str) -> bool {
    NAMES.contains(&name)
}

fn schema(properties: Value, required: &[&str]) -> Arc<JsonObject> {
    let mut object = Map::new();
    object.insert("type".into(), json!("object"));
    object.insert("properties".into(), properties);
    if !required.is_empty() {
        object.insert("required".into(), json!(required));
    }
    Arc::new(object)
}

fn tool(
    name: &'static str,
    title: &str,
    description: &str,
    input: Arc<JsonObject>,
    read_only: bool,
) -> Tool {
    let annotations = if read_only {
        ToolAnnotations::with_title(title)
            .read_only(true)
            .idempotent(true)
            .open_world(false)
    } else {
        ToolAnnotations::with_title(title)
            .read_only(false)
            .destructive(true)
            .idempotent(false)
            .open_world(true)
    };
    let mut t = Tool::default();
    t.name = name.into();
    t.title = Some(title.to_string());
    t.description = Some(description.to_string().into());
    t.input_schema = input;
    t.annotations = Some(annotations);
    t
}

/// The six tool definitions, as listed to clients.
pub fn definitions() -> Vec<Tool> {
    let optional_string = |title: &str| json!({"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "title": title});
    vec![
        tool(
            LIST_ALL_SERVERS,
            "List Available Servers",
            "Lists the MCP servers available through this gateway. With discover_tools (default true) each server's tools are discovered too.",
            schema(
                json!({"discover_tools": {"type": "boolean", "default": true, "title": "Discover Tools"}}),
                &[],
            ),
            true,
        ),
        tool(
            GET_SERVER_INFO,
            "Get Server Info",
            "Gets the details of one server: description, tools (from config, cache or needing discovery).",
            schema(
                json!({"server_name": {"type": "string", "title": "Server Name"}}),
                &["server_name"],
            ),
            true,
        ),
        tool(
            DISCOVER_ALL_TOOLS,
            "Discover Server Tools",
            "Discovers the tools of one server, or of every server when server_name is omitted.",
            schema(json!({"server_name": optional_string("Server Name")}), &[]),
            true,
        ),
        tool(
            SECURE_CALL_TOOLS,
            "Securely Call Tools",
            "Calls one or more tools of a server through the gateway's access rules and guardrails. Each item of tool_calls is {\"name\": <tool>, \"args\": {...}}. An empty list discovers the server's tools.",
            schema(
                json!({
                    "server_name": {"type": "string", "title": "Server Name"},
                    "tool_calls": {"type": "array", "items": {}, "default": [], "title": "Tool Calls"}
                }),
                &["server_name"],
            ),
            false,
        ),
        tool(
            GET_CACHE_STATUS,
            "Get Cache Status",
            "Reports the gateway's tool-list cache: what is cached for each server and when it expires.",
            schema(json!({}), &[]),
            true,
        ),
        tool(
            CLEAR_CACHE,
            "Clear Cache",
            "Clears cached tool lists: cache_type all (default), gateway_config, or server_config (optionally for one server_name).",
            schema(
                json!({
                    "id": optional_string("Id"),
                    "server_name": optional_string("Server Name"),
                    "cache_type": optional_string("Cache Type")
                }),
                &[],
            ),
            false,
        ),
    ]
}

/// A gateway-tool result: the JSON as one text item and as `structuredContent`.
pub fn json_result(value: Value, is_error: bool) -> CallToolResult {
    let text = serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_string());
    let mut result = if is_error {
        CallToolResult::error(vec![ContentBlock::text(text)])
    } else {
        CallToolResult::success(vec![ContentBlock::text(text)])
    };
    result.structured_content = Some(value);
    result
}

/// The reference's error shape.
pub fn error_result(message: impl Into<String>) -> CallToolResult {
    json_result(json!({"status": "error", "error": message.into()}), true)
}

fn bool_arg(args: &JsonObject, name: &str, default: bool) -> Result<bool, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(format!("argument '{name}' must be a boolean, got {other}")),
    }
}

fn string_arg(args: &JsonObject, name: &str) -> Result<Option<String>, String> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("argument '{name}' must be a string, got {other}")),
    }
}

fn required_string(args: &JsonObject, name: &str) -> Result<String, String> {
    string_arg(args, name)?.ok_or_else(|| format!("missing required argument '{name}'"))
}

/// Dispatches one gateway-tool call. Argument errors come back as the reference's error shape.
pub async fn call(
    gateway: &Arc<Gateway>,
    name: &str,
    arguments: Option<JsonObject>,
    request_id: &str,
) -> CallToolResult {
    let args = arguments.unwrap_or_default();
    let outcome = match name {
        LIST_ALL_SERVERS => match bool_arg(&args, "discover_tools", true) {
            Ok(discover) => Ok(servers::list_all_servers(gateway, discover).await),
            Err(e) => Err(e),
        },
        GET_SERVER_INFO => match required_string(&args, "server_name") {
            Ok(server) => Ok(servers::get_server_info(gateway, &server).await),
            Err(e) => Err(e),
        },
        DISCOVER_ALL_TOOLS => match string_arg(&args, "server_name") {
            Ok(Some(server)) => Ok(servers::discover_one(gateway, &server).await),
            Ok(None) => Ok(servers::list_all_servers(gateway, true).await),
            Err(e) => Err(e),
        },
        SECURE_CALL_TOOLS => match (
            required_string(&args, "server_name"),
            args.get("tool_calls"),
        ) {
            (Err(e), _) => Err(e),
            (Ok(server), None | Some(Value::Null)) => {
                Ok(batch::secure_call(gateway, &server, &[], request_id).await)
            }
            (Ok(server), Some(Value::Array(calls))) => {
                Ok(batch::secure_call(gateway, &server, calls, request_id).await)
            }
            (Ok(_), Some(other)) => Err(format!(
                "argument 'tool_calls' must be a list of calls, got {other}"
            )),
        },
        GET_CACHE_STATUS => Ok(cache_tools::cache_status(gateway).await),
        CLEAR_CACHE => match (
            string_arg(&args, "id"),
            string_arg(&args, "server_name"),
            string_arg(&args, "cache_type"),
        ) {
            (Ok(id), Ok(server), Ok(kind)) => {
                Ok(cache_tools::clear_cache(gateway, id, server, kind).await)
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        },
        other => Err(format!("unknown gateway tool '{other}'")),
    };
    match outcome {
        Ok(result) => result,
        Err(message) => error_result(format!("Invalid arguments for {name}: {message}")),
    }
}

/// Reference `tools` value of a server for list/info replies, and its `tools_source`.
async fn tools_for_listing(gateway: &Gateway, index: usize) -> (Value, &'static str, bool) {
    let server = &gateway.servers[index];
    let cached = gateway
        .cache
        .get(&gateway.gateway_id, &server.config.server_name)
        .await;
    if server.access.has_allow_list() {
        return (
            Value::Object(server.config.tools.clone()),
            "config",
            cached.is_some(),
        );
    }
    match cached {
        Some(hit) => (
            tools_page(&gateway.visible(index, &hit.tools)),
            ToolSource::Cache.as_str(),
            true,
        ),
        None => (json!({}), "needs_discovery", false),
    }
}

/// A `ListToolsResult`-shaped value (`{nextCursor, tools}`), as the reference dumps it.
fn tools_page(tools: &[Tool]) -> Value {
    json!({"nextCursor": null, "tools": tools})
}

/// The server entry as written, with secret-looking values masked (env and header values that are not
/// `${…}` references).
fn masked_entry(raw: &Value) -> Map<String, Value> {
    let mut entry = raw.as_object().cloned().unwrap_or_default();
    if let Some(Value::Object(config)) = entry.get_mut("config") {
        for key in ["env", "headers"] {
            if let Some(Value::Object(values)) = config.get_mut(key) {
                for value in values.values_mut() {
                    if let Value::String(s) = value
                        && !s.starts_with("${")
                    {
                        *value = Value::String(crate::secret::mask(s));
                    }
                }
            }
        }
    }
    entry
}

/// Result-shape helpers shared by the batch tool.
fn outcome_text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| match c {
            ContentBlock::Text(t) => Some(t.text.clone()),
            ContentBlock::Resource(r) => match &r.resource {
                rmcp::model::ResourceContents::TextResourceContents { text, .. } => {
                    Some(text.clone())
                }
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn answered(outcome: &CallOutcome) -> Option<&CallToolResult> {
    match outcome {
        CallOutcome::Answered { response, .. } => match response.as_ref() {
            CallToolResponse::Complete(result) => Some(result),
            _ => None,
        },
        _ => None,
    }
}
