//! The committed schemas and TypeScript match the Rust types (drift), and the config schema accepts what
//! the loader accepts (the repo's example and fixtures) and rejects what it rejects.
//!
//! `UPDATE_SCHEMA=1 cargo test -p gateway-core --lib config::schema` rewrites the committed files instead
//! of failing (same as `make schema`).

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::config::edit::{ConfigEdit, GuardrailPolicySpec, GuardrailSide};
use crate::config::model::{Diagnostic, Location, Severity};

const EXAMPLE: &str = include_str!("../../../example_enkrypt_mcp_config.json");
const V1: &str = include_str!("../../tests/fixtures/config/v1.json");
const V2: &str = include_str!("../../tests/fixtures/config/v2.json");

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("test JSON does not parse: {e}"))
}

#[test]
fn committed_schema_and_typescript_match_the_rust_types() {
    let root = repo_root();
    let update = std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (relative, generated) in generated_files() {
        let path = root.join(&relative);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == generated {
            continue;
        }
        if update {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("create the schema folder");
            }
            std::fs::write(&path, generated).expect("write a generated file");
        } else {
            stale.push(relative.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date with the Rust types: {}\nregenerate them with: {REGENERATE}",
        stale.join(", ")
    );
}

fn validator(schema: &Schema) -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://schemas.invalid/enkrypt/schema.json";
    compiler
        .add_resource(url, schema.as_value().clone())
        .expect("the schema is a JSON Schema resource");
    let index = compiler
        .compile(url, &mut schemas)
        .unwrap_or_else(|e| panic!("the generated schema does not compile: {e:#}"));
    (schemas, index)
}

fn file_errors(instance: &Value) -> Option<String> {
    let (schemas, index) = validator(&config_file_schema());
    schemas
        .validate(instance, index)
        .err()
        .map(|e| format!("{e:#}"))
}

#[test]
fn the_example_and_the_fixtures_validate_against_the_config_schema() {
    for (name, text) in [("example", EXAMPLE), ("v1 fixture", V1), ("v2 fixture", V2)] {
        if let Some(e) = file_errors(&parse(text)) {
            panic!("{name} does not validate: {e}");
        }
        serde_json::from_str::<EnkryptMcpConfig>(text)
            .unwrap_or_else(|e| panic!("{name} does not fit the file-shape types: {e}"));
    }
}

