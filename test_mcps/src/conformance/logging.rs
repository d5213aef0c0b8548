//! `logging/setLevel` and the log lines this server sends (`notifications/message`).
//!
//! Legacy peers set a level per connection (per HTTP session, or the one stdio peer) with
//! `logging/setLevel`: a client that asks for `error` stops receiving `info` lines. 2026-07-28
//! requests carry their own level in `_meta` (SEP-2575) and a request without one gets no log
//! lines at all. Logging is deprecated by SEP-2577 but both eras still use it, so the deprecated
//! rmcp types are used on purpose here.
#![allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.

use std::sync::{
    Arc,
    atomic::{AtomicU8, Ordering},
};

use rmcp::{
    RoleServer,
    model::{LoggingLevel, LoggingMessageNotificationParam, ProtocolVersion},
    service::RequestContext,
};

/// Logger name put on lines the server itself emits (not on tool-emitted lines).
pub const LOGGER: &str = "conformance-test-server";

/// The minimum level a connection asked for; shared by clones of one handler.
#[derive(Debug, Clone)]
pub struct LogLevel(Arc<AtomicU8>);

impl Default for LogLevel {
    /// `debug`: everything is sent until the client narrows it.
    fn default() -> Self {
        Self(Arc::new(AtomicU8::new(severity(LoggingLevel::Debug))))
    }
}

impl LogLevel {
    /// Only lines at `level` or more severe are sent from now on.
    pub fn set(&self, level: LoggingLevel) {
        self.0.store(severity(level), Ordering::Relaxed);
    }

    /// Whether a line at `level` passes the connection's threshold.
    pub fn allows(&self, level: LoggingLevel) -> bool {
        severity(level) >= self.0.load(Ordering::Relaxed)
    }

    /// Whether a line at `level` may be sent while serving the request of `context`.
    pub fn allows_for(&self, context: &RequestContext<RoleServer>, level: LoggingLevel) -> bool {
        let per_request = context
            .meta
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        if per_request {
            context
                .meta
                .log_level()
                .is_some_and(|threshold| severity(level) >= severity(threshold))
        } else {
            self.allows(level)
        }
    }

    /// Send `data` at `level` while serving the request of `context`, if its threshold allows
    /// it. A peer that went away is not an error for the caller: the line is dropped and traced.
    pub async fn send(
        &self,
        context: &RequestContext<RoleServer>,
        level: LoggingLevel,
        logger: Option<&str>,
        data: serde_json::Value,
    ) {
        if !self.allows_for(context, level) {
            return;
        }
        let mut params = LoggingMessageNotificationParam::new(level, data);
        if let Some(logger) = logger {
            params = params.with_logger(logger);
        }
        if let Err(error) = context.peer.notify_logging_message(params).await {
            tracing::debug!(%error, "log notification not delivered");
        }
    }
}

/// RFC 5424 order, least severe first (`LoggingLevel` has no `Ord`).
fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raised_level_filters_less_severe_lines() {
        let level = LogLevel::default();
        assert!(level.allows(LoggingLevel::Debug));
        level.set(LoggingLevel::Error);
        assert!(!level.allows(LoggingLevel::Info));
        assert!(level.allows(LoggingLevel::Critical));
    }
}
