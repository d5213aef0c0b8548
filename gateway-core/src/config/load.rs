//! Config text → [`GatewayConfig`]: parse, resolve references, detect the layout, build the model.
//!
//! Steps: `serde_json` parses the text (a syntax error is the only diagnostic then, with its line and
//! column); [`LineIndex`] records where each value starts; a copy of the tree gets its `${env:…}` /
//! `${keyring:…}` references resolved (the original stays for `raw`/`extra`); the layout is chosen by which
//! top-level keys exist; the sections are read into the model, collecting every problem. Any error fails
//! the load; warnings travel with the result.
//!
//! Layouts: 1.x has `gateways{<gateway key>: {id, mcp_config}}`. 2.x chains `apikeys{<gateway key>:
//! {project_id, user_id}}` → `projects[project_id].mcp_config_id` → `mcp_configs[id].mcp_config`, with the
//! gateway id `{user_id}_{project_id}_{mcp_config_id}`. A gateway key may itself be written as a
//! `${env:…}`/`${keyring:…}` reference. Files mixing both layouts are rejected: which keys authorize which
//! servers must never be a guess.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::common::{CommonEntry, api_key_from, entries_of, parse_common};
use super::locate::{JsonPath, LineIndex};
use super::model::{
    CommonConfig, ConfigFormat, Diagnostic, GatewayConfig, GatewayEntry, Location, ServerConfig,
    Severity, UpstreamTransport,
};
use super::reader::{Reader, type_name};
use super::refs::{RefSources, is_comment_key, resolve_refs, resolve_str};
use super::server::parse_servers;
use crate::secret::Sensitive;

const COMMON: &str = "common_mcp_gateway_config";
/// Top-level keys that make a file 2.x.
const V2_MARKERS: [&str; 3] = ["apikeys", "projects", "mcp_configs"];
const V1_TOP_KEYS: [&str; 4] = [COMMON, "gateways", "enkrypt_config", "$schema"];
const V2_TOP_KEYS: [&str; 10] = [
    COMMON,
    "enkrypt_config",
    "apikeys",
    "projects",
    "mcp_configs",
    "users",
    "plugins",
    "admin_apikey",
    "local_server_overrides",
    "$schema",
];
/// A `common_overrides` key that configures servers, not the common section (copied into each server by
/// the reference); accepted and left in the file.
const SERVER_TOOLS_GUARDRAILS: &str = "server_tools_guardrails_config";

/// Load `text` (read from `path`, used for messages and relative paths) with the given reference sources.
pub(super) fn load_text(
    path: &Path,
    text: &str,
    sources: &RefSources<'_>,
) -> Result<GatewayConfig, Vec<Diagnostic>> {
    // Editors on Windows like to write a byte-order mark; JSON parsers reject it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: Value = serde_json::from_str(text).map_err(|e| vec![syntax_error(&e)])?;
    let index = LineIndex::scan(text);
    let mut r = Reader::new(&index, &raw, path, sources);
    for dup in index.duplicate_keys() {
        r.warn(dup, "key appears more than once; only the last one is used");
    }
    let mut resolved = raw.clone();
    for problem in resolve_refs(&mut resolved, sources) {
        r.error(&problem.path, problem.message);
    }
    let Some(root) = resolved.as_object() else {
        let message = format!(
            "the config must be a JSON object, found {}",
            type_name(&resolved)
        );
        r.error(&JsonPath::root(), message);
        return Err(r.finish());
    };

    let format = detect(root);
    let known: &[&str] = match format {
        ConfigFormat::V1 => &V1_TOP_KEYS,
        ConfigFormat::V2 => &V2_TOP_KEYS,
    };
    for key in root.keys() {
        let p = JsonPath::root().key(key);
        if key == "gateways" && format == ConfigFormat::V2 {
            r.error(
                &p,
                "1.x `gateways` cannot be combined with the 2.x `apikeys`/`projects`/`mcp_configs`; \
                 keep one layout",
            );
        } else if !known.contains(&key.as_str()) && !is_comment_key(key) {
            r.unknown_key(&p);
        }
    }

    let mut common_entries = match root.get(COMMON) {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => {
            let p = JsonPath::root().key(COMMON);
            r.object(v, &p)
                .map(|m| entries_of(m, &p))
                .unwrap_or_default()
        }
    };
    let gateways = match format {
        ConfigFormat::V1 => v1_gateways(&mut r, root),
        ConfigFormat::V2 => {
            check_plugins(&mut r, root);
            let (gateways, overrides) = v2_gateways(&mut r, root);
            for o in overrides {
                common_entries.retain(|e| e.key != o.key);
                common_entries.push(o);
            }
            gateways
        }
    };
    let mut common = parse_common(&mut r, &common_entries);
    apply_enkrypt_config(&mut r, root, &mut common);
    let gateways = finish_gateways(&mut r, root, gateways, format);
    super::detectors::check(&mut r, root, super::detectors::effective_provider(&common));

    let diagnostics = r.finish();
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(diagnostics);
    }
    Ok(GatewayConfig {
        path: path.to_path_buf(),
        format,
        common,
        gateways,
        warnings: diagnostics,
    })
}

