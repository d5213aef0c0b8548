//! Live log commands: the last events of the audit log, and a live tail streamed to the webview over a
//! [`Channel`] (ordered, typed, scoped to the caller). The tail is gateway-core's
//! [`gateway_core::audit::follow_with`] (rotation-safe, 100 ms poll), so a new line is on screen well
//! within a second. One tail per app: starting another (new filters) stops the previous one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use gateway_core::audit::{AuditEvent, AuditFilter, FollowOptions};
use schemars::JsonSchema;
use serde::Serialize;
use tauri::State;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::Channel;

use crate::error::IpcError;
use crate::paths::AppPaths;

/// Most events the UI asks for at once.
const MAX_BACKLOG: usize = 2000;

/// How often the tail looks at the file.
const POLL: Duration = Duration::from_millis(100);

/// One message on the live-log channel.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogMessage {
    /// An audit event (the file's line, as gateway-core parsed it).
    Event { event: Box<AuditEvent> },
    /// The log could not be read (reported once per outage).
    Error { error: IpcError },
}

/// The running tail, if any, with its id.
#[derive(Default)]
pub struct LogTail {
    task: Mutex<Option<(u64, JoinHandle<()>)>>,
    next_id: AtomicU64,
}

impl LogTail {
    /// Makes `task` the running tail (stopping the previous one); returns its id.
    fn start(&self, task: JoinHandle<()>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.swap(|_| true, Some((id, task)));
        id
    }

    /// Stops the running tail if it is `id` (a late stop of an older tail never stops a newer one).
    fn stop(&self, id: u64) {
        self.swap(|current| current == id, None);
    }

    /// The id of the running tail.
    #[cfg(test)]
    fn current(&self) -> Option<u64> {
        match self.task.lock() {
            Ok(slot) => slot.as_ref().map(|(id, _)| *id),
            Err(poisoned) => poisoned.into_inner().as_ref().map(|(id, _)| *id),
        }
    }

    fn swap(&self, replace_if: impl Fn(u64) -> bool, new: Option<(u64, JoinHandle<()>)>) {
        let mut slot = match self.task.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        if slot
            .as_ref()
            .is_some_and(|(current, _)| !replace_if(*current))
        {
            return;
        }
        if let Some((_, previous)) = std::mem::replace(&mut *slot, new) {
            previous.abort();
        }
    }
}

/// What [`logs_follow`] started.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FollowStarted {
    /// The audit log file followed.
    pub path: String,
    /// Pass to [`logs_stop`].
    pub id: u64,
}

/// The last `limit` events matching `filter`, oldest first.
#[tauri::command]
pub async fn logs_recent(
    paths: State<'_, AppPaths>,
    filter: AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEvent>, IpcError> {
    let path = paths.audit_log();
    Ok(
        gateway_core::audit::follow::read_recent_async(path, filter, limit.min(MAX_BACKLOG))
            .await?,
    )
}

/// Stream up to `backlog` existing events, then every new one, to `on_event` until the webview goes
/// away, another tail starts, or [`logs_stop`] is called with the returned id.
#[tauri::command]
pub async fn logs_follow(
    paths: State<'_, AppPaths>,
    tail: State<'_, LogTail>,
    filter: AuditFilter,
    backlog: usize,
    on_event: Channel<LogMessage>,
) -> Result<FollowStarted, IpcError> {
    let path = paths.audit_log();
    let opts = FollowOptions {
        backlog: backlog.min(MAX_BACKLOG),
        poll_interval: POLL,
    };
    let mut follower = gateway_core::audit::follow::follow_with(path.clone(), filter, opts)?;
    let task = tauri::async_runtime::spawn(async move {
        while let Some(item) = follower.next().await {
            let message = match item {
                Ok(event) => LogMessage::Event {
                    event: Box::new(event),
                },
                Err(error) => LogMessage::Error {
                    error: error.into(),
                },
            };
            if on_event.send(message).is_err() {
                break;
            }
        }
    });
    let id = tail.start(task);
    Ok(FollowStarted {
        path: path.display().to_string(),
        id,
    })
}

/// Stop the live tail `id` (no-op when another tail has replaced it).
#[tauri::command]
pub async fn logs_stop(tail: State<'_, LogTail>, id: u64) -> Result<(), IpcError> {
    tail.stop(id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_task() -> JoinHandle<()> {
        tauri::async_runtime::spawn(std::future::pending::<()>())
    }

    #[test]
    fn a_late_stop_of_an_old_tail_keeps_the_new_one() {
        // React runs an effect twice in development: the first tail's stop arrives after the
        // second tail started, and must not end it.
        let tail = LogTail::default();
        let first = tail.start(idle_task());
        let second = tail.start(idle_task());
        assert_ne!(first, second);
        tail.stop(first);
        assert_eq!(tail.current(), Some(second));
        tail.stop(second);
        assert_eq!(tail.current(), None);
    }

    #[test]
    fn log_messages_are_tagged_by_kind() {
        let error = LogMessage::Error {
            error: IpcError::new("audit_unreadable", "cannot read"),
        };
        let value = serde_json::to_value(error).expect("serializable");
        assert_eq!(value["kind"], "error");
        assert_eq!(value["error"]["code"], "audit_unreadable");
    }
}
