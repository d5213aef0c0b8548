//! OAuth 2.1 sign-in for remote (streamable-HTTP) upstream servers, following the MCP authorization
//! spec on rmcp's `auth` support: discovery, client registration, PKCE, token exchange and refresh are
//! rmcp's; this module adds the keychain as the only place tokens live, the loopback redirect, the
//! sign-in state a user sees, and the call-time client.
//!
//! - `login.rs`: [`start_login`] → [`PendingLogin::authorization_url`] → [`PendingLogin::complete`].
//! - `redirect.rs`: the loopback listener the browser is sent back to.
//! - `store.rs`: one keychain entry per (gateway, server) ([`entry_name`]) and rmcp's credential store
//!   over it.
//! - `connect.rs`: [`authorized_client`] for `upstream::streamable_http`, and [`needs_sign_in`] to turn a 401
//!   into the "sign in with `gateway-core auth login <server>` or from the app" tool error.
//!
//! Not here: the CLI wording (`cli::auth`) and the desktop app's button (it calls these functions).

mod connect;
mod error;
mod login;
mod redirect;
mod store;

use serde::Serialize;

pub use connect::{
    SignInChallenge, authorized_client, authorized_client_with, needs_sign_in, remember_step_up,
    sign_in_challenge,
};
pub use error::OAuthError;
pub use login::{CLIENT_NAME, PendingLogin, asks_for_sign_in, start_login, start_login_with};

use crate::config::{GatewayConfig, OAuthSettings, UpstreamTransport};
use crate::secret::Sensitive;
use crate::secrets::Keychain;

/// The keychain entry (user name under service `enkrypt-secure-mcp-gateway`) holding the sign-in of
/// `server` for the gateway `gateway_id`: `oauth.<server, sanitised>.<16 hex digits of a hash of both>`.
pub fn entry_name(gateway_id: &str, server: &str) -> String {
    crate::secret::names::oauth_entry(gateway_id, server)
}

/// The command a user runs to sign in to `server` (quoted when the name needs it).
pub fn login_command(server: &str) -> String {
    let plain = !server.is_empty()
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        format!("gateway-core auth login {server}")
    } else {
        format!(
            "gateway-core auth login '{}'",
            server.replace('\'', "'\\''")
        )
    }
}

/// One remote server of one gateway, as far as signing in is concerned.
#[derive(Debug, Clone)]
pub struct OAuthTarget {
    pub server: String,
    pub url: String,
    /// The server's static headers (sent with the probe too: some servers route on them).
    pub headers: std::collections::BTreeMap<String, Sensitive<String>>,
    pub settings: OAuthSettings,
}

impl OAuthTarget {
    /// `server` of the gateway at `gateway_index` of `config`.
    pub fn from_config(
        config: &GatewayConfig,
        gateway_index: usize,
        server: &str,
    ) -> Result<Self, OAuthError> {
        let gateway = config
            .gateways
            .get(gateway_index)
            .ok_or_else(|| OAuthError::Gateway("no such gateway in the config".into()))?;
        let entry = gateway
            .servers
            .iter()
            .find(|s| s.server_name == server)
            .ok_or_else(|| OAuthError::UnknownServer {
                server: server.to_owned(),
            })?;
        match &entry.transport {
            UpstreamTransport::Http {
                url,
                headers,
                oauth,
            } => Ok(Self {
                server: server.to_owned(),
                url: url.clone(),
                headers: headers.clone(),
                settings: oauth.clone(),
            }),
            UpstreamTransport::Stdio { .. } => Err(OAuthError::NotRemote {
                server: server.to_owned(),
            }),
        }
    }
}

/// Which gateway of `config` a sign-in to `server` is for: the one whose key is `presented`
/// (`ENKRYPT_GATEWAY_KEY`), else the only gateway that has a server of that name.
pub fn select_gateway(
    config: &GatewayConfig,
    presented: Option<&str>,
    server: &str,
) -> Result<usize, OAuthError> {
    if presented.is_some_and(|k| !k.trim().is_empty()) {
        return crate::auth::find_gateway_index(config, presented)
            .map_err(|e| OAuthError::Gateway(e.to_string()));
    }
    let having: Vec<usize> = config
        .gateways
        .iter()
        .enumerate()
        .filter(|(_, g)| g.servers.iter().any(|s| s.server_name == server))
        .map(|(i, _)| i)
        .collect();
    match having.as_slice() {
        [] => Err(OAuthError::UnknownServer {
            server: server.to_owned(),
        }),
        [one] => Ok(*one),
        many => Err(OAuthError::AmbiguousGateway {
            server: server.to_owned(),
            count: many.len(),
        }),
    }
}

/// What a person sees about one server's sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SignInStatus {
    /// Tokens are stored. `expires_at` is Unix seconds (when the server said); an expired access token
    /// with a refresh token is renewed silently on the next call. `account` is who signed in (display
    /// only: the `id_token`'s or the userinfo endpoint's `preferred_username`, `email`, `name` or `sub`).
    SignedIn {
        client_id: String,
        scopes: Vec<String>,
        expires_at: Option<u64>,
        refreshable: bool,
        issuer: Option<String>,
        account: Option<String>,
    },
    /// No usable tokens: never signed in, signed out, or the tokens expired without a refresh token.
    SignInNeeded { reason: Option<String> },
    /// The authorization server refused to renew the tokens (revoked, expired): sign in again.
    RefreshFailed { reason: String },
}

