//! The typed values of the editing API ([`ServerSpec`], [`GuardrailPolicySpec`], …) and how they are read
//! from and written into a server entry of the raw JSON tree.
//!
//! Writing is in place: a key that exists keeps its position and only its value changes; a key that does
//! not exist is appended; keys the spec does not model (`sandbox`, `oauth_config`, `_doc…`) are left alone.
//! Spellings follow the file's layout: 1.x `input_guardrails_policy`/`policy_name`, 2.x
//! `input_guardrails_config`/`guardrail_name` (the other spelling of the same setting is renamed in place,
//! so the entry never carries two values for one setting). Reading is lenient (a view for the UI);
//! `config::load` remains the judge of what is valid. This module does not locate servers or gateways;
//! `edit` does.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::model::ConfigFormat;

/// Selects one gateway of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GatewayRef {
    /// 1.x: the gateway's `id`. 2.x: the key of its `mcp_configs` entry, or the gateway id the audit log
    /// shows (`{user_id}_{project_id}_{mcp_config_id}`).
    pub id: String,
}

/// How the gateway reaches an upstream server (the entry's `config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TransportSpec {
    /// A local program speaking MCP on stdin/stdout.
    Stdio {
        /// The program to start.
        command: String,
        /// Its arguments.
        #[serde(default)]
        args: Vec<String>,
        /// Extra environment variables; values may be `${keyring:NAME}` or `${env:NAME}` references.
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    /// A remote server over streamable HTTP (SSE fallback).
    Http {
        /// `http://` or `https://` endpoint.
        url: String,
        /// Extra request headers; values may be `${keyring:NAME}` or `${env:NAME}` references.
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// How the gateway signs in to it (`config.oauth`). `None`: leave the file's as it is; an empty
        /// spec removes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        oauth: Option<OAuthSpec>,
    },
}

/// `config.oauth` of a remote server: how the gateway signs in to it with OAuth 2.1. Every key is
/// optional (none: dynamic client registration and the scopes the server asks for). Tokens are never
/// here: they live in the OS keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OAuthSpec {
    /// A client id registered with the authorization server out of band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Its secret, for a confidential client: a `${keyring:NAME}` reference, not the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Scopes to ask for; empty: what the server asks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// An `https://` client ID metadata document URL (SEP-991).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata_url: Option<String>,
}

impl OAuthSpec {
    /// Nothing set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The `oauth` object of the file, keeping keys this spec does not model.
    fn write_into(&self, existing: Option<&Value>) -> Value {
        let mut obj = match existing {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let mut put = |key: &str, value: Option<Value>| match value {
            Some(v) => set_key(&mut obj, key, v),
            None => {
                obj.shift_remove(key);
            }
        };
        put("client_id", self.client_id.clone().map(Value::String));
        put(
            "client_secret",
            self.client_secret.clone().map(Value::String),
        );
        put(
            "scopes",
            (!self.scopes.is_empty()).then(|| strings(&self.scopes)),
        );
        put(
            "client_metadata_url",
            self.client_metadata_url.clone().map(Value::String),
        );
        Value::Object(obj)
    }

    fn read(v: Option<&Value>) -> Option<Self> {
        let obj = v?.as_object()?;
        Some(Self {
            client_id: str_of(obj.get("client_id")),
            client_secret: str_of(obj.get("client_secret")),
            scopes: obj
                .get("scopes")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned))
                .map(Iterator::collect)
                .unwrap_or_default(),
            client_metadata_url: str_of(obj.get("client_metadata_url")),
        })
    }
}

/// One `denied_tools` entry: a glob on the upstream tool name, with an optional reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeniedToolSpec {
    /// Tool name or glob (`delete_*`), case-sensitive.
    pub pattern: String,
    /// Shown to the client when a call is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A guardrail policy for one side of one server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GuardrailPolicySpec {
    /// Whether this side is checked at all.
    pub enabled: bool,
    /// The policy (1.x `policy_name`, 2.x `guardrail_name`); `None` removes the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    /// Detectors that block when they fire (`injection_attack`, `pii`, `toxicity`, …).
    #[serde(default)]
    pub block: Vec<String>,
    /// Detector settings as written (`pii_redaction`, `relevancy`, `hallucination`, `adherence`, …).
    #[serde(default)]
    pub additional_config: Map<String, Value>,
}

