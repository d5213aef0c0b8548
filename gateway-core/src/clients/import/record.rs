//! Restore records: what `client restore` needs to put a client's file back exactly as it was before an
//! import, without a plaintext secret on disk.
//!
//! A record is a small JSON file in `<gateway config folder>/client-backups/`, named
//! `<client id>-<UTC timestamp>.json`, written (atomically, 0600) under the client file's lock just
//! before the client file is replaced. It holds the previous text with every value that moved to the
//! keychain replaced by a marker, the keychain names to put back, and the SHA-256 of the bytes before
//! and after. When the markers cannot reproduce the original byte for byte (an unusual escape in a
//! secret), the whole original is kept in the keychain instead and the record only names that entry.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Segment;
use crate::secret::Sensitive;
use crate::secrets::SecretStore;
use crate::secrets::spans::{splice, string_value_spans};

/// Format version of a record.
const VERSION: u32 = 1;

/// One value taken out of the saved text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    /// The marker string that stands in the saved text (as a JSON string).
    pub marker: String,
    /// The keychain entry holding the value.
    pub name: String,
    /// Text in front of the value (`Bearer `).
    pub prefix: String,
}

/// A restore record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    /// Client id.
    pub client: String,
    /// The client config file.
    pub path: PathBuf,
    /// When the import happened (RFC 3339).
    pub created: String,
    /// Fixed-width UTC timestamp naming the record file (sorts by time).
    pub stamp: String,
    /// Servers this import added to the gateway (removed again by `restore --remove-servers`).
    pub added_servers: Vec<String>,
    /// Gateway names of the servers taken out of the client file.
    pub wrapped_servers: Vec<String>,
    /// The gateway this import used (its id).
    pub gateway_id: String,
    /// The file started with a UTF-8 byte order mark.
    pub bom: bool,
    /// The previous text (without the BOM), markers in place of moved secrets; `None` when the whole
    /// original is in the keychain (`original_entry`).
    pub text: Option<String>,
    /// The values to put back into `text`.
    pub marked: Vec<Marked>,
    /// Keychain entry holding the whole original, when `text` could not be used.
    pub original_entry: Option<String>,
    /// SHA-256 (hex) of the file before the import.
    pub before_sha256: String,
    /// SHA-256 (hex) of the file the import wrote.
    pub after_sha256: String,
}

/// Why a record could not be made, read or used.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read restore record {}: {detail}", path.display())]
    Read { path: PathBuf, detail: String },
    #[error("the keychain entry `{name}` needed to restore the file is {detail}")]
    Secret { name: String, detail: String },
    #[error("cannot save the restore record: {0}")]
    Save(String),
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The folder holding the records for the gateway config at `config`.
pub fn folder(config: &Path) -> PathBuf {
    config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("client-backups")
}

/// A value to take out of the saved text: where it is, and where it now lives.
#[derive(Debug, Clone)]
pub struct Removal {
    /// JSON path of the string literal in the client file.
    pub path: Vec<Segment>,
    pub name: String,
    pub prefix: String,
    /// The literal's full value (prefix included), to verify the reconstruction.
    pub value: Sensitive<String>,
}

/// Builds the record for replacing `before` (the exact bytes; `None` for no file) by `after`.
#[allow(clippy::too_many_arguments)]
pub fn build(
    client: &str,
    path: &Path,
    gateway_id: &str,
    added: Vec<String>,
    wrapped: Vec<String>,
    before: &[u8],
    after: &[u8],
    removals: &[Removal],
    store: &dyn SecretStore,
) -> Result<Record, RecordError> {
    let (created, stamp) = now();
    let text = String::from_utf8_lossy(before);
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text.as_ref()),
    };
    let mut record = Record {
        version: VERSION,
        client: client.to_owned(),
        path: path.to_path_buf(),
        created: created.clone(),
        stamp: stamp.clone(),
        added_servers: added,
        wrapped_servers: wrapped,
        gateway_id: gateway_id.to_owned(),
        bom,
        text: None,
        marked: Vec::new(),
        original_entry: None,
        before_sha256: sha256_hex(before),
        after_sha256: sha256_hex(after),
    };
    if let Some((scrubbed, marked)) = scrub(body, removals) {
        let values: Vec<String> = removals.iter().map(|r| r.value.expose().clone()).collect();
        let rebuilt = fill(&scrubbed, &marked, &values, bom);
        if rebuilt.as_deref() == Some(before) {
            record.text = Some(scrubbed);
            record.marked = marked;
            return Ok(record);
        }
    }
    // Fallback: the original as one keychain entry.
    let name = crate::secrets::sanitize_name(&format!("client-backup.{client}.{stamp}"), 128);
    store
        .set(&name, &String::from_utf8_lossy(before))
        .map_err(|e| RecordError::Save(e.to_string()))?;
    record.original_entry = Some(name);
    Ok(record)
}

