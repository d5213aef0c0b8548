//! `oauth-mcp-server`: a protected streamable-HTTP MCP server and its own OAuth 2.1 authorization
//! server in one process, for the gateway's sign-in tests.
//!
//! - `/.well-known/oauth-protected-resource[/mcp]` (RFC 9728) names this origin as the authorization
//!   server; `/.well-known/oauth-authorization-server` (RFC 8414) lists the endpoints.
//! - `POST /register`: dynamic client registration (public clients), unless `--no-dcr`.
//! - `GET /authorize`: checks client, redirect URI, `resource` and an S256 PKCE challenge, then redirects
//!   at once with a code (no login page: the test is the user).
//! - `POST /token`: `authorization_code` (verifies the PKCE verifier) and `refresh_token` with rotation:
//!   every refresh token works once; reusing one is `invalid_grant`. Access tokens live `--token-ttl`.
//! - `POST /revoke` (RFC 7009) and the test controls `POST /control/revoke-all` (every token dies) and
//!   `POST /control/expire-access` (access tokens expire now); `GET /control/stats` counts grants.
//! - `/mcp`: the `test-mcp-server` tools behind `Authorization: Bearer`; a missing, unknown, expired or
//!   revoked token gets 401 with a `WWW-Authenticate` challenge naming the resource metadata.
//! - `--garbage-tokens`: the token endpoint answers 200 with HTML (a client must refuse it);
//!   `--hang-token-secs N`: it answers nothing for N seconds (a client must give up first).
//! - `--call-scope S`: `tools/call` needs scope S on top of the token's others (offered in the metadata,
//!   not asked for by the 401 challenge): without it, 403 `insufficient_scope` naming S (step-up).
//! - `GET /userinfo` (OpenID Connect, listed as `userinfo_endpoint`): `{sub, preferred_username}` of
//!   the one pretend user (`--account`) for a valid access token.
//!
//! Deliberately not here: a real user login, consent, or any persistence.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What the authorization server offers and how long tokens live.
#[derive(Debug, Clone)]
pub struct Options {
    /// Access-token lifetime.
    pub token_ttl: Duration,
    /// `code_challenge_methods_supported` (a test sets `plain` only to check the client refuses).
    pub pkce_methods: Vec<String>,
    /// Offer dynamic client registration.
    pub dcr: bool,
    /// A pre-registered confidential client `(id, secret)`.
    pub client: Option<(String, String)>,
    /// Scopes the server supports and its challenge asks for.
    pub scopes: Vec<String>,
    /// The token endpoint answers 200 with a body that is not a token response.
    pub garbage_tokens: bool,
    /// The token endpoint waits this long before answering (a hung authorization server).
    pub hang_token: Option<Duration>,
    /// The pretend user's name (`preferred_username` at `/userinfo`).
    pub account: String,
    /// A scope `tools/call` needs (403 `insufficient_scope` without it).
    pub call_scope: Option<String>,
}

struct Grant {
    client_id: String,
    challenge: String,
    redirect_uri: String,
    scope: String,
}

struct Access {
    expires: Instant,
    /// The granted scopes, space-separated.
    scope: String,
}

#[derive(Default)]
struct Store {
    clients: HashMap<String, Option<String>>,
    codes: HashMap<String, Grant>,
    access: HashMap<String, Access>,
    /// Refresh token → (client id, scope); removed when used (rotation) or revoked.
    refresh: HashMap<String, (String, String)>,
    stats: Stats,
}

#[derive(Default, serde::Serialize)]
struct Stats {
    registrations: u64,
    authorizations: u64,
    code_grants: u64,
    refresh_grants: u64,
    refresh_rejected: u64,
    mcp_unauthorized: u64,
    insufficient_scope: u64,
}

/// The shared state of one server.
#[derive(Clone)]
struct Server {
    base: String,
    options: Arc<Options>,
    store: Arc<Mutex<Store>>,
}