/// The detectors a new server blocks on by default, on both sides.
pub const DEFAULT_BLOCK: [&str; 3] = ["injection_attack", "pii", "secrets"];

/// The `pii` entities a new server's policy covers: every one of Enkrypt's but `url`, since links are in
/// most ordinary tool output (blocking on them would refuse about 40 % of benign results).
pub const DEFAULT_PII_ENTITIES: [&str; 5] = ["pii", "email", "phone", "secrets", "ip_address"];

impl GuardrailPolicySpec {
    /// The policy every new server gets (added in the app, imported from a client, or made by `init`):
    /// enabled, blocking prompt injection, personal data and secrets. Users can change it.
    pub fn protected() -> Self {
        let mut additional_config = Map::new();
        additional_config.insert(
            "pii_entities".into(),
            Value::from(DEFAULT_PII_ENTITIES.to_vec()),
        );
        Self {
            enabled: true,
            policy_name: None,
            block: DEFAULT_BLOCK.iter().map(|d| (*d).to_owned()).collect(),
            additional_config,
        }
    }
}

/// Which side of a call a guardrail policy checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailSide {
    /// The tool call's arguments, before the upstream sees them.
    Input,
    /// The upstream's result, before the client sees it.
    Output,
}

/// One upstream server as the editor sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerSpec {
    /// Unique within its gateway; prefixes the server's direct tools.
    pub server_name: String,
    /// Shown by the list/info gateway tools.
    #[serde(default)]
    pub description: String,
    /// How to start or reach the server.
    pub transport: TransportSpec,
    /// Allow-list, tool name → description; empty = every tool the server offers.
    #[serde(default)]
    pub tools: Map<String, Value>,
    /// Tools refused even when allowed (applied after `tools`).
    #[serde(default)]
    pub denied_tools: Vec<DeniedToolSpec>,
    /// Input policy; `None` leaves an existing one unchanged (a new server gets
    /// [`GuardrailPolicySpec::protected`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_guardrails: Option<GuardrailPolicySpec>,
    /// Output policy; `None` leaves an existing one unchanged (a new server gets
    /// [`GuardrailPolicySpec::protected`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_guardrails: Option<GuardrailPolicySpec>,
}

/// A problem with the values of an edit itself, before any file is looked at.
pub(super) fn check_spec(spec: &ServerSpec) -> Result<(), String> {
    if spec.server_name.trim().is_empty() {
        return Err("server_name must not be empty".into());
    }
    match &spec.transport {
        TransportSpec::Stdio { command, .. } if command.trim().is_empty() => {
            Err("the stdio command must not be empty".into())
        }
        TransportSpec::Http { url, .. } if url.trim().is_empty() => {
            Err("the HTTP url must not be empty".into())
        }
        _ => check_denied(&spec.denied_tools),
    }
}

pub(super) fn check_denied(denied: &[DeniedToolSpec]) -> Result<(), String> {
    match denied.iter().find(|d| d.pattern.is_empty()) {
        Some(_) => Err("a denied_tools pattern must not be empty".into()),
        None => Ok(()),
    }
}

/// Set `key` to `value`, keeping its position when it exists.
pub(super) fn set_key(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.insert(key.to_owned(), value);
}

/// Rename `from` to `to` at the same position (dropping an existing `to`); no-op when `from` is absent.
pub(super) fn rename_key(map: &mut Map<String, Value>, from: &str, to: &str) {
    if from == to || !map.contains_key(from) {
        return;
    }
    map.shift_remove(to);
    let Some(pos) = map.keys().position(|k| k == from) else {
        return;
    };
    if let Some(value) = map.shift_remove(from) {
        map.shift_insert(pos, to.to_owned(), value);
    }
}

fn policy_keys(side: GuardrailSide, format: ConfigFormat) -> (&'static str, &'static str) {
    let (v1, v2) = match side {
        GuardrailSide::Input => ("input_guardrails_policy", "input_guardrails_config"),
        GuardrailSide::Output => ("output_guardrails_policy", "output_guardrails_config"),
    };
    match format {
        ConfigFormat::V1 => (v1, v2),
        ConfigFormat::V2 => (v2, v1),
    }
}

fn name_keys(format: ConfigFormat) -> (&'static str, &'static str) {
    match format {
        ConfigFormat::V1 => ("policy_name", "guardrail_name"),
        ConfigFormat::V2 => ("guardrail_name", "policy_name"),
    }
}