#[test]
fn the_committed_config_schema_accepts_the_example() {
    let path = repo_root().join("schema/enkrypt_mcp_config.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let schema = Schema::try_from(parse(&committed)).expect("the committed schema is an object");
    let (schemas, index) = validator(&schema);
    let example = parse(EXAMPLE);
    let result = schemas
        .validate(&example, index)
        .map_err(|e| format!("{e:#}"));
    assert!(result.is_ok(), "{result:?}");
}

fn example_with(pointer: &str, value: Value) -> Value {
    let mut v = parse(EXAMPLE);
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let target = v
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("the parent exists");
    target.insert(key.to_owned(), value);
    v
}

const SERVER: &str = "/gateways/example-gateway-key-change-me-0123456789/mcp_config/0";

#[test]
fn the_config_schema_rejects_what_the_loader_rejects() {
    let cases = [
        ("both layouts", example_with("/apikeys", json!({}))),
        (
            "command and url",
            example_with(
                &format!("{SERVER}/config/url"),
                json!("https://x.example/mcp"),
            ),
        ),
        (
            "an unknown tool_exposure",
            example_with("/common_mcp_gateway_config/tool_exposure", json!("all")),
        ),
        (
            "null for a boolean",
            example_with(
                "/common_mcp_gateway_config/enkrypt_guardrails_enabled",
                Value::Null,
            ),
        ),
        (
            "an empty server name",
            example_with(&format!("{SERVER}/server_name"), json!("")),
        ),
        ("no gateways", json!({"common_mcp_gateway_config": {}})),
    ];
    for (what, instance) in cases {
        assert!(file_errors(&instance).is_some(), "{what} was accepted");
    }
}

#[test]
fn the_config_schema_accepts_nulls_and_comments_the_loader_accepts() {
    let mut v = example_with("/common_mcp_gateway_config/enkrypt_api_key", Value::Null);
    if let Some(gateways) = v.get_mut("gateways").and_then(Value::as_object_mut) {
        gateways.insert("_doc".into(), json!("comments are allowed"));
    }
    assert_eq!(file_errors(&v), None);
}

#[test]
fn edits_as_the_ui_sends_them_validate_against_the_edit_schema() {
    let (schemas, index) = validator(&config_edit_schema());
    let edits = [
        json!({"op": "set_guardrails_enabled", "enabled": true}),
        json!({"op": "remove_server", "server_name": "echo", "gateway": {"id": "gw-1"}}),
        json!({"op": "add_server", "server": {
            "server_name": "files",
            "transport": {"type": "stdio", "command": "npx", "args": ["-y", "fs-mcp"]},
            "denied_tools": [{"pattern": "delete_*", "reason": "no deletes"}]
        }}),
        json!({"op": "set_tool_exposure", "exposure": "direct"}),
    ];
    for edit in edits {
        assert!(schemas.validate(&edit, index).is_ok(), "rejected: {edit}");
        let typed: ConfigEdit = serde_json::from_value(edit.clone())
            .unwrap_or_else(|e| panic!("{edit} does not deserialize: {e}"));
        let back = serde_json::to_value(&typed).expect("serialize");
        assert!(
            schemas.validate(&back, index).is_ok(),
            "re-serialized {back}"
        );
    }
    let bad = json!({"op": "set_guardrails_enabled", "enabled": "yes"});
    assert!(schemas.validate(&bad, index).is_err());
    let policy = ConfigEdit::SetGuardrailPolicy {
        gateway: None,
        server_name: "echo".into(),
        side: GuardrailSide::Output,
        policy: GuardrailPolicySpec::default(),
    };
    let value = serde_json::to_value(policy).expect("serialize");
    assert_eq!(value["op"], "set_guardrail_policy");
    assert!(schemas.validate(&value, index).is_ok());
}

#[test]
fn diagnostic_shape_matches_what_diagnostics_serialize_to() {
    for line in [Some(7), None] {
        let d = Diagnostic {
            severity: Severity::Warning,
            location: Location {
                json_path: "$.gateways".into(),
                line,
            },
            message: "unknown key; kept but not used".into(),
        };
        let wire = serde_json::to_value(&d).expect("serialize");
        let shape: DiagnosticShape =
            serde_json::from_value(wire.clone()).expect("the shape reads a diagnostic");
        assert_eq!(serde_json::to_value(shape).expect("serialize"), wire);
    }
}

#[test]
fn typescript_covers_objects_unions_maps_and_literals() {
    let defs = json!({
        "Thing": {
            "description": "A thing.",
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Its name."},
                "size": {"type": ["integer", "null"]},
                "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
                "env": {"type": "object", "additionalProperties": {"type": "string"}},
                "odd-key": {"const": "x"}
            },
            "required": ["name"],
            "anyOf": [{"required": ["size"]}, {"required": ["tags"]}]
        },
        "Tag": {"enum": ["a", "b"]},
        "Op": {"oneOf": [
            {"type": "object", "properties": {"op": {"const": "add"}}, "required": ["op"]},
            {"type": "string"}
        ]}
    });
    let Value::Object(defs) = defs else {
        unreachable!("a JSON object literal")
    };
    let header = TsHeader {
        generator: "test".into(),
        regenerate: "make schema".into(),
        imports: vec![
            (
                "./config".into(),
                vec!["Decision".into(), "Diagnostic".into()],
            ),
            ("./none".into(), Vec::new()),
        ],
    };
    let ts = ts::render(&defs, &header);
    let expected = "\nexport type Op = {\n  op: \"add\";\n} | string;\n\nexport type Tag = \"a\" | \"b\";\n\n\
        /** A thing. */\nexport type Thing = {\n  /** Its name. */\n  name: string;\n  size?: number | null;\n  \
        tags?: Tag[];\n  env?: { [key: string]: string };\n  \"odd-key\"?: \"x\";\n};\n";
    assert!(ts.starts_with("// @generated by test from"), "{ts}");
    assert!(
        ts.contains("import type { Decision, Diagnostic } from './config';\n")
            && !ts.contains("./none"),
        "{ts}"
    );
    assert!(ts.ends_with(expected), "got:\n{ts}");
}

#[test]
fn generated_files_live_where_the_ui_and_editors_expect_them() {
    let paths: Vec<_> = generated_files().into_iter().map(|(p, _)| p).collect();
    assert!(paths.contains(&Path::new("schema/enkrypt_mcp_config.schema.json").to_path_buf()));
    assert!(paths.contains(&Path::new("ui/src/generated/config.ts").to_path_buf()));
}
