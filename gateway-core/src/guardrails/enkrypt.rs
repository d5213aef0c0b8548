//! The remote provider: Enkrypt AI's guardrails HTTP API, called with the endpoints, headers and bodies
//! the reference uses (REFERENCE.md §4), with the reference's reading mistakes fixed.
//!
//! Fixed: `keyword_detector` reads `keyword_detected`, `topic_detector` fires on `on_topic: 0`,
//! relevancy/adherence block when the score is BELOW the threshold, hallucination reads
//! `is_hallucination` or `has_hallucination`, HTTP status codes are checked, and an `error` body, a
//! missing `summary` or a missing score is an error (the pipeline then fails closed) instead of a pass.
//! One connection pool and a timeout per request. The API key goes only into the `apikey` header.

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Detection, GuardrailError, Provider, Redaction, Side, flag};
use crate::config::{CommonConfig, ConfigFormat, GuardrailPolicy};
use crate::secret::Sensitive;

/// The Enkrypt guardrails API client.
pub struct EnkryptProvider {
    http: reqwest::Client,
    base_url: String,
    api_key: Sensitive<String>,
    format: ConfigFormat,
    timeout: Duration,
}

/// Detector name → the `summary` keys the API uses for it, in order of preference.
fn summary_keys(detector: &str) -> &[&str] {
    match detector {
        "keyword_detector" => &["keyword_detected", "keyword_detector"],
        "topic_detector" => &["on_topic", "topic_detector"],
        "pii" => &["pii"],
        "toxicity" => &["toxicity"],
        _ => &[],
    }
}

/// Whether a summary value means "fired" for `detector`.
fn value_fires(detector: &str, key: &str, value: &Value) -> bool {
    if key == "on_topic" {
        // 1 = on topic; 0 = off topic, which is what the topic detector reports.
        return match value {
            Value::Bool(b) => !b,
            Value::Number(n) => n.as_f64().is_some_and(|x| x < 0.5),
            _ => false,
        };
    }
    let _ = detector;
    match value {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x >= 1.0),
        Value::Array(items) => !items.is_empty(),
        Value::String(s) => !s.is_empty() && s != "0" && !s.eq_ignore_ascii_case("false"),
        Value::Object(map) => !map.is_empty(),
        Value::Null => false,
    }
}

/// Findings for every detector in `block` (and any other non-zero entry of `summary`, reported only).
pub fn detections_from_summary(
    policy_name: &str,
    block: &[String],
    summary: &serde_json::Map<String, Value>,
    details: &Value,
) -> Vec<Detection> {
    let mut out = Vec::new();
    let mut seen_keys = Vec::new();
    for detector in block {
        let keys: Vec<&str> = match summary_keys(detector) {
            [] => vec![detector.as_str()],
            keys => keys.to_vec(),
        };
        let hit = keys.iter().find_map(|k| summary.get(*k).map(|v| (*k, v)));
        let detail = keys
            .iter()
            .find_map(|k| details.get(*k))
            .cloned()
            .unwrap_or(Value::Null);
        match hit {
            Some((key, value)) => {
                seen_keys.push(key.to_string());
                if value_fires(detector, key, value) {
                    out.push(Detection::fired(
                        detector,
                        format!("{detector} detected by the Enkrypt guardrail '{policy_name}'"),
                        json!({"summary": value, "details": detail}),
                    ));
                } else {
                    out.push(Detection::quiet(detector, json!({"summary": value})));
                }
            }
            None => out.push(Detection::quiet(
                detector,
                json!({"summary": null, "note": "not reported by the API"}),
            )),
        }
    }
    for (key, value) in summary {
        if seen_keys.contains(key) || block.iter().any(|b| b == key) {
            continue;
        }
        let name = match key.as_str() {
            "keyword_detected" => "keyword_detector",
            "on_topic" => "topic_detector",
            other => other,
        };
        if value_fires(name, key, value) {
            out.push(Detection::fired(
                name,
                format!("{name} detected (not in block: reported only)"),
                json!({"summary": value}),
            ));
        }
    }
    out
}