/// Write `policy` as the entry's policy for `side`, in the layout's spelling.
pub(super) fn set_policy(
    entry: &mut Map<String, Value>,
    side: GuardrailSide,
    policy: &GuardrailPolicySpec,
    format: ConfigFormat,
) {
    let (key, other) = policy_keys(side, format);
    if entry.contains_key(key) {
        entry.shift_remove(other);
    } else {
        rename_key(entry, other, key);
    }
    let mut obj = match entry.get(key) {
        Some(Value::Object(existing)) => existing.clone(),
        _ => Map::new(),
    };
    let (name_key, other_name) = name_keys(format);
    if obj.contains_key(name_key) {
        obj.shift_remove(other_name);
    } else {
        rename_key(&mut obj, other_name, name_key);
    }
    set_key(&mut obj, "enabled", Value::Bool(policy.enabled));
    match &policy.policy_name {
        Some(name) => set_key(&mut obj, name_key, Value::String(name.clone())),
        None => {
            obj.shift_remove(name_key);
        }
    }
    let extra = Value::Object(policy.additional_config.clone());
    set_key(&mut obj, "additional_config", extra);
    set_key(&mut obj, "block", strings(&policy.block));
    set_key(entry, key, Value::Object(obj));
}

/// The entry's `denied_tools`: plain strings without a reason, else `{pattern, reason}` (1.x, DESIGN.md)
/// or `{name, reason}` (2.x: the key the reference's 2.x matcher reads).
pub(super) fn denied_value(denied: &[DeniedToolSpec], format: ConfigFormat) -> Value {
    let pattern_key = match format {
        ConfigFormat::V1 => "pattern",
        ConfigFormat::V2 => "name",
    };
    let items = denied.iter().map(|d| match &d.reason {
        None => Value::String(d.pattern.clone()),
        Some(reason) => {
            let mut obj = Map::new();
            obj.insert(pattern_key.into(), Value::String(d.pattern.clone()));
            obj.insert("reason".into(), Value::String(reason.clone()));
            Value::Object(obj)
        }
    });
    Value::Array(items.collect())
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

/// `existing` (an object) updated to hold exactly `wanted`: kept keys stay in place, new ones follow.
fn merge_string_map(existing: Option<&Value>, wanted: &BTreeMap<String, String>) -> Value {
    let mut obj = match existing {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    obj.retain(|k, _| wanted.contains_key(k));
    for (k, v) in wanted {
        set_key(&mut obj, k, Value::String(v.clone()));
    }
    Value::Object(obj)
}

/// The entry's `config` object for `transport`, updated in place from `existing` when there is one.
fn transport_value(
    existing: Option<&Value>,
    transport: &TransportSpec,
    format: ConfigFormat,
) -> Value {
    let existing = match existing {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let fresh = existing.is_none();
    let mut obj = existing.cloned().unwrap_or_default();
    let declared = |obj: &Map<String, Value>, key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .map(|s| s.to_ascii_lowercase())
    };
    match transport {
        TransportSpec::Stdio { command, args, env } => {
            for key in ["url", "headers", "oauth", "transport"] {
                obj.shift_remove(key);
            }
            if declared(&obj, "type").is_some_and(|t| t != "stdio") {
                obj.shift_remove("type");
            }
            set_key(&mut obj, "command", Value::String(command.clone()));
            if fresh || !args.is_empty() || obj.contains_key("args") {
                set_key(&mut obj, "args", strings(args));
            }
            if fresh || !env.is_empty() || obj.contains_key("env") {
                let merged = merge_string_map(obj.get("env"), env);
                set_key(&mut obj, "env", merged);
            }
        }
        TransportSpec::Http {
            url,
            headers,
            oauth,
        } => {
            for key in ["command", "args", "env"] {
                obj.shift_remove(key);
            }
            if declared(&obj, "type").is_some_and(|t| t == "stdio") {
                obj.shift_remove("type");
            }
            // The 2.x reference's standard remote shape is `{type: "http", url, headers}`.
            if format == ConfigFormat::V2
                && !obj.contains_key("type")
                && !obj.contains_key("transport")
            {
                obj.shift_insert(0, "type".into(), Value::String("http".into()));
            }
            set_key(&mut obj, "url", Value::String(url.clone()));
            if fresh || !headers.is_empty() || obj.contains_key("headers") {
                let merged = merge_string_map(obj.get("headers"), headers);
                set_key(&mut obj, "headers", merged);
            }
            match oauth {
                None => {}
                Some(spec) if spec.is_empty() => {
                    obj.shift_remove("oauth");
                }
                Some(spec) => {
                    let value = spec.write_into(obj.get("oauth"));
                    set_key(&mut obj, "oauth", value);
                }
            }
        }
    }
    Value::Object(obj)
}

/// Write `spec` into `entry` (empty for a new server). Policies left `None` are kept as they are, or
/// written as the protective default for a new entry (checks on unless the user turns them off; the
/// reference's 1.x reads both policies unconditionally, so they are always written).
pub(super) fn write_server(
    entry: &mut Map<String, Value>,
    spec: &ServerSpec,
    format: ConfigFormat,
) {
    let fresh = entry.is_empty();
    set_key(
        entry,
        "server_name",
        Value::String(spec.server_name.clone()),
    );
    set_key(
        entry,
        "description",
        Value::String(spec.description.clone()),
    );
    let config = transport_value(entry.get("config"), &spec.transport, format);
    set_key(entry, "config", config);
    if fresh || !spec.tools.is_empty() || entry.contains_key("tools") {
        set_key(entry, "tools", Value::Object(spec.tools.clone()));
    }
    if !spec.denied_tools.is_empty() || entry.contains_key("denied_tools") {
        set_key(
            entry,
            "denied_tools",
            denied_value(&spec.denied_tools, format),
        );
    }
    for (side, policy) in [
        (GuardrailSide::Input, &spec.input_guardrails),
        (GuardrailSide::Output, &spec.output_guardrails),
    ] {
        match policy {
            Some(p) => set_policy(entry, side, p, format),
            None if fresh => set_policy(entry, side, &GuardrailPolicySpec::protected(), format),
            None => {}
        }
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(m)) = v else {
        return BTreeMap::new();
    };
    m.iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
        .collect()
}

fn read_transport(v: Option<&Value>) -> TransportSpec {
    let obj = v.and_then(Value::as_object);
    let get = |k: &str| obj.and_then(|m| m.get(k));
    if get("url").is_some() {
        TransportSpec::Http {
            url: str_of(get("url")).unwrap_or_default(),
            headers: string_map(get("headers")),
            oauth: OAuthSpec::read(get("oauth")),
        }
    } else {
        let args = get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned))
            .map(Iterator::collect)
            .unwrap_or_default();
        TransportSpec::Stdio {
            command: str_of(get("command")).unwrap_or_default(),
            args,
            env: string_map(get("env")),
        }
    }
}

