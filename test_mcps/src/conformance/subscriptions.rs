//! `subscriptions/listen` (SEP-2575, 2026-07-28): the open listen streams of the process, and
//! the list-changed notifications fanned out to them.
//!
//! rmcp sends the acknowledgment, tags every notification with the subscription id and drops
//! notification types the client did not ask for ([`SubscriptionSink`]); this module only keeps
//! the sinks of the streams that are open right now. Nothing here changes a list: the
//! `test_trigger_*` tools announce a change on demand so clients can observe delivery.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, Ordering},
};

use rmcp::service::{SubscriptionContext, SubscriptionSink};

/// Which list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChange {
    /// `notifications/tools/list_changed`.
    Tools,
    /// `notifications/prompts/list_changed`.
    Prompts,
}

/// The sinks of the listen streams open in this process (all connections).
#[derive(Debug, Clone, Default)]
pub struct Listeners {
    open: Arc<Mutex<Vec<(u64, SubscriptionSink)>>>,
    // Subscription ids are JSON-RPC ids, unique per connection only; entries need their own.
    next_key: Arc<AtomicU64>,
}

impl Listeners {
    /// Hold `subscription` open until the client cancels it, receiving announced changes.
    pub async fn listen(&self, subscription: SubscriptionContext) {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        self.lock().push((key, subscription.sink().clone()));
        subscription.cancelled().await;
        self.lock().retain(|(open, _)| *open != key);
    }

    /// Announce `change` on every open stream that asked for it; returns how many received it.
    pub async fn announce(&self, change: ListChange) -> usize {
        let sinks: Vec<SubscriptionSink> =
            self.lock().iter().map(|(_, sink)| sink.clone()).collect();
        let mut delivered = 0;
        for sink in sinks {
            let sent = match change {
                ListChange::Tools => sink.notify_tool_list_changed().await,
                ListChange::Prompts => sink.notify_prompt_list_changed().await,
            };
            // A stream that did not ask for this change, or closed meanwhile, is skipped.
            match sent {
                Ok(()) => delivered += 1,
                Err(error) => tracing::debug!(%error, "list change not sent on a listen stream"),
            }
        }
        delivered
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, SubscriptionSink)>> {
        // Pushes and retains cannot leave the list half-updated: a poisoned lock is safe.
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
