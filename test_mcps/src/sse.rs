//! The legacy HTTP+SSE transport (MCP 2024-11-05) on the server side, for testing the gateway's SSE
//! fallback: `GET /sse` opens an event stream whose first `endpoint` event names
//! `/messages?sessionId=<id>`; each `POST` there is one JSON-RPC message for that session's rmcp
//! service, and everything the service sends goes out as `message` events.
//!
//! rmcp 3.x dropped its SSE server, so the wire part is here (axum's SSE support); the MCP session
//! itself is a normal rmcp service over the sink/stream adapter.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use futures::Stream;
use rmcp::ServiceExt as _;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use tokio::sync::mpsc;

use crate::server::TestServer;

type Sessions = Arc<Mutex<HashMap<String, mpsc::Sender<ClientJsonRpcMessage>>>>;

#[derive(Clone)]
struct AppState {
    server: TestServer,
    sessions: Sessions,
}

/// The axum router serving `server` over HTTP+SSE at `/sse` and `/messages`.
pub fn router(server: TestServer) -> axum::Router {
    let state = AppState {
        server,
        sessions: Sessions::default(),
    };
    axum::Router::new()
        .route("/sse", get(open))
        // The same stream under a name without `sse` in it, so clients reach it only by falling back.
        .route("/events", get(open))
        .route("/messages", post(message))
        .with_state(state)
}

/// Removes a session when its event stream is dropped (the client went away).
struct SessionGuard {
    sessions: Sessions,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.remove(&self.id);
        }
    }
}

async fn open(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (to_server, from_client) = mpsc::channel::<ClientJsonRpcMessage>(64);
    let (to_client, from_server) = mpsc::channel::<ServerJsonRpcMessage>(64);
    if let Ok(mut sessions) = state.sessions.lock() {
        sessions.insert(id.clone(), to_server);
    }
    let incoming = futures::stream::unfold(from_client, |mut rx| async move {
        rx.recv().await.map(|m| (m, rx))
    });
    let outgoing =
        futures::sink::unfold(to_client, |tx, message: ServerJsonRpcMessage| async move {
            tx.send(message)
                .await
                .map_err(|_| std::io::Error::other("event stream closed"))?;
            Ok::<_, std::io::Error>(tx)
        });
    let server = state.server.clone();
    tokio::spawn(async move {
        let transport = (Box::pin(outgoing), Box::pin(incoming));
        match server.serve(transport).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::info!(%error, "SSE session ended before initialize"),
        }
    });
    let guard = SessionGuard {
        sessions: state.sessions.clone(),
        id: id.clone(),
    };
    let first = Event::default()
        .event("endpoint")
        .data(format!("/messages?sessionId={id}"));
    // The endpoint event, then one `message` event per server message; `guard` lives as long as
    // the stream.
    let stream = futures::stream::unfold(
        (Some(first), guard, from_server),
        |(first, guard, mut from_server)| async move {
            if let Some(first) = first {
                return Some((Ok(first), (None, guard, from_server)));
            }
            let message = from_server.recv().await?;
            let data = serde_json::to_string(&message).ok()?;
            Some((
                Ok(Event::default().event("message").data(data)),
                (None, guard, from_server),
            ))
        },
    );
    Sse::new(stream)
}

async fn message(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: String,
) -> StatusCode {
    let session = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId=").map(str::to_string));
    let (Some(session), Ok(message)) =
        (session, serde_json::from_str::<ClientJsonRpcMessage>(&body))
    else {
        return StatusCode::BAD_REQUEST;
    };
    let sender = state
        .sessions
        .lock()
        .ok()
        .and_then(|s| s.get(&session).cloned());
    match sender {
        Some(sender) if sender.send(message).await.is_ok() => StatusCode::ACCEPTED,
        _ => StatusCode::NOT_FOUND,
    }
}
