//! Applying one [`ConfigEdit`] to the raw JSON tree: finding the gateway (1.x `gateways.<key>`, 2.x
//! `mcp_configs.<id>`) and the server entry an edit names, and the checks that refuse an edit (unknown
//! gateway or server, duplicate name, a part of the file that is not the shape the edit needs). Values
//! are written by `edit_spec`; this module never validates the whole config (`ConfigDocument::save` does).

use serde_json::{Map, Value};

use super::spec;
use super::{COMMON, ConfigEdit, EditError, GatewayRef};
use crate::config::locate::JsonPath;
use crate::config::model::ConfigFormat;
use crate::config::refs::is_comment_key;

/// Where one gateway lives in the tree. `aliases` are other ids it may be selected by.
pub(super) struct GatewaySlot {
    pub(super) id: String,
    aliases: Vec<String>,
    pub(super) pointer: String,
    /// Display path for messages (gateway keys masked).
    path: JsonPath,
}

fn objects<'a>(
    root: &'a Value,
    section: &str,
) -> impl Iterator<Item = (&'a String, &'a Map<String, Value>)> {
    root.get(section)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !is_comment_key(k))
        .filter_map(|(k, v)| v.as_object().map(|o| (k, o)))
}

pub(super) fn v1_slots(root: &Value) -> Vec<GatewaySlot> {
    objects(root, "gateways")
        .map(|(key, gw)| {
            let path = JsonPath::root().key("gateways").key(key);
            GatewaySlot {
                id: gw
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                aliases: Vec::new(),
                pointer: path.to_pointer(),
                path,
            }
        })
        .collect()
}

pub(super) fn v2_slots(root: &Value) -> Vec<GatewaySlot> {
    let field =
        |o: &Map<String, Value>, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    // The ids the gateway itself uses (`{user_id}_{project_id}_{mcp_config_id}`), per mcp_config.
    let mut composite: Vec<(String, String)> = Vec::new();
    for (_, key) in objects(root, "apikeys") {
        let (Some(project), Some(user)) = (field(key, "project_id"), field(key, "user_id")) else {
            continue;
        };
        let config = root
            .get("projects")
            .and_then(|p| p.get(&project))
            .and_then(Value::as_object)
            .and_then(|p| field(p, "mcp_config_id"));
        if let Some(config) = config {
            composite.push((config.clone(), format!("{user}_{project}_{config}")));
        }
    }
    objects(root, "mcp_configs")
        .map(|(id, _)| {
            let path = JsonPath::root().key("mcp_configs").key(id);
            GatewaySlot {
                id: id.clone(),
                aliases: composite
                    .iter()
                    .filter(|(c, _)| c == id)
                    .map(|(_, full)| full.clone())
                    .collect(),
                pointer: path.to_pointer(),
                path,
            }
        })
        .collect()
}

fn select<'s>(
    slots: &'s [GatewaySlot],
    gateway: Option<&GatewayRef>,
) -> Result<&'s GatewaySlot, EditError> {
    match gateway {
        None => slots.first().ok_or(EditError::NoGateway),
        Some(GatewayRef { id }) => slots
            .iter()
            .find(|s| &s.id == id || s.aliases.contains(id))
            .ok_or_else(|| EditError::GatewayNotFound { id: id.clone() }),
    }
}

/// The server list of the selected gateway (created empty when the key is absent).
fn servers_mut<'r>(
    root: &'r mut Value,
    slot: &GatewaySlot,
) -> Result<&'r mut Vec<Value>, EditError> {
    let list_path = slot.path.key("mcp_config");
    let shape = |message: &str| EditError::UnexpectedShape {
        json_path: list_path.to_string(),
        message: message.to_owned(),
    };
    let gateway = root
        .pointer_mut(&slot.pointer)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| shape("the gateway is not an object"))?;
    let list = gateway
        .entry("mcp_config")
        .or_insert_with(|| Value::Array(Vec::new()));
    list.as_array_mut()
        .ok_or_else(|| shape("expected a list of servers"))
}

fn name_of(entry: &Value) -> Option<&str> {
    entry.get("server_name").and_then(Value::as_str)
}

fn position(servers: &[Value], name: &str, slot: &GatewaySlot) -> Result<usize, EditError> {
    servers
        .iter()
        .position(|e| name_of(e) == Some(name))
        .ok_or_else(|| EditError::ServerNotFound {
            server_name: name.to_owned(),
            gateway: slot.id.clone(),
        })
}

fn entry_mut<'v>(
    servers: &'v mut [Value],
    index: usize,
    slot: &GatewaySlot,
) -> Result<&'v mut Map<String, Value>, EditError> {
    servers
        .get_mut(index)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| EditError::UnexpectedShape {
            json_path: slot.path.key("mcp_config").index(index).to_string(),
            message: "the server entry is not an object".into(),
        })
}

fn invalid(message: String) -> EditError {
    EditError::InvalidEdit { message }
}

