//! At call time: the HTTP client an upstream connection uses when its server has a stored sign-in.
//! rmcp's `AuthClient` puts the bearer token on every request, refreshes it shortly before expiry and
//! once after a 401 (a rotated refresh token is stored back through [`KeychainStore`]); with no usable
//! token it sends the request without one, and the server's 401 becomes "sign-in needed"
//! ([`needs_sign_in`]). Nothing here ever opens a browser or waits for a person.

use rmcp::transport::auth::{AuthClient, AuthorizationManager, OAuthClientConfig};
use rmcp::transport::streamable_http_client::StreamableHttpError;

use super::OAuthError;
use super::store::{self, KeychainStore};
use crate::config::OAuthSettings;
use crate::secrets::Keychain;

/// The authorizing client for `server` at `url`, or `None` when there is no stored sign-in for it (the
/// connection then goes out without a token, and a server that needs one answers 401).
pub async fn authorized_client(
    server: &str,
    url: &str,
    settings: &OAuthSettings,
    http: reqwest::Client,
) -> Result<Option<AuthClient<reqwest::Client>>, OAuthError> {
    authorized_client_with(Keychain::new(), server, url, settings, http).await
}

/// [`authorized_client`] reading `keychain`.
pub async fn authorized_client_with(
    keychain: Keychain,
    server: &str,
    url: &str,
    settings: &OAuthSettings,
    http: reqwest::Client,
) -> Result<Option<AuthClient<reqwest::Client>>, OAuthError> {
    if settings.keychain_entry.is_empty() {
        return Ok(None);
    }
    let entry = settings.keychain_entry.clone();
    let (owned_keychain, owned_entry, owned_server) =
        (keychain.clone(), entry.clone(), server.to_owned());
    let saved = tokio::task::spawn_blocking(move || {
        store::read(&owned_keychain, &owned_entry, &owned_server)
    })
    .await
    .map_err(|e| OAuthError::Internal(e.to_string()))?;
    // No keychain (a headless box) or an unreadable entry must not cost a server that needs no sign-in:
    // the request goes out without a token, and one that needs it answers 401 ("sign-in needed").
    let saved = match saved {
        Ok(Some(saved)) => saved,
        Ok(None) => return Ok(None),
        Err(error) => {
            tracing::warn!(server, %error, "cannot read the stored sign-in; connecting without a token");
            return Ok(None);
        }
    };
    if saved.server_url != url {
        tracing::warn!(
            server,
            "the stored sign-in is for another URL; sign-in needed"
        );
        return Ok(None);
    }
    if saved.credentials.token_response.is_none() {
        return Ok(None);
    }
    let discovery = |e: rmcp::transport::auth::AuthError| OAuthError::Discovery {
        server: server.to_owned(),
        detail: e.to_string(),
    };
    let mut manager = AuthorizationManager::new(url).await.map_err(discovery)?;
    // Discovery again, from the challenge the sign-in started with: it also restores the resource
    // indicator token requests must carry. When it fails now, the metadata stored at sign-in is used.
    match manager
        .resolve_metadata_from_challenge(saved.challenge.as_deref())
        .await
    {
        Ok(resolution) => {
            if resolution.metadata.issuer.is_some()
                && saved.credentials.issuer.is_some()
                && resolution.metadata.issuer != saved.credentials.issuer
            {
                tracing::warn!(
                    server,
                    "the server's authorization server changed since sign-in; sign-in needed"
                );
                return Ok(None);
            }
            manager.set_metadata(resolution.metadata);
        }
        Err(error) => {
            tracing::warn!(server, %error, "OAuth discovery failed; using the metadata stored at sign-in");
            manager.set_metadata(saved.metadata.clone());
        }
    }
    let mut client = OAuthClientConfig::new(saved.client_id.clone(), saved.redirect_uri.clone())
        .with_scopes(saved.credentials.granted_scopes.clone());
    if let Some(secret) = &saved.client_secret {
        client = client.with_client_secret(secret.clone());
    }
    manager.configure_client(client).map_err(discovery)?;
    manager.set_credential_store(KeychainStore::new(keychain, &entry, server, saved));
    Ok(Some(AuthClient::new(http, manager)))
}

/// Why an upstream request needs a person to sign in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInChallenge {
    /// 401, or no token could be obtained or renewed.
    Required,
    /// 403 `insufficient_scope`: the operation needs more scopes (step-up), when the server named them.
    InsufficientScope(Option<String>),
}

/// What `error` (or anything it was caused by) says about signing in: an HTTP upstream's 401 / 403
/// challenge, or an authorization rmcp could not obtain without a person. `None` for other errors.
pub fn sign_in_challenge(error: &(dyn std::error::Error + 'static)) -> Option<SignInChallenge> {
    let mut current = Some(error);
    while let Some(e) = current {
        // rmcp's handshake error keeps the transport error out of its `source()` chain.
        if let Some(rmcp::service::ClientInitializeError::TransportError { error, .. }) =
            e.downcast_ref::<rmcp::service::ClientInitializeError>()
        {
            current = Some(error);
            continue;
        }
        if let Some(http) = e.downcast_ref::<StreamableHttpError<reqwest::Error>>() {
            match http {
                StreamableHttpError::AuthRequired(_) => return Some(SignInChallenge::Required),
                StreamableHttpError::InsufficientScope(insufficient) => {
                    let scope = insufficient.required_scope.clone().or_else(|| {
                        url::Url::parse("http://localhost/").ok().and_then(|base| {
                            rmcp::transport::auth::WWWAuthenticateParams::parse(
                                &insufficient.www_authenticate_header,
                                &base,
                            )
                            .scope
                        })
                    });
                    return Some(SignInChallenge::InsufficientScope(scope));
                }
                StreamableHttpError::Auth(
                    rmcp::transport::auth::AuthError::AuthorizationRequired
                    | rmcp::transport::auth::AuthError::TokenRefreshRejected(_),
                ) => return Some(SignInChallenge::Required),
                _ => {}
            }
        }
        current = e.source();
    }
    None
}

/// Whether `error` means the server needs a (new) sign-in; see [`sign_in_challenge`].
pub fn needs_sign_in(error: &(dyn std::error::Error + 'static)) -> bool {
    sign_in_challenge(error).is_some()
}

/// Remembers, in the server's keychain entry, scopes a call was refused for, so the next sign-in asks
/// for them as well (step-up). Does nothing when the server was never signed in.
pub async fn remember_step_up(
    settings: &OAuthSettings,
    server: &str,
    scope: &str,
) -> Result<(), OAuthError> {
    let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    if settings.keychain_entry.is_empty() || scopes.is_empty() {
        return Ok(());
    }
    let (entry, server) = (settings.keychain_entry.clone(), server.to_owned());
    tokio::task::spawn_blocking(move || {
        let keychain = Keychain::new();
        let Some(mut saved) = store::read(&keychain, &entry, &server)? else {
            return Ok(());
        };
        let before = saved.step_up_scopes.len();
        for scope in scopes {
            if !saved.step_up_scopes.contains(&scope) {
                saved.step_up_scopes.push(scope);
            }
        }
        if saved.step_up_scopes.len() == before {
            return Ok(());
        }
        tracing::info!(server = %server, "the server asks for more scopes; the next sign-in requests them");
        store::write(&keychain, &entry, &saved)
    })
    .await
    .map_err(|e| OAuthError::Internal(e.to_string()))?
}
