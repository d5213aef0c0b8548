//! Guardrails: the checks a tool call passes on the way in (its arguments, before the upstream sees them)
//! and on the way out (its result, before the client sees it).
//!
//! A [`Provider`] runs detectors (the Enkrypt API in `enkrypt.rs`, the offline engine in `local/`); this
//! module decides what their findings mean for one call. A detector that fires and is listed in the
//! policy's `block` blocks; one that fires without being listed is reported (audit log) but lets the call
//! through. A provider that fails (network, timeout, garbage) blocks the call unless the config opts into
//! fail-open: "the check failed" never means "allowed" by accident. Text extraction and replacement over
//! arguments and results live in `text.rs`.

pub mod enkrypt;
pub mod local;
pub mod pins;
pub mod pipeline;
pub mod poisoning;
pub mod text;

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{CommonConfig, ConfigFormat, GuardrailPolicy, GuardrailProvider};

/// Which side of a call is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Input,
    Output,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Input => "input",
            Side::Output => "output",
        }
    }
}

/// One detector's finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// The detector's policy name (`injection_attack`, `pii`, `keyword_detector`, `relevancy`, …).
    pub detector: String,
    pub fired: bool,
    /// A human-readable reason when it fired (never the matched secret itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Provider details (scores, categories), echoed in `enkrypt_policy_detections`.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

impl Detection {
    pub fn fired(detector: &str, reason: impl Into<String>, details: Value) -> Self {
        Self {
            detector: detector.to_string(),
            fired: true,
            reason: Some(reason.into()),
            details,
        }
    }

    pub fn quiet(detector: &str, details: Value) -> Self {
        Self {
            detector: detector.to_string(),
            fired: false,
            reason: None,
            details,
        }
    }
}

/// Where a tool result comes from: what only the gateway knows about it.
#[derive(Debug, Clone, Default)]
pub struct ToolOrigin {
    pub server: String,
    /// The upstream tool that produced the result.
    pub tool: String,
    /// Every tool name of the gateway's catalog (all servers; upstream and exposed names).
    pub catalog: Vec<String>,
}

/// PII redaction of one text: the redacted text and what restores it.
#[derive(Debug, Clone)]
pub struct Redaction {
    pub text: String,
    /// Provider token to restore with (the Enkrypt API's `key`; the local engine's vault id).
    pub key: String,
}

/// Why a provider could not answer. Messages never include the API key.
#[derive(Debug, thiserror::Error)]
pub enum GuardrailError {
    #[error("the guardrails service could not be reached at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the guardrails service did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("the guardrails service answered HTTP {status} for {path}: {body}")]
    Status {
        status: u16,
        path: String,
        body: String,
    },
    #[error("the guardrails service answered something unexpected for {path}: {reason}")]
    Malformed { path: String, reason: String },
    #[error("the guardrails service reported an error for {path}: {message}")]
    Api { path: String, message: String },
}

/// Where detectors run.
pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;

    /// Runs the detect endpoint / detectors for `policy` on `text` from `side`.
    fn detect<'a>(
        &'a self,
        side: Side,
        policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>>;

    /// Runs the output detectors on a tool result from `origin`. Providers that cannot use the origin
    /// run [`Provider::detect`].
    fn detect_result<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        text: &'a str,
        origin: &'a ToolOrigin,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        let _ = origin;
        self.detect(Side::Output, policy, text)
    }

    /// Output-only checks comparing the request with the answer (relevancy, adherence, hallucination)
    /// that the policy asks for.
    fn compare<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        request_text: &'a str,
        response_text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>>;

    /// Replaces PII in `text` with placeholders (the entities `policy` covers, where the provider
    /// can narrow them).
    fn redact<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Redaction, GuardrailError>>;

    /// Puts the original values back into `text`.
    fn restore<'a>(
        &'a self,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, GuardrailError>>;
}

/// The verdict on one side of one call.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Nothing in `block` fired. `detections` may still hold non-blocking findings to report.
    Pass { detections: Vec<Detection> },
    /// Blocked: the detectors that fired and are listed in `block`.
    Block {
        detectors: Vec<String>,
        reasons: Vec<String>,
        detections: Vec<Detection>,
    },
}

impl Verdict {
    /// Findings as the reference's `*_guardrail_response` object.
    pub fn to_json(&self) -> Value {
        match self {
            Verdict::Pass { detections } => json!({"is_safe": true, "detections": detections}),
            Verdict::Block {
                detectors,
                reasons,
                detections,
            } => {
                json!({"is_safe": false, "blocked_by": detectors, "reasons": reasons, "detections": detections})
            }
        }
    }
}

