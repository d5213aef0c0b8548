//! The TypeScript types of every value that crosses IPC, generated from the Rust types: what the
//! commands take and return, the live-log channel's messages, the `tray-action` event and [`IpcError`],
//! plus the gateway-core reports the client commands pass on from the sidecar's `--json` output.
//!
//! The schemas come from `schemars` in its *serialize* contract (what serde writes: a field serde skips
//! when empty or `None` is optional and never `null`, an `Option` always written is `T | null`, a
//! flattened struct's fields are the outer object's), and are rendered by gateway-core's
//! renderer ([`render_typescript`]), the one behind `config.ts`. Types `config.ts` already declares are
//! imported from it, never declared twice.
//!
//! Generated file (committed, checked for drift by the test below): `ui/src/generated/ipc.ts`; regenerate
//! it with `make schema` (= [`REGENERATE`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gateway_core::audit::{AuditEvent, AuditFilter};
use gateway_core::clients::ChangeReport;
use gateway_core::clients::import::{ImportReport, RestoreReport};
use gateway_core::config::ConfigEdit;
use gateway_core::config::edit::ConfigView;
use gateway_core::config::schema::{
    DiagnosticShape, TsHeader, render_typescript, strip_null, typescript_definitions,
};
use gateway_core::guardrails::pins::Pin;
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::{Map, Value};

use crate::commands::app::{AppInfo, InitSummary};
use crate::commands::config::{CheckReport, DetectorInfo};
use crate::commands::logs::{FollowStarted, LogMessage};
use crate::error::IpcError;
use crate::signin::ServerSignIn;
use crate::status::{ClientProtection, Summary};
use crate::tray::TrayAction;

/// The command that regenerates the committed TypeScript file.
pub const REGENERATE: &str =
    "make schema  (or: cargo run -p enkrypt-desktop --example gen_ipc_types)";

/// Where the generated module lives, relative to the repository root.
pub fn relative_path() -> PathBuf {
    Path::new("ui").join("src").join("generated").join("ipc.ts")
}

/// A property serde may leave out is one it skips when empty or `None` (`skip_serializing_if`): it is
/// absent then, never `null`, so `T | null` becomes `T` (the property stays optional).
fn absent_never_null(schema: &mut Schema) {
    let required: BTreeSet<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            if !required.contains(name) {
                strip_null(prop);
            }
        }
    }
}

/// Every IPC type as named JSON Schema definitions, with what they reference.
fn definitions() -> Map<String, Value> {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(absent_never_null))
        .into_generator();
    // Commands' results (the client commands relay the sidecar's JSON, which is these reports).
    generator.subschema_for::<AppInfo>();
    generator.subschema_for::<InitSummary>();
    generator.subschema_for::<CheckReport>();
    generator.subschema_for::<DetectorInfo>();
    generator.subschema_for::<ClientProtection>();
    generator.subschema_for::<Summary>();
    generator.subschema_for::<ChangeReport>();
    generator.subschema_for::<ImportReport>();
    generator.subschema_for::<RestoreReport>();
    generator.subschema_for::<ServerSignIn>();
    generator.subschema_for::<Pin>();
    generator.subschema_for::<FollowStarted>();
    // Declared in config.ts (imported where the types above use them).
    generator.subschema_for::<ConfigView>();
    generator.subschema_for::<AuditEvent>();
    generator.subschema_for::<DiagnosticShape>();
    // Arguments that are not plain strings, numbers or booleans (ConfigEdit: config.ts).
    generator.subschema_for::<AuditFilter>();
    generator.subschema_for::<ConfigEdit>();
    // The live-log channel, the `tray-action` event, and every command's error.
    generator.subschema_for::<LogMessage>();
    generator.subschema_for::<TrayAction>();
    generator.subschema_for::<IpcError>();
    generator.take_definitions(true)
}

/// Every `$ref` target named in `schema`.
fn referenced(schema: &Value, into: &mut BTreeSet<String>) {
    match schema {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.rsplit('/').next()
            {
                into.insert(name.to_owned());
            }
            o.values().for_each(|v| referenced(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(v, into)),
        _ => {}
    }
}

/// The definitions `config.ts` declares, and the others.
fn split(definitions: Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    let in_config = typescript_definitions();
    definitions
        .into_iter()
        .partition(|(name, _)| in_config.contains_key(name))
}

/// The module: IPC types declared here, config types imported from `./config`.
pub fn typescript() -> String {
    let (shared, own) = split(definitions());
    let mut used = BTreeSet::new();
    own.values()
        .for_each(|schema| referenced(schema, &mut used));
    let imports: BTreeSet<String> = shared.into_iter().map(|(name, _)| name).collect();
    let imports = imports.into_iter().filter(|n| used.contains(n)).collect();
    let header = TsHeader {
        generator: "enkrypt-desktop".into(),
        regenerate: REGENERATE.into(),
        imports: vec![("./config".into(), imports)],
    };
    render_typescript(&own, &header)
}

/// Writes the module under the repository root `root`; returns its path.
pub fn write(root: &Path) -> std::io::Result<PathBuf> {
    let path = root.join(relative_path());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, typescript())?;
    Ok(path)
}

/// The repository root, from this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
#[path = "ipc_types_tests.rs"]
mod tests;