fn syntax_error(e: &serde_json::Error) -> Diagnostic {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let reason = full.strip_suffix(&suffix).unwrap_or(&full);
    Diagnostic {
        severity: Severity::Error,
        location: Location {
            json_path: JsonPath::root().to_string(),
            line: (e.line() > 0).then_some(e.line()),
        },
        message: format!(
            "invalid JSON: {reason} (line {}, column {})",
            e.line(),
            e.column()
        ),
    }
}

/// 2.x if any of its chain sections exists; else 1.x if `gateways` exists; else 2.x if only
/// `enkrypt_config` hints at it; else 1.x (which then reports the missing `gateways`).
fn detect(root: &Map<String, Value>) -> ConfigFormat {
    if V2_MARKERS.iter().any(|k| root.contains_key(*k)) {
        ConfigFormat::V2
    } else if root.contains_key("gateways") {
        ConfigFormat::V1
    } else if root.contains_key("enkrypt_config") {
        ConfigFormat::V2
    } else {
        ConfigFormat::V1
    }
}

/// A gateway before the cross-gateway checks, with where it was written.
struct Found {
    entry: GatewayEntry,
    path: JsonPath,
}

fn v1_gateways(r: &mut Reader<'_>, root: &Map<String, Value>) -> Vec<Found> {
    let section = JsonPath::root().key("gateways");
    let Some(map) = root.get("gateways").and_then(|v| r.object(v, &section)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (key, value) in map {
        if is_comment_key(key) {
            continue;
        }
        let p = section.key(key);
        let secret = gateway_key(r, key, &p);
        let Some(obj) = r.object(value, &p) else {
            continue;
        };
        let mut id = None;
        let mut servers = None;
        for (k, item) in obj {
            let kp = p.key(k);
            match k.as_str() {
                "id" => id = r.non_empty_string(item, &kp),
                "mcp_config" => servers = parse_servers(r, item, &kp),
                k if is_comment_key(k) => {}
                _ => r.unknown_key(&kp),
            }
        }
        if !obj.contains_key("id") {
            r.missing(&p.key("id"), "the gateway's id");
        }
        if !obj.contains_key("mcp_config") {
            r.missing(&p.key("mcp_config"), "the list of servers");
        }
        if servers.as_ref().is_some_and(Vec::is_empty) {
            r.warn(&p.key("mcp_config"), "this gateway has no servers");
        }
        if let (Some(key), Some(id), Some(servers)) = (secret, id, servers) {
            found.push(Found {
                entry: GatewayEntry { key, id, servers },
                path: p,
            });
        }
    }
    found
}

/// One `mcp_configs` entry.
struct McpConfig<'v> {
    servers: Option<Vec<ServerConfig>>,
    overrides: Vec<CommonEntry<'v>>,
    overrides_path: JsonPath,
}

