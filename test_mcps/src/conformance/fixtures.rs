//! The fixed payloads the conformance suite looks for: tiny media, texts and URIs.
//!
//! Kept in one place so that tools, resources and prompts that must agree (the same image in a
//! tool result and in a prompt, the same watched URI in `resources/list` and `resources/read`)
//! cannot drift apart. Nothing here does I/O.

/// `serverInfo.name`, the name the suite's reference server uses.
pub const SERVER_NAME: &str = "mcp-conformance-test-server";

/// A 1x1 red PNG, base64-encoded.
pub const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// MIME type of [`PNG_BASE64`].
pub const PNG_MIME: &str = "image/png";

/// A minimal (empty) WAV file, base64-encoded.
pub const WAV_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
/// MIME type of [`WAV_BASE64`]; `tools-call-audio` checks it exactly.
pub const WAV_MIME: &str = "audio/wav";

/// Text of `test_simple_text`.
pub const SIMPLE_TEXT: &str = "This is a simple text response for testing.";
/// Text of the error result of `test_error_handling`.
pub const TOOL_ERROR_TEXT: &str = "This tool intentionally returns an error for testing";

/// URI and text of the resource embedded by `test_embedded_resource`.
pub const EMBEDDED_URI: &str = "test://embedded-resource";
/// Text of [`EMBEDDED_URI`].
pub const EMBEDDED_TEXT: &str = "This is an embedded resource content.";
/// URI of the JSON resource embedded by `test_multiple_content_types`.
pub const MIXED_URI: &str = "test://mixed-content-resource";

/// The static text resource.
pub const STATIC_TEXT_URI: &str = "test://static-text";
/// Text of [`STATIC_TEXT_URI`].
pub const STATIC_TEXT: &str = "This is the content of the static text resource.";
/// The static binary (PNG) resource.
pub const STATIC_BINARY_URI: &str = "test://static-binary";
/// The resource clients subscribe to.
pub const WATCHED_URI: &str = "test://watched-resource";
/// Text of [`WATCHED_URI`].
pub const WATCHED_TEXT: &str = "Watched resource content";
/// The resource template; `{id}` is echoed back in the read result.
pub const TEMPLATE_URI: &str = "test://template/{id}/data";
/// Prefix and suffix of URIs matching [`TEMPLATE_URI`].
pub const TEMPLATE_PARTS: (&str, &str) = ("test://template/", "/data");

/// Text embedded by `test_prompt_with_embedded_resource`.
pub const PROMPT_EMBEDDED_TEXT: &str = "Embedded resource content for testing.";
