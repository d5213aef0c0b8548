//! Where a sign-in lives: ONE keychain entry per (gateway, server) holding [`SavedLogin`] as JSON —
//! tokens, the registered client (id and secret), the authorization server's metadata and the challenge
//! discovery started from. [`KeychainStore`] is rmcp's `CredentialStore` over that entry: refreshed and
//! rotated tokens are written back there, and nowhere else (no file, no log line).
//!
//! Refreshes are serialised across gateway processes with an advisory lock file
//! (`~/.enkrypt/.oauth-<entry>.lock`, no secret in it); the entry is re-read under the lock, so a process
//! never refreshes with a refresh token another process has already rotated away.

use std::path::PathBuf;
use std::sync::Arc;

use oauth2::TokenResponse;
use rmcp::transport::auth::{
    AuthError, AuthorizationMetadata, CredentialRefreshGuard, CredentialStore, StoredCredentials,
};
use serde::{Deserialize, Serialize};

use super::OAuthError;
use crate::files::AdvisoryLock;
use crate::secrets::Keychain;

/// Version of the [`SavedLogin`] layout.
const LAYOUT: u32 = 1;

/// One server's sign-in for one gateway, as stored in the keychain.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SavedLogin {
    pub version: u32,
    /// The server URL signed in to (a config pointing elsewhere needs a new sign-in).
    pub server_url: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Whether the client came from dynamic registration (else from the config).
    #[serde(default)]
    pub registered: bool,
    pub redirect_uri: String,
    /// The `WWW-Authenticate` challenge discovery started from, to repeat it at call time.
    #[serde(default)]
    pub challenge: Option<String>,
    pub metadata: AuthorizationMetadata,
    pub credentials: StoredCredentials,
    /// Unix seconds of the interactive sign-in.
    pub signed_in_at: u64,
    /// Why the last refresh failed, when the tokens were dropped because of it.
    #[serde(default)]
    pub refresh_error: Option<String>,
    /// Scopes a call was refused for (403 `insufficient_scope`): the next sign-in asks for them too.
    #[serde(default)]
    pub step_up_scopes: Vec<String>,
    /// Who signed in, for display only (from the `id_token`'s claims or the userinfo endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl std::fmt::Debug for SavedLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedLogin")
            .field("server_url", &self.server_url)
            .field("client_id", &self.client_id)
            .field("has_tokens", &self.credentials.token_response.is_some())
            .finish_non_exhaustive()
    }
}

impl SavedLogin {
    /// A new record for a fresh sign-in.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        server_url: &str,
        client_id: String,
        client_secret: Option<String>,
        registered: bool,
        redirect_uri: String,
        challenge: Option<String>,
        metadata: AuthorizationMetadata,
        credentials: StoredCredentials,
    ) -> Self {
        Self {
            version: LAYOUT,
            server_url: server_url.to_owned(),
            client_id,
            client_secret,
            registered,
            redirect_uri,
            challenge,
            metadata,
            credentials,
            signed_in_at: now_secs(),
            refresh_error: None,
            step_up_scopes: Vec::new(),
            account: None,
        }
    }

    /// Unix seconds when the access token expires, when the server said.
    pub fn expires_at(&self) -> Option<u64> {
        let token = self.credentials.token_response.as_ref()?;
        let received = self.credentials.token_received_at?;
        Some(received + token.expires_in()?.as_secs())
    }

    pub fn has_refresh_token(&self) -> bool {
        self.credentials
            .token_response
            .as_ref()
            .and_then(|t| t.refresh_token())
            .is_some()
    }

    fn refresh_secret(&self) -> Option<&str> {
        self.credentials
            .token_response
            .as_ref()
            .and_then(|t| t.refresh_token())
            .map(|r| r.secret().as_str())
    }
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Reads `entry` (blocking: call from `spawn_blocking`). `Ok(None)`: never signed in, or signed out.
pub(crate) fn read(
    keychain: &Keychain,
    entry: &str,
    server: &str,
) -> Result<Option<SavedLogin>, OAuthError> {
    let Some(text) = keychain.get(entry)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| OAuthError::Corrupt {
            server: server.to_owned(),
            detail: format!("not the expected layout at line {}", e.line()),
        })
}

