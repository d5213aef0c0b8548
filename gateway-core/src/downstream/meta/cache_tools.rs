//! `enkrypt_get_cache_status` and `enkrypt_clear_cache` over the tool-list and config caches.
//!
//! The config cache holds the gateway's config (secrets masked) as the reference does; the gateway
//! itself always runs on the file (re-read on change), and writes the entry again on every (re)load.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rmcp::model::CallToolResult;
use serde_json::{Map, json};

use super::{Gateway, error_result, json_result};

fn epoch_seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn hours_until(t: SystemTime) -> f64 {
    match t.duration_since(SystemTime::now()) {
        Ok(d) => d.as_secs_f64() / 3600.0,
        Err(e) => -(e.duration().as_secs_f64() / 3600.0),
    }
}

pub(super) async fn cache_status(gateway: &Arc<Gateway>) -> CallToolResult {
    let mut servers = Map::new();
    for server in &gateway.servers {
        let name = &server.config.server_name;
        let explicit = server.access.has_allow_list();
        let entry = gateway.cache.get(&gateway.gateway_id, name).await;
        let value = match entry {
            Some(hit) => json!({
                "tool_count": hit.tools.len(),
                "error": null,
                "are_tools_explicitly_defined": explicit,
                "needs_discovery": false,
                "exists": true,
                "expires_at": epoch_seconds(hit.expires_at),
                "expires_in_hours": hours_until(hit.expires_at),
                "is_expired": hit.is_expired(),
            }),
            None => json!({
                "tool_count": if explicit { server.config.tools.len() } else { 0 },
                "error": null,
                "are_tools_explicitly_defined": explicit,
                "needs_discovery": true,
                "exists": false,
                "expires_at": null,
                "expires_in_hours": null,
                "is_expired": null,
            }),
        };
        servers.insert(name.clone(), value);
    }
    let ttl_hours = gateway.cache.ttl().as_secs_f64() / 3600.0;
    let config = match gateway.cache.get_config(&gateway.gateway_id).await {
        Some(hit) => json!({
            "exists": true,
            "expires_at": epoch_seconds(hit.expires_at),
            "expires_in_hours": hours_until(hit.expires_at),
            "is_expired": hit.is_expired(),
        }),
        None => {
            json!({"exists": false, "expires_at": null, "expires_in_hours": null, "is_expired": null})
        }
    };
    let config_count = u64::from(config["exists"] == true);
    json_result(
        json!({
            "status": "success",
            "cache_status": {
                "gateway_specific": {
                    "config": config,
                    "tools": {"server_count": servers.len(), "servers": servers},
                },
                "global": {
                    "total_gateways": 1,
                    "total_tool_caches": gateway.cache.entry_count().await,
                    "total_config_caches": config_count,
                    "tool_cache_expiration_hours": ttl_hours,
                    "config_cache_expiration_hours": gateway.common.gateway_cache_expiration.as_secs_f64() / 3600.0,
                    "cache_type": gateway.cache.kind().as_reference_str(),
                },
            },
        }),
        false,
    )
}

async fn clear_all_servers(gateway: &Gateway) -> usize {
    let mut cleared = 0;
    for server in &gateway.servers {
        if gateway
            .cache
            .remove(&gateway.gateway_id, &server.config.server_name)
            .await
        {
            cleared += 1;
        }
    }
    cleared
}

pub(super) async fn clear_cache(
    gateway: &Arc<Gateway>,
    id: Option<String>,
    server_name: Option<String>,
    cache_type: Option<String>,
) -> CallToolResult {
    if let Some(id) = id.filter(|id| id != &gateway.gateway_id) {
        return error_result(format!(
            "Cannot clear the cache of gateway '{id}': a gateway may only clear its own cache"
        ));
    }
    let id = gateway.gateway_id.clone();
    let kind = cache_type
        .unwrap_or_else(|| "all".to_string())
        .to_ascii_lowercase();
    match kind.as_str() {
        "all" => {
            let cleared = clear_all_servers(gateway).await;
            let config = if gateway.cache.remove_config(&id).await {
                "cleared"
            } else {
                "none"
            };
            json_result(
                json!({
                    "status": "success",
                    "message": format!("Cache cleared for all servers ({cleared} servers) and gateway config ({config})"),
                }),
                false,
            )
        }
        "gateway_config" | "gateway" | "gateway_cache" | "gateway_config_cache" => {
            if gateway.cache.remove_config(&id).await {
                json_result(
                    json!({"status": "success", "message": format!("Gateway config cache cleared for {id}")}),
                    false,
                )
            } else {
                json_result(
                    json!({"status": "info", "message": format!("No config cache found for {id}")}),
                    false,
                )
            }
        }
        _ => match server_name {
            Some(server) => {
                if gateway.server_index(&server).is_none() {
                    return super::servers::unknown_server(gateway, &server);
                }
                if gateway.cache.remove(&id, &server).await {
                    json_result(
                        json!({"status": "success", "message": format!("Cache cleared for server: {server}")}),
                        false,
                    )
                } else {
                    json_result(
                        json!({"status": "info", "message": format!("No cache found for server: {server}")}),
                        false,
                    )
                }
            }
            None => {
                let cleared = clear_all_servers(gateway).await;
                json_result(
                    json!({"status": "success", "message": format!("Cache cleared for all servers ({cleared} servers)")}),
                    false,
                )
            }
        },
    }
}
