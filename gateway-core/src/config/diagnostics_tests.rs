//! What a broken config reports: every error kind with its JSON path and line, warnings for what is
//! merely unknown, and no panic on any input.

use std::path::Path;

use serde_json::json;

use super::load_tests::{
    ECHO, KEY_MASKED, V1, V2, errors, line_of, load_env, ok, only_error, server_path, v1,
};
use super::*;

#[test]
fn wrong_types_are_errors_with_path_and_line() {
    let cases: [(&str, &str, &str); 4] = [
        (
            r#"{"server_name": "e", "config": {"command": "x", "args": ["ok", 3]}}"#,
            ".config.args[1]",
            "expected a string, found a number",
        ),
        (
            r#"{"server_name": "e", "config": {"command": ["x"]}}"#,
            ".config.command",
            "expected a string, found an array",
        ),
        (
            r#"{"server_name": "e", "config": {"args": []}}"#,
            ".config.command",
            "missing required key `command`",
        ),
        (
            r#"{"server_name": "", "config": {"command": "x"}}"#,
            ".server_name",
            "must not be empty",
        ),
    ];
    for (server, rest, message) in cases {
        let text = v1("{}", &[server]);
        let e = only_error(&text);
        assert_eq!(e.location.json_path, server_path(rest), "{server}");
        assert_eq!(
            e.location.line,
            Some(line_of(&text, "server_name")),
            "{server}"
        );
        assert!(e.message.starts_with(message), "{server}: {}", e.message);
    }
}

#[test]
fn bad_enum_value_names_the_choices() {
    let text = v1("{\n    \"tool_exposure\": \"all\"\n  }", &[ECHO]);
    let e = only_error(&text);
    assert_eq!(
        e.location.json_path,
        "$.common_mcp_gateway_config.tool_exposure"
    );
    assert_eq!(e.location.line, Some(line_of(&text, "tool_exposure")));
    assert_eq!(e.message, r#"must be one of "both", "direct", "meta""#);
}

#[test]
fn gateways_must_be_an_object() {
    let text = "{\n  \"common_mcp_gateway_config\": {},\n  \"gateways\": [\"k\"]\n}";
    let e = only_error(text);
    assert_eq!(e.location.json_path, "$.gateways");
    assert_eq!(e.location.line, Some(3));
    assert_eq!(e.message, "expected an object, found an array");
}

#[test]
fn zero_gateways_is_an_error() {
    for text in ["{\"gateways\": {}}", "{\"common_mcp_gateway_config\": {}}"] {
        let e = only_error(text);
        assert_eq!(e.location.json_path, "$.gateways", "{text}");
        assert!(e.message.starts_with("no gateways configured"), "{text}");
    }
    let e = only_error("{\"enkrypt_config\": {}, \"apikeys\": {}}");
    assert_eq!(e.location.json_path, "$.apikeys");
}

#[test]
fn duplicate_server_names_are_errors() {
    let text = v1("{}", &[ECHO, ECHO]);
    let e = only_error(&text);
    assert_eq!(
        e.location.json_path,
        format!("$.gateways[\"{KEY_MASKED}\"].mcp_config[1].server_name")
    );
    assert_eq!(e.location.line, Some(line_of(&text, ECHO) + 1));
    assert!(e.message.contains("duplicate server_name `echo`"));
}

#[test]
fn duplicate_gateway_ids_are_warnings() {
    let text = V1.replace(
        "5d7f0b8e-1f0e-4a57-9d0b-6b1a1f9c2c11",
        "a0c2bd2b-6a04-4d2f-a8f9-1d1b4cd2e9f1",
    );
    let c = ok(&text);
    let ids: Vec<_> = c
        .warnings
        .iter()
        .filter(|w| !w.message.contains("needs the Enkrypt AI API"))
        .collect();
    let [w] = ids.as_slice() else {
        panic!("{:#?}", c.warnings)
    };
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.location.json_path, "$.gateways[\"…6789\"]");
    assert!(w.message.contains("is also used by"));
}

#[test]
fn unknown_keys_warn_everywhere_and_common_ones_are_kept() {
    let text = "{\n  \"colour\": 1,\n  \"common_mcp_gateway_config\": {\n    \"shiny\": true\n  },\n  \
                \"gateways\": {\n    \"test-gateway-key-0001\": {\n      \"id\": \"g\",\n      \
                \"mcp_config\": [{\"server_name\": \"s\", \"config\": {\"command\": \"c\"}, \"wat\": 1}]\n    \
                }\n  }\n}";
    let c = ok(text);
    let got: Vec<(&str, Option<usize>)> = c
        .warnings
        .iter()
        .map(|w| (w.location.json_path.as_str(), w.location.line))
        .collect();
    assert_eq!(
        got,
        [
            ("$.colour", Some(2)),
            ("$.common_mcp_gateway_config.shiny", Some(4)),
            ("$.gateways[\"…0001\"].mcp_config[0].wat", Some(9)),
        ]
    );
    assert!(c.warnings.iter().all(|w| w.severity == Severity::Warning));
    assert_eq!(c.common.extra["shiny"], json!(true));
}

