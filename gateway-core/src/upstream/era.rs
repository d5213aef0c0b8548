//! Era choice per upstream: never trade a capability for the newer protocol era.
//!
//! A server may answer both `server/discover` (2026-07-28) and the legacy `initialize`, yet serve more on
//! its legacy connection: the MCP conformance suite's TypeScript reference server advertises only tools,
//! prompts and plain resources on its stateless 2026 path, while its legacy session also has logging,
//! completions, resource subscriptions, and the sampling and elicitation its tools ask for. rmcp's
//! `ClientLifecycleMode::Auto` takes 2026 as soon as discovery succeeds. For an HTTP upstream, where a
//! second connection is only a few requests, the gateway also opens the legacy one, and keeps it beside
//! the 2026 connection when it advertises a capability that the 2026 one does not ([`lost_on_modern`]):
//! legacy clients' calls of the tools it lists and resource subscriptions then go there (so the server can
//! ask those clients for sampling and elicitation and send resource updates), while 2026 clients and the
//! 2026-only tools keep the 2026 connection. Neither era alone would lose nothing with such a server.

use std::collections::HashSet;
use std::time::Duration;

use rmcp::model::{ProtocolVersion, ServerPeerInfo};
use rmcp::service::{RunningService, Service};
use rmcp::{Peer, RoleClient};
use serde_json::Value;

/// Whether the connection was set up in the 2026-07-28 (stateless) era.
pub fn is_modern(info: Option<&ServerPeerInfo>) -> bool {
    info.is_some_and(|info| info.protocol_version >= ProtocolVersion::V_2026_07_28)
}

/// The legacy-era second connection to a server that offers more there than on 2026-07-28.
pub struct LegacySide<S: Service<RoleClient>> {
    service: tokio::sync::Mutex<Option<RunningService<RoleClient, S>>>,
    /// Where legacy clients' calls of [`LegacySide::serves_tool`] tools and subscriptions go.
    pub peer: Peer<RoleClient>,
    tools: HashSet<String>,
    subscribe: bool,
}

impl<S: Service<RoleClient>> LegacySide<S> {
    /// Whether the legacy connection lists `tool` (2026-only tools stay on the 2026 connection).
    pub fn serves_tool(&self, tool: &str) -> bool {
        self.tools.contains(tool)
    }

    /// Whether the legacy connection advertises `resources.subscribe`.
    pub fn subscribes(&self) -> bool {
        self.subscribe
    }

    /// Closes the legacy connection.
    pub async fn stop(&self) {
        if let Some(service) = self.service.lock().await.take() {
            let _ = tokio::time::timeout(Duration::from_millis(200), service.cancel()).await;
        }
    }
}

/// Given a connection set up in the 2026 era and an attempt at a legacy one to the same server: keeps
/// the legacy one beside it when it advertises a capability the 2026 one lacks (and lists its tools,
/// so legacy clients' calls of them can go there); otherwise closes it and returns `None`.
pub async fn legacy_side<S: Service<RoleClient>, E>(
    server: &str,
    modern: &RunningService<RoleClient, S>,
    legacy: impl Future<Output = Result<RunningService<RoleClient, S>, E>>,
) -> Option<LegacySide<S>> {
    let legacy = legacy.await.ok()?;
    let legacy_info = legacy.peer().peer_info();
    let lost = lost_on_modern(modern.peer().peer_info().as_deref(), legacy_info.as_deref());
    let tools = if lost.is_empty() {
        None
    } else {
        legacy.peer().list_all_tools().await.ok()
    };
    let Some(tools) = tools else {
        let _ = legacy.cancel().await;
        return None;
    };
    tracing::info!(
        server,
        lost = ?lost,
        "the upstream offers more on its legacy connection than on 2026-07-28: legacy clients' calls and resource subscriptions use a second, legacy connection"
    );
    Some(LegacySide {
        peer: legacy.peer().clone(),
        tools: tools.into_iter().map(|t| t.name.to_string()).collect(),
        subscribe: legacy_info
            .and_then(|info| info.capabilities.resources.clone())
            .is_some_and(|r| r.subscribe == Some(true)),
        service: tokio::sync::Mutex::new(Some(legacy)),
    })
}

/// The capabilities (as dotted paths: `logging`, `resources.subscribe`, …) that the legacy connection
/// advertises and the 2026 one does not. Empty when nothing would be lost by staying on 2026.
pub fn lost_on_modern(
    modern: Option<&ServerPeerInfo>,
    legacy: Option<&ServerPeerInfo>,
) -> Vec<String> {
    let as_json = |info: Option<&ServerPeerInfo>| {
        info.and_then(|info| serde_json::to_value(&info.capabilities).ok())
            .unwrap_or(Value::Null)
    };
    let mut lost = Vec::new();
    missing(&as_json(legacy), &as_json(modern), String::new(), &mut lost);
    lost.sort();
    lost
}

/// Collects the offered leaves of `offered` (objects, including `{}`, and `true`) absent from `other`.
fn missing(offered: &Value, other: &Value, path: String, lost: &mut Vec<String>) {
    match offered {
        Value::Object(fields) => {
            let Some(other_fields) = other.as_object() else {
                if !path.is_empty() {
                    lost.push(path);
                }
                return;
            };
            for (key, value) in fields {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                missing(
                    value,
                    other_fields.get(key).unwrap_or(&Value::Null),
                    child,
                    lost,
                );
            }
        }
        Value::Bool(true) if other != &Value::Bool(true) => lost.push(path),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info(version: ProtocolVersion, capabilities: Value) -> ServerPeerInfo {
        let mut info: ServerPeerInfo = serde_json::from_value(json!({
            "protocolVersion": "2025-11-25",
            "capabilities": capabilities
        }))
        .expect("peer info");
        info.protocol_version = version;
        info
    }

    #[test]
    fn the_reference_servers_split_is_seen_as_a_loss() {
        let modern = info(
            ProtocolVersion::V_2026_07_28,
            json!({"tools": {"listChanged": true}, "prompts": {"listChanged": true}, "resources": {}}),
        );
        let legacy = info(
            ProtocolVersion::V_2025_11_25,
            json!({"tools": {"listChanged": true}, "prompts": {"listChanged": true},
                   "resources": {"subscribe": true, "listChanged": true},
                   "logging": {}, "completions": {}}),
        );
        assert!(is_modern(Some(&modern)) && !is_modern(Some(&legacy)));
        assert_eq!(
            lost_on_modern(Some(&modern), Some(&legacy)),
            vec![
                "completions",
                "logging",
                "resources.listChanged",
                "resources.subscribe"
            ]
        );
    }

    #[test]
    fn equal_or_richer_2026_capabilities_lose_nothing() {
        let caps = json!({"tools": {"listChanged": true}, "resources": {"subscribe": true}, "logging": {}});
        let modern = info(ProtocolVersion::V_2026_07_28, caps.clone());
        let legacy = info(ProtocolVersion::V_2025_11_25, caps);
        assert!(lost_on_modern(Some(&modern), Some(&legacy)).is_empty());
        let poorer = info(ProtocolVersion::V_2025_11_25, json!({"tools": {}}));
        assert!(lost_on_modern(Some(&modern), Some(&poorer)).is_empty());
        assert!(lost_on_modern(Some(&modern), None).is_empty());
    }
}