/// Set a common-section key; in 2.x also where a `common_overrides` already sets it (it would win).
fn set_common(
    root: &mut Value,
    format: ConfigFormat,
    key: &str,
    value: Value,
) -> Result<(), EditError> {
    let obj = root
        .as_object_mut()
        .ok_or_else(|| EditError::UnexpectedShape {
            json_path: JsonPath::root().to_string(),
            message: "the config is not a JSON object".into(),
        })?;
    let common = obj
        .entry(COMMON)
        .or_insert_with(|| Value::Object(Map::new()));
    let common = common
        .as_object_mut()
        .ok_or_else(|| EditError::UnexpectedShape {
            json_path: JsonPath::root().key(COMMON).to_string(),
            message: "expected an object".into(),
        })?;
    spec::set_key(common, key, value.clone());
    if format == ConfigFormat::V2
        && let Some(Value::Object(configs)) = obj.get_mut("mcp_configs")
    {
        let overrides = configs
            .values_mut()
            .filter_map(|c| c.get_mut("common_overrides"))
            .filter_map(Value::as_object_mut);
        for o in overrides.filter(|o| o.contains_key(key)) {
            spec::set_key(o, key, value.clone());
        }
    }
    Ok(())
}

pub(super) fn apply_to(
    root: &mut Value,
    format: ConfigFormat,
    slots: &[GatewaySlot],
    edit: ConfigEdit,
) -> Result<(), EditError> {
    match edit {
        ConfigEdit::AddServer { gateway, server } => {
            spec::check_spec(&server).map_err(invalid)?;
            let slot = select(slots, gateway.as_ref())?;
            let servers = servers_mut(root, slot)?;
            if servers
                .iter()
                .any(|e| name_of(e) == Some(&server.server_name))
            {
                return Err(EditError::DuplicateServer {
                    server_name: server.server_name,
                    gateway: slot.id.clone(),
                });
            }
            let mut entry = Map::new();
            spec::write_server(&mut entry, &server, format);
            servers.push(Value::Object(entry));
        }
        ConfigEdit::UpdateServer {
            gateway,
            server_name,
            server,
        } => {
            spec::check_spec(&server).map_err(invalid)?;
            let slot = select(slots, gateway.as_ref())?;
            let servers = servers_mut(root, slot)?;
            let index = position(servers, &server_name, slot)?;
            let renamed = server.server_name != server_name;
            if renamed
                && servers
                    .iter()
                    .any(|e| name_of(e) == Some(&server.server_name))
            {
                return Err(EditError::DuplicateServer {
                    server_name: server.server_name,
                    gateway: slot.id.clone(),
                });
            }
            spec::write_server(entry_mut(servers, index, slot)?, &server, format);
            if renamed
                && let Some(Value::Object(o)) = root.get_mut("local_server_overrides")
                && !o.contains_key(&server.server_name)
            {
                // 2.x per-server overrides are keyed by name; keep them with the renamed server.
                spec::rename_key(o, &server_name, &server.server_name);
            }
        }
        ConfigEdit::RemoveServer {
            gateway,
            server_name,
        } => {
            let slot = select(slots, gateway.as_ref())?;
            let servers = servers_mut(root, slot)?;
            let index = position(servers, &server_name, slot)?;
            servers.remove(index);
        }
        ConfigEdit::SetGuardrailPolicy {
            gateway,
            server_name,
            side,
            policy,
        } => {
            let slot = select(slots, gateway.as_ref())?;
            let servers = servers_mut(root, slot)?;
            let index = position(servers, &server_name, slot)?;
            spec::set_policy(entry_mut(servers, index, slot)?, side, &policy, format);
        }
        ConfigEdit::SetDeniedTools {
            gateway,
            server_name,
            denied,
        } => {
            spec::check_denied(&denied).map_err(invalid)?;
            let slot = select(slots, gateway.as_ref())?;
            let servers = servers_mut(root, slot)?;
            let index = position(servers, &server_name, slot)?;
            let value = spec::denied_value(&denied, format);
            spec::set_key(entry_mut(servers, index, slot)?, "denied_tools", value);
        }
        ConfigEdit::SetGuardrailsEnabled { enabled } => {
            set_common(
                root,
                format,
                "enkrypt_guardrails_enabled",
                Value::Bool(enabled),
            )?;
        }
        ConfigEdit::SetToolExposure { exposure } => {
            let value = Value::String(exposure.as_str().to_owned());
            set_common(root, format, "tool_exposure", value)?;
        }
        ConfigEdit::SetGuardrailsProvider { provider } => {
            let value = Value::String(provider.as_str().to_owned());
            set_common(root, format, "enkrypt_guardrails_provider", value)?;
        }
        ConfigEdit::SetEnkryptApiKey { api_key } => {
            let value = api_key.map_or(Value::Null, Value::String);
            set_common(root, format, "enkrypt_api_key", value)?;
        }
        ConfigEdit::SetGuardrailRuntime {
            fail_open,
            guardrail_timeout_seconds,
            upstream_timeout_seconds,
        } => {
            if let Some(open) = fail_open {
                set_common(
                    root,
                    format,
                    "enkrypt_guardrails_fail_open",
                    Value::Bool(open),
                )?;
            }
            for (key, seconds) in [
                (
                    "enkrypt_guardrail_timeout_seconds",
                    guardrail_timeout_seconds,
                ),
                ("upstream_timeout_seconds", upstream_timeout_seconds),
            ] {
                let Some(seconds) = seconds else { continue };
                let number = serde_json::Number::from_f64(seconds)
                    .filter(|_| seconds > 0.0)
                    .ok_or_else(|| {
                        invalid(format!("`{key}` must be a positive number of seconds"))
                    })?;
                set_common(root, format, key, Value::Number(number))?;
            }
        }
    }
    Ok(())
}
