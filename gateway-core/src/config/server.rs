//! One gateway's `mcp_config` list → [`ServerConfig`]s.
//!
//! Reads both spellings of the reference: 1.x `input_guardrails_policy`/`policy_name` and 2.x
//! `input_guardrails_config`/`guardrail_name` (either container with either name key); `denied_tools` as
//! strings, `{pattern, reason}` or `{name, reason}`; `config` as stdio (`command`) or HTTP (`url`, with the
//! 2.x `type`/`transport` spellings). 2.x-only keys we do not act on (`sandbox`, `oauth_config`, …) are
//! accepted quietly; they stay visible in `raw`. This module does not start servers or check that a
//! command exists.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::locate::JsonPath;
use super::model::{DeniedTool, GuardrailPolicy, OAuthSettings, ServerConfig, UpstreamTransport};
use super::reader::Reader;
use super::refs::is_comment_key;
use crate::secret::Sensitive;

/// Server-entry keys of the reference's 2.x that we accept without acting on them.
const KNOWN_UNUSED_KEYS: [&str; 5] = [
    "sandbox",
    "oauth_config",
    "server_tools_guardrails_config",
    "tool_guardrails_config",
    "enabled",
];

/// Parse a gateway's server list; `server_name`s must be unique within it.
pub(super) fn parse_servers(
    r: &mut Reader<'_>,
    v: &Value,
    path: &JsonPath,
) -> Option<Vec<ServerConfig>> {
    let items = r.array(v, path)?;
    let mut servers = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(server) = parse_server(r, item, &item_path) else {
            continue;
        };
        if let Some(first) = seen.get(&server.server_name) {
            r.error(
                &item_path.key("server_name"),
                format!(
                    "duplicate server_name `{}` (first used at {})",
                    server.server_name,
                    path.index(*first)
                ),
            );
            continue;
        }
        seen.insert(server.server_name.clone(), i);
        servers.push(server);
    }
    Some(servers)
}

