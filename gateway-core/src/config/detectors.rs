//! Which guardrail detectors each provider can run, and the `check-config` warning for a policy that
//! lists one its provider cannot.
//!
//! The local engine runs [`LOCAL`]; everything else needs the Enkrypt API. A policy that blocks on a
//! detector the chosen provider cannot run would look protective and do nothing, so the loader warns
//! (with the JSON path of the list item), and the desktop app shows such detectors disabled with
//! [`unavailable_reason`]. This module does not run detectors.

use serde_json::{Map, Value};

use super::locate::JsonPath;
use super::model::{CommonConfig, GuardrailProvider};
use super::reader::Reader;

/// Detectors the offline engine implements (kept equal to `guardrails::local::SUPPORTED` by a test).
pub const LOCAL: &[&str] = &[
    "injection_attack",
    "pii",
    "secrets",
    "keyword_detector",
    "toxicity",
    "nsfw",
];

/// Detectors (and output checks) only the Enkrypt API provides.
pub const ENKRYPT_ONLY: &[&str] = &[
    "policy_violation",
    "topic_detector",
    "bias",
    "sponge_attack",
    "relevancy",
    "adherence",
    "hallucination",
];

/// The provider a common section selects: explicit, else Enkrypt when an API key is set, else local.
pub fn effective_provider(common: &CommonConfig) -> GuardrailProvider {
    common
        .guardrails_provider
        .unwrap_or(if common.api_key.is_some() {
            GuardrailProvider::Enkrypt
        } else {
            GuardrailProvider::Local
        })
}

/// Why `provider` cannot run `detector`, or `None` when it can (unknown names are the Enkrypt API's to
/// judge, so only the local engine refuses them).
pub fn unavailable_reason(provider: GuardrailProvider, detector: &str) -> Option<&'static str> {
    match provider {
        GuardrailProvider::Enkrypt => None,
        GuardrailProvider::Local if LOCAL.contains(&detector) => None,
        GuardrailProvider::Local if ENKRYPT_ONLY.contains(&detector) => {
            Some("needs the Enkrypt AI API; the offline engine cannot run it, so it never blocks")
        }
        GuardrailProvider::Local => {
            Some("is not a detector the offline engine knows, so it never blocks")
        }
    }
}

const POLICY_KEYS: [&str; 4] = [
    "input_guardrails_policy",
    "output_guardrails_policy",
    "input_guardrails_config",
    "output_guardrails_config",
];

/// Warns for every `block` item of every enabled policy that `provider` cannot run.
pub(super) fn check(r: &mut Reader<'_>, root: &Map<String, Value>, provider: GuardrailProvider) {
    for section in ["gateways", "mcp_configs"] {
        let Some(Value::Object(gateways)) = root.get(section) else {
            continue;
        };
        for (id, gateway) in gateways {
            let Some(Value::Array(servers)) = gateway.get("mcp_config") else {
                continue;
            };
            let base = JsonPath::root().key(section).key(id).key("mcp_config");
            for (i, server) in servers.iter().enumerate() {
                for policy_key in POLICY_KEYS {
                    let Some(policy) = server.get(policy_key) else {
                        continue;
                    };
                    if policy.get("enabled").and_then(Value::as_bool) != Some(true) {
                        continue;
                    }
                    let Some(Value::Array(block)) = policy.get("block") else {
                        continue;
                    };
                    for (j, item) in block.iter().enumerate() {
                        let Some(detector) = item.as_str() else {
                            continue;
                        };
                        if let Some(reason) = unavailable_reason(provider, detector) {
                            let path = base.index(i).key(policy_key).key("block").index(j);
                            r.warn(&path, format!("`{detector}` {reason}"));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_list_is_what_the_offline_engine_runs() {
        assert_eq!(LOCAL, crate::guardrails::local::SUPPORTED);
    }

    #[test]
    fn only_the_local_engine_refuses_cloud_detectors() {
        let local = GuardrailProvider::Local;
        assert!(unavailable_reason(local, "injection_attack").is_none());
        assert!(unavailable_reason(local, "secrets").is_none());
        assert!(unavailable_reason(local, "policy_violation").is_some());
        assert!(unavailable_reason(local, "made_up").is_some());
        assert!(unavailable_reason(GuardrailProvider::Enkrypt, "policy_violation").is_none());
    }
}