/// `body` with each removal's literal replaced by a marker.
fn scrub(body: &str, removals: &[Removal]) -> Option<(String, Vec<Marked>)> {
    if removals.is_empty() {
        return Some((body.to_owned(), Vec::new()));
    }
    let spans = string_value_spans(body)?;
    let mut edits = Vec::new();
    let mut marked = Vec::new();
    for (i, removal) in removals.iter().enumerate() {
        let range = spans.get(&removal.path)?.clone();
        let marker = format!("${{enkrypt-restore:{i}}}");
        edits.push((range, marker.clone()));
        marked.push(Marked {
            marker,
            name: removal.name.clone(),
            prefix: removal.prefix.clone(),
        });
    }
    Some((splice(body, edits)?, marked))
}

/// The original bytes from the scrubbed text and the values (in `marked` order).
fn fill(text: &str, marked: &[Marked], values: &[String], bom: bool) -> Option<Vec<u8>> {
    let mut out = text.to_owned();
    for (m, value) in marked.iter().zip(values) {
        let marker_literal = serde_json::to_string(&m.marker).ok()?;
        let literal = serde_json::to_string(value).ok()?;
        if out.matches(&marker_literal).count() != 1 {
            return None;
        }
        out = out.replacen(&marker_literal, &literal, 1);
    }
    let mut bytes = Vec::with_capacity(out.len() + 3);
    if bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend_from_slice(out.as_bytes());
    Some(bytes)
}

impl Record {
    /// The original bytes, with the secrets read back from `store`.
    pub fn original(&self, store: &dyn SecretStore) -> Result<Vec<u8>, RecordError> {
        let read = |name: &str| -> Result<String, RecordError> {
            match store.get(name) {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(RecordError::Secret {
                    name: name.to_owned(),
                    detail: "gone (deleted since the import)".into(),
                }),
                Err(e) => Err(RecordError::Secret {
                    name: name.to_owned(),
                    detail: format!("unreadable: {e}"),
                }),
            }
        };
        if let Some(entry) = &self.original_entry {
            return Ok(read(entry)?.into_bytes());
        }
        let text = self.text.as_deref().unwrap_or_default();
        let values = self
            .marked
            .iter()
            .map(|m| Ok(format!("{}{}", m.prefix, read(&m.name)?)))
            .collect::<Result<Vec<_>, RecordError>>()?;
        fill(text, &self.marked, &values, self.bom).ok_or_else(|| RecordError::Read {
            path: self.path.clone(),
            detail: "the saved text does not match its markers".into(),
        })
    }

    /// Saves the record in `dir`; returns its path.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, RecordError> {
        let path = dir.join(format!("{}-{}.json", self.client, self.stamp));
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| RecordError::Save(e.to_string()))?;
        text.push('\n');
        crate::files::write_atomic(&path, text.as_bytes(), false)
            .map_err(|e| RecordError::Save(e.to_string()))?;
        Ok(path)
    }

    /// Reads the record at `path`.
    pub fn load(path: &Path) -> Result<Self, RecordError> {
        let err = |detail: String| RecordError::Read {
            path: path.to_path_buf(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let record: Record = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if record.version != VERSION {
            return Err(err(format!("unknown record version {}", record.version)));
        }
        Ok(record)
    }
}

/// The records of `client` in `dir`, oldest first.
pub fn list(dir: &Path, client: &str) -> Vec<PathBuf> {
    let prefix = format!("{client}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.strip_prefix(&prefix)
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                })
        })
        .collect();
    found.sort();
    found
}

