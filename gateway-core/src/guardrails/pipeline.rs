//! One call through the guardrails: input (redact PII, detect) and output (detect, compare with the
//! request, restore PII), with the fail-closed rule applied in one place ([`Guardrails::on_failure`]).

use rmcp::model::{CallToolResult, JsonObject};
use serde_json::{Value, json};

use super::text::{args_text, result_text, result_texts_mut};
use super::{Detection, GuardrailError, Guardrails, Side, ToolOrigin, Verdict, flag, judge};
use crate::config::GuardrailPolicy;

/// The detector name reported when a guardrail check itself failed.
pub const GUARDRAIL_UNAVAILABLE: &str = "guardrail_unavailable";

/// The input side's result.
#[derive(Debug)]
pub struct InputCheck {
    pub verdict: Verdict,
    /// The arguments to send upstream (PII-redacted when redaction is on).
    pub args: JsonObject,
    /// Restore token when the arguments were redacted.
    pub redaction_key: Option<String>,
}

impl Guardrails {
    /// What a failed check means: blocked (default), or let through and reported when fail-open.
    pub fn on_failure(&self, side: Side, error: &GuardrailError) -> Verdict {
        tracing::warn!(side = side.as_str(), %error, fail_open = self.fail_open, "guardrail check failed");
        if self.fail_open {
            Verdict::Pass {
                detections: vec![Detection::quiet(
                    GUARDRAIL_UNAVAILABLE,
                    json!({"error": error.to_string(), "fail_open": true}),
                )],
            }
        } else {
            Verdict::Block {
                detectors: vec![GUARDRAIL_UNAVAILABLE.to_string()],
                reasons: vec![format!(
                    "the {} guardrail check could not run, so the call was blocked (fail closed): {error}",
                    side.as_str()
                )],
                detections: vec![],
            }
        }
    }

    /// Input side: PII redaction (when `additional_config.pii_redaction`), then detection on the
    /// (redacted) arguments.
    pub async fn check_input(&self, policy: &GuardrailPolicy, args: JsonObject) -> InputCheck {
        let mut args = args;
        let mut redaction_key = None;
        if flag(policy, "pii_redaction") {
            match self.provider.redact(policy, &args_text(&args)).await {
                Ok(redaction) => match serde_json::from_str::<Value>(&redaction.text) {
                    Ok(Value::Object(redacted)) => {
                        args = redacted;
                        redaction_key = Some(redaction.key);
                    }
                    _ => {
                        let error = GuardrailError::Malformed {
                            path: "pii".into(),
                            reason: "redacted arguments are no longer a JSON object".into(),
                        };
                        return InputCheck {
                            verdict: self.on_failure(Side::Input, &error),
                            args,
                            redaction_key: None,
                        };
                    }
                },
                Err(error) => {
                    return InputCheck {
                        verdict: self.on_failure(Side::Input, &error),
                        args,
                        redaction_key: None,
                    };
                }
            }
        }
        let verdict = match self
            .provider
            .detect(Side::Input, policy, &args_text(&args))
            .await
        {
            Ok(detections) => judge(policy, detections),
            Err(error) => self.on_failure(Side::Input, &error),
        };
        InputCheck {
            verdict,
            args,
            redaction_key,
        }
    }

    /// Output side: detection on every part of the result (knowing the tool it came from and the
    /// catalog), then the comparison checks the policy asks for (relevancy, adherence, hallucination)
    /// against the request.
    pub async fn check_output(
        &self,
        policy: &GuardrailPolicy,
        args: &JsonObject,
        result: &CallToolResult,
        origin: &ToolOrigin,
    ) -> Verdict {
        let text = result_text(result);
        let mut detections = match self.provider.detect_result(policy, &text, origin).await {
            Ok(detections) => detections,
            Err(error) => return self.on_failure(Side::Output, &error),
        };
        match self.provider.compare(policy, &args_text(args), &text).await {
            Ok(more) => detections.extend(more),
            Err(error) => return self.on_failure(Side::Output, &error),
        }
        judge(policy, detections)
    }

    /// Detection on a piece of text from `side` (resource contents, prompt arguments or messages).
    pub async fn check_text(&self, side: Side, policy: &GuardrailPolicy, text: &str) -> Verdict {
        match self.provider.detect(side, policy, text).await {
            Ok(detections) => judge(policy, detections),
            Err(error) => self.on_failure(side, &error),
        }
    }

    /// Puts redacted PII back into every text of the result the client will see. A text the provider
    /// cannot restore keeps its placeholders (nothing leaks; the failure is logged).
    pub async fn restore(&self, result: &mut CallToolResult, key: &str) {
        for text in result_texts_mut(result) {
            if text.is_empty() {
                continue;
            }
            match self.provider.restore(text, key).await {
                Ok(restored) => *text = restored,
                Err(error) => tracing::warn!(%error, "PII restore failed; placeholders kept"),
            }
        }
    }
}
