//! The committed `ui/src/generated/ipc.ts` matches the Rust types (drift), and the generated types say
//! what serde writes: optional where a field is skipped, `null` where an `Option` is written, tagged
//! unions where the Rust enum is tagged.
//!
//! `UPDATE_SCHEMA=1 cargo test -p enkrypt-desktop --lib ipc_types` rewrites the file instead of failing
//! (same as `make schema`).

use super::*;

#[test]
fn committed_ipc_typescript_matches_the_rust_types() {
    let path = repo_root().join(relative_path());
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = typescript();
    if committed == generated {
        return;
    }
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        write(&repo_root()).expect("write the generated file");
        return;
    }
    panic!(
        "{} is out of date with the Rust types\nregenerate it with: {REGENERATE}",
        relative_path().display()
    );
}

/// The `export type NAME = …;` block of `ts`.
fn block<'t>(ts: &'t str, name: &str) -> &'t str {
    let start = ts
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("{name} is not declared:\n{ts}"));
    let rest = &ts[start..];
    let end = rest.find(";\n\n").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

#[test]
fn config_types_are_imported_not_declared_again() {
    let ts = typescript();
    for name in [
        "AuditEvent",
        "Decision",
        "Diagnostic",
        "ConfigView",
        "ConfigEdit",
    ] {
        assert!(
            !ts.contains(&format!("export type {name} =")),
            "{name} is declared again"
        );
    }
    let import = ts
        .lines()
        .find(|l| l.starts_with("import type {"))
        .expect("an import line");
    for name in ["AuditEvent", "Decision", "Diagnostic", "EventKind"] {
        assert!(import.contains(name), "{name} not imported: {import}");
    }
    assert!(import.ends_with("from './config';"), "{import}");
}

/// The keys of an object schema, or the values of an enum, as one sorted list.
fn shape(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = match (schema.get("properties"), schema.get("enum")) {
        (Some(Value::Object(props)), _) => props.keys().cloned().collect(),
        (_, Some(Value::Array(values))) => values.iter().map(Value::to_string).collect(),
        _ => Vec::new(),
    };
    out.sort();
    out
}

#[test]
fn an_imported_type_is_the_same_type_as_in_config_ts() {
    // Import is by name: a different Rust type of the same name would be replaced silently.
    let config = typescript_definitions();
    let (shared, _) = split(definitions());
    assert!(shared.contains_key("AuditEvent"), "{:?}", shared.keys());
    for (name, ours) in &shared {
        assert_eq!(
            shape(ours),
            shape(&config[name]),
            "{name} differs from config.ts"
        );
    }
}

#[test]
fn the_types_follow_what_serde_writes() {
    let ts = typescript();
    // Skipped when empty or `None`: optional, and never `null`.
    let error = block(&ts, "IpcError");
    assert!(error.contains("  detail?: string;"), "{error}");
    assert!(error.contains("  diagnostics?: Diagnostic[];"), "{error}");
    assert!(error.contains("  code: string;"), "{error}");
    // An `Option` written as `null`: required, nullable.
    let app = block(&ts, "InitSummary");
    assert!(app.contains("  echo_server: string | null;"), "{app}");
    // `#[serde(flatten)]`: the client status's fields and the app's own, in one object.
    let client = block(&ts, "ClientProtection");
    for field in [
        "  client: string;",
        "  state: EntryState;",
        "  import_record: string | null;",
    ] {
        assert!(client.contains(field), "{field} missing from {client}");
    }
    // `#[serde(tag = "kind")]`: an internally tagged union.
    let log = block(&ts, "LogMessage");
    assert!(
        log.contains("kind: \"event\";") && log.contains("event: AuditEvent;"),
        "{log}"
    );
    assert!(
        log.contains("kind: \"error\";") && log.contains("error: IpcError;"),
        "{log}"
    );
    let summary = block(&ts, "ProtectionSummary");
    assert!(
        summary.contains("  provider: GuardrailsProviderSetting | null;"),
        "{summary}"
    );
}

#[test]
fn serialized_values_carry_exactly_the_generated_fields() {
    // The fields the generator declares for InitSummary are the ones serde writes.
    let summary = InitSummary {
        config_path: "/c.json".into(),
        gateway_id: "gw".into(),
        gateway_key_masked: "…abcd".into(),
        audit_log_path: "/a.jsonl".into(),
        echo_server: None,
    };
    let value = serde_json::to_value(summary).expect("serialize");
    let ts = typescript();
    let declared = block(&ts, "InitSummary");
    let keys: Vec<&String> = value.as_object().expect("an object").keys().collect();
    for key in &keys {
        assert!(
            declared.contains(&format!("  {key}: ")),
            "{key} not in {declared}"
        );
    }
    assert_eq!(declared.matches(": ").count(), keys.len(), "{declared}");
}
