//! The interactive sign-in, in two steps so a CLI and a desktop app can both drive it:
//! [`start_login`] probes the server for its 401 challenge, discovers the authorization server
//! (protected-resource metadata, then authorization-server metadata, with rmcp's fallbacks), picks a
//! client (the config's `oauth.client_id`, else its `oauth.client_metadata_url` when the server accepts
//! client ID metadata documents, else dynamic registration), binds the loopback
//! redirect and returns a [`PendingLogin`] with the authorization URL (PKCE S256, `state`, `resource`,
//! scopes). [`PendingLogin::complete`] waits for the redirect, exchanges the code and writes the result
//! as ONE keychain entry. Nothing is written before the exchange succeeded.
//!
//! Not here: opening a browser (the CLI does, unless `--no-browser`; a gateway never does).

use std::time::Duration;

use rmcp::transport::auth::{
    AuthError, AuthorizationManager, AuthorizationMetadataSource, AuthorizationRequest,
    AuthorizationSession, CredentialStore, InMemoryCredentialStore,
};

use super::store::{self, SavedLogin};
use super::{OAuthError, OAuthTarget, SignInStatus};
use crate::secrets::Keychain;

/// The client name sent in dynamic client registration.
pub const CLIENT_NAME: &str = "Enkrypt Secure MCP Gateway";
/// How long a probe or a discovery request may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the token exchange may take before the sign-in is refused (nothing is stored then).
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the (display-only) userinfo request may take.
const USERINFO_TIMEOUT: Duration = Duration::from_secs(10);

/// A sign-in waiting for the browser step.
pub struct PendingLogin {
    target: OAuthTarget,
    session: AuthorizationSession,
    memory: InMemoryCredentialStore,
    loopback: super::redirect::Loopback,
    state: String,
    challenge: Option<String>,
    client_secret: Option<String>,
    registered: bool,
    metadata: rmcp::transport::auth::AuthorizationMetadata,
    keychain: Keychain,
    token_timeout: Duration,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("server", &self.target.server)
            .finish_non_exhaustive()
    }
}

/// Starts a sign-in to `target`: everything up to the authorization URL.
pub async fn start_login(target: &OAuthTarget) -> Result<PendingLogin, OAuthError> {
    start_login_with(target, Keychain::new()).await
}

/// [`start_login`] storing into `keychain` (tests use another service name).
pub async fn start_login_with(
    target: &OAuthTarget,
    keychain: Keychain,
) -> Result<PendingLogin, OAuthError> {
    let server = target.server.clone();
    let challenge = probe(target).await?;
    let discovery = |e: AuthError| OAuthError::Discovery {
        server: server.clone(),
        detail: e.to_string(),
    };
    let mut manager = AuthorizationManager::new(target.url.as_str())
        .await
        .map_err(discovery)?;
    let resolution = manager
        .resolve_metadata_from_challenge(challenge.as_deref())
        .await
        .map_err(discovery)?;
    if resolution.source == AuthorizationMetadataSource::LegacyEndpointFallback {
        tracing::warn!(server = %server, "the server publishes no OAuth metadata; using the 2025-03-26 default endpoints");
    }
    let metadata = resolution.metadata;
    if let Some(methods) = &metadata.code_challenge_methods_supported
        && !methods.iter().any(|m| m == "S256")
    {
        return Err(OAuthError::PkceUnsupported { server });
    }
    manager.set_metadata(metadata.clone());
    let memory = InMemoryCredentialStore::new();
    manager.set_credential_store(memory.clone());

    let loopback = super::redirect::Loopback::bind().await?;
    let redirect_uri = loopback.redirect_uri();
    let mut scopes = if target.settings.scopes.is_empty() {
        manager.select_initial_scopes(&[]).await
    } else {
        target.settings.scopes.clone()
    };
    // A new sign-in keeps what was granted before and adds what a call was refused for (step-up).
    for scope in earlier_scopes(&keychain, target).await {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();

    let (client_id, client_secret, registered) = match &target.settings.client_id {
        Some(id) => (
            id.clone(),
            target
                .settings
                .client_secret
                .as_ref()
                .map(|s| s.expose().clone()),
            false,
        ),
        None if supports_metadata_documents(&metadata)
            && target.settings.client_metadata_url.is_some() =>
        {
            let url = target
                .settings
                .client_metadata_url
                .clone()
                .unwrap_or_default();
            (url, None, false)
        }
        None if metadata.registration_endpoint.is_some() => {
            let config = manager
                .register_client(CLIENT_NAME, &redirect_uri, &scope_refs)
                .await
                .map_err(|e| OAuthError::Registration {
                    server: server.clone(),
                    detail: e.to_string(),
                })?;
            (config.client_id, config.client_secret, true)
        }
        None => return Err(OAuthError::NoRegistration { server }),
    };

    let mut request = AuthorizationRequest::new(redirect_uri)
        .with_client_name(CLIENT_NAME)
        .with_preregistered_client(client_id)
        .with_scopes(scopes);
    if let Some(secret) = &client_secret {
        request = request.with_client_secret(secret.clone());
    }
    if let Some(challenge) = &challenge {
        request = request.with_challenge(challenge.clone());
    }
    let session = AuthorizationSession::new(manager, request)
        .await
        .map_err(|(_, e)| match e {
            AuthError::PkceUnsupported => OAuthError::PkceUnsupported {
                server: server.clone(),
            },
            other => OAuthError::Discovery {
                server: server.clone(),
                detail: other.to_string(),
            },
        })?;
    let state = url::Url::parse(session.get_authorization_url())
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| OAuthError::Internal("the authorization URL carries no state".into()))?;
    tracing::info!(server = %server, registered, "sign-in started; waiting for the browser step");
    Ok(PendingLogin {
        target: target.clone(),
        session,
        memory,
        loopback,
        state,
        challenge,
        client_secret,
        registered,
        metadata,
        keychain,
        token_timeout: TOKEN_TIMEOUT,
    })
}

