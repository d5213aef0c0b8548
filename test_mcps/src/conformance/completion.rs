//! `completion/complete`: suggestions for the arguments of `test_prompt_with_arguments` and for
//! the `{id}` of the resource template, filtered by the prefix typed so far.
//!
//! The suite only needs a well-formed answer (an empty list passes); real suggestions make the
//! endpoint useful to gateway tests that check completions are relayed intact.

use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};

use super::{fixtures::TEMPLATE_URI, prompts::WITH_ARGUMENTS};

/// Candidates for `arg1`/`arg2` of [`WITH_ARGUMENTS`].
const ARGUMENT_VALUES: [&str; 5] = ["paris", "park", "party", "test", "testing"];
/// Candidates for the template's `id`.
const TEMPLATE_IDS: [&str; 3] = ["1", "123", "42"];

/// The answer to `request`: matching candidates, or none for an unknown reference.
pub fn complete(request: &CompleteRequestParams) -> CompleteResult {
    let typed = request.argument.value.as_str();
    let candidates: &[&str] = match &request.r#ref {
        Reference::Prompt(prompt)
            if prompt.name == WITH_ARGUMENTS
                && matches!(request.argument.name.as_str(), "arg1" | "arg2") =>
        {
            &ARGUMENT_VALUES
        }
        Reference::Resource(template)
            if template.uri == TEMPLATE_URI && request.argument.name == "id" =>
        {
            &TEMPLATE_IDS
        }
        _ => &[],
    };
    let values = candidates
        .iter()
        .filter(|candidate| candidate.starts_with(typed))
        .map(|candidate| (*candidate).to_owned())
        .collect();
    // At most a handful of values: always under the spec's limit of 100.
    CompleteResult::new(CompletionInfo::with_all_values(values).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use rmcp::model::ArgumentInfo;

    use super::*;

    #[test]
    fn prompt_arguments_complete_by_prefix() {
        let request = CompleteRequestParams::new(
            Reference::for_prompt(WITH_ARGUMENTS),
            ArgumentInfo::new("arg1", "par"),
        );
        assert_eq!(
            complete(&request).completion.values,
            ["paris", "park", "party"]
        );
    }
}