fn v2_gateways<'v>(
    r: &mut Reader<'_>,
    root: &'v Map<String, Value>,
) -> (Vec<Found>, Vec<CommonEntry<'v>>) {
    let configs = v2_mcp_configs(r, root);
    let projects = v2_projects(r, root, &configs);
    let section = JsonPath::root().key("apikeys");
    let mut found = Vec::new();
    let mut used = HashSet::new();
    let apikeys = root.get("apikeys").and_then(|v| r.object(v, &section));
    for (key, value) in apikeys.into_iter().flatten() {
        if is_comment_key(key) {
            continue;
        }
        let p = section.key(key);
        let secret = gateway_key(r, key, &p);
        let Some(obj) = r.object(value, &p) else {
            continue;
        };
        let mut project_id = None;
        let mut user_id = None;
        for (k, item) in obj {
            let kp = p.key(k);
            match k.as_str() {
                "project_id" => project_id = r.non_empty_string(item, &kp),
                "user_id" => user_id = r.non_empty_string(item, &kp),
                "created_at" => {}
                k if is_comment_key(k) => {}
                _ => r.unknown_key(&kp),
            }
        }
        for (k, what) in [
            ("project_id", "a key of `projects`"),
            ("user_id", "the key's owner"),
        ] {
            if !obj.contains_key(k) {
                r.missing(&p.key(k), what);
            }
        }
        let Some(project_id) = project_id else {
            continue;
        };
        let Some(config_id) = projects.get(project_id.as_str()) else {
            let message = format!("no project `{project_id}` in `projects`");
            r.error(&p.key("project_id"), message);
            continue;
        };
        let Some(config_id) = config_id else {
            continue; // the project itself is broken; already reported
        };
        used.insert(config_id.clone());
        let servers = configs.get(config_id).and_then(|c| c.servers.clone());
        if let (Some(key), Some(user_id), Some(servers)) = (secret, user_id, servers) {
            let id = format!("{user_id}_{project_id}_{config_id}");
            found.push(Found {
                entry: GatewayEntry { key, id, servers },
                path: p,
            });
        }
    }

    // The model has one common section for the whole file, so per-config overrides of common keys can
    // only be honoured when every gateway uses the same mcp_config.
    let mut overrides = Vec::new();
    for (id, config) in configs {
        if !used.contains(&id) || config.overrides.is_empty() {
            continue;
        }
        if used.len() == 1 {
            overrides = config.overrides;
        } else {
            r.warn(
                &config.overrides_path,
                "common keys in `common_overrides` are applied only when all API keys use one \
                 mcp_config; ignored",
            );
        }
    }
    (found, overrides)
}

fn v2_mcp_configs<'v>(
    r: &mut Reader<'_>,
    root: &'v Map<String, Value>,
) -> HashMap<String, McpConfig<'v>> {
    let section = JsonPath::root().key("mcp_configs");
    let mut configs = HashMap::new();
    let Some(map) = root.get("mcp_configs").and_then(|v| r.object(v, &section)) else {
        return configs;
    };
    for (id, value) in map {
        if is_comment_key(id) {
            continue;
        }
        let p = section.key(id);
        let Some(obj) = r.object(value, &p) else {
            continue;
        };
        let overrides_path = p.key("common_overrides");
        let mut config = McpConfig {
            servers: None,
            overrides: Vec::new(),
            overrides_path: overrides_path.clone(),
        };
        for (k, item) in obj {
            let kp = p.key(k);
            match k.as_str() {
                "mcp_config" => config.servers = parse_servers(r, item, &kp),
                "mcp_config_name" => {
                    let _ = r.string_or_null(item, &kp);
                }
                "common_overrides" => {
                    if let Some(m) = r.object(item, &kp) {
                        config.overrides = entries_of(m, &overrides_path);
                        config
                            .overrides
                            .retain(|e| e.key != SERVER_TOOLS_GUARDRAILS);
                    }
                }
                k if is_comment_key(k) => {}
                _ => r.unknown_key(&kp),
            }
        }
        if !obj.contains_key("mcp_config") {
            r.missing(&p.key("mcp_config"), "the list of servers");
        }
        configs.insert(id.clone(), config);
    }
    configs
}

/// `projects`: project id → its `mcp_config_id` (`None` when the project is broken, already reported).
fn v2_projects<'v>(
    r: &mut Reader<'_>,
    root: &'v Map<String, Value>,
    configs: &HashMap<String, McpConfig<'_>>,
) -> HashMap<&'v str, Option<String>> {
    let section = JsonPath::root().key("projects");
    let mut projects = HashMap::new();
    let Some(map) = root.get("projects").and_then(|v| r.object(v, &section)) else {
        return projects;
    };
    for (id, value) in map {
        if is_comment_key(id) {
            continue;
        }
        let p = section.key(id);
        let Some(obj) = r.object(value, &p) else {
            projects.insert(id.as_str(), None);
            continue;
        };
        let mut config_id = None;
        for (k, item) in obj {
            let kp = p.key(k);
            match k.as_str() {
                "mcp_config_id" => config_id = r.non_empty_string(item, &kp),
                "project_name" | "created_at" => {
                    let _ = r.string_or_null(item, &kp);
                }
                "users" => {
                    let _ = r.string_list(item, &kp);
                }
                k if is_comment_key(k) => {}
                _ => r.unknown_key(&kp),
            }
        }
        if !obj.contains_key("mcp_config_id") {
            r.missing(&p.key("mcp_config_id"), "a key of `mcp_configs`");
        }
        if let Some(cid) = &config_id
            && !configs.contains_key(cid)
        {
            r.error(
                &p.key("mcp_config_id"),
                format!("no mcp_config `{cid}` in `mcp_configs`"),
            );
            config_id = None;
        }
        projects.insert(id.as_str(), config_id);
    }
    projects
}

