//! `enkrypt_list_all_servers`, `enkrypt_get_server_info`, `enkrypt_discover_all_tools`.

use std::sync::Arc;

use rmcp::model::CallToolResult;
use serde_json::{Map, Value, json};

use super::{Gateway, json_result, masked_entry, tools_for_listing, tools_page};

/// The reference's per-server discovery reply (as a value), and whether discovery succeeded.
pub(super) async fn discovery_reply(gateway: &Gateway, index: usize) -> (Value, bool) {
    let server = &gateway.servers[index];
    let name = &server.config.server_name;
    if server.access.has_allow_list() {
        // The reference still starts the server; we check that it is reachable too.
        return match gateway.server_tools(index).await {
            Ok(_) => (
                json!({
                    "status": "success",
                    "message": format!("Tools already defined in config for {name}"),
                    "tools": Value::Object(server.config.tools.clone()),
                    "source": "config",
                }),
                true,
            ),
            Err(error) => (failure(name, &error.to_string()), false),
        };
    }
    match gateway.server_tools(index).await {
        Ok((tools, source)) => {
            let visible = gateway.visible(index, &tools);
            let denied: Vec<Value> = tools
                .iter()
                .filter_map(|t| {
                    server
                        .access
                        .check(&t.name)
                        .err()
                        .map(|r| json!({"name": t.name, "reason": r.to_string()}))
                })
                .collect();
            let message = match source {
                super::ToolSource::Cache => format!("Tools retrieved from cache for {name}"),
                super::ToolSource::Discovery => format!("Tools discovered for {name}"),
            };
            (
                json!({
                    "status": "success",
                    "message": message,
                    "tools": tools_page(&visible),
                    "source": source.as_str(),
                    "blocked_tools": [],
                    "blocked_count": 0,
                    "blocked_reasons": [],
                    "policy_denied_tools": denied,
                    "policy_denied_count": denied.len(),
                }),
                true,
            )
        }
        Err(error) => (failure(name, &error.to_string()), false),
    }
}

fn failure(server: &str, reason: &str) -> Value {
    json!({
        "status": "error",
        "error": format!("Failed to discover tools for {server}: {reason}"),
        "server_name": server,
    })
}

pub(super) fn unknown_server(gateway: &Gateway, server: &str) -> CallToolResult {
    let known: Vec<&str> = gateway
        .servers
        .iter()
        .map(|s| s.config.server_name.as_str())
        .collect();
    json_result(
        json!({
            "status": "error",
            "error": format!("Server '{server}' not available."),
            "available_servers": known,
        }),
        true,
    )
}

pub(super) async fn list_all_servers(gateway: &Arc<Gateway>, discover: bool) -> CallToolResult {
    if discover {
        let replies = futures::future::join_all(
            (0..gateway.servers.len()).map(|i| discovery_reply(gateway, i)),
        )
        .await;
        let mut available = Map::new();
        let mut failed = Vec::new();
        let mut succeeded = Vec::new();
        for (index, (reply, ok)) in replies.into_iter().enumerate() {
            let name = gateway.servers[index].config.server_name.clone();
            if ok {
                succeeded.push(name.clone());
            } else {
                failed.push(name.clone());
            }
            available.insert(name, reply);
        }
        let status = if !gateway.servers.is_empty() && succeeded.is_empty() {
            "error"
        } else {
            "success"
        };
        return json_result(
            json!({
                "status": status,
                "message": "Tools discovery tried for all servers",
                "discovery_failed_servers": failed,
                "discovery_success_servers": succeeded,
                "available_servers": available,
            }),
            false,
        );
    }
    let mut available = Map::new();
    let mut needing = Vec::new();
    for (index, server) in gateway.servers.iter().enumerate() {
        let (tools, source, has_cached) = tools_for_listing(gateway, index).await;
        if source == "needs_discovery" {
            needing.push(server.config.server_name.clone());
        }
        let mut entry = masked_entry(&server.config.raw);
        entry.insert("tools".into(), tools);
        entry.insert("has_cached_tools".into(), json!(has_cached));
        entry.insert("tools_source".into(), json!(source));
        available.insert(server.config.server_name.clone(), Value::Object(entry));
    }
    json_result(
        json!({
            "status": "success",
            "available_servers": available,
            "servers_needing_discovery": needing,
        }),
        false,
    )
}

pub(super) async fn get_server_info(gateway: &Arc<Gateway>, server: &str) -> CallToolResult {
    let Some(index) = gateway.server_index(server) else {
        return unknown_server(gateway, server);
    };
    let entry_config = &gateway.servers[index];
    let (tools, source, _) = tools_for_listing(gateway, index).await;
    let denied: Vec<Value> = entry_config
        .config
        .denied_tools
        .iter()
        .map(|d| json!({"pattern": d.pattern, "reason": d.reason}))
        .collect();
    let mut info = masked_entry(&entry_config.config.raw);
    info.insert("tools".into(), tools);
    info.insert("tools_source".into(), json!(source));
    json_result(
        json!({
            "status": "success",
            "server_name": server,
            "server_info": info,
            "policy_denied_tools": denied,
            "policy_denied_count": denied.len(),
        }),
        false,
    )
}

pub(super) async fn discover_one(gateway: &Arc<Gateway>, server: &str) -> CallToolResult {
    let Some(index) = gateway.server_index(server) else {
        return unknown_server(gateway, server);
    };
    let (reply, ok) = discovery_reply(gateway, index).await;
    json_result(reply, !ok)
}
