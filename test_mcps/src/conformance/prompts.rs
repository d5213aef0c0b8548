//! Prompts: a simple one, one with two required arguments, one embedding a resource and one
//! carrying an image, named and worded as the conformance suite expects.
//!
//! A missing required argument or an unknown prompt is `-32602 invalid params`: the request
//! itself is wrong, there is nothing for a caller to read in a prompt result.

use rmcp::{
    ErrorData,
    model::{
        ContentBlock, GetPromptRequestParams, GetPromptResult, JsonObject, Prompt, PromptArgument,
        PromptMessage, ResourceContents, Role,
    },
};

use super::fixtures::{PNG_BASE64, PNG_MIME, PROMPT_EMBEDDED_TEXT};

/// The prompt without arguments.
pub const SIMPLE: &str = "test_simple_prompt";
/// The prompt with arguments `arg1` and `arg2`.
pub const WITH_ARGUMENTS: &str = "test_prompt_with_arguments";
/// The prompt embedding the resource named by its `resourceUri` argument.
pub const WITH_EMBEDDED_RESOURCE: &str = "test_prompt_with_embedded_resource";
/// The prompt carrying an image.
pub const WITH_IMAGE: &str = "test_prompt_with_image";

/// `prompts/list`.
pub fn list() -> Vec<Prompt> {
    vec![
        Prompt::new(SIMPLE, Some("A simple prompt without arguments"), None)
            .with_title("Simple Test Prompt"),
        Prompt::new(
            WITH_ARGUMENTS,
            Some("A prompt with required arguments"),
            Some(vec![
                required("arg1", "First test argument"),
                required("arg2", "Second test argument"),
            ]),
        )
        .with_title("Prompt With Arguments"),
        Prompt::new(
            WITH_EMBEDDED_RESOURCE,
            Some("A prompt that includes an embedded resource"),
            Some(vec![required(
                "resourceUri",
                "URI of the resource to embed",
            )]),
        )
        .with_title("Prompt With Embedded Resource"),
        Prompt::new(
            WITH_IMAGE,
            Some("A prompt that includes image content"),
            None,
        )
        .with_title("Prompt With Image"),
    ]
}

/// `prompts/get`.
pub fn get(request: &GetPromptRequestParams) -> Result<GetPromptResult, ErrorData> {
    let arguments = request.arguments.as_ref();
    let messages = match request.name.as_str() {
        SIMPLE => vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt for testing.",
        )],
        WITH_ARGUMENTS => {
            let arg1 = string_argument(arguments, "arg1")?;
            let arg2 = string_argument(arguments, "arg2")?;
            vec![PromptMessage::new_text(
                Role::User,
                format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"),
            )]
        }
        WITH_EMBEDDED_RESOURCE => {
            let uri = string_argument(arguments, "resourceUri")?;
            vec![
                PromptMessage::new(
                    Role::User,
                    ContentBlock::resource(
                        ResourceContents::text(PROMPT_EMBEDDED_TEXT, uri)
                            .with_mime_type("text/plain"),
                    ),
                ),
                PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
            ]
        }
        WITH_IMAGE => vec![
            PromptMessage::new(Role::User, ContentBlock::image(PNG_BASE64, PNG_MIME)),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ],
        other => {
            return Err(ErrorData::invalid_params(
                format!("Prompt not found: {other}"),
                None,
            ));
        }
    };
    Ok(GetPromptResult::new(messages))
}

fn required(name: &str, description: &str) -> PromptArgument {
    PromptArgument::new(name)
        .with_description(description)
        .with_required(true)
}

/// The string argument `name`, or `invalid params` naming it.
fn string_argument<'a>(
    arguments: Option<&'a JsonObject>,
    name: &str,
) -> Result<&'a str, ErrorData> {
    arguments
        .and_then(|arguments| arguments.get(name))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            ErrorData::invalid_params(format!("missing required string argument `{name}`"), None)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, arguments: serde_json::Value) -> GetPromptRequestParams {
        let mut request = GetPromptRequestParams::new(name);
        request.arguments = arguments.as_object().cloned();
        request
    }

    #[test]
    fn arguments_are_substituted() {
        let args = serde_json::json!({ "arg1": "hello", "arg2": "world" });
        let result = get(&request(WITH_ARGUMENTS, args)).expect("valid arguments");
        let text = serde_json::to_string(&result.messages).expect("serialisable");
        assert!(text.contains("arg1='hello', arg2='world'"), "{text}");
    }

    #[test]
    fn a_missing_argument_is_invalid_params() {
        let error = get(&request(WITH_ARGUMENTS, serde_json::json!({ "arg1": "x" })))
            .expect_err("arg2 is required");
        assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);
    }
}
