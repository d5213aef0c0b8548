//! `logging/setLevel` and the log lines this server sends (`notifications/message`).
//!
//! The level is per connection (per HTTP session, or the one stdio peer): a client that asks for
//! `error` stops receiving `info` lines, which is what a gateway relaying log levels must
//! preserve. Logging is deprecated by SEP-2577 (2026-07-28) but the legacy suite tests it, so
//! the deprecated rmcp types are used on purpose here and only here.
#![allow(deprecated)] // SEP-2577 deprecates logging; legacy (2025-11-25) peers still use it.

use std::sync::{
    Arc,
    atomic::{AtomicU8, Ordering},
};

use rmcp::{
    RoleServer,
    model::{LoggingLevel, LoggingMessageNotificationParam},
    service::Peer,
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

    /// Whether a line at `level` passes the current threshold.
    pub fn allows(&self, level: LoggingLevel) -> bool {
        severity(level) >= self.0.load(Ordering::Relaxed)
    }

    /// Send `data` at `level` to `peer` if the threshold allows it. A peer that went away is not
    /// an error for the caller: the line is dropped and traced.
    pub async fn send(
        &self,
        peer: &Peer<RoleServer>,
        level: LoggingLevel,
        logger: Option<&str>,
        data: serde_json::Value,
    ) {
        if !self.allows(level) {
            return;
        }
        let mut params = LoggingMessageNotificationParam::new(level, data);
        if let Some(logger) = logger {
            params = params.with_logger(logger);
        }
        if let Err(error) = peer.notify_logging_message(params).await {
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