/// Turns findings into a verdict for `policy`.
pub fn judge(policy: &GuardrailPolicy, detections: Vec<Detection>) -> Verdict {
    let mut detectors = Vec::new();
    let mut reasons = Vec::new();
    for d in detections.iter().filter(|d| d.fired) {
        if policy.block.iter().any(|b| b == &d.detector) && !detectors.contains(&d.detector) {
            detectors.push(d.detector.clone());
            reasons.push(
                d.reason
                    .clone()
                    .unwrap_or_else(|| format!("{} fired", d.detector)),
            );
        }
    }
    if detectors.is_empty() {
        Verdict::Pass { detections }
    } else {
        Verdict::Block {
            detectors,
            reasons,
            detections,
        }
    }
}

/// Whether `additional_config.<key>` is true.
pub fn flag(policy: &GuardrailPolicy, key: &str) -> bool {
    policy
        .additional_config
        .get(key)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The guardrails of one gateway: provider and switches.
pub struct Guardrails {
    pub provider: Arc<dyn Provider>,
    pub fail_open: bool,
    pub async_input: bool,
}

/// Which provider a config selects: explicit, else Enkrypt when an API key is set, else local.
pub fn select_provider(common: &CommonConfig, format: ConfigFormat) -> Arc<dyn Provider> {
    let choice = common
        .guardrails_provider
        .unwrap_or(if common.api_key.is_some() {
            GuardrailProvider::Enkrypt
        } else {
            GuardrailProvider::Local
        });
    match choice {
        GuardrailProvider::Enkrypt => match enkrypt::EnkryptProvider::new(common, format) {
            Ok(provider) => Arc::new(provider),
            Err(error) => Arc::new(Broken(error.to_string())),
        },
        GuardrailProvider::Local => Arc::new(local::LocalProvider::new()),
    }
}

impl Guardrails {
    /// The guardrails a loaded config asks for.
    pub fn for_config(config: &crate::config::GatewayConfig) -> Self {
        Self {
            provider: select_provider(&config.common, config.format),
            fail_open: config.common.guardrails_fail_open,
            async_input: config.common.async_input_guardrails_enabled,
        }
    }
}

/// A provider that could not be set up: every check fails (and so blocks, unless fail-open).
struct Broken(String);

impl Broken {
    fn error(&self) -> GuardrailError {
        GuardrailError::Unreachable {
            url: "(not configured)".into(),
            reason: self.0.clone(),
        }
    }
}

impl Provider for Broken {
    fn name(&self) -> &'static str {
        "unavailable"
    }
    fn detect<'a>(
        &'a self,
        _: Side,
        _: &'a GuardrailPolicy,
        _: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move { Err(self.error()) })
    }
    fn compare<'a>(
        &'a self,
        _: &'a GuardrailPolicy,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move { Err(self.error()) })
    }
    fn redact<'a>(
        &'a self,
        _: &'a GuardrailPolicy,
        _: &'a str,
    ) -> BoxFuture<'a, Result<Redaction, GuardrailError>> {
        Box::pin(async move { Err(self.error()) })
    }
    fn restore<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, Result<String, GuardrailError>> {
        Box::pin(async move { Err(self.error()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(block: &[&str]) -> GuardrailPolicy {
        GuardrailPolicy {
            enabled: true,
            policy_name: None,
            block: block.iter().map(|s| s.to_string()).collect(),
            additional_config: Default::default(),
        }
    }

    #[test]
    fn only_listed_detectors_block() {
        let findings = vec![
            Detection::fired("pii", "email address", Value::Null),
            Detection::fired("toxicity", "insult", Value::Null),
        ];
        match judge(&policy(&["toxicity"]), findings) {
            Verdict::Block { detectors, .. } => assert_eq!(detectors, vec!["toxicity"]),
            other => panic!("expected block, got {other:?}"),
        }
        let findings = vec![Detection::fired("pii", "email address", Value::Null)];
        assert!(matches!(
            judge(&policy(&["toxicity"]), findings),
            Verdict::Pass { .. }
        ));
    }

    #[test]
    fn quiet_detectors_never_block() {
        let findings = vec![Detection::quiet("injection_attack", Value::Null)];
        assert!(matches!(
            judge(&policy(&["injection_attack"]), findings),
            Verdict::Pass { .. }
        ));
    }
}
