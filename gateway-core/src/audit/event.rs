//! The audit record: one [`AuditEvent`] is one line of the JSONL audit log.
//!
//! Owns the wire schema (field names are the DESIGN.md contract: `ts`, `event`, `gateway_id`, `server`,
//! `tool`, `decision`, `detectors`, `duration_ms`, …) and the builder used by callers. It deliberately has
//! no free-form field for tool arguments: they are recorded only as a SHA-256 and a byte length
//! ([`AuditEvent::with_args`]). It does not write anything; the writer thread does.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// What happened: the `event` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A tool call (or other request) arrived from the client.
    Request,
    /// A response went back to the client.
    Response,
    /// A guardrail or policy blocked a call.
    Block,
    /// Something failed (upstream error, timeout, audit events dropped, …).
    Error,
    /// The configuration was loaded or reloaded.
    Config,
}

/// The gateway's verdict: the `decision` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Passed unchanged.
    Allowed,
    /// Refused; nothing from the upstream reached the client.
    Blocked,
    /// Passed with parts masked.
    Redacted,
    /// Could not be decided because something failed.
    Error,
}

/// One audit record. Optional fields are omitted from the line when unset; `detectors` is always present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEvent {
    /// RFC 3339 UTC timestamp with milliseconds, e.g. `2025-01-31T12:00:00.123Z`.
    pub ts: String,
    /// What happened.
    pub event: EventKind,
    /// The gateway (config entry) that handled it.
    pub gateway_id: String,
    /// Upstream server name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server: Option<String>,
    /// Upstream tool name (as the upstream knows it).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tool: Option<String>,
    /// The verdict.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub decision: Option<Decision>,
    /// Names of the detectors that fired (possibly none).
    #[serde(default)]
    pub detectors: Vec<String>,
    /// Wall time of the call, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub duration_ms: Option<f64>,
    /// Correlates the request, block and response lines of one call.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
    /// `"input"` or `"output"`: which side a guardrail judged.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub side: Option<String>,
    /// Lowercase hex SHA-256 of the compact JSON of the tool arguments.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub args_sha256: Option<String>,
    /// Length in bytes of the compact JSON of the tool arguments.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub args_bytes: Option<usize>,
    /// Human-readable note. Must not contain secrets or raw PII; the writer masks obvious tokens anyway.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    /// The writing gateway process.
    #[serde(default)]
    pub pid: u32,
}

impl AuditEvent {
    /// A new event stamped with the current UTC time and this process's id.
    pub fn new(event: EventKind, gateway_id: impl Into<String>) -> Self {
        Self {
            ts: now_rfc3339(),
            event,
            gateway_id: gateway_id.into(),
            server: None,
            tool: None,
            decision: None,
            detectors: Vec::new(),
            duration_ms: None,
            request_id: None,
            side: None,
            args_sha256: None,
            args_bytes: None,
            message: None,
            pid: std::process::id(),
        }
    }

    /// Sets `server`.
    pub fn with_server(mut self, server: impl Into<String>) -> Self {
        self.server = Some(server.into());
        self
    }

    /// Sets `tool`.
    pub fn with_tool(mut self, tool: impl Into<String>) -> Self {
        self.tool = Some(tool.into());
        self
    }

    /// Sets `decision`.
    pub fn with_decision(mut self, decision: Decision) -> Self {
        self.decision = Some(decision);
        self
    }

    /// Sets `detectors`.
    pub fn with_detectors<I, S>(mut self, detectors: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.detectors = detectors.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `duration_ms` (microsecond precision).
    pub fn with_duration(mut self, duration: Duration) -> Self {
        let ms = duration.as_secs_f64() * 1000.0;
        self.duration_ms = Some((ms * 1000.0).round() / 1000.0);
        self
    }

    /// Sets `request_id`.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sets `message`. The caller keeps secrets and raw PII out of it.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sets `side` (`"input"` or `"output"`).
    pub fn with_side(mut self, side: impl Into<String>) -> Self {
        self.side = Some(side.into());
        self
    }

    /// Records tool arguments by fingerprint only: SHA-256 and length of their compact JSON.
    pub fn with_args<T: serde::Serialize + ?Sized>(mut self, args: &T) -> Self {
        // JSON values and maps serialise without failing; anything else that cannot counts as empty.
        let compact = serde_json::to_string(args).unwrap_or_default();
        self.args_sha256 = Some(sha256_hex(compact.as_bytes()));
        self.args_bytes = Some(compact.len());
        self
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn now_rfc3339() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    // Formatting a UTC time with a fixed, valid description only fails for years beyond 9999.
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_with_design_field_names() {
        let ev = AuditEvent::new(EventKind::Block, "gw-1")
            .with_server("github")
            .with_tool("create_issue")
            .with_decision(Decision::Blocked)
            .with_detectors(["pii", "injection"])
            .with_duration(Duration::from_micros(12_345))
            .with_request_id("r-1")
            .with_side("input")
            .with_args(&json!({"b": 1, "a": "x"}));
        let v = serde_json::to_value(&ev).expect("an event serialises");
        assert_eq!(v["event"], "block");
        assert_eq!(v["gateway_id"], "gw-1");
        assert_eq!(v["server"], "github");
        assert_eq!(v["tool"], "create_issue");
        assert_eq!(v["decision"], "blocked");
        assert_eq!(v["detectors"], json!(["pii", "injection"]));
        assert_eq!(v["duration_ms"], 12.345);
        assert_eq!(v["request_id"], "r-1");
        assert_eq!(v["side"], "input");
        assert_eq!(v["args_bytes"], 15);
        assert_eq!(v["pid"], std::process::id());
        let back: AuditEvent = serde_json::from_value(v).expect("an event deserialises");
        assert_eq!(back, ev);
    }

    #[test]
    fn unset_fields_are_omitted_but_detectors_is_always_present() {
        let ev = AuditEvent::new(EventKind::Config, "gw");
        let v = serde_json::to_value(&ev).expect("an event serialises");
        let keys: Vec<&str> = v
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["ts", "event", "gateway_id", "detectors", "pid"]);
        assert_eq!(v["detectors"], json!([]));
    }

    #[test]
    fn minimal_line_from_another_writer_parses() {
        let line = r#"{"ts":"2025-01-01T00:00:00Z","event":"request","gateway_id":"g"}"#;
        let ev: AuditEvent = serde_json::from_str(line).expect("a minimal line parses");
        assert_eq!(ev.event, EventKind::Request);
        assert!(ev.detectors.is_empty());
    }

    #[test]
    fn timestamp_is_rfc3339_utc_with_millis() {
        let ts = AuditEvent::new(EventKind::Request, "g").ts;
        assert_eq!(ts.len(), "2025-01-31T12:00:00.123Z".len(), "{ts}");
        let shape: String = ts
            .chars()
            .map(|c| if c.is_ascii_digit() { 'd' } else { c })
            .collect();
        assert_eq!(shape, "dddd-dd-ddTdd:dd:dd.dddZ");
    }

    #[test]
    fn args_are_fingerprinted_not_copied() {
        let args = json!({"token": "sk-secret-value"});
        let ev = AuditEvent::new(EventKind::Request, "g").with_args(&args);
        let line = serde_json::to_string(&ev).expect("an event serialises");
        assert!(!line.contains("sk-secret-value"));
        assert_eq!(
            ev.args_sha256,
            Some(sha256_hex(args.to_string().as_bytes()))
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