fn parse_server(r: &mut Reader<'_>, v: &Value, path: &JsonPath) -> Option<ServerConfig> {
    let map = r.object(v, path)?;
    let mut server_name = None;
    let mut description = String::new();
    let mut transport = None;
    let mut tools = Map::new();
    let mut denied_tools = Vec::new();
    let mut input = None;
    let mut output = None;

    for (key, item) in map {
        let p = path.key(key);
        match key.as_str() {
            "server_name" => server_name = r.non_empty_string(item, &p),
            "description" => {
                if let Some(s) = r.string_or_null(item, &p) {
                    description = s.unwrap_or_default();
                }
            }
            "config" => transport = parse_transport(r, item, &p),
            "tools" => {
                if !item.is_null() {
                    tools = r.object(item, &p).cloned().unwrap_or_default();
                }
            }
            "denied_tools" => denied_tools = parse_denied(r, item, &p),
            "input_guardrails_policy" | "input_guardrails_config" => {
                pick_policy(r, &mut input, key, item, &p);
            }
            "output_guardrails_policy" | "output_guardrails_config" => {
                pick_policy(r, &mut output, key, item, &p);
            }
            k if KNOWN_UNUSED_KEYS.contains(&k) || is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
    if !map.contains_key("server_name") {
        r.missing(&path.key("server_name"), "a unique name for this server");
    }
    if !map.contains_key("config") {
        r.missing(
            &path.key("config"),
            "`{command, args, env}` or `{url, headers}`",
        );
    }
    Some(ServerConfig {
        server_name: server_name?,
        description,
        transport: transport?,
        tools,
        denied_tools,
        input_guardrails: input.map(|(_, p)| p).unwrap_or_default(),
        output_guardrails: output.map(|(_, p)| p).unwrap_or_default(),
        raw: r.raw_at(path).cloned().unwrap_or_else(|| v.clone()),
    })
}

/// Both spellings of a policy in one entry: the 1.x `…_policy` wins, with a warning.
fn pick_policy(
    r: &mut Reader<'_>,
    slot: &mut Option<(String, GuardrailPolicy)>,
    key: &str,
    v: &Value,
    p: &JsonPath,
) {
    let Some(policy) = parse_policy(r, v, p) else {
        return;
    };
    match slot {
        Some((existing, _)) if existing.ends_with("_policy") => {
            r.warn(
                p,
                format!("`{existing}` is also set and takes precedence; this key is ignored"),
            );
        }
        Some((existing, _)) => {
            r.warn(
                p,
                format!("takes precedence over `{existing}`, which is also set"),
            );
            *slot = Some((key.to_owned(), policy));
        }
        None => *slot = Some((key.to_owned(), policy)),
    }
}

fn parse_policy(r: &mut Reader<'_>, v: &Value, path: &JsonPath) -> Option<GuardrailPolicy> {
    if v.is_null() {
        return Some(GuardrailPolicy::default());
    }
    let map = r.object(v, path)?;
    let mut policy = GuardrailPolicy::default();
    let mut name_key: Option<&str> = None;
    for (key, item) in map {
        let p = path.key(key);
        match key.as_str() {
            "enabled" => {
                if let Some(b) = r.boolean(item, &p) {
                    policy.enabled = b;
                }
            }
            "policy_name" | "guardrail_name" => {
                let Some(name) = r.string_or_null(item, &p) else {
                    continue;
                };
                match name_key {
                    Some("policy_name") => {
                        r.warn(
                            &p,
                            "`policy_name` is also set and takes precedence; ignored",
                        );
                        continue;
                    }
                    Some(other) => r.warn(&p, format!("takes precedence over `{other}`")),
                    None => {}
                }
                name_key = Some(if key == "policy_name" {
                    "policy_name"
                } else {
                    "guardrail_name"
                });
                policy.policy_name = name.filter(|n| !n.trim().is_empty());
            }
            "block" => {
                if !item.is_null()
                    && let Some(list) = r.string_list(item, &p)
                {
                    policy.block = list;
                }
            }
            "additional_config" => {
                if !item.is_null()
                    && let Some(obj) = r.object(item, &p)
                {
                    if let Some(entities) = obj.get("pii_entities") {
                        check_pii_entities(r, entities, &p.key("pii_entities"));
                    }
                    policy.additional_config = obj.clone();
                }
            }
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
    Some(policy)
}

/// `additional_config.pii_entities`: a list of Enkrypt's `pii` entity names (or null for the default).
fn check_pii_entities(r: &mut Reader<'_>, v: &Value, path: &JsonPath) {
    if v.is_null() {
        return;
    }
    let Some(list) = r.string_list(v, path) else {
        return;
    };
    for name in list {
        if !super::model::PII_ENTITIES.contains(&name.as_str()) {
            r.error(
                path,
                format!(
                    "unknown pii entity `{name}`; expected some of: {}",
                    super::model::PII_ENTITIES.join(", ")
                ),
            );
        }
    }
}

fn parse_denied(r: &mut Reader<'_>, v: &Value, path: &JsonPath) -> Vec<DeniedTool> {
    if v.is_null() {
        return Vec::new();
    }
    let Some(items) = r.array(v, path) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let entry = match item {
            Value::String(s) => Some(DeniedTool {
                pattern: s.clone(),
                reason: None,
            }),
            Value::Object(map) => denied_object(r, map, &p),
            other => {
                r.error(
                    &p,
                    format!(
                        "expected a glob string or {{pattern, reason}}, found {}",
                        super::reader::type_name(other)
                    ),
                );
                None
            }
        };
        let Some(entry) = entry else { continue };
        if entry.pattern.is_empty() {
            r.error(&p, "the pattern must not be empty");
        } else if let Err(e) = globset::Glob::new(&entry.pattern) {
            r.error(&p, format!("invalid glob pattern: {}", e.kind()));
        } else {
            out.push(entry);
        }
    }
    out
}

fn denied_object(
    r: &mut Reader<'_>,
    map: &Map<String, Value>,
    path: &JsonPath,
) -> Option<DeniedTool> {
    let mut pattern = None;
    let mut reason = None;
    for (key, item) in map {
        let p = path.key(key);
        match key.as_str() {
            // The shipped 2.x example writes `pattern`; its matcher reads `name`. Accept both.
            "pattern" | "name" => {
                let s = r.string(item, &p)?;
                if pattern.is_some() {
                    r.warn(&p, "both `pattern` and `name` are set; `pattern` is used");
                }
                if key == "pattern" || pattern.is_none() {
                    pattern = Some(s);
                }
            }
            "reason" => reason = r.string_or_null(item, &p)?,
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
    let Some(pattern) = pattern else {
        r.missing(&path.key("pattern"), "the tool name or glob to deny");
        return None;
    };
    Some(DeniedTool { pattern, reason })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Stdio,
    Http,
}

fn parse_transport(r: &mut Reader<'_>, v: &Value, path: &JsonPath) -> Option<UpstreamTransport> {
    let map = r.object(v, path)?;
    let mut declared = None;
    for (key, item) in map {
        let p = path.key(key);
        match key.as_str() {
            "type" => {
                let options = [
                    ("stdio", Kind::Stdio),
                    ("http", Kind::Http),
                    ("streamable_http", Kind::Http),
                    ("streamable-http", Kind::Http),
                    ("sse", Kind::Http),
                ];
                declared = r.choice(item, &p, &options).or(declared);
            }
            "transport" => {
                let options = [
                    ("streamable_http", Kind::Http),
                    ("streamable-http", Kind::Http),
                    ("http", Kind::Http),
                    ("sse", Kind::Http),
                ];
                declared = r.choice(item, &p, &options).or(declared);
            }
            "command" | "args" | "env" | "url" | "headers" | "oauth" => {}
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
    let kind = match (map.contains_key("command"), map.contains_key("url")) {
        (true, true) => {
            r.error(
                path,
                "set either `command` (stdio) or `url` (HTTP), not both",
            );
            return None;
        }
        (true, false) => Kind::Stdio,
        (false, true) => Kind::Http,
        (false, false) if declared == Some(Kind::Http) => {
            r.missing(&path.key("url"), "the server's HTTP endpoint");
            return None;
        }
        (false, false) => {
            r.missing(
                &path.key("command"),
                "the program to start; or `url` for an HTTP server",
            );
            return None;
        }
    };
    if declared.is_some_and(|d| d != kind) {
        r.error(
            &path.key("type"),
            "does not match the other keys (`command` is stdio, `url` is HTTP)",
        );
    }
    match kind {
        Kind::Stdio => stdio(r, map, path),
        Kind::Http => http(r, map, path),
    }
}

fn stdio(
    r: &mut Reader<'_>,
    map: &Map<String, Value>,
    path: &JsonPath,
) -> Option<UpstreamTransport> {
    for key in ["url", "headers", "oauth"] {
        if map.contains_key(key) {
            r.warn(&path.key(key), "not used by a stdio server; ignored");
        }
    }
    let command = map
        .get("command")
        .and_then(|c| r.non_empty_string(c, &path.key("command")));
    let args = match map.get("args") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(a) => r.string_list(a, &path.key("args")),
    };
    let env = match map.get("env") {
        None => Some(Default::default()),
        Some(e) => r.secret_map(e, &path.key("env")),
    };
    Some(UpstreamTransport::Stdio {
        command: command?,
        args: args?,
        env: env?,
    })
}

fn http(
    r: &mut Reader<'_>,
    map: &Map<String, Value>,
    path: &JsonPath,
) -> Option<UpstreamTransport> {
    for key in ["args", "env"] {
        if map.contains_key(key) {
            r.warn(&path.key(key), "not used by an HTTP server; ignored");
        }
    }
    let url_path = path.key("url");
    let url = map
        .get("url")
        .and_then(|u| r.non_empty_string(u, &url_path));
    let url = url.and_then(|u| {
        let lower = u.trim().to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Some(u.trim().to_owned())
        } else {
            r.error(&url_path, "must start with http:// or https://");
            None
        }
    });
    let headers = match map.get("headers") {
        None => Some(Default::default()),
        Some(h) => r.secret_map(h, &path.key("headers")),
    };
    let oauth = match map.get("oauth") {
        None | Some(Value::Null) => Some(OAuthSettings::default()),
        Some(v) => oauth_settings(r, v, &path.key("oauth")),
    };
    Some(UpstreamTransport::Http {
        url: url?,
        headers: headers?,
        oauth: oauth?,
    })
}

/// `config.oauth`: `{client_id, client_secret, scopes, client_metadata_url}`, every key optional.
fn oauth_settings(r: &mut Reader<'_>, v: &Value, path: &JsonPath) -> Option<OAuthSettings> {
    let map = r.object(v, path)?;
    let mut out = OAuthSettings::default();
    let mut ok = true;
    for (key, item) in map {
        let p = path.key(key);
        match key.as_str() {
            "client_id" => match r.non_empty_string(item, &p) {
                Some(id) => out.client_id = Some(id),
                None => ok = false,
            },
            "client_secret" => match r.non_empty_string(item, &p) {
                Some(secret) => out.client_secret = Some(Sensitive::new(secret)),
                None => ok = false,
            },
            "scopes" => match r.string_list(item, &p) {
                Some(scopes) => out.scopes = scopes,
                None => ok = false,
            },
            "client_metadata_url" => match r.non_empty_string(item, &p) {
                Some(url) if url.starts_with("https://") => out.client_metadata_url = Some(url),
                Some(_) => {
                    r.error(&p, "must be an https:// URL");
                    ok = false;
                }
                None => ok = false,
            },
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
    if out.client_secret.is_some() && out.client_id.is_none() {
        r.error(path, "`client_secret` needs the `client_id` it belongs to");
        ok = false;
    }
    ok.then_some(out)
}
