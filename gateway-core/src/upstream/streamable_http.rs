//! The streamable-HTTP transport: connects an HTTP upstream in whichever protocol era it speaks, with
//! its configured headers and, when signed in, an OAuth bearer token that refreshes itself (`oauth/`).
//! A URL that looks like the legacy HTTP+SSE endpoint is tried over SSE first (`sse.rs`), and a
//! server that refuses streamable HTTP falls back to SSE.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use rmcp::model::ProtocolVersion;
use rmcp::{ClientLifecycleMode, ClientServiceExt};

use super::UpstreamError;
use super::connection::{Connection, Dial};
use crate::secret::Sensitive;

/// What the streamable-HTTP attempt reports when the server wants an OAuth sign-in.
const SIGN_IN_NEEDED: &str = "sign-in needed";

/// Connects to a streamable-HTTP server, in whichever protocol era it speaks.
pub(super) async fn connect(
    dial: &Dial<'_>,
    url: &str,
    headers: &BTreeMap<String, Sensitive<String>>,
    oauth: &crate::config::OAuthSettings,
) -> Result<Connection, UpstreamError> {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let started = Instant::now();
    let handshake = |reason: String| UpstreamError::Handshake {
        server: dial.name.to_owned(),
        reason,
    };
    let mut custom = HashMap::with_capacity(headers.len());
    for (name, value) in headers {
        let header = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| handshake(format!("header name '{name}' is not a valid HTTP header")))?;
        let mut value = http::HeaderValue::from_str(value.expose()).map_err(|_| {
            handshake(format!(
                "the value of header '{name}' is not a valid HTTP header value"
            ))
        })?;
        value.set_sensitive(true);
        custom.insert(header, value);
    }
    let http = reqwest::Client::builder()
        .connect_timeout(dial.limits.start_timeout)
        .build()
        .map_err(|e| handshake(format!("cannot build the HTTP client: {e}")))?;
    // A stored OAuth sign-in puts a bearer token on every request and refreshes it (oauth/).
    let authorized = crate::oauth::authorized_client(dial.name, url, oauth, http.clone())
        .await
        .map_err(|e| handshake(e.to_string()))?;
    let streamable = async |lifecycle: ClientLifecycleMode| {
        let config = StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .custom_headers(custom.clone())
            .max_json_response_size(dial.limits.max_message_bytes)
            .max_sse_event_size(dial.limits.max_message_bytes);
        let served = match &authorized {
            Some(auth) => {
                let transport = StreamableHttpClientTransport::with_client(auth.clone(), config);
                dial.client
                    .clone()
                    .serve_with_lifecycle(transport, lifecycle)
                    .await
            }
            None => {
                let transport = StreamableHttpClientTransport::with_client(http.clone(), config);
                dial.client
                    .clone()
                    .serve_with_lifecycle(transport, lifecycle)
                    .await
            }
        };
        served.map_err(|error| {
            if crate::oauth::needs_sign_in(&error) {
                SIGN_IN_NEEDED.to_owned()
            } else {
                error.to_string()
            }
        })
    };
    // The 2024-11-05 HTTP+SSE transport, for servers that predate streamable HTTP (legacy only).
    let legacy_sse = || async {
        let headers: http::HeaderMap = custom.clone().into_iter().collect();
        let transport = super::sse::connect(
            http.clone(),
            url,
            headers,
            dial.limits.max_message_bytes,
            dial.limits.start_timeout,
        )
        .await
        .map_err(|e| e.to_string())?;
        dial.client
            .clone()
            .serve_with_lifecycle(transport, ClientLifecycleMode::Initialize)
            .await
            .map_err(|error| error.to_string())
    };
    let auto = || ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        legacy_version: None,
    };
    let (service, kind) = if super::sse::looks_like_sse(url) {
        match legacy_sse().await {
            Ok(service) => (service, "SSE"),
            Err(sse_error) => match streamable(auto()).await {
                Ok(service) => (service, "streamable HTTP"),
                Err(error) => {
                    return Err(handshake(format!(
                        "{url}: SSE: {sse_error}; streamable HTTP: {error}"
                    )));
                }
            },
        }
    } else {
        match streamable(auto()).await {
            Ok(service) => (service, "streamable HTTP"),
            Err(error) if error == SIGN_IN_NEEDED => {
                let reason = if authorized.is_some() {
                    "the stored sign-in was refused and could not be renewed"
                } else {
                    "the server asks for OAuth and no sign-in is stored"
                };
                return Err(UpstreamError::sign_in_needed(dial.name, reason));
            }
            Err(error) => match legacy_sse().await {
                Ok(service) => (service, "SSE (fallback)"),
                Err(sse_error) => {
                    return Err(handshake(format!(
                        "{url}: {error}; SSE fallback: {sse_error}"
                    )));
                }
            },
        }
    };
    // Never trade a capability for the 2026 era: a legacy connection beside it if it offers more (era.rs).
    let legacy = if super::era::is_modern(service.peer().peer_info().as_deref()) {
        let attempt = streamable(ClientLifecycleMode::Initialize);
        super::era::legacy_side(dial.name, &service, attempt).await
    } else {
        None
    };
    tracing::info!(server = %dial.name, url, transport = kind, elapsed_ms = started.elapsed().as_millis() as u64, "upstream connected over HTTP");
    Ok(Connection::new(
        service,
        None,
        Arc::default(),
        None,
        legacy,
        dial.name,
        dial.events,
    ))
}
