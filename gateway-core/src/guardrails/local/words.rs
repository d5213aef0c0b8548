//! Word-list detectors: the policy's own keywords, and small toxicity / NSFW lists.
//!
//! Limits: lists match whole words only (case-insensitive), so they miss misspellings, context and
//! languages not listed; they are a floor, not a classifier.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::config::GuardrailPolicy;

const TOXIC: &[&str] = &[
    "idiot",
    "stupid",
    "moron",
    "imbecile",
    "dumbass",
    "retard",
    "loser",
    "kill yourself",
    "kys",
    "shut up",
    "worthless",
    "pathetic",
    "scum",
    "bastard",
    "asshole",
    "dickhead",
    "fuck you",
    "piece of shit",
    "i will kill you",
    "i'll kill you",
    "die in a fire",
    "go to hell",
];

const NSFW: &[&str] = &[
    "porn",
    "porno",
    "pornographic",
    "xxx",
    "nude",
    "nudes",
    "naked",
    "nsfw",
    "sexually explicit",
    "hentai",
    "blowjob",
    "handjob",
    "orgasm",
    "erotic",
    "onlyfans",
    "camgirl",
    "dildo",
];

/// Keywords configured for the policy: `additional_config.keywords` (or `keyword_list`), a list of strings.
pub fn policy_keywords(policy: &GuardrailPolicy) -> Vec<String> {
    ["keywords", "keyword_list", "blocked_keywords"]
        .iter()
        .find_map(|k| policy.additional_config.get(*k).and_then(Value::as_array))
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The entries of `words` that occur in `text` as whole words or phrases.
pub fn matches<'a>(text: &str, words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let haystack = text.to_lowercase();
    let mut found = Vec::new();
    for word in words {
        let mut from = 0;
        while let Some(pos) = haystack[from..].find(word) {
            let start = from + pos;
            let end = start + word.len();
            let before_ok = haystack[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word_char(c));
            let after_ok = haystack[end..]
                .chars()
                .next()
                .is_none_or(|c| !is_word_char(c));
            if before_ok && after_ok {
                found.push(word.to_string());
                break;
            }
            from = end;
        }
    }
    found
}

/// One case-insensitive whole-word regex per built-in list: a single pass over the text instead of
/// one substring search per word (which dominated the scan time of long tool results).
fn list_regex(words: &[&str]) -> Regex {
    let alternatives: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
    super::normalize::ascii_regex(&format!(r"(?i)\b(?:{})\b", alternatives.join("|")))
}

static TOXIC_RE: LazyLock<Regex> = LazyLock::new(|| list_regex(TOXIC));
static NSFW_RE: LazyLock<Regex> = LazyLock::new(|| list_regex(NSFW));

fn list_matches(regex: &Regex, text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for m in regex.find_iter(text) {
        let word = m.as_str().to_lowercase();
        if !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// Built-in toxicity terms found in `text`.
pub fn toxic(text: &str) -> Vec<String> {
    list_matches(&TOXIC_RE, text)
}

/// Built-in NSFW terms found in `text`.
pub fn nsfw(text: &str) -> Vec<String> {
    list_matches(&NSFW_RE, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert_eq!(matches("You are an IDIOT!", ["idiot"]), vec!["idiot"]);
        assert!(matches("idiomatic code", ["idiot"]).is_empty());
        assert!(toxic("Scunthorpe is a town").is_empty());
        assert_eq!(nsfw("send nudes"), vec!["nudes"]);
    }

    #[test]
    fn policy_keywords_are_read_from_additional_config() {
        let mut policy = GuardrailPolicy::default();
        policy
            .additional_config
            .insert("keywords".into(), serde_json::json!(["Project Falcon", ""]));
        assert_eq!(policy_keywords(&policy), vec!["project falcon"]);
        assert_eq!(
            matches("status of project falcon?", ["project falcon"]),
            vec!["project falcon"]
        );
    }
}