#[test]
fn broken_json_reports_line_and_column() {
    let text = "{\n  \"gateways\": {\n    \"k\": {\"id\": \"x\",}\n  }\n}";
    let e = only_error(text);
    assert_eq!(e.location.line, Some(3));
    assert_eq!(e.location.json_path, "$");
    assert!(e.message.starts_with("invalid JSON: "), "{}", e.message);
    assert!(e.message.contains("column 21"), "{}", e.message);
}

#[test]
fn a_non_object_root_is_an_error() {
    let e = only_error("[1, 2]");
    assert_eq!(
        (e.location.json_path.as_str(), e.location.line),
        ("$", Some(1))
    );
}

#[test]
fn mixing_1x_and_2x_layouts_is_an_error() {
    let mut doc: serde_json::Value = serde_json::from_str(V2).expect("fixture");
    doc["gateways"] = json!({"other-key-123456": {"id": "x", "mcp_config": []}});
    let errs = errors(&serde_json::to_string_pretty(&doc).expect("json"));
    assert!(
        errs.iter().any(|e| e.location.json_path == "$.gateways"),
        "{errs:#?}"
    );
}

#[test]
fn v2_dangling_references_are_errors() {
    let text = V2.replace(
        "\"project_id\": \"3c09f06c-1f0d-4153-9ac5-366397937641\"",
        "\"project_id\": \"nope\"",
    );
    let e = only_error(&text);
    assert_eq!(e.location.json_path, "$.apikeys[\"…YGat\"].project_id");
    assert_eq!(e.location.line, Some(line_of(&text, "\"nope\"")));
    assert_eq!(e.message, "no project `nope` in `projects`");
}

#[test]
fn not_found_and_invalid_render_for_people() {
    let missing = Path::new("/definitely/not/here.json");
    let e = crate::secrets::load_config(missing).expect_err("missing");
    assert_eq!(
        e.to_string(),
        "config file not found: /definitely/not/here.json (copy example_enkrypt_mcp_config.json there, \
         or pass --config PATH)"
    );
    let text = v1("{\"tool_name_prefix\": 3}", &[ECHO]);
    let e = load_env(&text, &[]).expect_err("invalid");
    let shown = e.to_string();
    let expected = "/cfg/enkrypt_mcp_config.json:2: $.common_mcp_gateway_config.tool_name_prefix: \
                    expected a string, found a number";
    assert!(shown.lines().any(|l| l == expected), "{shown}");
    assert_eq!(e.code(), "config_invalid");
}

/// Deterministic xorshift, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as usize
    }
}

fn all_pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, item) in m {
                all_pointers(
                    item,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        serde_json::Value::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                all_pointers(item, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn random_garbage_never_panics() {
    let env = [("A", "x"), ("TOKEN", "t")];
    let tokens = [
        "{",
        "}",
        "[",
        "]",
        "\"",
        ",",
        ":",
        "\\",
        "0",
        "-1e999",
        "null",
        "true",
        "\"x\"",
        "${env:",
        "${env:A}",
        "${keyring:K}",
        "$${env:A}",
        "\n",
        "é",
        "\u{feff}",
        "\"_doc\":1,",
        "\"gateways\"",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Text mutations: mostly syntax errors, plus the scanner on arbitrary text.
    for base in [V1, V2] {
        for _ in 0..200 {
            let mut chars: Vec<char> = base.chars().collect();
            for _ in 0..1 + rng.next() % 4 {
                let at = rng.next() % (chars.len() + 1);
                match rng.next() % 4 {
                    0 if at < chars.len() => {
                        chars.remove(at);
                    }
                    1 => chars
                        .splice(at..at, tokens[rng.next() % tokens.len()].chars())
                        .for_each(drop),
                    2 => chars.truncate(at),
                    _ => {
                        let end = (at + rng.next() % 40).min(chars.len());
                        let copy: Vec<char> = chars[at..end].to_vec();
                        chars.splice(at..at, copy).for_each(drop);
                    }
                }
            }
            let text: String = chars.into_iter().collect();
            let _ = LineIndex::scan(&text);
            if let Err(e) = load_env(&text, &env) {
                let _ = e.to_string();
            }
        }
    }
    // Structural mutations: valid JSON with a value of the wrong type somewhere.
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("${env:MISSING}"),
        json!([]),
        json!({}),
        json!(["a", 1]),
        json!({"a": {"b": []}}),
        json!("x"),
        json!(1e300),
    ];
    for base in [V1, V2] {
        let doc: serde_json::Value = serde_json::from_str(base).expect("fixture");
        let mut pointers = Vec::new();
        all_pointers(&doc, String::new(), &mut pointers);
        for _ in 0..300 {
            let mut doc = doc.clone();
            for _ in 0..1 + rng.next() % 2 {
                let pointer = &pointers[rng.next() % pointers.len()];
                if let Some(slot) = doc.pointer_mut(pointer) {
                    *slot = replacements[rng.next() % replacements.len()].clone();
                }
            }
            let text = serde_json::to_string_pretty(&doc).expect("json");
            if let Err(e) = load_env(&text, &env) {
                let _ = e.to_string();
                assert!(!e.diagnostics().is_empty());
            }
        }
    }
}
