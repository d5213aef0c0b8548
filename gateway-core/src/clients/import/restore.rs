//! `client restore`: putting a client's file back from its newest restore record, and optionally
//! taking the servers that import added out of the gateway again.
//!
//! The file is written back only when it is still exactly what the import wrote (SHA-256), so nothing
//! the user or the client changed since is lost silently; `force` overrides that (the current file is
//! then kept as a `.bak` copy). A file already back to its pre-import bytes just retires the record.
//! Servers are removed from the gateway only when asked, and never one that another client's import
//! still relies on.

use std::path::PathBuf;

use serde::Serialize;

use super::record::{self, Record, sha256_hex};
use super::{ImportError, used_by_other_import};
use crate::clients::edit::{FileLock, WriteMode, lock_path};
use crate::clients::{ClientError, ClientSpec};
use crate::config::edit::GatewayRef;
use crate::config::{ConfigDocument, ConfigEdit};
use crate::secrets::SecretStore;

/// How to restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Remove the servers the import added from the gateway.
    pub remove_servers: bool,
    /// Restore even if the file changed since the import.
    pub force: bool,
    pub mode: WriteMode,
}

/// What a restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RestoreOutcome {
    /// The file was put back.
    Restored,
    /// The file already held its pre-import bytes; only the record was retired.
    AlreadyRestored,
}

/// The result of [`restore`].
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RestoreReport {
    pub client: &'static str,
    pub client_name: &'static str,
    pub path: PathBuf,
    pub outcome: RestoreOutcome,
    pub dry_run: bool,
    /// The record used (removed after a real restore).
    pub record: PathBuf,
    /// The restored bytes equal the file before the import.
    pub byte_identical: bool,
    /// Where the changed file was kept (only with `force` over a changed file).
    pub backup: Option<PathBuf>,
    /// Servers the import added that were removed from the gateway.
    pub removed_servers: Vec<String>,
    /// Servers the import added that stay in the gateway.
    pub kept_servers: Vec<String>,
}

/// Restores `client`'s file from its newest record under the gateway config `config`.
pub fn restore(
    client: &'static ClientSpec,
    path: PathBuf,
    config: &std::path::Path,
    opts: RestoreOptions,
    store: &dyn SecretStore,
) -> Result<RestoreReport, ImportError> {
    let dir = record::folder(config);
    let record_path = record::list(&dir, client.id)
        .pop()
        .ok_or(ImportError::NoRecord {
            client: client.display_name,
            dir: dir.clone(),
        })?;
    let record = Record::load(&record_path)?;
    let original = record.original(store)?;
    let current = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(ClientError::Read { path, source }.into()),
    };
    let current_sha = current.as_deref().map(sha256_hex);
    let outcome = if current_sha.as_deref() == Some(record.before_sha256.as_str()) {
        RestoreOutcome::AlreadyRestored
    } else if current_sha.as_deref() == Some(record.after_sha256.as_str()) || opts.force {
        RestoreOutcome::Restored
    } else {
        return Err(ImportError::ChangedSinceImport {
            path,
            record: record_path,
        });
    };
    let dry_run = opts.mode == WriteMode::DryRun;
    let changed_since = current_sha.as_deref() != Some(record.after_sha256.as_str());
    let mut backup = None;
    if !dry_run && outcome == RestoreOutcome::Restored {
        // Under the client file's lock, checked again right before the rename.
        let _lock = FileLock::acquire(&lock_path(&path))?;
        let now = std::fs::read(&path).ok();
        if now != current {
            return Err(ClientError::Busy { path }.into());
        }
        let written = crate::files::write_atomic(&path, &original, changed_since)
            .map_err(ClientError::from)?;
        backup = written.backup;
    }
    let (removed, kept) = servers_after_restore(client, config, &record, opts)?;
    if !dry_run && let Err(error) = std::fs::remove_file(&record_path) {
        tracing::warn!(record = %record_path.display(), %error, "cannot remove the used restore record");
    }
    Ok(RestoreReport {
        client: client.id,
        client_name: client.display_name,
        path,
        outcome,
        dry_run,
        record: record_path,
        byte_identical: sha256_hex(&original) == record.before_sha256,
        backup,
        removed_servers: removed,
        kept_servers: kept,
    })
}

/// Which added servers leave the gateway, and does it (unless dry).
fn servers_after_restore(
    client: &ClientSpec,
    config: &std::path::Path,
    record: &Record,
    opts: RestoreOptions,
) -> Result<(Vec<String>, Vec<String>), ImportError> {
    if !opts.remove_servers {
        return Ok((Vec::new(), record.added_servers.clone()));
    }
    let (shared, removable): (Vec<String>, Vec<String>) = record
        .added_servers
        .iter()
        .cloned()
        .partition(|name| used_by_other_import(config, client.id, name));
    if removable.is_empty() || opts.mode == WriteMode::DryRun {
        return Ok((removable, shared));
    }
    let mut doc = ConfigDocument::open(config)?;
    let mut removed = Vec::new();
    for name in removable {
        let edit = ConfigEdit::RemoveServer {
            gateway: Some(GatewayRef {
                id: record.gateway_id.clone(),
            }),
            server_name: name.clone(),
        };
        match doc.apply(edit) {
            Ok(()) => removed.push(name),
            // Removed by hand since: nothing to do.
            Err(e) if e.code() == "server_not_found" => {}
            Err(e) => return Err(e.into()),
        }
    }
    doc.save()?;
    Ok((removed, shared))
}
