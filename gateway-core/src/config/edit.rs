//! Typed editing of a config file for the desktop app (and any other front end): open, view, apply
//! [`ConfigEdit`]s, validate, save.
//!
//! A [`ConfigDocument`] holds the file's raw JSON tree (key order preserved), not the loaded model, so an
//! edit changes only the values it is about: unknown keys, `_doc` comments, `${keyring:…}` references and
//! the order of everything stay as written; only the formatting is normalised (2-space JSON, trailing
//! newline). Both layouts are edited in their own spellings: 1.x `gateways.<key>.mcp_config`, 2.x
//! `mcp_configs.<id>.mcp_config`. Validation is the loader run on the text that would be written, with
//! the reference sources of `config::load`, so the CLI's `check-config`, the app and the gateway report
//! the same findings; [`ConfigDocument::save`]
//! refuses a config with errors, refuses to overwrite a file changed by someone else since it was opened,
//! and writes with [`crate::files::write_atomic`] (temp file, fsync, rename, timestamped backup).
//!
//! This module never creates gateways or gateway keys (`gateway-core init` does) and never resolves or
//! stores secrets (references are kept as text).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::locate::JsonPath;
use super::model::{ConfigFormat, Diagnostic, Location, Severity};
use super::refs::RefSources;
use super::shapes::{DiagnosticShape, GuardrailsProviderSetting, ToolExposureSetting};
use crate::files::{FileError, WriteOutcome};
use apply::{GatewaySlot, apply_to, v1_slots, v2_slots};

#[path = "edit_apply.rs"]
mod apply;
#[path = "edit_spec.rs"]
mod spec;

pub use spec::{
    DEFAULT_BLOCK, DeniedToolSpec, GatewayRef, GuardrailPolicySpec, GuardrailSide, OAuthSpec,
    ServerSpec, TransportSpec,
};

const COMMON: &str = "common_mcp_gateway_config";

/// One change to a config file, as the UI sends it (`{"op": "add_server", …}`).
///
/// Edits that name a server act on one gateway: the one `gateway` selects, else the file's first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ConfigEdit {
    /// Append a server; its name must be new in the gateway.
    AddServer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<GatewayRef>,
        server: ServerSpec,
    },
    /// Replace the settings of `server_name` (renaming it when `server.server_name` differs); keys the
    /// spec does not model stay.
    UpdateServer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<GatewayRef>,
        server_name: String,
        server: ServerSpec,
    },
    /// Remove `server_name` from the gateway.
    RemoveServer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<GatewayRef>,
        server_name: String,
    },
    /// Set one side's guardrail policy of a server.
    SetGuardrailPolicy {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<GatewayRef>,
        server_name: String,
        side: GuardrailSide,
        policy: GuardrailPolicySpec,
    },
    /// The master switch `common_mcp_gateway_config.enkrypt_guardrails_enabled` (the tray toggle).
    SetGuardrailsEnabled { enabled: bool },
    /// Replace a server's `denied_tools`.
    SetDeniedTools {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<GatewayRef>,
        server_name: String,
        denied: Vec<DeniedToolSpec>,
    },
    /// `common_mcp_gateway_config.tool_exposure`: which tools clients see.
    SetToolExposure { exposure: ToolExposureSetting },
    /// `common_mcp_gateway_config.enkrypt_guardrails_provider`: local detectors or the Enkrypt API.
    SetGuardrailsProvider { provider: GuardrailsProviderSetting },
    /// `common_mcp_gateway_config.enkrypt_api_key`: normally a `${keyring:NAME}` reference; `None`
    /// writes `null` (no key).
    SetEnkryptApiKey {
        #[serde(default)]
        api_key: Option<String>,
    },
    /// How checks behave when they cannot decide, and how long calls may take (common section):
    /// `enkrypt_guardrails_fail_open`, `enkrypt_guardrail_timeout_seconds`, `upstream_timeout_seconds`.
    /// Each `None` leaves its key as it is.
    SetGuardrailRuntime {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fail_open: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        guardrail_timeout_seconds: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upstream_timeout_seconds: Option<f64>,
    },
}

/// A stable error code for front ends to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditErrorCode {
    ConfigNotFound,
    MalformedConfig,
    Io,
    GatewayNotFound,
    NoGateway,
    ServerNotFound,
    DuplicateServer,
    InvalidEdit,
    UnexpectedShape,
    InvalidConfig,
    Conflict,
}