impl EnkryptProvider {
    pub fn new(common: &CommonConfig, format: ConfigFormat) -> Result<Self, GuardrailError> {
        let api_key = common.api_key.clone().unwrap_or_default();
        let http = reqwest::Client::builder()
            .timeout(common.guardrail_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!(
                "enkrypt-secure-mcp-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| GuardrailError::Unreachable {
                url: common.base_url.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base_url: common.base_url.trim_end_matches('/').to_string(),
            api_key,
            format,
            timeout: common.guardrail_timeout,
        })
    }

    async fn post(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: Value,
    ) -> Result<Value, GuardrailError> {
        let url = format!("{}{}", self.base_url, path);
        let mut request = self
            .http
            .post(&url)
            .header("apikey", self.api_key.expose().as_str())
            .header("Content-Type", "application/json")
            .header("X-Enkrypt-Source-Name", "mcp-gateway")
            .json(&body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                GuardrailError::Timeout(self.timeout)
            } else {
                GuardrailError::Unreachable {
                    url: url.clone(),
                    reason: e.without_url().to_string(),
                }
            }
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            if e.is_timeout() {
                GuardrailError::Timeout(self.timeout)
            } else {
                GuardrailError::Malformed {
                    path: path.to_string(),
                    reason: e.without_url().to_string(),
                }
            }
        })?;
        if !status.is_success() {
            return Err(GuardrailError::Status {
                status: status.as_u16(),
                path: path.to_string(),
                body: text.chars().take(200).collect(),
            });
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| GuardrailError::Malformed {
            path: path.to_string(),
            reason: format!("not JSON ({e})"),
        })?;
        if let Some(error) = value
            .get("error")
            .filter(|e| !e.is_null() && *e != &Value::Bool(false))
        {
            return Err(GuardrailError::Api {
                path: path.to_string(),
                message: error
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| error.to_string()),
            });
        }
        Ok(value)
    }

    fn score(path: &str, value: &Value, names: &[&str]) -> Result<f64, GuardrailError> {
        names
            .iter()
            .find_map(|n| {
                value
                    .get("summary")
                    .and_then(|s| s.get(*n))
                    .or_else(|| value.get(*n))
                    .and_then(Value::as_f64)
            })
            .ok_or_else(|| GuardrailError::Malformed {
                path: path.to_string(),
                reason: format!("no {} in the answer", names.join(" / ")),
            })
    }
}

fn threshold(policy: &GuardrailPolicy, key: &str, default: f64) -> f64 {
    policy
        .additional_config
        .get(key)
        .and_then(Value::as_f64)
        .unwrap_or(default)
}

/// The detect request body: the text, and, when the policy blocks `pii` and names its
/// `additional_config.pii_entities`, that list as the `pii` detector's `entities` (otherwise the saved
/// Enkrypt policy's own entity list applies).
pub fn detect_body(policy: &GuardrailPolicy, text: &str) -> Value {
    if policy.pii_entities_set() && policy.block.iter().any(|b| b == "pii") {
        json!({
            "text": text,
            "detectors": {"pii": {"enabled": true, "entities": policy.pii_entities()}},
        })
    } else {
        json!({"text": text})
    }
}

/// Whether the policy asks for an output comparison check (`additional_config.<x>` or `<x>` in `block`).
pub fn wants(policy: &GuardrailPolicy, check: &str) -> bool {
    flag(policy, check) || policy.block.iter().any(|b| b == check)
}