/// Whether `target` asks for a sign-in: its unauthenticated MCP request answers 401/403 (`Ok(true)`) or
/// goes through (`Ok(false)`). One probe, no discovery, nothing stored.
pub async fn asks_for_sign_in(target: &OAuthTarget) -> Result<bool, OAuthError> {
    match probe(target).await {
        Ok(Some(_)) => Ok(true),
        Ok(None) => Ok(false),
        Err(OAuthError::NotProtected { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

impl PendingLogin {
    /// The URL to open in a browser (one line; it carries no secret).
    pub fn authorization_url(&self) -> &str {
        self.session.get_authorization_url()
    }

    /// Where the browser is sent back to (`http://127.0.0.1:PORT/callback`).
    pub fn redirect_uri(&self) -> &str {
        &self.session.redirect_uri
    }

    /// How long the token exchange may take ([`TOKEN_TIMEOUT`] unless set).
    pub fn set_token_timeout(&mut self, timeout: Duration) {
        self.token_timeout = timeout;
    }

    /// Waits up to `timeout` for the redirect, exchanges the code and stores the tokens in the keychain.
    pub async fn complete(self, timeout: Duration) -> Result<SignInStatus, OAuthError> {
        let callback = self.loopback.wait(&self.state, timeout).await?;
        let exchanged = tokio::time::timeout(
            self.token_timeout,
            self.session.handle_callback_with_issuer(
                &callback.code,
                &self.state,
                callback.issuer.as_deref(),
            ),
        )
        .await
        .unwrap_or_else(|_| {
            Err(AuthError::InternalError(format!(
                "the token endpoint did not answer within {}s",
                self.token_timeout.as_secs()
            )))
        });
        if let Err(error) = exchanged {
            callback
                .reply(false, "Sign-in failed: the authorization server did not issue tokens. See the terminal or the app.")
                .await;
            return Err(match error {
                AuthError::AuthorizationServerMismatch { .. }
                | AuthError::AuthorizationServerMissingIssuer { .. } => {
                    OAuthError::Redirect(error.to_string())
                }
                other => OAuthError::TokenExchange(other.to_string()),
            });
        }
        let credentials = match self.memory.load().await {
            Ok(Some(credentials)) if credentials.token_response.is_some() => credentials,
            _ => {
                callback.reply(false, "Sign-in failed.").await;
                return Err(OAuthError::TokenExchange("no tokens were returned".into()));
            }
        };
        let account = account_of(&self.metadata, &credentials).await;
        let mut saved = SavedLogin::new(
            &self.target.url,
            credentials.client_id.clone(),
            self.client_secret,
            self.registered,
            self.session.redirect_uri.clone(),
            self.challenge,
            self.metadata,
            credentials,
        );
        saved.account = account;
        let keychain = self.keychain.clone();
        let entry = self.target.settings.keychain_entry.clone();
        let server = self.target.server.clone();
        let written = tokio::task::spawn_blocking(move || {
            store::write(&keychain, &entry, &saved).map(|()| saved)
        })
        .await
        .map_err(|e| OAuthError::Internal(e.to_string()))?;
        match written {
            Ok(saved) => {
                callback
                    .reply(
                        true,
                        "Signed in. You can close this tab and go back to the app.",
                    )
                    .await;
                tracing::info!(server = %server, "signed in; tokens stored in the keychain");
                Ok(SignInStatus::from_saved(Some(&saved)))
            }
            Err(error) => {
                callback
                    .reply(
                        false,
                        "Sign-in failed: the tokens could not be stored in the keychain.",
                    )
                    .await;
                Err(error)
            }
        }
    }
}

/// Sends one unauthenticated MCP request and returns the 401's `WWW-Authenticate` challenge.
async fn probe(target: &OAuthTarget) -> Result<Option<String>, OAuthError> {
    let http = reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| OAuthError::Internal(e.to_string()))?;
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "enkrypt-secure-mcp-gateway", "version": env!("CARGO_PKG_VERSION")}
        }
    });
    let mut request = http
        .post(&target.url)
        .header(http::header::ACCEPT, "application/json, text/event-stream")
        .json(&body);
    for (name, value) in &target.headers {
        request = request.header(name.as_str(), value.expose().as_str());
    }
    let response = request.send().await.map_err(|e| OAuthError::Unreachable {
        server: target.server.clone(),
        url: target.url.clone(),
        detail: e.without_url().to_string(),
    })?;
    let mut status = response.status();
    if status.is_success() {
        // Some servers let `initialize` through and protect the operations: ask for the tool list.
        let session = response.headers().get("mcp-session-id").cloned();
        let mut list = http
            .post(&target.url)
            .header(http::header::ACCEPT, "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
        if let Some(session) = session {
            list = list.header("mcp-session-id", session);
        }
        for (name, value) in &target.headers {
            list = list.header(name.as_str(), value.expose().as_str());
        }
        let listed = list.send().await.map_err(|e| OAuthError::Unreachable {
            server: target.server.clone(),
            url: target.url.clone(),
            detail: e.without_url().to_string(),
        })?;
        status = listed.status();
        if !is_challenge(status) {
            return Err(OAuthError::NotProtected {
                server: target.server.clone(),
                url: target.url.clone(),
                status: status.as_u16(),
            });
        }
        return Ok(challenge_of(&listed));
    }
    if is_challenge(status) {
        return Ok(challenge_of(&response));
    }
    // Some servers answer other statuses to an unauthenticated request; discovery may still work.
    tracing::debug!(server = %target.server, status = status.as_u16(), "probe answered without a challenge");
    Ok(None)
}

