//! The JSON Schema of the config file and of the editing API, generated from Rust types with `schemars`,
//! and the TypeScript types the desktop UI imports, generated from those schemas.
//!
//! The "file shape" types here document what users and editors write: the reference's 1.x layout with
//! this gateway's new keys (DESIGN.md "Config"), or the reference's 2.x layout. They are not used to load
//! a config (`config::load` reads the tree itself, so it can report every problem with a line); a test
//! keeps the two in step on the repo's example and fixtures. Absent optional keys are written as
//! `Option<T>`; the loader accepts `null` only for the keys listed in each type's [`NullAllowed`], so
//! the schema says the same.
//!
//! Generated files (committed, checked for drift by `schema_tests`): `schema/enkrypt_mcp_config.schema.json`,
//! `schema/config_edit.schema.json`, `ui/src/generated/config.ts`; regenerate them with
//! `make schema` (= `cargo run -p gateway-core --example gen_schema`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::Transform;

use serde_json::{Map, Value};

#[path = "schema_file.rs"]
mod file;
#[path = "schema_ts.rs"]
mod ts;

pub use super::shapes::*;
pub use file::*;
pub use ts::{TsHeader, render as render_typescript};

/// The command that regenerates the committed schema and TypeScript files.
pub const REGENERATE: &str = "make schema  (or: cargo run -p gateway-core --example gen_schema)";

/// A struct-level transform: drop `null` from every property's type except the listed ones (`Option`
/// means "may be absent" here; the loader rejects `null` for most keys).
#[derive(Clone, Copy)]
pub struct NullAllowed(pub &'static [&'static str]);

impl Transform for NullAllowed {
    fn transform(&mut self, schema: &mut Schema) {
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        for (name, prop) in props.iter_mut() {
            if !self.0.contains(&name.as_str()) {
                strip_null(prop);
            }
        }
    }
}

/// Drops `null` from a property schema's `type` list and `anyOf` members (a property that is absent
/// rather than `null`); the desktop app's IPC types use it for fields serde skips when `None`.
pub fn strip_null(prop: &mut Value) {
    let Value::Object(obj) = prop else { return };
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if let [single] = types.as_slice() {
            let single = single.clone();
            obj.insert("type".into(), single);
        }
    }
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    if let Some(Value::Array(options)) = obj.get_mut("anyOf") {
        options.retain(|o| !is_null(o));
        if options.len() == 1 {
            let only = options.pop();
            obj.shift_remove("anyOf");
            if let Some(Value::Object(inner)) = only {
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
}

fn generator() -> schemars::SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// The schema of `enkrypt_mcp_config.json` (1.x or 2.x layout).
pub fn config_file_schema() -> Schema {
    generator().into_root_schema_for::<EnkryptMcpConfig>()
}

/// The schema of one [`crate::config::edit::ConfigEdit`] as the UI sends it.
pub fn config_edit_schema() -> Schema {
    generator().into_root_schema_for::<super::edit::ConfigEdit>()
}

/// Every type the UI uses, as named JSON Schema definitions (the input of the TypeScript generator).
fn ui_definitions() -> Map<String, Value> {
    use super::edit::{ConfigEdit, ConfigView, EditErrorPayload};
    use crate::audit::{AuditEvent, Decision, EventKind};
    let mut generator = generator();
    generator.subschema_for::<EnkryptMcpConfig>();
    generator.subschema_for::<ConfigEdit>();
    generator.subschema_for::<ConfigView>();
    generator.subschema_for::<EditErrorPayload>();
    generator.subschema_for::<AuditEvent>();
    generator.subschema_for::<EventKind>();
    generator.subschema_for::<Decision>();
    generator.take_definitions(true)
}

/// The TypeScript module for the UI (`ui/src/generated/config.ts`).
pub fn typescript() -> String {
    let header = TsHeader {
        generator: "gateway-core".into(),
        regenerate: REGENERATE.into(),
        imports: Vec::new(),
    };
    ts::render(&ui_definitions(), &header)
}

/// The JSON Schema definitions `config.ts` declares, by name: other generated modules import these
/// types from it instead of declaring them again.
pub fn typescript_definitions() -> Map<String, Value> {
    ui_definitions()
}

fn pretty(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema.as_value())
        .expect("a serde_json::Value always serializes (its keys are strings)");
    text.push('\n');
    text
}

/// Every generated file: its path relative to the repository root, and its content.
pub fn generated_files() -> Vec<(PathBuf, String)> {
    vec![
        (
            Path::new("schema").join("enkrypt_mcp_config.schema.json"),
            pretty(&config_file_schema()),
        ),
        (
            Path::new("schema").join("config_edit.schema.json"),
            pretty(&config_edit_schema()),
        ),
        (
            Path::new("ui")
                .join("src")
                .join("generated")
                .join("config.ts"),
            typescript(),
        ),
    ]
}

/// The repository root, from this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Write every generated file under `root`; returns the paths written.
pub fn write_generated(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (relative, content) in generated_files() {
        let path = root.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, content)?;
        written.push(path);
    }
    Ok(written)
}

/// `BTreeMap` alias used by the file-shape types for objects keyed by ids.
pub type Keyed<T> = BTreeMap<String, T>;

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
