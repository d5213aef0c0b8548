//! Whether each remote server of a gateway needs the user to sign in (OAuth): the keychain's word
//! through [`gateway_core::oauth`], plus one unauthenticated probe per server never signed in,
//! remembered per URL for [`PROBE_TTL`]. Used by the sign-in commands (`commands::oauth`) and by
//! the home page and tray's "needs attention" list ([`sign_in_attention`], via `status`). No token
//! ever leaves gateway-core: callers get [`SignInStatus`] (account, scopes, expiry).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gateway_core::config::{GatewayConfig, UpstreamTransport};
use gateway_core::oauth::{self, OAuthTarget, SignInStatus};
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::IpcError;

/// How long a probe's answer ("asks for a sign-in" or not) is trusted.
pub const PROBE_TTL: Duration = Duration::from_secs(600);
/// How long one probe may take (the home page and the tray wait for it the first time).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// One remote server's sign-in, as the Servers page shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ServerSignIn {
    pub server: String,
    /// The server answered an unauthenticated request with 401/403 (`None`: not known, e.g. offline).
    pub asks_for_sign_in: Option<bool>,
    /// What the keychain holds for it.
    pub status: SignInStatus,
    /// One line for people ([`SignInStatus::describe`]).
    pub summary: String,
}

impl ServerSignIn {
    /// Whether the user must sign in before calls to this server work.
    pub fn needs_action(&self) -> bool {
        match self.status {
            SignInStatus::SignedIn { .. } => false,
            SignInStatus::RefreshFailed { .. } => true,
            SignInStatus::SignInNeeded { .. } => self.asks_for_sign_in == Some(true),
        }
    }
}

/// Probe answers by server URL, with when they were learnt.
type ProbeCache = Mutex<HashMap<String, (Instant, Option<bool>)>>;

fn probes() -> &'static ProbeCache {
    static PROBES: std::sync::OnceLock<ProbeCache> = std::sync::OnceLock::new();
    PROBES.get_or_init(Default::default)
}

fn cached_probe(url: &str) -> Option<Option<bool>> {
    let cache = probes().lock().ok()?;
    cache
        .get(url)
        .filter(|(at, _)| at.elapsed() < PROBE_TTL)
        .map(|(_, answer)| *answer)
}

pub fn remember_probe(url: &str, answer: Option<bool>) {
    if let Ok(mut cache) = probes().lock() {
        cache.insert(url.to_owned(), (Instant::now(), answer));
    }
}

/// The gateway with id `gateway` (default: the first) of `config`.
pub fn gateway_index(config: &GatewayConfig, gateway: Option<&str>) -> Result<usize, IpcError> {
    match gateway {
        None if !config.gateways.is_empty() => Ok(0),
        None => Err(IpcError::new("no_gateway", "the config has no gateway")),
        Some(id) => config
            .gateways
            .iter()
            .position(|g| g.id == id)
            .ok_or_else(|| IpcError::new("no_gateway", format!("no gateway with id `{id}`"))),
    }
}

/// Every remote (HTTP) server of the gateway, as sign-in targets.
pub fn remote_targets(config: &GatewayConfig, index: usize) -> Vec<OAuthTarget> {
    config.gateways[index]
        .servers
        .iter()
        .filter(|s| matches!(s.transport, UpstreamTransport::Http { .. }))
        .filter_map(|s| OAuthTarget::from_config(config, index, &s.server_name).ok())
        .collect()
}

/// The sign-in of one target: the keychain's word, plus a probe when nothing is stored.
pub async fn sign_in_of(target: &OAuthTarget, probe: bool) -> ServerSignIn {
    let status = oauth::status(target)
        .await
        .unwrap_or_else(|error| SignInStatus::SignInNeeded {
            reason: Some(error.to_string()),
        });
    let asks_for_sign_in = match (&status, cached_probe(&target.url)) {
        (SignInStatus::SignedIn { .. } | SignInStatus::RefreshFailed { .. }, _) => Some(true),
        (_, Some(known)) => known,
        (_, None) if probe => {
            let answer =
                match tokio::time::timeout(PROBE_TIMEOUT, oauth::asks_for_sign_in(target)).await {
                    Ok(Ok(asks)) => Some(asks),
                    Ok(Err(error)) => {
                        tracing::info!(server = %target.server, %error, "sign-in probe failed");
                        None
                    }
                    Err(_) => {
                        tracing::info!(server = %target.server, "sign-in probe timed out");
                        None
                    }
                };
            remember_probe(&target.url, answer);
            answer
        }
        (_, None) => None,
    };
    ServerSignIn {
        server: target.server.clone(),
        asks_for_sign_in,
        summary: status.describe(),
        status,
    }
}

/// One sentence per remote server of `gateway` (default: the first) that needs the user to sign in,
/// for the home page and the tray. Blocking (keychain, and one probe per server not known yet): call
/// it off the async runtime, as [`crate::status::Summary::collect`] is.
pub fn sign_in_attention(config: &Path, gateway: Option<&str>) -> Vec<String> {
    let targets = cached_targets(config, gateway);
    if targets.is_empty() {
        return Vec::new();
    }
    tauri::async_runtime::block_on(async {
        let mut out = Vec::new();
        for target in &targets {
            let state = sign_in_of(target, true).await;
            if state.needs_action() {
                out.push(attention_line(&state));
            }
        }
        out
    })
}