fn is_challenge(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN
}

fn challenge_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(http::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Scopes granted to an earlier sign-in of `target` plus those a call was refused for since.
async fn earlier_scopes(keychain: &Keychain, target: &OAuthTarget) -> Vec<String> {
    let (keychain, entry, server, url) = (
        keychain.clone(),
        target.settings.keychain_entry.clone(),
        target.server.clone(),
        target.url.clone(),
    );
    tokio::task::spawn_blocking(move || match store::read(&keychain, &entry, &server) {
        Ok(Some(saved)) if saved.server_url == url && !saved.step_up_scopes.is_empty() => {
            let mut scopes = saved.credentials.granted_scopes;
            scopes.extend(saved.step_up_scopes);
            scopes
        }
        _ => Vec::new(),
    })
    .await
    .unwrap_or_default()
}

/// Whether the authorization server accepts client ID metadata documents (SEP-991).
fn supports_metadata_documents(metadata: &rmcp::transport::auth::AuthorizationMetadata) -> bool {
    metadata
        .additional_fields
        .get("client_id_metadata_document_supported")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// Who signed in, for display only: the `id_token`'s claims (not verified: nothing is decided on them),
/// else the authorization server's userinfo endpoint when it has one. `None` when neither says.
async fn account_of(
    metadata: &rmcp::transport::auth::AuthorizationMetadata,
    credentials: &rmcp::transport::auth::StoredCredentials,
) -> Option<String> {
    use oauth2::TokenResponse;
    let token = credentials.token_response.as_ref()?;
    if let Some(claims) = token
        .extra_fields()
        .0
        .get("id_token")
        .and_then(serde_json::Value::as_str)
        .and_then(jwt_claims)
        && let Some(name) = display_name(&claims)
    {
        return Some(name);
    }
    let endpoint = metadata
        .additional_fields
        .get("userinfo_endpoint")
        .and_then(serde_json::Value::as_str)?;
    let http = reqwest::Client::builder()
        .timeout(USERINFO_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .ok()?;
    let response = http
        .get(endpoint)
        .bearer_auth(token.access_token().secret())
        .header(http::header::ACCEPT, "application/json")
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        tracing::debug!(
            status = response.status().as_u16(),
            "userinfo refused; account unknown"
        );
        return None;
    }
    let claims: serde_json::Value = response.json().await.ok()?;
    display_name(&claims)
}

/// The payload of a JWT (`header.payload.signature`), decoded, unverified.
fn jwt_claims(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The most readable identity among OpenID Connect's standard claims, at most 200 characters.
fn display_name(claims: &serde_json::Value) -> Option<String> {
    ["preferred_username", "email", "name", "sub"]
        .iter()
        .filter_map(|k| claims.get(k).and_then(serde_json::Value::as_str))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(|v| v.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_token_claims_name_the_account() {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"u-1","email":"ana@example.test"}"#);
        let claims = jwt_claims(&format!("e30.{payload}.sig")).expect("claims");
        assert_eq!(display_name(&claims).as_deref(), Some("ana@example.test"));
        assert_eq!(
            display_name(&serde_json::json!({"sub": "u-1", "preferred_username": " "})).as_deref(),
            Some("u-1")
        );
        assert_eq!(display_name(&serde_json::json!({})), None);
        assert!(jwt_claims("not a jwt").is_none());
    }
}
