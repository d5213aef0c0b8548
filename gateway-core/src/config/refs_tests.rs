//! `${env:…}` / `${keyring:…}` resolution.

use std::collections::HashMap;

use serde_json::json;

use super::locate::JsonPath;
use super::refs::{NoKeyring, RefSources, resolve_refs, resolve_str};

fn env() -> HashMap<String, String> {
    [
        ("USER_TOKEN", "tok"),
        ("HOST", "example.com"),
        ("WEIRD", "${env:HOST}"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn resolve(text: &str) -> Result<String, Vec<String>> {
    let env = env();
    resolve_str(
        text,
        &RefSources {
            env: &env,
            keyring: &NoKeyring,
        },
    )
}

#[test]
fn whole_and_embedded_references_resolve() {
    assert_eq!(resolve("${env:USER_TOKEN}").as_deref(), Ok("tok"));
    assert_eq!(
        resolve("Bearer ${env:USER_TOKEN}").as_deref(),
        Ok("Bearer tok")
    );
    assert_eq!(
        resolve("https://${env:HOST}/x?t=${env:USER_TOKEN}").as_deref(),
        Ok("https://example.com/x?t=tok")
    );
}

#[test]
fn other_dollar_forms_are_left_alone() {
    for text in [
        "$HOME",
        "${HOME}",
        "${other:X}",
        "cost: $5",
        "$",
        "a$$b",
        "${env",
    ] {
        assert_eq!(resolve(text).as_deref(), Ok(text), "{text}");
    }
}

#[test]
fn a_doubled_dollar_escapes_a_reference() {
    assert_eq!(
        resolve("$${env:USER_TOKEN}").as_deref(),
        Ok("${env:USER_TOKEN}")
    );
    assert_eq!(
        resolve("a $${keyring:k} b").as_deref(),
        Ok("a ${keyring:k} b")
    );
}

#[test]
fn resolved_values_are_not_scanned_again() {
    assert_eq!(resolve("${env:WEIRD}").as_deref(), Ok("${env:HOST}"));
}

#[test]
fn missing_and_malformed_references_are_reported_without_values() {
    assert_eq!(
        resolve("x ${env:NOPE} ${env:USER_TOKEN}"),
        Err(vec![
            "environment variable is not set: ${env:NOPE}".to_owned()
        ])
    );
    let bad = resolve("${env:}").expect_err("empty name");
    assert!(
        bad[0].starts_with("malformed reference `${env:…`"),
        "{bad:?}"
    );
    assert!(resolve("${env:NO SPACES}").is_err());
    assert!(resolve("${env:UNTERMINATED").is_err());
}

#[test]
fn keychain_references_say_not_supported_yet() {
    assert_eq!(
        resolve("${keyring:enkrypt_api_key}"),
        Err(vec![
            "keychain references are not supported yet: ${keyring:enkrypt_api_key}".to_owned()
        ])
    );
}

#[test]
fn tree_resolution_reports_paths_and_skips_doc_comments() {
    let env = env();
    let sources = RefSources {
        env: &env,
        keyring: &NoKeyring,
    };
    let mut doc = json!({
        "_doc": "write ${env:NAME} to reference a variable",
        "a": ["${env:HOST}", {"b": "${env:GONE}"}],
        "n": 1
    });
    let problems = resolve_refs(&mut doc, &sources);
    assert_eq!(doc["a"][0], json!("example.com"));
    assert_eq!(
        doc["a"][1]["b"],
        json!("${env:GONE}"),
        "unresolved stays as written"
    );
    assert_eq!(
        doc["_doc"],
        json!("write ${env:NAME} to reference a variable")
    );
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].path,
        JsonPath::root().key("a").index(1).key("b")
    );
}
