//! What guardrails read and rewrite: the text of tool arguments and of every part of a tool result.
//!
//! Arguments are checked as one JSON text (every string leaf of every nesting level is in it, as the
//! Enkrypt API expects). Results contribute every text item, the text of embedded resources and
//! `structuredContent`, not only the first item (the reference's blind spot).

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, ResourceContents};
use serde_json::Value;

/// The arguments as one JSON text.
pub fn args_text(args: &JsonObject) -> String {
    serde_json::to_string(args).unwrap_or_default()
}

/// Every inspectable text of a result, joined by newlines.
pub fn result_text(result: &CallToolResult) -> String {
    let mut parts: Vec<String> = Vec::new();
    for item in &result.content {
        match item {
            ContentBlock::Text(t) => parts.push(t.text.clone()),
            ContentBlock::Resource(r) => {
                if let ResourceContents::TextResourceContents { text, .. } = &r.resource {
                    parts.push(text.clone());
                }
            }
            _ => {}
        }
    }
    if let Some(structured) = &result.structured_content {
        let rendered = serde_json::to_string(structured).unwrap_or_default();
        // Skip structured content that only repeats a text item verbatim.
        if !parts.iter().any(|p| p == &rendered) {
            parts.push(rendered);
        }
    }
    parts.join("\n")
}

/// Mutable references to every text of a result that may be rewritten (PII restore).
pub fn result_texts_mut(result: &mut CallToolResult) -> Vec<&mut String> {
    let mut out = Vec::new();
    for item in result.content.iter_mut() {
        match item {
            ContentBlock::Text(t) => out.push(&mut t.text),
            ContentBlock::Resource(r) => {
                if let ResourceContents::TextResourceContents { text, .. } = &mut r.resource {
                    out.push(text);
                }
            }
            _ => {}
        }
    }
    if let Some(structured) = result.structured_content.as_mut() {
        collect_strings(structured, &mut out);
    }
    out
}

fn collect_strings<'a>(value: &'a mut Value, out: &mut Vec<&'a mut String>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter_mut().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values_mut().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_item_and_structured_content_are_inspected() {
        let mut result = CallToolResult::success(vec![
            ContentBlock::text("first"),
            ContentBlock::text("second"),
            ContentBlock::embedded_text("test://r", "resource body"),
        ]);
        result.structured_content = Some(json!({"nested": {"note": "structured secret"}}));
        let text = result_text(&result);
        for part in ["first", "second", "resource body", "structured secret"] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
        assert_eq!(result_texts_mut(&mut result).len(), 4);
    }

    #[test]
    fn nested_argument_strings_are_in_the_args_text() {
        let args = json!({"a": {"b": ["deep value"]}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(args_text(&args).contains("deep value"));
    }
}
