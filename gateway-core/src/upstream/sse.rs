//! The legacy HTTP+SSE transport (MCP 2024-11-05) for upstream servers that predate streamable HTTP.
//!
//! rmcp 3.x ships only the streamable-HTTP client, so this module builds the old transport from rmcp's
//! sink/stream adapter and `sse-stream` (the SSE parser rmcp itself uses): `GET <url>` opens an event
//! stream whose first `endpoint` event names where to `POST` messages; every server message arrives
//! as a `message` event on that stream. JSON-RPC framing and MCP types stay rmcp's.
//!
//! Safety: the endpoint must be on the same origin as the configured URL (a server cannot redirect the
//! configured headers, which may carry tokens, elsewhere), and every event is bounded by the upstream's
//! message size limit.

use std::pin::Pin;
use std::time::Duration;

use futures::{Sink, Stream, StreamExt};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use sse_stream::SseStream;
use tokio::sync::mpsc;

/// Why the SSE transport failed.
#[derive(Debug, thiserror::Error)]
pub enum SseError {
    #[error("GET {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("the event stream ended before the server sent its `endpoint` event")]
    NoEndpoint,
    #[error("the server's message endpoint '{0}' is not on the configured server's origin")]
    ForeignEndpoint(String),
    #[error("POST to the message endpoint: {0}")]
    Post(String),
}

/// The sending half: each message is POSTed to the endpoint.
pub type SseSink = Pin<Box<dyn Sink<ClientJsonRpcMessage, Error = SseError> + Send>>;
/// The receiving half: messages from the event stream.
pub type SseMessages = Pin<Box<dyn Stream<Item = ServerJsonRpcMessage> + Send>>;

/// Opens the event stream at `url` and returns the transport halves once the endpoint is known.
pub async fn connect(
    http: reqwest::Client,
    url: &str,
    headers: http::HeaderMap,
    max_event_bytes: usize,
    open_timeout: Duration,
) -> Result<(SseSink, SseMessages), SseError> {
    let open = |reason: String| SseError::Open {
        url: url.to_string(),
        reason,
    };
    let base = reqwest::Url::parse(url).map_err(|e| open(e.to_string()))?;
    let response = tokio::time::timeout(
        open_timeout,
        http.get(base.clone())
            .headers(headers.clone())
            .header(http::header::ACCEPT, "text/event-stream")
            .send(),
    )
    .await
    .map_err(|_| open(format!("no answer within {open_timeout:?}")))?
    .map_err(|e| open(e.to_string()))?;
    if !response.status().is_success() {
        return Err(open(format!("HTTP {}", response.status())));
    }
    let is_sse = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_sse {
        return Err(open("the answer is not an event stream".into()));
    }
    let mut events = SseStream::from_bytes_stream(response.bytes_stream());
    let endpoint = tokio::time::timeout(open_timeout, async {
        while let Some(event) = events.next().await {
            let Ok(event) = event else { break };
            if event.event.as_deref() == Some("endpoint") {
                return event.data;
            }
        }
        None
    })
    .await
    .map_err(|_| open(format!("no `endpoint` event within {open_timeout:?}")))?
    .ok_or(SseError::NoEndpoint)?;
    let endpoint = base
        .join(endpoint.trim())
        .map_err(|_| SseError::ForeignEndpoint(endpoint.clone()))?;
    if endpoint.origin() != base.origin() {
        return Err(SseError::ForeignEndpoint(endpoint.to_string()));
    }

    let (tx, rx) = mpsc::channel::<ServerJsonRpcMessage>(64);
    let server = base.to_string();
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            let Ok(event) = event else { break };
            if !matches!(event.event.as_deref(), None | Some("message")) {
                continue;
            }
            let Some(data) = event.data else { continue };
            if data.len() > max_event_bytes {
                tracing::warn!(
                    server,
                    bytes = data.len(),
                    limit = max_event_bytes,
                    "SSE event over the message size limit; closing the connection"
                );
                break;
            }
            match serde_json::from_str::<ServerJsonRpcMessage>(&data) {
                Ok(message) => {
                    if tx.send(message).await.is_err() {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(server, %error, "ignoring an SSE event that is not a JSON-RPC message")
                }
            }
        }
    });
    let messages: SseMessages = Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|message| (message, rx))
    }));
    let sink: SseSink = Box::pin(futures::sink::unfold(
        (http, endpoint, headers),
        |(http, endpoint, headers), message: ClientJsonRpcMessage| async move {
            let response = http
                .post(endpoint.clone())
                .headers(headers.clone())
                .json(&message)
                .send()
                .await
                .map_err(|e| SseError::Post(e.to_string()))?;
            if !response.status().is_success() {
                return Err(SseError::Post(format!("HTTP {}", response.status())));
            }
            Ok((http, endpoint, headers))
        },
    ));
    Ok((sink, messages))
}

/// Whether a configured URL names a legacy SSE endpoint (`…/sse`), so SSE is tried first.
pub fn looks_like_sse(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| u.path().trim_end_matches('/').ends_with("/sse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_urls_are_recognised() {
        assert!(looks_like_sse("http://127.0.0.1:9000/sse"));
        assert!(looks_like_sse("http://h/api/sse/"));
        assert!(!looks_like_sse("http://h/mcp"));
        assert!(!looks_like_sse("not a url"));
    }
}