/// Writes `saved` to `entry` as one item (blocking).
pub(crate) fn write(
    keychain: &Keychain,
    entry: &str,
    saved: &SavedLogin,
) -> Result<(), OAuthError> {
    let text = serde_json::to_string(saved)
        .map_err(|e| OAuthError::Internal(format!("cannot encode the sign-in: {e}")))?;
    keychain.set(entry, &text)?;
    Ok(())
}

/// rmcp's credential store over one keychain entry, with the entry cached in memory between writes.
#[derive(Clone)]
pub(crate) struct KeychainStore {
    inner: Arc<Inner>,
}

struct Inner {
    keychain: Keychain,
    entry: String,
    server: String,
    saved: tokio::sync::Mutex<SavedLogin>,
}

fn store_error(error: impl std::fmt::Display) -> AuthError {
    AuthError::CredentialStoreError(error.to_string())
}

impl KeychainStore {
    pub fn new(keychain: Keychain, entry: &str, server: &str, saved: SavedLogin) -> Self {
        Self {
            inner: Arc::new(Inner {
                keychain,
                entry: entry.to_owned(),
                server: server.to_owned(),
                saved: tokio::sync::Mutex::new(saved),
            }),
        }
    }

    async fn persist(&self, saved: SavedLogin) -> Result<SavedLogin, AuthError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            write(&inner.keychain, &inner.entry, &saved).map(|()| saved)
        })
        .await
        .map_err(store_error)?
        .map_err(store_error)
    }
}

#[async_trait::async_trait]
impl CredentialStore for KeychainStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        Ok(Some(self.inner.saved.lock().await.credentials.clone()))
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        let mut saved = self.inner.saved.lock().await;
        let mut next = saved.clone();
        next.credentials = credentials;
        next.refresh_error = None;
        *saved = self.persist(next).await?;
        tracing::info!(server = %self.inner.server, "OAuth tokens refreshed and stored in the keychain");
        Ok(())
    }

    async fn clear(&self) -> Result<(), AuthError> {
        let mut saved = self.inner.saved.lock().await;
        let mut next = saved.clone();
        next.credentials.token_response = None;
        *saved = self.persist(next).await?;
        Ok(())
    }

    async fn on_refresh_token_rejected(&self, used: &StoredCredentials) -> Result<(), AuthError> {
        let mut saved = self.inner.saved.lock().await;
        let used_secret = used
            .token_response
            .as_ref()
            .and_then(|t| t.refresh_token())
            .map(|r| r.secret().as_str());
        if saved.refresh_secret() != used_secret {
            return Ok(()); // already replaced by a newer sign-in or refresh
        }
        tracing::warn!(server = %self.inner.server, "the authorization server rejected the refresh token; sign-in needed");
        let mut next = saved.clone();
        next.credentials.token_response = None;
        next.refresh_error =
            Some("the authorization server rejected the refresh token (revoked or expired)".into());
        *saved = self.persist(next).await?;
        Ok(())
    }

    async fn acquire_refresh_guard(&self) -> Result<Option<CredentialRefreshGuard>, AuthError> {
        let inner = self.inner.clone();
        let (lock, fresh) = tokio::task::spawn_blocking(move || {
            let lock = AdvisoryLock::acquire(&lock_path(&inner.entry), "OAuth refresh");
            let fresh = read(&inner.keychain, &inner.entry, &inner.server);
            (lock, fresh)
        })
        .await
        .map_err(store_error)?;
        // Another process may have rotated the refresh token since this one last read the entry.
        if let Some(fresh) = fresh.map_err(store_error)? {
            *self.inner.saved.lock().await = fresh;
        }
        Ok(Some(CredentialRefreshGuard::new(lock)))
    }
}

fn lock_path(entry: &str) -> PathBuf {
    crate::config::path::home_dir()
        .map(|home| home.join(".enkrypt"))
        .unwrap_or_else(std::env::temp_dir)
        .join(format!(".{entry}.lock"))
}