/// Now as RFC 3339 and as a fixed-width stamp (`20261207T175501123456Z`).
fn now() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let rfc = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    (rfc, stamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Map(RefCell<HashMap<String, String>>);

    impl SecretStore for Map {
        fn get(&self, name: &str) -> Result<Option<String>, crate::secrets::SecretError> {
            Ok(self.0.borrow().get(name).cloned())
        }
        fn set(&self, name: &str, value: &str) -> Result<(), crate::secrets::SecretError> {
            self.0.borrow_mut().insert(name.into(), value.into());
            Ok(())
        }
    }

    fn path(parts: &[&str]) -> Vec<Segment> {
        parts.iter().map(|p| Segment::Key((*p).into())).collect()
    }

    #[test]
    fn the_saved_text_has_no_secret_and_gives_back_the_exact_bytes() {
        let store = Map::default();
        let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        let before = format!(
            "\u{feff}{{\r\n  \"mcpServers\": {{\"gh\": {{\"command\": \"npx\",   \"env\": {{\"T\": \"{token}\"}}}}}},\r\n  \"other\": [1,2]\r\n}}\r\n"
        );
        store.set("gh.T", token).expect("set");
        let removals = [Removal {
            path: path(&["mcpServers", "gh", "env", "T"]),
            name: "gh.T".into(),
            prefix: String::new(),
            value: Sensitive::new(token.into()),
        }];
        let record = build(
            "cursor",
            Path::new("/x/mcp.json"),
            "gw",
            vec!["gh".into()],
            vec!["gh".into()],
            before.as_bytes(),
            b"{}",
            &removals,
            &store,
        )
        .expect("record");
        assert!(record.bom);
        let text = record.text.clone().expect("text kept");
        assert!(!text.contains(token));
        assert!(record.original_entry.is_none());
        assert_eq!(
            record.original(&store).expect("restored"),
            before.as_bytes()
        );
        let json = serde_json::to_string(&record).expect("json");
        assert!(!json.contains(token));
    }

    #[test]
    fn odd_escapes_fall_back_to_the_keychain() {
        let store = Map::default();
        // `\/` decodes to `/`, which re-encodes without the backslash: markers cannot reproduce it.
        let before = r#"{"mcpServers": {"s": {"env": {"K": "sk-abc\/def0123456789abcdef"}}}}"#;
        let removals = [Removal {
            path: path(&["mcpServers", "s", "env", "K"]),
            name: "s.K".into(),
            prefix: String::new(),
            value: Sensitive::new("sk-abc/def0123456789abcdef".into()),
        }];
        let record = build(
            "cursor",
            Path::new("/x"),
            "gw",
            vec![],
            vec![],
            before.as_bytes(),
            b"{}",
            &removals,
            &store,
        )
        .expect("record");
        assert!(record.text.is_none());
        let entry = record.original_entry.clone().expect("in the keychain");
        assert!(crate::secrets::is_valid_name(&entry), "{entry}");
        assert_eq!(
            record.original(&store).expect("restored"),
            before.as_bytes()
        );
    }

    #[test]
    fn records_are_listed_per_client_oldest_first() {
        let dir = tempfile::tempdir().expect("dir");
        for name in [
            "cursor-20260101T000000Z.json",
            "cursor-20250101T000000Z.json",
            "claude-code-2026.json",
            "claude-desktop-2026.json",
        ] {
            std::fs::write(dir.path().join(name), "{}").expect("write");
        }
        let names: Vec<String> = list(dir.path(), "claude")
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert!(names.is_empty(), "{names:?}");
        let names: Vec<String> = list(dir.path(), "cursor")
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "cursor-20250101T000000Z.json",
                "cursor-20260101T000000Z.json"
            ]
        );
    }
}