impl Provider for EnkryptProvider {
    fn name(&self) -> &'static str {
        "enkrypt"
    }

    fn detect<'a>(
        &'a self,
        side: Side,
        policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move {
            let name = policy.policy_name.clone().unwrap_or_default();
            let event = match side {
                Side::Input => "pre-tool",
                Side::Output => "post-tool",
            };
            let (path, headers) = match self.format {
                ConfigFormat::V1 => (
                    "/guardrails/policy/detect",
                    vec![
                        ("X-Enkrypt-Policy", name.clone()),
                        ("X-Enkrypt-Source-Event", event.to_string()),
                    ],
                ),
                ConfigFormat::V2 => (
                    "/guardrails/guardrail/detect",
                    vec![
                        ("X-Enkrypt-Guardrail", name.clone()),
                        (
                            "X-Enkrypt-Mode",
                            if side == Side::Input {
                                "prompt"
                            } else {
                                "response"
                            }
                            .to_string(),
                        ),
                        ("X-Enkrypt-Source-Event", event.to_string()),
                    ],
                ),
            };
            let reply = self.post(path, &headers, detect_body(policy, text)).await?;
            let summary = reply
                .get("summary")
                .and_then(Value::as_object)
                .ok_or_else(|| GuardrailError::Malformed {
                    path: path.to_string(),
                    reason: "no `summary` object in the answer".into(),
                })?;
            let details = reply.get("details").cloned().unwrap_or(Value::Null);
            let detect_names: Vec<String> = policy
                .block
                .iter()
                .filter(|b| !matches!(b.as_str(), "relevancy" | "adherence" | "hallucination"))
                .cloned()
                .collect();
            Ok(detections_from_summary(
                &name,
                &detect_names,
                summary,
                &details,
            ))
        })
    }

    fn compare<'a>(
        &'a self,
        policy: &'a GuardrailPolicy,
        request_text: &'a str,
        response_text: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Detection>, GuardrailError>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let headers = [("X-Enkrypt-Source-Event", "post-tool".to_string())];
            if wants(policy, "relevancy") {
                let path = "/guardrails/relevancy";
                let reply = self
                    .post(
                        path,
                        &headers,
                        json!({"question": request_text, "llm_answer": response_text}),
                    )
                    .await?;
                let score = Self::score(path, &reply, &["relevancy_score", "score"])?;
                let limit = threshold(policy, "relevancy_threshold", 0.7);
                out.push(if score < limit {
                    Detection::fired(
                        "relevancy",
                        format!("answer relevancy {score:.2} is below {limit:.2}"),
                        json!({"score": score}),
                    )
                } else {
                    Detection::quiet("relevancy", json!({"score": score}))
                });
            }
            if wants(policy, "adherence") {
                let path = "/guardrails/adherence";
                let reply = self
                    .post(
                        path,
                        &headers,
                        json!({"context": request_text, "llm_answer": response_text}),
                    )
                    .await?;
                let score = Self::score(path, &reply, &["adherence_score", "score"])?;
                let limit = threshold(policy, "adherence_threshold", 0.8);
                out.push(if score < limit {
                    Detection::fired(
                        "adherence",
                        format!("context adherence {score:.2} is below {limit:.2}"),
                        json!({"score": score}),
                    )
                } else {
                    Detection::quiet("adherence", json!({"score": score}))
                });
            }
            if wants(policy, "hallucination") {
                let path = "/guardrails/hallucination";
                let reply = self
                    .post(path, &headers, json!({"request_text": request_text, "response_text": response_text, "context": ""}))
                    .await?;
                let found = ["is_hallucination", "has_hallucination"]
                    .iter()
                    .find_map(|k| {
                        reply
                            .get("summary")
                            .and_then(|s| s.get(*k))
                            .or_else(|| reply.get(*k))
                            .cloned()
                    });
                let fired = match found {
                    Some(Value::Bool(b)) => b,
                    Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x > 0.0),
                    _ => {
                        return Err(GuardrailError::Malformed {
                            path: path.into(),
                            reason: "no is_hallucination / has_hallucination in the answer".into(),
                        });
                    }
                };
                out.push(if fired {
                    Detection::fired(
                        "hallucination",
                        "the answer contains hallucinations",
                        reply.clone(),
                    )
                } else {
                    Detection::quiet("hallucination", Value::Null)
                });
            }
            Ok(out)
        })
    }

    fn redact<'a>(
        &'a self,
        _policy: &'a GuardrailPolicy,
        text: &'a str,
    ) -> BoxFuture<'a, Result<Redaction, GuardrailError>> {
        Box::pin(async move {
            let path = "/guardrails/pii";
            let headers = [("X-Enkrypt-Source-Event", "pii-redact".to_string())];
            let reply = self
                .post(
                    path,
                    &headers,
                    json!({"text": text, "mode": "request", "key": "null"}),
                )
                .await?;
            let redacted = reply.get("text").and_then(Value::as_str);
            let key = reply.get("key").and_then(|k| {
                k.as_str()
                    .map(str::to_string)
                    .or_else(|| (!k.is_null()).then(|| k.to_string()))
            });
            match (redacted, key) {
                (Some(text), Some(key)) => Ok(Redaction {
                    text: text.to_string(),
                    key,
                }),
                _ => Err(GuardrailError::Malformed {
                    path: path.into(),
                    reason: "PII redaction answer lacks `text` or `key`".into(),
                }),
            }
        })
    }

    fn restore<'a>(
        &'a self,
        text: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, GuardrailError>> {
        Box::pin(async move {
            let path = "/guardrails/pii";
            let headers = [("X-Enkrypt-Source-Event", "pii-restore".to_string())];
            let reply = self
                .post(
                    path,
                    &headers,
                    json!({"text": text, "mode": "response", "key": key}),
                )
                .await?;
            reply
                .get("text")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| GuardrailError::Malformed {
                    path: path.into(),
                    reason: "PII restore answer lacks `text`".into(),
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn fired(detections: &[Detection]) -> Vec<String> {
        detections
            .iter()
            .filter(|d| d.fired)
            .map(|d| d.detector.clone())
            .collect()
    }

    #[test]
    fn keyword_and_topic_use_the_api_field_names() {
        let summary = json!({"keyword_detected": 1, "on_topic": 0, "injection_attack": 0});
        let d = detections_from_summary(
            "p",
            &names(&["keyword_detector", "topic_detector", "injection_attack"]),
            summary.as_object().expect("obj"),
            &Value::Null,
        );
        assert_eq!(fired(&d), vec!["keyword_detector", "topic_detector"]);
    }

    #[test]
    fn on_topic_one_is_not_a_topic_violation() {
        let summary = json!({"on_topic": 1});
        let d = detections_from_summary(
            "p",
            &names(&["topic_detector"]),
            summary.as_object().expect("obj"),
            &Value::Null,
        );
        assert!(fired(&d).is_empty());
    }

    #[test]
    fn toxicity_lists_fire_when_non_empty() {
        let summary = json!({"toxicity": ["insult"], "nsfw": 0});
        let d = detections_from_summary(
            "p",
            &names(&["toxicity", "nsfw"]),
            summary.as_object().expect("obj"),
            &Value::Null,
        );
        assert_eq!(fired(&d), vec!["toxicity"]);
        let summary = json!({"toxicity": []});
        let d = detections_from_summary(
            "p",
            &names(&["toxicity"]),
            summary.as_object().expect("obj"),
            &Value::Null,
        );
        assert!(fired(&d).is_empty());
    }

    #[test]
    fn unlisted_detectors_are_reported_not_blocking() {
        let summary = json!({"pii": 1});
        let d = detections_from_summary(
            "p",
            &names(&["injection_attack"]),
            summary.as_object().expect("obj"),
            &Value::Null,
        );
        assert_eq!(fired(&d), vec!["pii"]);
        assert!(matches!(
            super::super::judge(
                &GuardrailPolicy {
                    block: names(&["injection_attack"]),
                    ..Default::default()
                },
                d
            ),
            super::super::Verdict::Pass { .. }
        ));
    }
}
