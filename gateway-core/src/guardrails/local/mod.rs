//! The offline guardrail engine: the same detector names as the Enkrypt API, no network.
//!
//! Text is normalised first (`normalize.rs`); then `injection_attack` (`injection.rs` patterns, or the
//! shipped classifier in `classifier.rs`), `pii`
//! (`pii.rs`, with reversible redaction; names and addresses via `gazetteer.rs` and `running.rs`, credits skipped by `credits.rs`), `secrets` (`secrets.rs`), `keyword_detector`, `toxicity` and
//! `nsfw` (`words.rs`) run. Detectors that need a model or the cloud (`policy_violation`,
//! `topic_detector`, `bias`, `relevancy`, `adherence`, `hallucination`) are reported as unavailable
//! offline rather than silently passing; they cannot block in this engine.

pub mod agent;
pub mod classifier;
pub mod credits;
pub mod fasthash;
pub mod gazetteer;
pub mod injection;
pub mod namelike;
pub mod normalize;
pub mod pii;
pub mod running;
pub mod secrets;
pub mod words;

use futures::future::BoxFuture;
use serde_json::json;

use super::{Detection, GuardrailError, Provider, Redaction, Side, ToolOrigin};
use crate::config::GuardrailPolicy;

/// Detectors this engine implements.
pub const SUPPORTED: &[&str] = &[
    "injection_attack",
    "pii",
    "secrets",
    "keyword_detector",
    "toxicity",
    "nsfw",
];

/// The offline provider. Its PII vault lives as long as the gateway process (one client session).
#[derive(Default)]
pub struct LocalProvider {
    vault: pii::Vault,
    /// Another injection classifier than the shipped one (evaluation of leave-one-source-out models).
    model: Option<classifier::Model>,
}

impl LocalProvider {
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine scoring with `model` instead of the shipped classifier (for `guardrail-eval`).
    pub fn with_model(model: classifier::Model) -> Self {
        Self {
            vault: pii::Vault::default(),
            model: Some(model),
        }
    }

    /// All findings on `text` for `policy` (synchronous; fast enough for the request path).
    pub fn scan(&self, policy: &GuardrailPolicy, text: &str) -> Vec<Detection> {
        self.scan_with(policy, text, None)
    }

    /// [`Self::scan`] of a tool result, knowing which tool produced it and the catalog's tool names
    /// (an instruction to call another catalog tool is an injection signal).
    pub fn scan_with(
        &self,
        policy: &GuardrailPolicy,
        text: &str,
        catalog: Option<&agent::Catalog<'_>>,
    ) -> Vec<Detection> {
        let scanned = normalize::scan_text(text);
        let mut out = Vec::new();

        let (score, mut categories) = injection::score(&scanned);
        let agent_directed = agent::find(&scanned, catalog);
        categories.extend(agent_directed);
        let model = self.model.as_ref().unwrap_or(&classifier::MODEL);
        let logit = model.logit(&scanned);
        let classified = logit > model.threshold();
        if classified {
            categories.push("classifier");
        }
        let details = json!({
            "score": score,
            "classifier": classifier::probability(logit),
            "categories": categories,
            "agent_directed": agent_directed.is_some(),
        });
        out.push(
            if score >= injection::THRESHOLD || classified || agent_directed.is_some() {
                Detection::fired(
                    "injection_attack",
                    format!("prompt injection: {}", categories.join(", ")),
                    details,
                )
            } else {
                Detection::quiet("injection_attack", details)
            },
        );

        let secret_spans = secrets::spans(&scanned);
        let entities = policy.pii_entities();
        out.push(pii_detection(&pii::find_in(
            &scanned,
            &entities,
            &secret_spans,
        )));

        let kinds = secrets::kinds(&secret_spans);
        out.push(if kinds.is_empty() {
            Detection::quiet("secrets", json!({}))
        } else {
            Detection::fired(
                "secrets",
                format!("secrets: {}", kinds.join(", ")),
                json!({"types": kinds}),
            )
        });

        let keywords = words::policy_keywords(policy);
        if !keywords.is_empty() {
            let hits = words::matches(&scanned, keywords.iter().map(String::as_str));
            out.push(if hits.is_empty() {
                Detection::quiet("keyword_detector", json!({}))
            } else {
                Detection::fired(
                    "keyword_detector",
                    format!("blocked keywords: {}", hits.join(", ")),
                    json!({"keywords": hits}),
                )
            });
        }
        for (name, hits) in [
            ("toxicity", words::toxic(&scanned)),
            ("nsfw", words::nsfw(&scanned)),
        ] {
            out.push(if hits.is_empty() {
                Detection::quiet(name, json!({}))
            } else {
                Detection::fired(
                    name,
                    format!("{name} terms: {}", hits.len()),
                    json!({"count": hits.len()}),
                )
            });
        }
        for name in &policy.block {
            if !SUPPORTED.contains(&name.as_str())
                && !matches!(name.as_str(), "relevancy" | "adherence" | "hallucination")
            {
                out.push(Detection::quiet(
                    name,
                    json!({"note": "not available in the offline engine"}),
                ));
            }
        }
        out
    }
}

/// The `pii` finding: the labels and the Enkrypt entities found (never the values).
fn pii_detection(found: &[pii::PiiMatch]) -> Detection {
    if found.is_empty() {
        return Detection::quiet("pii", json!({}));
    }
    let mut labels: Vec<&str> = Vec::new();
    let mut entities: Vec<&str> = Vec::new();
    for m in found {
        if !labels.contains(&m.kind.label()) {
            labels.push(m.kind.label());
        }
        if !entities.contains(&m.kind.entity()) {
            entities.push(m.kind.entity());
        }
    }
    Detection::fired(
        "pii",
        format!(
            "personal data ({}): {}",
            entities.join(", "),
            labels.join(", ")
        ),
        json!({"types": labels, "entities": entities, "count": found.len()}),
    )
}

impl Provider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn detect<'a>(
        &'a self,
        _side: Side,
        policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move { Ok(self.scan(policy, text)) })
    }

    fn detect_result<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        text: &'a str,
        origin: &'a ToolOrigin,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move {
            let catalog = agent::Catalog {
                tool: &origin.tool,
                names: &origin.catalog,
            };
            Ok(self.scan_with(policy, text, Some(&catalog)))
        })
    }

    fn compare<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        _request: &'a str,
        _response: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move {
            Ok(["relevancy", "adherence", "hallucination"]
                .iter()
                .filter(|c| super::enkrypt::wants(policy, c))
                .map(|c| {
                    Detection::quiet(
                        c,
                        json!({"note": "needs the Enkrypt API; not available offline"}),
                    )
                })
                .collect())
        })
    }

    fn redact<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Redaction, GuardrailError>> {
        Box::pin(async move {
            let (text, key, _) = self.vault.redact(text, &policy.pii_entities());
            Ok(Redaction { text, key })
        })
    }

    fn restore<'a>(
        &'a self,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, GuardrailError>> {
        Box::pin(async move { Ok(self.vault.restore(text, key)) })
    }
}
