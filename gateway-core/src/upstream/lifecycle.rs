//! One configured upstream server's life cycle: started once on first need, its MCP session reused,
//! restarted with backoff after it dies, stopped on reload or shutdown; failures of a request are
//! classified here ([`Upstream::classify`]).
//!
//! Concurrent first callers share one start: the start runs while holding this upstream's own lock, so
//! waiting callers get the same connection; other upstreams are never behind this lock. Requests do not
//! hold the lock, so one slow call never blocks another. How a connection is made is per transport
//! (`stdio.rs`, `streamable_http.rs`, `sse.rs`), each returning a [`Connection`]; the requests
//! themselves are `calls.rs` and `requests.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc};

use super::bridge::{Exchange, ParkedCalls};
use super::callers::InFlight;
use super::connection::{Connection, Dial};
use super::handler::{ProgressRoutes, UpstreamClient};
use super::subscriptions::Subscriptions;
use super::{UpstreamError, UpstreamEvent, UpstreamLimits};
use super::{stdio, streamable_http};
use crate::config::UpstreamTransport;

/// Start bookkeeping, only touched on the slow path (no live connection).
#[derive(Default)]
pub(super) struct StartState {
    retry_at: Option<Instant>,
}

/// One upstream server.
pub struct Upstream {
    pub(super) name: Arc<str>,
    pub(super) transport: UpstreamTransport,
    pub(super) limits: UpstreamLimits,
    pub(super) events: mpsc::Sender<UpstreamEvent>,
    /// The live connection: read on every request without waiting on a start in progress.
    pub(super) current: std::sync::RwLock<Option<Arc<Connection>>>,
    /// Held while starting, so concurrent first callers share one start.
    pub(super) start: Mutex<StartState>,
    pub(super) consecutive_failures: AtomicU32,
    pub(super) starts: AtomicU64,
    pub(super) progress: ProgressRoutes,
    /// Clients with calls in flight, for what the upstream asks back.
    pub(super) in_flight: Arc<InFlight>,
    /// Calls waiting for a 2026-07-28 client's answer to the upstream's question.
    pub(super) parked: ParkedCalls<Exchange>,
    /// Resource URIs subscribed on the current connection.
    pub(super) subscriptions: Subscriptions,
    /// URIs subscribed on a connection that died, to subscribe again on the next one.
    pub(super) lost_subscriptions: std::sync::Mutex<Vec<String>>,
}

/// Delay before the n-th consecutive restart attempt: immediate once, then 250 ms doubling up to 10 s.
fn backoff(consecutive_failures: u32) -> Duration {
    match consecutive_failures {
        0 | 1 => Duration::ZERO,
        n => Duration::from_millis(250u64.saturating_mul(1u64 << (n - 2).min(6)))
            .min(Duration::from_secs(10)),
    }
}

impl Upstream {
    pub(super) fn new(
        name: &str,
        transport: UpstreamTransport,
        limits: UpstreamLimits,
        events: mpsc::Sender<UpstreamEvent>,
    ) -> Self {
        Self {
            name: Arc::from(name),
            transport,
            limits,
            events,
            current: std::sync::RwLock::new(None),
            start: Mutex::new(StartState::default()),
            consecutive_failures: AtomicU32::new(0),
            starts: AtomicU64::new(0),
            progress: ProgressRoutes::default(),
            in_flight: Arc::default(),
            parked: ParkedCalls::default(),
            subscriptions: Subscriptions::default(),
            lost_subscriptions: Default::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How this upstream is reached (command paths already resolved).
    pub fn transport(&self) -> &UpstreamTransport {
        &self.transport
    }

    /// The limits it runs under.
    pub fn limits(&self) -> UpstreamLimits {
        self.limits
    }

    /// How many processes were started for this upstream so far.
    pub fn start_count(&self) -> u64 {
        self.starts.load(Ordering::Relaxed)
    }

    /// The pid of the running process, if any.
    pub async fn pid(&self) -> Option<u32> {
        self.live().and_then(|c| c.pid)
    }

    fn live(&self) -> Option<Arc<Connection>> {
        self.current.read().ok().and_then(|guard| guard.clone())
    }

    fn set_current(&self, conn: Option<Arc<Connection>>) -> Option<Arc<Connection>> {
        match self.current.write() {
            Ok(mut guard) => std::mem::replace(&mut *guard, conn),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), conn),
        }
    }

    fn fail(&self, start: &mut StartState) -> u32 {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1;
        start.retry_at = Some(Instant::now() + backoff(failures));
        failures
    }

