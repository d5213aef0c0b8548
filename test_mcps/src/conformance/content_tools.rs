//! Tools whose whole behaviour is the shape of their result: text, image, audio, an embedded
//! resource, mixed content, a tool error, and the JSON Schema 2020-12 tool.
//!
//! They read no state and talk to no one, so the suite's content checks (and a gateway's
//! content relaying) can be judged on the result alone. Tools that notify or ask the client live
//! in [`super::notifying_tools`] and [`super::client_request_tools`].

use std::sync::Arc;

use rmcp::{
    handler::server::{router::tool::ToolRoute, tool::ToolCallContext},
    model::{CallToolResponse, CallToolResult, ContentBlock, JsonObject, ResourceContents, Tool},
    tool, tool_router,
};
use serde_json::json;

use super::{ConformanceServer, ToolFuture, fixtures};

/// Name of the tool whose `inputSchema` is a raw JSON Schema 2020-12 document.
pub const JSON_SCHEMA_TOOL: &str = "json_schema_2020_12_tool";

#[tool_router(router = content_tools, vis = "pub(super)")]
impl ConformanceServer {
    #[tool(description = "Tests simple text content response")]
    async fn test_simple_text(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::text(fixtures::SIMPLE_TEXT)])
    }

    #[tool(description = "Tests image content response")]
    async fn test_image_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::image(
            fixtures::PNG_BASE64,
            fixtures::PNG_MIME,
        )])
    }

    #[tool(description = "Tests audio content response")]
    async fn test_audio_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::audio(
            fixtures::WAV_BASE64,
            fixtures::WAV_MIME,
        )])
    }

    #[tool(description = "Tests embedded resource content response")]
    async fn test_embedded_resource(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::resource(
            ResourceContents::text(fixtures::EMBEDDED_TEXT, fixtures::EMBEDDED_URI)
                .with_mime_type("text/plain"),
        )])
    }

    #[tool(description = "Tests response with multiple content types (text, image, resource)")]
    async fn test_multiple_content_types(&self) -> CallToolResult {
        let resource_text = json!({ "test": "data", "value": 123 }).to_string();
        CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(fixtures::PNG_BASE64, fixtures::PNG_MIME),
            ContentBlock::resource(
                ResourceContents::text(resource_text, fixtures::MIXED_URI)
                    .with_mime_type("application/json"),
            ),
        ])
    }

    #[tool(description = "Tests error response handling")]
    async fn test_error_handling(&self) -> CallToolResult {
        // A tool-level failure (`isError: true`), not a JSON-RPC error: the suite checks that the
        // caller can read the message.
        CallToolResult::error(vec![ContentBlock::text(fixtures::TOOL_ERROR_TEXT)])
    }
}

/// The route of [`JSON_SCHEMA_TOOL`]. Built by hand because its schema must reach
/// `tools/list` verbatim (`$schema`, `$defs`, `$ref`, `additionalProperties`), which a
/// schemars-derived schema would rewrite.
pub(super) fn json_schema_route() -> ToolRoute<ConformanceServer> {
    let tool = Tool::new(
        JSON_SCHEMA_TOOL,
        "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
        Arc::new(json_schema_2020_12()),
    );
    ToolRoute::new_dyn(
        tool,
        |context: ToolCallContext<'_, ConformanceServer>| -> ToolFuture<'_> {
            let arguments = serde_json::Value::Object(context.arguments.unwrap_or_default());
            Box::pin(async move {
                let text = format!("JSON Schema 2020-12 tool called with: {arguments}");
                Ok(CallToolResponse::from(CallToolResult::success(vec![
                    ContentBlock::text(text),
                ])))
            })
        },
    )
}

/// The input schema of [`JSON_SCHEMA_TOOL`], as the suite expects to read it back.
pub fn json_schema_2020_12() -> JsonObject {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "addressDef",
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        // SEP-2106: composition and conditional keywords must survive `tools/list` too.
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": {
            "properties": { "contactMethod": { "const": "phone" } },
            "required": ["contactMethod"]
        },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    });
    let serde_json::Value::Object(schema) = schema else {
        unreachable!("a json! object literal is an object");
    };
    schema
}
