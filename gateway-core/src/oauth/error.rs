//! [`OAuthError`]: why a sign-in, a status look-up or a sign-out failed, in words a user can act on.
//! Messages never carry a token, a code or a client secret.

use std::time::Duration;

use crate::secrets::SecretError;

/// A failed OAuth operation. Each message names what went wrong and, where it helps, what to do.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("no server named '{server}' in this gateway's config")]
    UnknownServer { server: String },
    #[error(
        "server '{server}' is a local (stdio) server; only remote (HTTP) servers sign in with OAuth"
    )]
    NotRemote { server: String },
    #[error(
        "server '{server}' is configured in {count} gateways; choose one by setting ENKRYPT_GATEWAY_KEY"
    )]
    AmbiguousGateway { server: String, count: usize },
    #[error("{0}")]
    Gateway(String),
    #[error("server '{server}' at {url} did not ask for a sign-in (it answered HTTP {status})")]
    NotProtected {
        server: String,
        url: String,
        status: u16,
    },
    #[error("cannot reach server '{server}' at {url}: {detail}")]
    Unreachable {
        server: String,
        url: String,
        detail: String,
    },
    #[error("OAuth discovery for '{server}' failed: {detail}")]
    Discovery { server: String, detail: String },
    #[error(
        "the authorization server of '{server}' does not support PKCE with S256 (only `plain` or nothing usable); refusing to sign in"
    )]
    PkceUnsupported { server: String },
    #[error("client registration with the authorization server of '{server}' failed: {detail}")]
    Registration { server: String, detail: String },
    #[error(
        "the authorization server of '{server}' offers no dynamic client registration: register a client with it and set `oauth.client_id` (and `oauth.client_secret`, e.g. as a ${{keyring:NAME}} reference) in this server's config"
    )]
    NoRegistration { server: String },
    #[error("the sign-in redirect was refused: {0}")]
    Redirect(String),
    #[error("no sign-in redirect arrived within {0:?}; run the sign-in again")]
    Timeout(Duration),
    #[error("the authorization server did not issue tokens: {0}")]
    TokenExchange(String),
    #[error("cannot open a loopback port for the sign-in redirect: {0}")]
    Loopback(std::io::Error),
    #[error(transparent)]
    Keychain(#[from] SecretError),
    #[error("the stored sign-in for '{server}' is unreadable ({detail}); sign in again")]
    Corrupt { server: String, detail: String },
    #[error("{0}")]
    Internal(String),
}

impl OAuthError {
    /// A stable code for the desktop UI to branch on (the message is for people).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownServer { .. } => "unknown_server",
            Self::NotRemote { .. } => "not_remote",
            Self::AmbiguousGateway { .. } | Self::Gateway(_) => "gateway",
            Self::NotProtected { .. } => "not_protected",
            Self::Unreachable { .. } => "unreachable",
            Self::Discovery { .. } => "discovery",
            Self::PkceUnsupported { .. } => "pkce_unsupported",
            Self::Registration { .. } | Self::NoRegistration { .. } => "registration",
            Self::Redirect(_) => "redirect",
            Self::Timeout(_) => "timeout",
            Self::TokenExchange(_) => "token_exchange",
            Self::Loopback(_) => "loopback",
            Self::Keychain(_) => "keychain",
            Self::Corrupt { .. } => "corrupt",
            Self::Internal(_) => "internal",
        }
    }
}