    /// The live connection, starting (or restarting) the upstream when needed.
    pub(super) async fn connection(&self) -> Result<Arc<Connection>, UpstreamError> {
        if let Some(conn) = self.live().filter(|c| c.is_alive()) {
            return Ok(conn);
        }
        let mut start = self.start.lock().await;
        // Another caller may have finished a start while we waited for the lock.
        match self.live() {
            Some(conn) if conn.is_alive() => return Ok(conn),
            Some(_) => {
                let failures = self.fail(&mut start);
                tracing::warn!(server = %self.name, failures, "upstream session ended; will restart");
                if let Some(dead) = self.set_current(None) {
                    tokio::spawn(async move { dead.stop().await });
                }
                let lost = self.subscriptions.drain().await;
                if let Ok(mut pending) = self.lost_subscriptions.lock() {
                    pending.extend(lost);
                }
            }
            None => {}
        }
        if let Some(retry_at) = start.retry_at {
            let now = Instant::now();
            if retry_at > now {
                return Err(UpstreamError::Backoff {
                    server: self.name.to_string(),
                    failures: self.consecutive_failures.load(Ordering::Relaxed),
                    retry_in: retry_at - now,
                });
            }
        }
        match tokio::time::timeout(self.limits.start_timeout, self.start()).await {
            Ok(Ok(conn)) => {
                let conn = Arc::new(conn);
                self.set_current(Some(conn.clone()));
                start.retry_at = None;
                self.resubscribe(&conn).await;
                Ok(conn)
            }
            Ok(Err(error)) => {
                self.fail(&mut start);
                Err(error)
            }
            Err(_) => {
                self.fail(&mut start);
                Err(UpstreamError::StartTimeout {
                    server: self.name.to_string(),
                    after: self.limits.start_timeout,
                })
            }
        }
    }

    /// Subscribes a fresh connection to the URIs its dead predecessor held (bounded: a server that
    /// does not answer in time loses them, with a log line).
    async fn resubscribe(&self, conn: &Connection) {
        let lost: Vec<String> = match self.lost_subscriptions.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        for uri in lost {
            let again = self.subscriptions.subscribe(
                &self.name,
                conn.subscription_peer(),
                &uri,
                &self.events,
            );
            match tokio::time::timeout(self.limits.request_timeout, again).await {
                Ok(Ok(())) => {
                    tracing::info!(server = %self.name, uri, "resource subscription restored after restart")
                }
                Ok(Err(error)) => {
                    tracing::warn!(server = %self.name, uri, %error, "could not restore a resource subscription")
                }
                Err(_) => {
                    tracing::warn!(server = %self.name, uri, "restoring a resource subscription timed out")
                }
            }
        }
    }

    pub(super) fn client(&self) -> UpstreamClient {
        UpstreamClient {
            server: self.name.clone(),
            events: self.events.clone(),
            progress: self.progress.clone(),
            in_flight: self.in_flight.clone(),
        }
    }

    /// Connects once over the configured transport.
    async fn start(&self) -> Result<Connection, UpstreamError> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        let dial = Dial {
            name: &self.name,
            limits: self.limits,
            client: self.client(),
            events: &self.events,
        };
        match &self.transport {
            UpstreamTransport::Stdio { command, args, env } => {
                stdio::connect(&dial, command, args, env).await
            }
            UpstreamTransport::Http {
                url,
                headers,
                oauth,
            } => streamable_http::connect(&dial, url, headers, oauth).await,
        }
    }

    pub(super) fn classify(&self, conn: &Connection, error: rmcp::ServiceError) -> UpstreamError {
        if conn.oversized.load(Ordering::Relaxed) {
            return UpstreamError::Oversized {
                server: self.name.to_string(),
                limit: self.limits.max_message_bytes,
            };
        }
        match crate::oauth::sign_in_challenge(&error) {
            Some(crate::oauth::SignInChallenge::InsufficientScope(scope)) => {
                let reason = match &scope {
                    Some(scope) => format!("the operation needs scope `{scope}`"),
                    None => "the operation needs more scopes".to_owned(),
                };
                if let (Some(scope), UpstreamTransport::Http { oauth, .. }) =
                    (scope, &self.transport)
                {
                    // Noted in the keychain entry, so the next sign-in asks for it (step-up).
                    let (oauth, server) = (oauth.clone(), self.name.clone());
                    tokio::spawn(async move {
                        if let Err(error) =
                            crate::oauth::remember_step_up(&oauth, &server, &scope).await
                        {
                            tracing::warn!(server = %server, %error, "could not note the scopes to ask for");
                        }
                    });
                }
                return UpstreamError::sign_in_needed(&self.name, reason);
            }
            Some(crate::oauth::SignInChallenge::Required) => {
                return UpstreamError::sign_in_needed(
                    &self.name,
                    "the server refused the stored sign-in",
                );
            }
            None => {}
        }
        match error {
            rmcp::ServiceError::TransportClosed | rmcp::ServiceError::TransportSend(_) => {
                UpstreamError::Exited {
                    server: self.name.to_string(),
                }
            }
            rmcp::ServiceError::McpError(error) => UpstreamError::Protocol {
                server: self.name.to_string(),
                error: Box::new(error),
            },
            other => UpstreamError::Rpc {
                server: self.name.to_string(),
                message: other.to_string(),
            },
        }
    }

    pub(super) fn record_success(&self) {
        if self.consecutive_failures.load(Ordering::Relaxed) != 0 {
            self.consecutive_failures.store(0, Ordering::Relaxed);
        }
    }

    /// Stops the process (if any). The next request starts a fresh one.
    pub async fn stop(&self) {
        self.subscriptions.clear().await;
        if let Some(conn) = self.set_current(None) {
            conn.stop().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::ZERO);
        assert_eq!(backoff(2), Duration::from_millis(250));
        assert_eq!(backoff(3), Duration::from_millis(500));
        assert_eq!(backoff(40), Duration::from_secs(10));
    }
}