fn read_policy(entry: &Map<String, Value>, side: GuardrailSide) -> Option<GuardrailPolicySpec> {
    // The loader's precedence: the 1.x spelling wins when both are present.
    let (v1, v2) = policy_keys(side, ConfigFormat::V1);
    let obj = entry.get(v1).or_else(|| entry.get(v2))?.as_object()?;
    let name = str_of(obj.get("policy_name")).or_else(|| str_of(obj.get("guardrail_name")));
    Some(GuardrailPolicySpec {
        enabled: obj.get("enabled").and_then(Value::as_bool).unwrap_or(false),
        policy_name: name,
        block: obj
            .get("block")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned))
            .map(Iterator::collect)
            .unwrap_or_default(),
        additional_config: obj
            .get("additional_config")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
    })
}

fn read_denied(v: Option<&Value>) -> Vec<DeniedToolSpec> {
    let Some(items) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(DeniedToolSpec {
                pattern: s.clone(),
                reason: None,
            }),
            Value::Object(m) => Some(DeniedToolSpec {
                pattern: str_of(m.get("pattern")).or_else(|| str_of(m.get("name")))?,
                reason: str_of(m.get("reason")),
            }),
            _ => None,
        })
        .collect()
}

/// A server entry as a spec (lenient: missing or mistyped values read as empty).
pub(super) fn read_server(entry: &Map<String, Value>) -> ServerSpec {
    ServerSpec {
        server_name: str_of(entry.get("server_name")).unwrap_or_default(),
        description: str_of(entry.get("description")).unwrap_or_default(),
        transport: read_transport(entry.get("config")),
        tools: entry
            .get("tools")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        denied_tools: read_denied(entry.get("denied_tools")),
        input_guardrails: read_policy(entry, GuardrailSide::Input),
        output_guardrails: read_policy(entry, GuardrailSide::Output),
    }
}
