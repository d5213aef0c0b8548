//! Hot reload: watch the config file and hand every valid new version to the running gateway.
//!
//! The file is polled (metadata every [`POLL`], content hashed only when the metadata changed), which
//! works the same for in-place edits, atomic renames (the desktop app, `config::edit`), network and
//! container file systems, where change notifications are unreliable. A version that fails to load keeps
//! the old config in force and is reported once (audit `error` event + a warning); the same bytes are not
//! retried, the next change is. Loading resolves `${keyring:…}` references, so it runs on the blocking
//! pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::audit::{AuditEvent, AuditLog, Decision, EventKind};
use crate::config::{self, GatewayConfig};

/// How often the file's metadata is checked: a change is live well within a second.
pub const POLL: Duration = Duration::from_millis(200);

/// What identifies one version of the file without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

/// Something that takes a new config version.
pub trait Reloadable: Send + Sync + 'static {
    /// Applies a config that loaded and validated. Called on the runtime, one version at a time.
    fn apply(&self, config: Arc<GatewayConfig>) -> impl std::future::Future<Output = ()> + Send;
}

/// Polls `path` until the returned task is aborted, applying each new valid version to `target`.
/// `loaded` is the text the running config came from, so an unchanged file is not reloaded (the first
/// poll always reads the file, which closes the gap between the initial load and this call).
pub fn spawn<R: Reloadable>(
    path: PathBuf,
    loaded: Option<&[u8]>,
    target: Arc<R>,
    audit: AuditLog,
    gateway_id: String,
) -> tokio::task::JoinHandle<()> {
    let mut last_stamp = None;
    let mut last_hash = loaded.map(|bytes| Sha256::digest(bytes).to_vec());
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let now = stamp(&path);
            if now == last_stamp {
                continue;
            }
            last_stamp = now;
            let Ok(bytes) = tokio::fs::read(&path).await else {
                // Gone for a moment (an editor's save dance) or unreadable: keep the old config.
                continue;
            };
            let hash = Sha256::digest(&bytes).to_vec();
            if last_hash.as_ref() == Some(&hash) {
                continue;
            }
            last_hash = Some(hash);
            let owned = path.clone();
            let loaded = tokio::task::spawn_blocking(move || load_bytes(&owned, bytes)).await;
            match loaded {
                Ok(Ok(cfg)) => {
                    tracing::info!(path = %path.display(), "config changed; reloading");
                    crate::logging::apply_config_level(&cfg.common.log_level);
                    target.apply(Arc::new(cfg)).await;
                }
                Ok(Err(error)) => {
                    tracing::warn!(path = %path.display(), %error, "config change ignored: the new file is invalid; the previous config stays in force");
                    audit.record(
                        AuditEvent::new(EventKind::Error, gateway_id.clone())
                            .with_decision(Decision::Error)
                            .with_message(format!(
                                "config reload refused, previous config kept: {error}"
                            )),
                    );
                }
                Err(error) => tracing::warn!(%error, "config reload task failed"),
            }
        }
    })
}

/// Loads a config from bytes already read (resolving `${env:…}` and `${keyring:…}`).
fn load_bytes(path: &Path, bytes: Vec<u8>) -> Result<GatewayConfig, config::ConfigError> {
    let text = String::from_utf8(bytes).map_err(|_| config::ConfigError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not valid UTF-8",
        ),
    })?;
    let keychain = crate::secrets::KeychainSource::default();
    config::load_str_with(
        path,
        &text,
        &config::RefSources {
            env: &config::ProcessEnv,
            keyring: &keychain,
        },
    )
}

/// Records a successful reload in the audit log.
pub fn record_reload(
    audit: &AuditLog,
    gateway_id: &str,
    path: &Path,
    servers: usize,
    restarted: usize,
) {
    audit.record(
        AuditEvent::new(EventKind::Config, gateway_id.to_string()).with_message(format!(
            "config reloaded from {} ({servers} servers, {restarted} upstream(s) restarted)",
            path.display()
        )),
    );
}
