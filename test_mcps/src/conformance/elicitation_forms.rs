//! The forms (`requestedSchema`s) of the elicitation tools, written as the JSON the client
//! must receive and parsed into rmcp's typed [`ElicitationSchema`].
//!
//! Written as JSON on purpose: SEP-1034 (defaults) and SEP-1330 (the five enum shapes) are
//! about exact wire fields (`default`, `enumNames`, `oneOf`/`anyOf` with `const`/`title`), so
//! the source shows the wire form and a unit test proves rmcp's types keep every field.

use rmcp::{ErrorData, model::ElicitationSchema};
use serde_json::{Value, json};

/// The form of `test_elicitation`: two required strings, matching what the suite answers.
pub fn user_details() -> Value {
    json!({
        "type": "object",
        "properties": {
            "username": { "type": "string", "description": "User's response" },
            "email": { "type": "string", "description": "User's email address" }
        },
        "required": ["username", "email"]
    })
}

/// The form of `test_elicitation_sep1034_defaults`: one field of each primitive type, each
/// with a default.
pub fn primitive_defaults() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    })
}

/// The form of `test_elicitation_sep1330_enums`: the five enum shapes of SEP-1330.
pub fn enum_variants() -> Value {
    json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": titled_options("Option")
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": { "anyOf": titled_options("Choice") }
            }
        },
        "required": []
    })
}

/// Three `const`/`title` options, titled "First <noun>" to "Third <noun>".
fn titled_options(noun: &str) -> Value {
    json!([
        { "const": "value1", "title": format!("First {noun}") },
        { "const": "value2", "title": format!("Second {noun}") },
        { "const": "value3", "title": format!("Third {noun}") }
    ])
}

/// `form` as rmcp's typed schema; an internal error if rmcp cannot represent it.
pub fn to_schema(form: Value) -> Result<ElicitationSchema, ErrorData> {
    serde_json::from_value(form).map_err(|error| {
        ErrorData::internal_error(format!("elicitation form not representable: {error}"), None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rmcp must send every form exactly as written: a dropped `default` or `enumNames` would
    /// silently fail SEP-1034/SEP-1330.
    #[test]
    fn every_form_survives_rmcp_types_unchanged() {
        for form in [user_details(), primitive_defaults(), enum_variants()] {
            let schema = to_schema(form.clone()).expect("representable");
            let sent = serde_json::to_value(&schema).expect("serialisable");
            assert_eq!(sent, form);
        }
    }
}