/// Why an edit could not be opened, applied or saved. Messages never contain a gateway key.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(
        "config file not found: {} (run `gateway-core init` to create one)",
        path.display()
    )]
    NotFound { path: PathBuf },
    #[error("{} is not valid JSON: {message} (line {line}, column {column})", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no gateway with id `{id}` in the config")]
    GatewayNotFound { id: String },
    #[error("the config has no gateway to add servers to (create one with `gateway-core init`)")]
    NoGateway,
    #[error("no server named `{server_name}` in gateway `{gateway}`")]
    ServerNotFound {
        server_name: String,
        gateway: String,
    },
    #[error("gateway `{gateway}` already has a server named `{server_name}`")]
    DuplicateServer {
        server_name: String,
        gateway: String,
    },
    #[error("invalid edit: {message}")]
    InvalidEdit { message: String },
    #[error("cannot edit {json_path}: {message}")]
    UnexpectedShape { json_path: String, message: String },
    #[error("{}", render_invalid(path, diagnostics))]
    InvalidConfig {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    #[error(
        "{} was changed by another program since it was opened; reopen it and apply the edit again",
        path.display()
    )]
    Conflict { path: PathBuf },
    #[error(transparent)]
    Write(#[from] FileError),
}

fn render_invalid(path: &Path, diagnostics: &[Diagnostic]) -> String {
    let mut out = format!("refusing to save {}: the result is invalid", path.display());
    for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        out.push('\n');
        out.push_str(&super::format_diagnostic(path, d));
    }
    out
}

impl EditError {
    /// The stable code of this error.
    pub fn kind(&self) -> EditErrorCode {
        match self {
            EditError::NotFound { .. } => EditErrorCode::ConfigNotFound,
            EditError::Malformed { .. } => EditErrorCode::MalformedConfig,
            EditError::Io { .. } | EditError::Write(_) => EditErrorCode::Io,
            EditError::GatewayNotFound { .. } => EditErrorCode::GatewayNotFound,
            EditError::NoGateway => EditErrorCode::NoGateway,
            EditError::ServerNotFound { .. } => EditErrorCode::ServerNotFound,
            EditError::DuplicateServer { .. } => EditErrorCode::DuplicateServer,
            EditError::InvalidEdit { .. } => EditErrorCode::InvalidEdit,
            EditError::UnexpectedShape { .. } => EditErrorCode::UnexpectedShape,
            EditError::InvalidConfig { .. } => EditErrorCode::InvalidConfig,
            EditError::Conflict { .. } => EditErrorCode::Conflict,
        }
    }

    /// The stable code as a string (`server_not_found`, `duplicate_server`, `invalid_config`, `io`, …).
    pub fn code(&self) -> &'static str {
        match self.kind() {
            EditErrorCode::ConfigNotFound => "config_not_found",
            EditErrorCode::MalformedConfig => "malformed_config",
            EditErrorCode::Io => "io",
            EditErrorCode::GatewayNotFound => "gateway_not_found",
            EditErrorCode::NoGateway => "no_gateway",
            EditErrorCode::ServerNotFound => "server_not_found",
            EditErrorCode::DuplicateServer => "duplicate_server",
            EditErrorCode::InvalidEdit => "invalid_edit",
            EditErrorCode::UnexpectedShape => "unexpected_shape",
            EditErrorCode::InvalidConfig => "invalid_config",
            EditErrorCode::Conflict => "conflict",
        }
    }

    /// The findings behind an `invalid_config` error; empty otherwise.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            EditError::InvalidConfig { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }

    /// The error as the UI receives it.
    pub fn to_payload(&self) -> EditErrorPayload {
        EditErrorPayload {
            code: self.kind(),
            message: self.to_string(),
            diagnostics: self.diagnostics().to_vec(),
        }
    }
}

/// An editing error as the UI receives it: `{code, message, diagnostics}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct EditErrorPayload {
    pub code: EditErrorCode,
    /// For people; never matched on.
    pub message: String,
    /// The config's findings when `code` is `invalid_config`.
    #[schemars(with = "Vec<DiagnosticShape>")]
    pub diagnostics: Vec<Diagnostic>,
}

impl Serialize for EditError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_payload().serialize(serializer)
    }
}

