//! The last known tool list of every server, kept on disk so a freshly started gateway answers
//! `tools/list` at once while its upstreams start in the background ("instant start").
//!
//! One JSON file next to the config (`enkrypt_tool_snapshot.json`), keyed by `<gateway id>/<server>`.
//! Each entry carries a fingerprint of the server's transport and `tools` rules, so an edited server
//! never reuses a stale list. Writes are atomic (temp file + rename) and run on the blocking pool;
//! two gateway processes writing at once may each lose the other's newest entry, which costs one
//! slower start, never a wrong answer: a snapshot list is always refreshed from the upstream and the
//! client is told (`tools/list_changed`) when it differed. Tools from a snapshot still go through the
//! access rules and the quarantine at listing time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rmcp::model::Tool;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{ServerConfig, UpstreamTransport};

/// File name, next to the config file.
pub const FILE_NAME: &str = "enkrypt_tool_snapshot.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct SnapshotFile {
    version: u32,
    servers: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    tools: Vec<Tool>,
}

/// The snapshot store of one config file.
#[derive(Debug, Clone)]
pub struct ToolSnapshot {
    path: PathBuf,
    loaded: Arc<BTreeMap<String, Entry>>,
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

fn key(gateway_id: &str, server: &str) -> String {
    format!("{gateway_id}/{server}")
}

/// Feeds `name=value` pairs (env or headers) into the fingerprint, each after `tag`.
fn hash_pairs(
    hasher: &mut Sha256,
    tag: &[u8],
    pairs: &std::collections::BTreeMap<String, crate::secret::Sensitive<String>>,
) {
    for (name, value) in pairs {
        hasher.update(tag);
        hasher.update(name.as_bytes());
        hasher.update(b"=");
        hasher.update(value.expose().as_bytes());
    }
}

/// What identifies a server's tool list: how it is reached and which tools are allowed. Secrets in
/// env/header values are hashed together with the rest, never stored.
pub fn fingerprint(server: &ServerConfig) -> String {
    let mut hasher = Sha256::new();
    match &server.transport {
        UpstreamTransport::Stdio { command, args, env } => {
            hasher.update(b"stdio\0");
            hasher.update(command.as_bytes());
            for arg in args {
                hasher.update(b"\0");
                hasher.update(arg.as_bytes());
            }
            hash_pairs(&mut hasher, b"\0env\0", env);
        }
        UpstreamTransport::Http { url, headers, .. } => {
            hasher.update(b"http\0");
            hasher.update(url.as_bytes());
            hash_pairs(&mut hasher, b"\0hdr\0", headers);
        }
    }
    hasher.update(b"\0tools\0");
    hasher.update(
        serde_json::Value::Object(server.tools.clone())
            .to_string()
            .as_bytes(),
    );
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read(path: &Path) -> BTreeMap<String, Entry> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<SnapshotFile>(&bytes).ok())
        .map(|file| file.servers)
        .unwrap_or_default()
}

impl ToolSnapshot {
    /// The snapshot next to `config_path`, read once now (a missing or unreadable file is empty).
    pub fn for_config(config_path: &Path) -> Self {
        let dir = config_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let path = dir.join(FILE_NAME);
        let loaded = Arc::new(read(&path));
        Self {
            path,
            loaded,
            write_lock: Arc::default(),
        }
    }

    /// The tools saved for `server` when its fingerprint still matches.
    pub fn get(&self, gateway_id: &str, server: &ServerConfig) -> Option<Vec<Tool>> {
        self.loaded
            .get(&key(gateway_id, &server.server_name))
            .filter(|e| e.fingerprint == fingerprint(server))
            .map(|e| e.tools.clone())
    }

    /// Saves `tools` for `server` (read-modify-write of the file, atomic, off the runtime).
    pub async fn save(&self, gateway_id: &str, server: &ServerConfig, tools: &[Tool]) {
        let _guard = self.write_lock.lock().await;
        let path = self.path.clone();
        let entry_key = key(gateway_id, &server.server_name);
        let entry = Entry {
            fingerprint: fingerprint(server),
            tools: tools.to_vec(),
        };
        let written = tokio::task::spawn_blocking(move || {
            let mut servers = read(&path);
            servers.insert(entry_key, entry);
            let file = SnapshotFile {
                version: 1,
                servers,
            };
            let bytes = serde_json::to_vec(&file).map_err(|e| e.to_string())?;
            crate::files::write_atomic(&path, &bytes, false)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "tool snapshot not saved"),
            Err(error) => tracing::debug!(%error, "tool snapshot task failed"),
        }
    }
}
