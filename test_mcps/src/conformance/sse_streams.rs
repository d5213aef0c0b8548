//! Server-initiated SSE disconnection (SEP-1699): which HTTP response stream carries each
//! in-flight request, so that a tool can end its own stream and answer on the resumed one.
//!
//! rmcp's [`LocalSessionManager`] can close a request's SSE stream (`close_sse_stream`) but
//! only by its internal HTTP stream number, which it never tells the handler. [`TrackingSessions`]
//! wraps the local manager, opens each request's stream itself to learn that number, and
//! records it under `(session id, JSON-RPC id)` until the stream is dropped. Every other
//! session operation is delegated unchanged.
//!
//! Over stdio there are no SSE streams: [`StreamControl::default`] makes closing a no-op.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures::{Stream, StreamExt as _};
use rmcp::{
    RoleServer,
    model::{ClientJsonRpcMessage, RequestId, ServerJsonRpcMessage},
    service::RequestContext,
    transport::{
        WorkerTransport,
        common::http_header::HEADER_SESSION_ID,
        streamable_http_server::{
            SessionId, SessionManager,
            session::{
                RestoreOutcome, ServerSseMessage,
                local::{LocalSessionManager, LocalSessionManagerError, LocalSessionWorker},
            },
        },
    },
};

/// `retry` sent with the event that ends a stream: how soon a client should reconnect.
pub const RECONNECT_AFTER: Duration = Duration::from_millis(100);

/// The HTTP stream of one request: its session and JSON-RPC id.
type StreamKey = (SessionId, RequestId);
/// rmcp's per-session number of an HTTP response stream.
type HttpStreamId = u64;

/// The open request streams of every session, shared by the session manager and the handlers.
#[derive(Debug)]
pub struct StreamTracker {
    sessions: LocalSessionManager,
    open: Mutex<HashMap<StreamKey, HttpStreamId>>,
}

/// What a handler holds: the tracker over HTTP, nothing over stdio.
#[derive(Debug, Clone, Default)]
pub struct StreamControl(Option<Arc<StreamTracker>>);

impl StreamControl {
    /// End the SSE stream that carries the request of `context`, after an event that tells the
    /// client to reconnect with `Last-Event-ID`. Returns whether a stream was closed; false over
    /// stdio, in stateless mode, or when the stream is already gone.
    pub async fn close_request_stream(&self, context: &RequestContext<RoleServer>) -> bool {
        let Some(tracker) = &self.0 else {
            return false;
        };
        let Some(session_id) = session_id_of(context) else {
            return false;
        };
        let key = (session_id, context.id.clone());
        let stream = tracker.lock_open().get(&key).copied();
        let Some(stream) = stream else {
            return false;
        };
        let handle = tracker.sessions.sessions.read().await.get(&key.0).cloned();
        let Some(handle) = handle else {
            return false;
        };
        match handle.close_sse_stream(stream, Some(RECONNECT_AFTER)).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "could not close the request's SSE stream");
                false
            }
        }
    }
}

impl StreamTracker {
    fn lock_open(&self) -> std::sync::MutexGuard<'_, HashMap<StreamKey, HttpStreamId>> {
        // A panic while holding this lock cannot leave the map half-updated (single inserts
        // and removes), so a poisoned lock is still safe to use.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The session id header of the HTTP request behind `context`, if it came over HTTP.
fn session_id_of(context: &RequestContext<RoleServer>) -> Option<SessionId> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let value = parts.headers.get(HEADER_SESSION_ID)?.to_str().ok()?;
    Some(SessionId::from(value))
}

/// A [`LocalSessionManager`] that records which stream carries each request.
#[derive(Debug, Clone)]
pub struct TrackingSessions(Arc<StreamTracker>);

impl TrackingSessions {
    /// A manager over a fresh local session store, and the control handlers use to reach it.
    pub fn new() -> (Self, StreamControl) {
        let tracker = Arc::new(StreamTracker {
            sessions: LocalSessionManager::default(),
            open: Mutex::new(HashMap::new()),
        });
        (Self(tracker.clone()), StreamControl(Some(tracker)))
    }
}

/// Forgets a stream's entry when rmcp drops the stream (response sent or client gone).
struct Registration {
    tracker: Arc<StreamTracker>,
    key: Option<StreamKey>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.tracker.lock_open().remove(&key);
        }
    }
}

impl SessionManager for TrackingSessions {
    type Error = LocalSessionManagerError;
    type Transport = WorkerTransport<LocalSessionWorker>;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.0.sessions.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.0.sessions.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.0.sessions.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.0.sessions.close_session(id).await
    }

    /// Same as the local manager's, plus the bookkeeping of the stream's number.
    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let handle = self
            .0
            .sessions
            .sessions
            .read()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| LocalSessionManagerError::SessionNotFound(id.clone()))?;
        let receiver = handle.establish_request_wise_channel().await?;
        let stream = receiver.http_request_id;
        let key = match (&message, stream) {
            (ClientJsonRpcMessage::Request(request), Some(stream)) => {
                let key = (id.clone(), request.id.clone());
                self.0.lock_open().insert(key.clone(), stream);
                Some(key)
            }
            _ => None,
        };
        let registration = Registration {
            tracker: self.0.clone(),
            key,
        };
        handle.push_message(message, stream).await?;
        let mut inner = receiver.inner;
        Ok(
            futures::stream::poll_fn(move |cx| inner.poll_recv(cx)).map(move |event| {
                // Keep the registration alive exactly as long as the stream.
                let _ = &registration;
                event
            }),
        )
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.0.sessions.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.0.sessions.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.0.sessions.resume(id, last_event_id).await
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.0.sessions.restore_session(id).await
    }
}