impl Server {
    fn resource(&self) -> String {
        format!("{}/mcp", self.base)
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        match self.store.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Serves on `listener` until the process ends; `mcp` routes `/mcp` to the MCP service to protect.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: Options,
    mcp: Router,
) -> anyhow::Result<()> {
    let base = format!("http://{}", listener.local_addr()?);
    let mut store = Store::default();
    if let Some((id, secret)) = &options.client {
        store.clients.insert(id.clone(), Some(secret.clone()));
    }
    let server = Server {
        base,
        options: Arc::new(options),
        store: Arc::new(Mutex::new(store)),
    };
    let protected = mcp.layer(axum::middleware::from_fn_with_state(
        server.clone(),
        require_token,
    ));
    let app = Router::new()
        .route(
            "/.well-known/oauth-protected-resource",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(resource_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(server_metadata),
        )
        .route("/register", post(register))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .route("/revoke", post(revoke))
        .route("/control/revoke-all", post(revoke_all))
        .route("/control/expire-access", post(expire_access))
        .route("/control/stats", get(stats))
        .with_state(server)
        .merge(protected);
    axum::serve(listener, app).await?;
    Ok(())
}

/// The scopes asked for, plus the one `tools/call` needs.
fn supported_scopes(options: &Options) -> Vec<String> {
    let mut scopes = options.scopes.clone();
    scopes.extend(options.call_scope.clone());
    scopes
}

async fn resource_metadata(State(server): State<Server>) -> Json<Value> {
    Json(json!({
        "resource": server.resource(),
        "authorization_servers": [server.base],
        "scopes_supported": supported_scopes(&server.options),
        "bearer_methods_supported": ["header"],
    }))
}

async fn server_metadata(State(server): State<Server>) -> Json<Value> {
    let base = &server.base;
    let mut metadata = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "revocation_endpoint": format!("{base}/revoke"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": server.options.pkce_methods,
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post", "client_secret_basic"],
        "scopes_supported": supported_scopes(&server.options),
        "userinfo_endpoint": format!("{base}/userinfo"),
    });
    if server.options.dcr {
        metadata["registration_endpoint"] = json!(format!("{base}/register"));
    }
    Json(metadata)
}

async fn register(State(server): State<Server>, body: Bytes) -> Response {
    if !server.options.dcr {
        return oauth_error(StatusCode::NOT_FOUND, "invalid_request", "no registration");
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let redirect_uris = request
        .get("redirect_uris")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let client_id = random_token("client");
    let mut store = server.store();
    store.clients.insert(client_id.clone(), None);
    store.stats.registrations += 1;
    (
        StatusCode::CREATED,
        Json(json!({
            "client_id": client_id,
            "redirect_uris": redirect_uris,
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        })),
    )
        .into_response()
}

async fn authorize(State(server): State<Server>, request: Request) -> Response {
    let query: HashMap<String, String> = form(request.uri().query().unwrap_or_default().as_bytes());
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    let (client_id, redirect_uri, state) = (get("client_id"), get("redirect_uri"), get("state"));
    if !server.store().clients.contains_key(&client_id) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "unknown client",
        );
    }
    if !redirect_uri.starts_with("http://127.0.0.1:")
        && !redirect_uri.starts_with("http://localhost:")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri must be loopback",
        );
    }
    let refuse = |error: &str, description: &str| -> Response {
        let mut to = format!(
            "{redirect_uri}?error={error}&error_description={}",
            description.replace(' ', "+")
        );
        if !state.is_empty() {
            to.push_str(&format!("&state={state}"));
        }
        Redirect::to(&to).into_response()
    };
    if get("response_type") != "code" {
        return refuse("unsupported_response_type", "only code");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return refuse("invalid_request", "PKCE S256 required");
    }
    if get("resource") != server.resource() {
        return refuse("invalid_target", "resource must name this server");
    }
    let code = random_token("code");
    {
        let mut store = server.store();
        store.stats.authorizations += 1;
        store.codes.insert(
            code.clone(),
            Grant {
                client_id,
                challenge: get("code_challenge"),
                redirect_uri: redirect_uri.clone(),
                scope: get("scope"),
            },
        );
    }
    let mut to = format!("{redirect_uri}?code={code}&state=");
    to.push_str(&url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>());
    Redirect::to(&to).into_response()
}

