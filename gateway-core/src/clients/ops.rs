//! The three client operations, shared by the CLI and the desktop app: [`install`], [`uninstall`] and
//! [`status`], with their serializable reports.
//!
//! Each resolves the client's file from the [`Context`], then edits only the entry named
//! [`ENTRY_NAME`] under the client's servers key through [`edit::update_json_file`] (locking, atomic
//! write, backup, malformed-file refusal live there). Reports carry masked entries only; the gateway
//! key never leaves this module in clear except inside the file written.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Map, Value};
use tracing::debug;

use super::edit::{self, ShapeError, WriteMode};
use super::entry::{self, Context, ENTRY_NAME, StaleReason};
use super::{ClientError, ClientSpec, ErrorBody, KeyDelivery};
use crate::config::JsonPath;

/// What an install or uninstall did (or, in a dry run, would do) to the client's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The file did not exist and was created with our entry.
    CreatedFile,
    /// Our entry was added to an existing file.
    AddedEntry,
    /// Our entry existed but was stale and was brought up to date.
    UpdatedEntry,
    /// Our entry was already up to date (install) — nothing written.
    Unchanged,
    /// Our entry was removed.
    RemovedEntry,
    /// There was no entry to remove (uninstall) — nothing written.
    NotInstalled,
}

/// The result of [`install`] or [`uninstall`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ChangeReport {
    /// Client id (`cursor`, …).
    pub client: &'static str,
    /// Client display name.
    pub client_name: &'static str,
    /// The client config file.
    pub path: PathBuf,
    /// What changed.
    pub change: Change,
    /// Whether the file was written (false for no-ops and dry runs).
    pub written: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Where the previous version of the file was saved.
    pub backup: Option<PathBuf>,
    /// Whether the client looks installed on this machine.
    pub detected: bool,
    /// Our entry as written (install) or as removed (uninstall), `env` values masked.
    pub entry: Option<Value>,
    /// For an update: what was stale before.
    pub stale_before: Vec<StaleReason>,
    /// How the gateway key is given to the client: a keychain reference or plain text.
    pub key_delivery: KeyDelivery,
}

/// Where our entry stands in a client's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// No entry (or no file).
    NotInstalled,
    /// The entry is what this gateway would write.
    UpToDate,
    /// The entry differs (see the reasons).
    Stale,
    /// The file could not be read or judged (see the error).
    Unknown,
}

/// The status of one client, as `status` prints it and the desktop app shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClientStatus {
    /// Client id.
    pub client: &'static str,
    /// Client display name.
    pub client_name: &'static str,
    /// The client config file (absent when it cannot be located, e.g. no HOME).
    pub path: Option<PathBuf>,
    /// The client looks installed (its config file or folder exists).
    pub detected: bool,
    /// The config file exists.
    pub file_exists: bool,
    /// Our entry is present.
    pub installed: bool,
    /// Up to date, stale, not installed, or unknown.
    pub state: EntryState,
    /// Why the entry is stale (empty otherwise).
    pub stale: Vec<StaleReason>,
    /// Why the state is unknown.
    pub error: Option<ErrorBody>,
    /// Whether the entry carries the gateway key in plain text (`None` when there is no entry).
    pub key_in_plain_text: Option<bool>,
    /// Servers the client still runs directly, not through the gateway (names; our entry excluded).
    pub direct_servers: Vec<String>,
}

fn servers_path(client: &ClientSpec) -> JsonPath {
    JsonPath::root().key(client.servers_key)
}

/// The servers key holds something other than an object.
fn wrong_shape(client: &ClientSpec, found: &Value) -> ShapeError {
    ShapeError {
        path: servers_path(client),
        detail: format!(
            "`{}` is {}; {} expects an object of servers",
            client.servers_key,
            edit::kind(found),
            client.display_name
        ),
    }
}

/// The client's servers object, created empty when absent; a non-object is a [`ShapeError`].
fn servers_mut<'d>(
    client: &ClientSpec,
    doc: &'d mut Map<String, Value>,
) -> Result<&'d mut Map<String, Value>, ShapeError> {
    let slot = doc
        .entry(client.servers_key)
        .or_insert_with(|| Value::Object(Map::new()));
    match slot {
        Value::Object(servers) => Ok(servers),
        other => Err(wrong_shape(client, other)),
    }
}

/// Our entry in a parsed document, if any; a non-object servers key is a [`ShapeError`].
fn find_entry<'d>(
    client: &ClientSpec,
    doc: &'d Map<String, Value>,
) -> Result<Option<&'d Value>, ShapeError> {
    match doc.get(client.servers_key) {
        None => Ok(None),
        Some(Value::Object(servers)) => Ok(servers.get(ENTRY_NAME)),
        Some(other) => Err(wrong_shape(client, other)),
    }
}