/// Which layout the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConfigLayout {
    /// `common_mcp_gateway_config` + `gateways{<key>: {id, mcp_config}}`.
    #[serde(rename = "1.x")]
    V1,
    /// `apikeys` → `projects` → `mcp_configs{<id>: {mcp_config}}`.
    #[serde(rename = "2.x")]
    V2,
}

/// What the editor shows: the switches and every gateway's servers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ConfigView {
    pub layout: ConfigLayout,
    /// `enkrypt_guardrails_enabled` (false when absent).
    pub guardrails_enabled: bool,
    /// `tool_exposure` (`both` when absent).
    pub tool_exposure: ToolExposureSetting,
    /// `enkrypt_guardrails_provider` as written; `None` when absent (then `enkrypt` with a key, else
    /// `local`).
    pub guardrails_provider: Option<GuardrailsProviderSetting>,
    /// Whether `enkrypt_api_key` holds something other than nothing or the example placeholder (the
    /// value itself is never in the view).
    pub enkrypt_api_key_set: bool,
    /// `enkrypt_guardrails_fail_open` (false when absent: a check that cannot decide blocks).
    pub guardrails_fail_open: bool,
    /// `enkrypt_guardrail_timeout_seconds` as written; `None` when absent (the gateway's default).
    pub guardrail_timeout_seconds: Option<f64>,
    /// `upstream_timeout_seconds` as written; `None` when absent (the gateway's default).
    pub upstream_timeout_seconds: Option<f64>,
    pub gateways: Vec<GatewayView>,
}

/// One gateway (1.x `gateways` entry, 2.x `mcp_configs` entry). Never carries the gateway key.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GatewayView {
    /// What [`GatewayRef::id`] selects it by.
    pub id: String,
    /// 2.x `mcp_config_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub servers: Vec<ServerSpec>,
}

/// An open config file: its raw JSON, edited in memory until [`ConfigDocument::save`].
///
/// `Debug` shows only the path and layout: the tree holds gateway keys and API keys.
#[derive(Clone)]
pub struct ConfigDocument {
    path: PathBuf,
    root: Value,
    format: ConfigFormat,
    /// SHA-256 of the bytes on disk when opened (or last saved), to detect writes by others.
    disk_hash: [u8; 32],
}

impl std::fmt::Debug for ConfigDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigDocument")
            .field("path", &self.path)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

fn hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The same layout rule as `config::load`: any 2.x chain section makes a file 2.x; else `gateways`
/// makes it 1.x; else `enkrypt_config` hints 2.x; else 1.x.
fn detect(root: &Value) -> ConfigFormat {
    let has = |k: &str| root.get(k).is_some();
    if ["apikeys", "projects", "mcp_configs"]
        .iter()
        .any(|k| has(k))
    {
        ConfigFormat::V2
    } else if has("gateways") {
        ConfigFormat::V1
    } else if has("enkrypt_config") {
        ConfigFormat::V2
    } else {
        ConfigFormat::V1
    }
}