/// The reference's cloud auth provider fetches gateways from Enkrypt; we only read this file.
fn check_plugins(r: &mut Reader<'_>, root: &Map<String, Value>) {
    let provider = root
        .get("plugins")
        .and_then(|p| p.pointer("/auth/provider"));
    if provider.and_then(Value::as_str) == Some("enkrypt") {
        let p = JsonPath::root().key("plugins").key("auth").key("provider");
        r.warn(
            &p,
            "Enkrypt cloud authentication is not supported; gateway keys are checked against \
             `apikeys` in this file",
        );
    }
}

/// 2.x `enkrypt_config{api_key, base_url}` (also accepted in 1.x files) wins over the common section.
fn apply_enkrypt_config(r: &mut Reader<'_>, root: &Map<String, Value>, common: &mut CommonConfig) {
    let section = JsonPath::root().key("enkrypt_config");
    let Some(map) = root
        .get("enkrypt_config")
        .and_then(|v| r.object(v, &section))
    else {
        return;
    };
    for (k, item) in map {
        let p = section.key(k);
        match k.as_str() {
            "api_key" => {
                if let Some(s) = r.string_or_null(item, &p) {
                    common.api_key = api_key_from(s);
                }
            }
            "base_url" => {
                if let Some(s) = r.non_empty_string(item, &p) {
                    common.base_url = s;
                }
            }
            "org_id" | "admin_apikey" => {}
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&p),
        }
    }
}

/// The gateway key: the member name, resolved when written as a reference.
fn gateway_key(r: &mut Reader<'_>, key: &str, path: &JsonPath) -> Option<Sensitive<String>> {
    let resolved = if key.contains("${") {
        match resolve_str(key, r.sources) {
            Ok(s) => s,
            Err(messages) => {
                for m in messages {
                    r.error(path, m);
                }
                return None;
            }
        }
    } else {
        key.to_owned()
    };
    if resolved.trim().is_empty() {
        r.error(path, "a gateway key must not be empty");
        return None;
    }
    Some(Sensitive::new(resolved))
}

/// Cross-gateway checks: at least one gateway, unique keys (an error: auth would be ambiguous), unique
/// ids (a warning: only caches and audit records would be shared).
fn finish_gateways(
    r: &mut Reader<'_>,
    root: &Map<String, Value>,
    found: Vec<Found>,
    format: ConfigFormat,
) -> Vec<GatewayEntry> {
    let section = match format {
        ConfigFormat::V1 => "gateways",
        ConfigFormat::V2 => "apikeys",
    };
    // A section of the wrong type is already reported; only absent or empty ones get this error.
    let declared = match root.get(section) {
        None => Some(0),
        Some(v) => v
            .as_object()
            .map(|m| m.keys().filter(|k| !is_comment_key(k)).count()),
    };
    if declared == Some(0) {
        r.error(
            &JsonPath::root().key(section),
            format!("no gateways configured: add at least one entry under `{section}`"),
        );
    }
    let mut keys: HashMap<String, JsonPath> = HashMap::new();
    let mut ids: HashMap<String, JsonPath> = HashMap::new();
    let mut out = Vec::with_capacity(found.len());
    for Found { entry, path } in found {
        if let Some(first) = keys.get(entry.key.expose()) {
            let message =
                format!("another gateway has the same key (after resolving references): {first}");
            r.error(&path, message);
            continue;
        }
        keys.insert(entry.key.expose().clone(), path.clone());
        if let Some(first) = ids.get(&entry.id) {
            r.warn(
                &path,
                format!("gateway id `{}` is also used by {first}", entry.id),
            );
        } else {
            ids.insert(entry.id.clone(), path.clone());
        }
        let mut entry = entry;
        for server in &mut entry.servers {
            if let UpstreamTransport::Http { oauth, .. } = &mut server.transport {
                oauth.keychain_entry =
                    crate::secret::names::oauth_entry(&entry.id, &server.server_name);
            }
        }
        out.push(entry);
    }
    out
}