/// The file a target list was read from: path, modification time, gateway.
type TargetsKey = (
    std::path::PathBuf,
    Option<std::time::SystemTime>,
    Option<String>,
);
type TargetCache = Mutex<Option<(TargetsKey, Vec<OAuthTarget>)>>;

/// The remote servers of `gateway` in the config at `config`, loaded again only when the file changed
/// (the tray asks every few seconds; loading resolves every keychain reference of the file).
fn cached_targets(config: &Path, gateway: Option<&str>) -> Vec<OAuthTarget> {
    static CACHE: std::sync::OnceLock<TargetCache> = std::sync::OnceLock::new();
    let key: TargetsKey = (
        config.to_path_buf(),
        std::fs::metadata(config).and_then(|m| m.modified()).ok(),
        gateway.map(str::to_owned),
    );
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(cached) = cache.lock()
        && let Some((at, targets)) = cached.as_ref()
        && *at == key
    {
        return targets.clone();
    }
    // A file that does not load now (mid-edit, a locked keychain) is read again next time.
    let Some(targets) = gateway_core::secrets::load_config(config)
        .ok()
        .and_then(|loaded| {
            let index = gateway_index(&loaded, gateway).ok()?;
            Some(remote_targets(&loaded, index))
        })
    else {
        return Vec::new();
    };
    if let Ok(mut cached) = cache.lock() {
        *cached = Some((key, targets.clone()));
    }
    targets
}

/// "Server linear needs sign-in." / "Server linear: refresh failed (…); sign in again."
pub fn attention_line(state: &ServerSignIn) -> String {
    match &state.status {
        SignInStatus::RefreshFailed { reason } => format!(
            "Server {}: refresh failed ({reason}); sign in again.",
            state.server
        ),
        _ => format!("Server {} needs sign-in.", state.server),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: SignInStatus, asks: Option<bool>) -> ServerSignIn {
        ServerSignIn {
            server: "linear".into(),
            asks_for_sign_in: asks,
            summary: status.describe(),
            status,
        }
    }

    #[test]
    fn only_servers_that_ask_or_failed_need_action() {
        let needed = SignInStatus::SignInNeeded { reason: None };
        assert!(state(needed.clone(), Some(true)).needs_action());
        assert!(!state(needed.clone(), Some(false)).needs_action());
        assert!(!state(needed, None).needs_action());
        let failed = state(
            SignInStatus::RefreshFailed {
                reason: "revoked".into(),
            },
            Some(true),
        );
        assert!(failed.needs_action());
        assert_eq!(
            attention_line(&failed),
            "Server linear: refresh failed (revoked); sign in again."
        );
        let signed_in = SignInStatus::SignedIn {
            client_id: "c".into(),
            scopes: vec![],
            expires_at: None,
            refreshable: true,
            issuer: None,
            account: Some("ana".into()),
        };
        assert!(!state(signed_in, Some(true)).needs_action());
    }

    /// A loopback HTTP server answering every request with `status` (and a Bearer challenge on 401).
    fn http_server(status: u16) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let extra = if status == 401 {
                    "WWW-Authenticate: Bearer scope=\"read\"\r\n"
                } else {
                    "Content-Type: application/json\r\n"
                };
                let body = if status == 401 { "" } else { "{}" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://127.0.0.1:{port}/mcp")
    }

    #[test]
    fn a_server_asking_for_sign_in_needs_attention_on_the_home_page_and_tray() {
        let (asks, open) = (http_server(401), http_server(200));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("enkrypt_mcp_config.json");
        let config = serde_json::json!({
            "common_mcp_gateway_config": {"enkrypt_guardrails_enabled": true, "enkrypt_guardrails_provider": "local"},
            "gateways": {"key-0123456789abcdef0123": {"id": "g1", "mcp_config": [
                {"server_name": "linear", "config": {"url": asks}, "tools": {}},
                {"server_name": "public", "config": {"url": open}, "tools": {}},
                {"server_name": "local", "config": {"command": "x"}, "tools": {}}
            ]}}
        });
        std::fs::write(&path, config.to_string()).expect("write");
        // Without a Secret Service the stored state is unreadable; the probe still decides.
        let lines = sign_in_attention(&path, None);
        assert_eq!(lines, ["Server linear needs sign-in."]);
        let view = gateway_core::config::ConfigDocument::open(&path)
            .expect("open")
            .view();
        let mut summary = crate::status::Summary::from_parts(Some(&view), None, 0, Vec::new());
        let before = summary.attention.len();
        summary.add_attention(lines);
        assert_eq!(summary.attention.len(), before + 1);
        assert_eq!(summary.mood, crate::status::Mood::Attention);
        assert!(summary.headline.contains("more)"), "{}", summary.headline);
    }

    #[test]
    fn probe_answers_are_remembered_per_url() {
        let url = "http://127.0.0.1:9/mcp-probe-cache-test";
        assert_eq!(cached_probe(url), None);
        remember_probe(url, Some(true));
        assert_eq!(cached_probe(url), Some(Some(true)));
    }
}