impl ConfigDocument {
    /// Read and parse the file at `path`.
    pub fn open(path: &Path) -> Result<Self, EditError> {
        let bytes = std::fs::read(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => EditError::NotFound {
                path: path.to_path_buf(),
            },
            _ => EditError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.as_bytes().get(..e.utf8_error().valid_up_to());
            let line = 1 + valid
                .unwrap_or_default()
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            EditError::Malformed {
                path: path.to_path_buf(),
                line,
                column: 0,
                message: "the file is not valid UTF-8".into(),
            }
        })?;
        Self::from_text(path, &text)
    }

    /// A document for `text` as if read from `path` (which [`ConfigDocument::save`] writes).
    pub fn from_text(path: &Path, text: &str) -> Result<Self, EditError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let root: Value = serde_json::from_str(body).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            EditError::Malformed {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            format: detect(&root),
            root,
            disk_hash: hash(text.as_bytes()),
        })
    }

    /// The file this document saves to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The layout of the file.
    pub fn format(&self) -> ConfigFormat {
        self.format
    }

    /// The raw JSON tree, as it would be written.
    pub fn as_value(&self) -> &Value {
        &self.root
    }

    /// The text [`ConfigDocument::save`] writes: 2-space JSON with a trailing newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.root)
            .expect("a serde_json::Value always serializes (its keys are strings)");
        text.push('\n');
        text
    }

    /// [`ConfigDocument::validate`] with explicit `${…}` reference sources.
    pub fn validate_with(&self, sources: &RefSources<'_>) -> Vec<Diagnostic> {
        match super::load_str_with(&self.path, &self.to_text(), sources) {
            Ok(config) => config.warnings,
            Err(error) if !error.diagnostics().is_empty() => error.diagnostics().to_vec(),
            Err(error) => vec![Diagnostic {
                severity: Severity::Error,
                location: Location {
                    json_path: JsonPath::root().to_string(),
                    line: None,
                },
                message: error.to_string(),
            }],
        }
    }

    /// The switches and the servers of every gateway, read leniently from the current content.
    pub fn view(&self) -> ConfigView {
        let common = self.root.get(COMMON);
        let guardrails_enabled = common
            .and_then(|c| c.get("enkrypt_guardrails_enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let tool_exposure = common
            .and_then(|c| c.get("tool_exposure"))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let guardrails_provider = common
            .and_then(|c| c.get("enkrypt_guardrails_provider"))
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        let enkrypt_api_key_set = common
            .and_then(|c| c.get("enkrypt_api_key"))
            .and_then(Value::as_str)
            .is_some_and(|k| !k.trim().is_empty() && k != "YOUR_ENKRYPT_API_KEY");
        let common_f64 = |key: &str| common.and_then(|c| c.get(key)).and_then(Value::as_f64);
        let guardrails_fail_open = common
            .and_then(|c| c.get("enkrypt_guardrails_fail_open"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let guardrail_timeout_seconds = common_f64("enkrypt_guardrail_timeout_seconds");
        let upstream_timeout_seconds = common_f64("upstream_timeout_seconds");
        let gateways = self
            .gateway_slots()
            .into_iter()
            .map(|slot| {
                let gateway = self.root.pointer(&slot.pointer);
                let servers = gateway
                    .and_then(|g| g.get("mcp_config"))
                    .and_then(Value::as_array)
                    .map(|items| {
                        let entries = items.iter().filter_map(Value::as_object);
                        entries.map(spec::read_server).collect()
                    })
                    .unwrap_or_default();
                GatewayView {
                    id: slot.id,
                    name: gateway
                        .and_then(|g| g.get("mcp_config_name"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    servers,
                }
            })
            .collect();
        ConfigView {
            layout: match self.format {
                ConfigFormat::V1 => ConfigLayout::V1,
                ConfigFormat::V2 => ConfigLayout::V2,
            },
            guardrails_enabled,
            tool_exposure,
            guardrails_provider,
            enkrypt_api_key_set,
            guardrails_fail_open,
            guardrail_timeout_seconds,
            upstream_timeout_seconds,
            gateways,
        }
    }

    /// Apply one edit in memory. On error the document is unchanged.
    pub fn apply(&mut self, edit: ConfigEdit) -> Result<(), EditError> {
        let mut root = self.root.clone();
        apply_to(&mut root, self.format, &self.gateway_slots(), edit)?;
        self.root = root;
        Ok(())
    }

    /// Validate with `sources`, then write the file atomically with a timestamped backup of the
    /// previous version (`save()` uses this process's environment and the OS keychain:
    /// `crate::secrets::defaults`).
    ///
    /// Refuses (`invalid_config`) when the content has errors, and (`conflict`) when the file on disk
    /// is no longer what was opened or last saved.
    pub fn save_with(&mut self, sources: &RefSources<'_>) -> Result<WriteOutcome, EditError> {
        let diagnostics = self.validate_with(sources);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(EditError::InvalidConfig {
                path: self.path.clone(),
                diagnostics,
            });
        }
        let on_disk = std::fs::read(&self.path).ok();
        if on_disk.as_deref().map(hash) != Some(self.disk_hash) {
            return Err(EditError::Conflict {
                path: self.path.clone(),
            });
        }
        let text = self.to_text();
        let outcome = crate::files::write_atomic(&self.path, text.as_bytes(), true)?;
        self.disk_hash = hash(text.as_bytes());
        Ok(outcome)
    }

    /// Every gateway of the file, in file order: its id and the JSON pointer of its object.
    fn gateway_slots(&self) -> Vec<GatewaySlot> {
        match self.format {
            ConfigFormat::V1 => v1_slots(&self.root),
            ConfigFormat::V2 => v2_slots(&self.root),
        }
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