/// The client id a token request authenticates as (`client_secret_basic`, `_post`, or public).
fn client_of(
    server: &Server,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Option<String> {
    use base64::Engine as _;
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| {
            v.split_once(':').map(|(id, secret)| {
                let decode = |s: &str| {
                    url::form_urlencoded::parse(format!("x={s}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default()
                };
                (decode(id), Some(decode(secret)))
            })
        });
    let (id, secret) = basic.unwrap_or_else(|| {
        (
            params.get("client_id").cloned().unwrap_or_default(),
            params.get("client_secret").cloned(),
        )
    });
    let store = server.store();
    match store.clients.get(&id)? {
        None => Some(id),
        Some(expected) if secret.as_deref() == Some(expected.as_str()) => Some(id),
        Some(_) => None,
    }
}

async fn token(State(server): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(hang) = server.options.hang_token {
        tokio::time::sleep(hang).await;
    }
    if server.options.garbage_tokens {
        return (StatusCode::OK, "<html>certainly not a token</html>").into_response();
    }
    let params = form(&body);
    let Some(client_id) = client_of(&server, &headers, &params) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    };
    if params.get("resource").map(String::as_str) != Some(server.resource().as_str()) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "resource must name this server",
        );
    }
    let mut store = server.store();
    let scope = match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = params.get("code").cloned().unwrap_or_default();
            let Some(grant) = store.codes.remove(&code) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "unknown or used code",
                );
            };
            let verifier = params.get("code_verifier").cloned().unwrap_or_default();
            use base64::Engine as _;
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if grant.client_id != client_id
                || computed != grant.challenge
                || params.get("redirect_uri") != Some(&grant.redirect_uri)
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE or client mismatch",
                );
            }
            store.stats.code_grants += 1;
            grant.scope
        }
        Some("refresh_token") => {
            let presented = params.get("refresh_token").cloned().unwrap_or_default();
            match store.refresh.remove(&presented) {
                Some((owner, scope)) if owner == client_id => {
                    store.stats.refresh_grants += 1;
                    scope
                }
                _ => {
                    store.stats.refresh_rejected += 1;
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "refresh token unknown, used or revoked",
                    );
                }
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "unsupported",
            );
        }
    };
    let access = random_token("at");
    let refresh = random_token("rt");
    let ttl = server.options.token_ttl;
    store.access.insert(
        access.clone(),
        Access {
            expires: Instant::now() + ttl,
            scope: scope.clone(),
        },
    );
    store
        .refresh
        .insert(refresh.clone(), (client_id, scope.clone()));
    let mut response = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs().max(1),
        "refresh_token": refresh,
    });
    if !scope.is_empty() {
        response["scope"] = json!(scope);
    }
    ([(header::CACHE_CONTROL, "no-store")], Json(response)).into_response()
}

/// The valid, unexpired access token `headers` carry as `Authorization: Bearer`, if any.
fn bearer(server: &Server, headers: &HeaderMap) -> Option<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    server
        .store()
        .access
        .get(token)
        .is_some_and(|a| a.expires > Instant::now())
        .then(|| token.to_owned())
}

async fn userinfo(State(server): State<Server>, headers: HeaderMap) -> Response {
    if bearer(&server, &headers).is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response();
    }
    Json(json!({"sub": "user-1", "preferred_username": server.options.account})).into_response()
}

async fn revoke(State(server): State<Server>, body: Bytes) -> StatusCode {
    let params = form(&body);
    if let Some(token) = params.get("token") {
        let mut store = server.store();
        store.refresh.remove(token);
        store.access.remove(token);
    }
    StatusCode::OK
}

async fn revoke_all(State(server): State<Server>) -> StatusCode {
    let mut store = server.store();
    store.refresh.clear();
    store.access.clear();
    StatusCode::OK
}

async fn expire_access(State(server): State<Server>) -> StatusCode {
    let now = Instant::now();
    for access in server.store().access.values_mut() {
        access.expires = now;
    }
    StatusCode::OK
}

async fn stats(State(server): State<Server>) -> Json<Value> {
    Json(serde_json::to_value(&server.store().stats).unwrap_or(Value::Null))
}

async fn require_token(State(server): State<Server>, request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let valid = token.as_ref().is_some_and(|t| {
        server
            .store()
            .access
            .get(t)
            .is_some_and(|a| a.expires > Instant::now())
    });
    if valid {
        let Some(needed) = server.options.call_scope.clone() else {
            return next.run(request).await;
        };
        let granted = token
            .as_ref()
            .and_then(|t| server.store().access.get(t).map(|a| a.scope.clone()))
            .unwrap_or_default();
        if granted.split(' ').any(|s| s == needed) {
            return next.run(request).await;
        }
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let is_call = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .is_some_and(|v| v["method"] == "tools/call");
        if !is_call {
            return next
                .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await;
        }
        server.store().stats.insufficient_scope += 1;
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope=\"{needed}\", resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            server.base
        );
        return (
            StatusCode::FORBIDDEN,
            [(header::WWW_AUTHENTICATE, challenge)],
            Json(json!({"error": "insufficient_scope"})),
        )
            .into_response();
    }
    server.store().stats.mcp_unauthorized += 1;
    let mut challenge = format!(
        "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
        server.base
    );
    if !server.options.scopes.is_empty() {
        challenge.push_str(&format!(", scope=\"{}\"", server.options.scopes.join(" ")));
    }
    if token.is_some() {
        challenge.push_str(", error=\"invalid_token\"");
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        Json(json!({"error": "invalid_token"})),
    )
        .into_response()
}