impl SignInStatus {
    fn from_saved(saved: Option<&store::SavedLogin>) -> Self {
        let Some(saved) = saved else {
            return Self::SignInNeeded { reason: None };
        };
        if saved.credentials.token_response.is_none() {
            return match &saved.refresh_error {
                Some(reason) => Self::RefreshFailed {
                    reason: reason.clone(),
                },
                None => Self::SignInNeeded { reason: None },
            };
        }
        let expires_at = saved.expires_at();
        let refreshable = saved.has_refresh_token();
        if expires_at.is_some_and(|at| at <= store::now_secs()) && !refreshable {
            return Self::SignInNeeded {
                reason: Some("the access token expired and there is no refresh token".into()),
            };
        }
        Self::SignedIn {
            client_id: saved.client_id.clone(),
            scopes: saved.credentials.granted_scopes.clone(),
            expires_at,
            refreshable,
            issuer: saved.credentials.issuer.clone(),
            account: saved.account.clone(),
        }
    }

    /// Whether calls to the server can go through without a person signing in.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, Self::SignedIn { .. })
    }

    /// One line for people: "signed in as ana@example.com (expires in 55 min)", "sign-in needed: …".
    pub fn describe(&self) -> String {
        match self {
            Self::SignedIn {
                expires_at,
                refreshable,
                scopes,
                account,
                ..
            } => {
                let now = store::now_secs();
                let expiry = match expires_at {
                    Some(at) if *at > now => format!("access token expires in {}s", at - now),
                    Some(_) => "access token expired".to_owned(),
                    None => "no expiry given".to_owned(),
                };
                let refresh = if *refreshable {
                    "renewed automatically"
                } else {
                    "no refresh token: sign in again when it expires"
                };
                let scopes = if scopes.is_empty() {
                    String::new()
                } else {
                    format!("; scopes: {}", scopes.join(" "))
                };
                let who = account
                    .as_deref()
                    .map_or(String::new(), |a| format!(" as {a}"));
                format!("signed in{who} ({expiry}, {refresh}{scopes})")
            }
            Self::SignInNeeded { reason: None } => "sign-in needed".to_owned(),
            Self::SignInNeeded { reason: Some(r) } => format!("sign-in needed: {r}"),
            Self::RefreshFailed { reason } => format!("refresh failed: {reason}; sign in again"),
        }
    }
}

/// The sign-in state of `target` (reads the keychain; no network).
pub async fn status(target: &OAuthTarget) -> Result<SignInStatus, OAuthError> {
    status_with(Keychain::new(), target).await
}

/// [`status`] reading `keychain`.
pub async fn status_with(
    keychain: Keychain,
    target: &OAuthTarget,
) -> Result<SignInStatus, OAuthError> {
    let entry = target.settings.keychain_entry.clone();
    let server = target.server.clone();
    let url = target.url.clone();
    tokio::task::spawn_blocking(move || {
        let saved = store::read(&keychain, &entry, &server)?;
        Ok(match saved {
            Some(saved) if saved.server_url != url => SignInStatus::SignInNeeded {
                reason: Some(format!(
                    "the stored sign-in is for {}, the config now says {url}",
                    saved.server_url
                )),
            },
            other => SignInStatus::from_saved(other.as_ref()),
        })
    })
    .await
    .map_err(|e| OAuthError::Internal(e.to_string()))?
}

/// Removes the sign-in of `target` from the keychain. Returns whether there was one.
pub async fn logout(target: &OAuthTarget) -> Result<bool, OAuthError> {
    logout_with(Keychain::new(), target).await
}

/// [`logout`] on `keychain`.
pub async fn logout_with(keychain: Keychain, target: &OAuthTarget) -> Result<bool, OAuthError> {
    let entry = target.settings.keychain_entry.clone();
    tokio::task::spawn_blocking(move || keychain.delete(&entry))
        .await
        .map_err(|e| OAuthError::Internal(e.to_string()))?
        .map_err(OAuthError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_valid_distinct_and_stable() {
        let a = entry_name("gw-1", "GitHub Issues");
        assert!(crate::secrets::is_valid_name(&a), "{a}");
        assert!(a.starts_with("oauth.GitHub_Issues."));
        assert_eq!(a, entry_name("gw-1", "GitHub Issues"));
        assert_ne!(a, entry_name("gw-2", "GitHub Issues"));
        assert_ne!(entry_name("g", "a b"), entry_name("g", "a_b"));
        let long = entry_name(&"x".repeat(500), &"é".repeat(300));
        assert!(crate::secrets::is_valid_name(&long), "{long}");
    }

    #[test]
    fn login_command_quotes_odd_names() {
        assert_eq!(login_command("linear"), "gateway-core auth login linear");
        assert_eq!(
            login_command("my server"),
            "gateway-core auth login 'my server'"
        );
    }
}
