//! What the gateway caches about its own config (the reference's `{id}-mcp-config` entry), and the
//! masking that keeps secrets out of it.
//!
//! The entry is the gateway's servers as written in the file. `env` and `headers` values that are
//! `${env:…}` / `${keyring:…}` references are kept (they are not secrets); any other value is replaced
//! by `***`, so a literal token in the file never reaches Redis. The gateway key itself is never
//! stored: the key → id mapping uses the MD5 of `gateway_key-{key}`, as the reference does.

use std::time::SystemTime;

use serde_json::{Value, json};

use crate::config::GatewayEntry;

/// One cached gateway config.
#[derive(Debug, Clone)]
pub struct CachedConfig {
    pub config: Value,
    pub cached_at: SystemTime,
    pub expires_at: SystemTime,
}

impl CachedConfig {
    pub fn is_expired(&self) -> bool {
        SystemTime::now() >= self.expires_at
    }
}

/// Reference key format for a gateway's config.
pub fn config_key(gateway_id: &str) -> String {
    format!("{gateway_id}-mcp-config")
}

/// Reference key format for the gateway key → id mapping (stored hashed).
pub fn key_map_key(gateway_key: &str) -> String {
    format!("gateway_key-{gateway_key}")
}

fn is_reference(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.trim_start().starts_with("${") && s.trim_end().ends_with('}'))
}

fn mask_values(object: &mut Value) {
    if let Some(map) = object.as_object_mut() {
        for value in map.values_mut() {
            if !is_reference(value) {
                *value = Value::String("***".into());
            }
        }
    }
}

/// The shareable form of one gateway: its id and servers, secrets masked.
pub fn shareable(entry: &GatewayEntry) -> Value {
    let servers: Vec<Value> = entry
        .servers
        .iter()
        .map(|server| {
            let mut raw = server.raw.clone();
            if let Some(config) = raw.get_mut("config") {
                for field in ["env", "headers"] {
                    if let Some(values) = config.get_mut(field) {
                        mask_values(values);
                    }
                }
            }
            raw
        })
        .collect();
    json!({"id": entry.id, "mcp_config": servers})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_secrets_are_masked_and_references_kept() {
        let mut value = json!({"TOKEN": "ghp_literal", "KEY": "${keyring:github}", "N": 5});
        mask_values(&mut value);
        assert_eq!(
            value,
            json!({"TOKEN": "***", "KEY": "${keyring:github}", "N": "***"})
        );
    }

    #[test]
    fn keys_match_the_reference_format() {
        assert_eq!(config_key("id1"), "id1-mcp-config");
        assert_eq!(key_map_key("k"), "gateway_key-k");
    }
}
