//! The audit log: an append-only JSONL file, one [`AuditEvent`] per line, shared safely by every gateway
//! process on the machine and tailed by the desktop app.
//!
//! This module owns the public handle ([`AuditLog`]), its options and errors, and the default location.
//! The record schema lives in [`event`], the disk protocol (locking, one `write(2)` per line, batching,
//! fsync) in `writer`, rotation by size in `rotate`, and the defensive masking of `message` in `scrub`.
//! It does not decide *what* is audited: callers build events; it only guarantees that what they record
//! lands intact, without secrets in the message, and without blocking the async runtime.
//!
//! `record` never blocks and never panics: events go through a bounded queue to a dedicated thread. When the
//! queue is full the event is dropped and counted, and the writer later writes one `error` event saying how
//! many were dropped. At shutdown call [`AuditLog::flush_and_close`] (from `spawn_blocking`).

pub mod event;
pub mod follow;
mod rotate;
mod scrub;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, SendTimeoutError, Sender, TrySendError};
use tracing::{debug, warn};

pub use event::{AuditEvent, Decision, EventKind};
pub use follow::{AuditFilter, AuditFollower, FollowError, FollowOptions, follow, read_recent};
pub use rotate::rotated_path;
pub use scrub::scrub;

use writer::{Command, Shared};

/// Events that may wait for the writer before `record` starts dropping them.
const QUEUE_CAPACITY: usize = 4096;

/// Size limit and retention of the audit file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOptions {
    /// Rotate before a line would take the file past this many bytes (default 10 MiB; 0 = never rotate).
    pub max_bytes: u64,
    /// Rotated files kept (`audit.jsonl.1` … `.keep`), default 5; the oldest is deleted.
    pub keep: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            keep: 5,
        }
    }
}

/// Why the audit log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The directory holding the log could not be created.
    #[error("cannot create audit log directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    /// The log file could not be opened for appending.
    #[error("cannot open audit log {} for appending: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    /// The sibling lock file could not be opened.
    #[error("cannot open audit lock file {}: {source}", path.display())]
    OpenLock { path: PathBuf, source: io::Error },
    /// The writer thread could not be started.
    #[error("cannot start the audit writer thread for {}: {source}", path.display())]
    SpawnWriter { path: PathBuf, source: io::Error },
}

/// `$HOME/.enkrypt/logs/audit.jsonl` (`%USERPROFILE%` on Windows when `HOME` is unset).
pub fn default_path() -> PathBuf {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var_os("USERPROFILE").filter(|h| !h.is_empty()))
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".enkrypt").join("logs").join("audit.jsonl")
}

/// A cheap, cloneable handle to one audit file and its writer thread.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

struct Inner {
    path: Option<PathBuf>,
    /// `None` for a disabled log.
    tx: Option<Sender<Command>>,
    shared: Arc<Shared>,
    /// Disconnects when the writer thread ends.
    done: Option<Receiver<()>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    closed: AtomicBool,
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.inner.path)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish()
    }
}

impl AuditLog {
    /// Opens (creating if needed) the log at `path` and starts its writer thread. New directories get
    /// mode 0700 and the file 0600 on Unix.
    pub fn open(path: &Path, opts: AuditOptions) -> Result<AuditLog, AuditError> {
        Self::open_with_capacity(path, opts, QUEUE_CAPACITY)
    }

    pub(crate) fn open_with_capacity(
        path: &Path,
        opts: AuditOptions,
        capacity: usize,
    ) -> Result<AuditLog, AuditError> {
        let sink = writer::open_sink(path, opts)?;
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(0);
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                // Dropped when the thread ends, however it ends: that is the "done" signal.
                let _done = done_tx;
                writer::run(rx, sink, thread_shared);
            })
            .map_err(|source| AuditError::SpawnWriter {
                path: path.to_path_buf(),
                source,
            })?;
        debug!(path = %path.display(), max_bytes = opts.max_bytes, keep = opts.keep, "audit log opened");
        Ok(AuditLog {
            inner: Arc::new(Inner {
                path: Some(path.to_path_buf()),
                tx: Some(tx),
                shared,
                done: Some(done_rx),
                writer: Mutex::new(Some(handle)),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// A log that records nothing (tests, or when the configured path is unusable).
    pub fn disabled() -> AuditLog {
        AuditLog {
            inner: Arc::new(Inner {
                path: None,
                tx: None,
                shared: Arc::new(Shared::default()),
                done: None,
                writer: Mutex::new(None),
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// Queues `event` for writing. Never blocks and never panics: if the queue is full the event is dropped
    /// and counted, and a later `error` event in the log reports how many were lost.
    pub fn record(&self, event: AuditEvent) {
        let Some(tx) = &self.inner.tx else { return };
        match tx.try_send(Command::Event(Box::new(event))) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.inner.shared.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                debug!("audit event recorded after the log was closed; dropped");
            }
        }
    }

    /// Blocks until every event recorded before this call has been written (not fsynced), or `timeout`
    /// passes. Returns whether it got there. Blocking: call from `spawn_blocking` in async code.
    pub fn flush(&self, timeout: Duration) -> bool {
        let Some(tx) = &self.inner.tx else {
            return true;
        };
        let deadline = Instant::now() + timeout;
        let (ack_tx, ack_rx) = crossbeam_channel::bounded(1);
        if tx.send_timeout(Command::Flush(ack_tx), timeout).is_err() {
            return false;
        }
        ack_rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    }

    /// Shutdown: writes everything queued, fsyncs and joins the writer thread, waiting at most `timeout`.
    /// Later calls (from any clone) return at once; later `record`s are ignored. Blocking: call from
    /// `spawn_blocking` in async code.
    pub fn flush_and_close(&self, timeout: Duration) {
        let inner = &self.inner;
        let (Some(tx), Some(done)) = (&inner.tx, &inner.done) else {
            return;
        };
        if inner.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let deadline = Instant::now() + timeout;
        let path = inner.path.as_deref().unwrap_or(Path::new("")).display();
        match tx.send_timeout(Command::Shutdown, timeout) {
            Ok(()) | Err(SendTimeoutError::Disconnected(_)) => {}
            Err(SendTimeoutError::Timeout(_)) => {
                warn!(path = %path, queued = tx.len(), "audit writer is stuck; queued events are lost");
                return;
            }
        }
        match done.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Disconnected) => {}
            Ok(()) | Err(RecvTimeoutError::Timeout) => {
                warn!(path = %path, timeout_ms = timeout.as_millis() as u64, "audit writer did not finish in time");
                return;
            }
        }
        let handle = inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle
            && handle.join().is_err()
        {
            warn!(path = %path, "audit writer thread panicked");
        }
    }

    /// The file being written, or `None` for a disabled log.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }
}