/// The servers of a parsed client document other than ours, in file order (a shape problem gives
/// none: `status` reports it through the entry look-up).
pub(crate) fn direct_servers(client: &ClientSpec, doc: &Map<String, Value>) -> Vec<String> {
    match doc.get(client.servers_key) {
        Some(Value::Object(servers)) => servers
            .iter()
            .filter(|(name, value)| {
                name.as_str() != ENTRY_NAME && !super::import::points_at_gateway(value)
            })
            .map(|(name, _)| name.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// Adds our entry to `client`'s config, or brings a stale one up to date, keeping everything else.
/// Idempotent: when the entry is already right nothing is written and no backup is made.
pub fn install(
    client: &ClientSpec,
    ctx: &Context,
    mode: WriteMode,
) -> Result<ChangeReport, ClientError> {
    let path = client.config_path(ctx.os, &ctx.env)?;
    let wanted = entry::build_entry(client, ctx)?;
    // Before the write, which would make the file (and so the client) look present.
    let detected = client.is_detected(ctx.os, &ctx.env);
    let mut stale_before = Vec::new();
    let update = edit::update_json_file(&path, mode, |doc| {
        let servers = servers_mut(client, doc)?;
        stale_before = servers
            .get(ENTRY_NAME)
            .map(|old| entry::compare(client, ctx, old))
            .unwrap_or_default();
        let merged = entry::merge_entry(servers.get(ENTRY_NAME), wanted.clone());
        servers.insert(ENTRY_NAME.to_owned(), merged);
        Ok(())
    })?;
    let had_entry = find_entry(client, &update.before).ok().flatten().is_some();
    let change = match (update.changed, update.existed, had_entry) {
        (false, _, _) => Change::Unchanged,
        (true, false, _) => Change::CreatedFile,
        (true, true, false) => Change::AddedEntry,
        (true, true, true) => Change::UpdatedEntry,
    };
    let entry = find_entry(client, &update.after)
        .ok()
        .flatten()
        .map(entry::masked);
    debug!(client = client.id, path = %update.path.display(), ?change, written = update.written, "install");
    Ok(ChangeReport {
        client: client.id,
        client_name: client.display_name,
        path: update.path,
        change,
        written: update.written,
        dry_run: mode == WriteMode::DryRun,
        backup: update.backup,
        detected,
        entry,
        stale_before: if change == Change::UpdatedEntry {
            stale_before
        } else {
            Vec::new()
        },
        key_delivery: ctx.key_delivery.clone(),
    })
}

/// Removes our entry from `client`'s config (an emptied servers object is kept), with a backup.
/// A missing file or entry is not an error: nothing is written.
pub fn uninstall(
    client: &ClientSpec,
    ctx: &Context,
    mode: WriteMode,
) -> Result<ChangeReport, ClientError> {
    let path = client.config_path(ctx.os, &ctx.env)?;
    let detected = client.is_detected(ctx.os, &ctx.env);
    let update = edit::update_json_file(&path, mode, |doc| {
        if let Some(found) = doc.get_mut(client.servers_key) {
            match found {
                Value::Object(servers) => {
                    servers.shift_remove(ENTRY_NAME);
                }
                other => {
                    return Err(wrong_shape(client, other));
                }
            }
        }
        Ok(())
    })?;
    let removed = find_entry(client, &update.before)
        .ok()
        .flatten()
        .map(entry::masked);
    let change = if update.changed {
        Change::RemovedEntry
    } else {
        Change::NotInstalled
    };
    debug!(client = client.id, path = %update.path.display(), ?change, written = update.written, "uninstall");
    Ok(ChangeReport {
        client: client.id,
        client_name: client.display_name,
        path: update.path,
        change,
        written: update.written,
        dry_run: mode == WriteMode::DryRun,
        backup: update.backup,
        detected,
        entry: removed,
        stale_before: Vec::new(),
        key_delivery: ctx.key_delivery.clone(),
    })
}

/// Where our entry stands in `client`'s config. Never fails: problems are reported in the status.
pub fn status(client: &ClientSpec, ctx: &Context) -> ClientStatus {
    let mut status = ClientStatus {
        client: client.id,
        client_name: client.display_name,
        path: None,
        detected: client.is_detected(ctx.os, &ctx.env),
        file_exists: false,
        installed: false,
        state: EntryState::NotInstalled,
        stale: Vec::new(),
        error: None,
        key_in_plain_text: None,
        direct_servers: Vec::new(),
    };
    let fail = |mut status: ClientStatus, error: ClientError| {
        status.state = EntryState::Unknown;
        status.error = Some(error.to_body());
        status
    };
    let path = match client.config_path(ctx.os, &ctx.env) {
        Ok(path) => path,
        Err(error) => return fail(status, error),
    };
    status.path = Some(path.clone());
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return status,
        Err(source) => return fail(status, ClientError::Read { path, source }),
    };
    status.file_exists = true;
    let found = edit::parse(&path, &bytes).and_then(|doc| {
        status.direct_servers = direct_servers(client, &doc);
        find_entry(client, &doc)
            .map(|e| e.cloned())
            .map_err(|shape| edit::shape_error(&path, &bytes, shape))
    });
    match found {
        Ok(None) => {}
        Ok(Some(existing)) => {
            status.installed = true;
            status.key_in_plain_text = Some(
                existing
                    .get("env")
                    .and_then(|env| env.get(super::GATEWAY_KEY_ENV))
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.starts_with("${keyring:")),
            );
            status.stale = entry::compare(client, ctx, &existing);
            status.state = if status.stale.is_empty() {
                EntryState::UpToDate
            } else {
                EntryState::Stale
            };
        }
        Err(error) => return fail(status, error),
    }
    status
}
