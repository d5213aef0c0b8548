//! The "file shape" types behind `schema/enkrypt_mcp_config.schema.json`: what a user writes in
//! `enkrypt_mcp_config.json`, key by key, with the defaults and meanings `config::load` applies.
//!
//! Documentation only: the loader reads the JSON tree itself. Keys the gateway does not know are allowed
//! (it warns and keeps them), so no type denies unknown fields; member names starting with `_doc` are
//! comments.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{GuardrailsProviderSetting, Keyed, NullAllowed, ToolExposureSetting};

/// `enkrypt_mcp_config.json`: the reference's 1.x layout (with this gateway's new keys) or its 2.x layout.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "Enkrypt Secure MCP Gateway config")]
pub enum EnkryptMcpConfig {
    V1(Box<ConfigFileV1>),
    V2(Box<ConfigFileV2>),
}

/// 1.x layout: one common section and `gateways` keyed by gateway key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("not" = {"anyOf": [
    {"required": ["apikeys"]}, {"required": ["projects"]}, {"required": ["mcp_configs"]}
]}))]
#[schemars(transform = NullAllowed(&["common_mcp_gateway_config"]))]
pub struct ConfigFileV1 {
    /// This schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_mcp_gateway_config: Option<CommonGatewayConfig>,
    /// Gateway key (a secret, or a `${keyring:NAME}` reference) → gateway. At least one.
    #[schemars(extend("patternProperties" = {"^_doc": true}, "minProperties" = 1))]
    pub gateways: Keyed<GatewayV1>,
    /// The 2.x spelling of the Enkrypt API settings, also accepted here; wins over the common section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enkrypt_config: Option<EnkryptConfigSection>,
}

/// One 1.x gateway.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GatewayV1 {
    /// The gateway id (a UUID in the reference): names this gateway in the audit log and caches.
    #[schemars(length(min = 1))]
    pub id: String,
    /// The upstream servers; `server_name`s are unique within a gateway.
    pub mcp_config: Vec<ServerEntry>,
}

/// Settings shared by every gateway of the file. Every key is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&[
    "enkrypt_api_key", "enkrypt_cache_password", "enkrypt_gateway_base_url", "enkrypt_oauth_redirect_uri",
]))]
pub struct CommonGatewayConfig {
    /// Log level (`DEBUG`, `INFO`, `WARNING`, `ERROR`).
    #[schemars(extend("default" = "INFO"))]
    pub enkrypt_log_level: Option<String>,
    /// Master switch for guardrails (the tray's "Guardrails on/off").
    #[schemars(extend("default" = false))]
    pub enkrypt_guardrails_enabled: Option<bool>,
    /// `local` (offline detectors) or `enkrypt` (the Enkrypt API). Default: `enkrypt` when an API key is
    /// set, else `local`.
    pub enkrypt_guardrails_provider: Option<GuardrailsProviderSetting>,
    /// When a guardrail check itself fails (API down, timeout), let the call through instead of
    /// blocking it.
    #[schemars(extend("default" = false))]
    pub enkrypt_guardrails_fail_open: Option<bool>,
    /// Timeout of one guardrail API request, seconds.
    #[schemars(extend("default" = 15, "exclusiveMinimum" = 0))]
    pub enkrypt_guardrail_timeout_seconds: Option<f64>,
    /// Guardrails API base URL.
    #[schemars(extend("default" = "https://api.enkryptai.com"))]
    pub enkrypt_base_url: Option<String>,
    /// Enkrypt API key, sent as the `apikey` header; prefer `${keyring:NAME}`. The placeholder
    /// `YOUR_ENKRYPT_API_KEY` means "no key".
    pub enkrypt_api_key: Option<String>,
    /// The reference's cloud config fetch; not supported (the file's gateways are used).
    pub enkrypt_use_remote_mcp_config: Option<bool>,
    pub enkrypt_remote_mcp_gateway_name: Option<String>,
    pub enkrypt_remote_mcp_gateway_version: Option<String>,
    /// Share tool lists through Redis instead of the in-process cache.
    #[schemars(extend("default" = false))]
    pub enkrypt_mcp_use_external_cache: Option<bool>,
    #[schemars(extend("default" = "localhost"))]
    pub enkrypt_cache_host: Option<String>,
    #[schemars(range(min = 1, max = 65535), extend("default" = 6379))]
    pub enkrypt_cache_port: Option<u32>,
    #[schemars(extend("default" = 0))]
    pub enkrypt_cache_db: Option<u32>,
    pub enkrypt_cache_password: Option<String>,
    /// Tool-list cache lifetime, hours.
    #[schemars(range(min = 0), extend("default" = 4))]
    pub enkrypt_tool_cache_expiration: Option<f64>,
    /// Config cache lifetime, hours.
    #[schemars(range(min = 0), extend("default" = 24))]
    pub enkrypt_gateway_cache_expiration: Option<f64>,
    /// 2.x: config cache lifetime in minutes (used when the hours key is absent).
    #[schemars(range(min = 0))]
    pub enkrypt_gateway_cache_expiration_minutes: Option<f64>,
    #[schemars(extend("default" = false))]
    pub enkrypt_async_input_guardrails_enabled: Option<bool>,
    #[schemars(extend("default" = false))]
    pub enkrypt_async_output_guardrails_enabled: Option<bool>,
    /// OpenTelemetry export (kept for the reference; not used by this gateway).
    pub enkrypt_telemetry: Option<Map<String, Value>>,
    /// Which tools clients see.
    #[schemars(extend("default" = "both"))]
    pub tool_exposure: Option<ToolExposureSetting>,
    /// Between server and tool in direct tool names (`<server><sep><tool>`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]+$"), extend("default" = "__"))]
    pub tool_name_separator: Option<String>,
    /// When direct tool names carry the server prefix.
    #[schemars(extend("default" = "always"))]
    pub tool_name_prefix: Option<ToolNamePrefixSetting>,
    /// Audit log file (JSONL); relative paths are relative to this file, `~` is the home folder.
    #[schemars(length(min = 1), extend("default" = "~/.enkrypt/logs/audit.jsonl"))]
    pub enkrypt_audit_log_path: Option<String>,
    /// Timeout of one upstream request, seconds (wins over `timeout_settings.tool_execution_timeout`).
    #[schemars(extend("default" = 60, "exclusiveMinimum" = 0))]
    pub upstream_timeout_seconds: Option<f64>,
    /// Timeout for starting an upstream and its MCP handshake, seconds.
    #[schemars(extend("default" = 30, "exclusiveMinimum" = 0))]
    pub upstream_start_timeout_seconds: Option<f64>,
    /// Largest single message accepted from an upstream, bytes.
    #[schemars(range(min = 1), extend("default" = 16777216))]
    pub max_upstream_message_bytes: Option<u64>,
    /// 2.x timeouts, seconds; `tool_execution_timeout` is the upstream request timeout.
    pub timeout_settings: Option<TimeoutSettings>,
    /// 2.x keys accepted and kept, not used by this gateway.
    pub enkrypt_config_watcher_poll_seconds: Option<f64>,
    pub enkrypt_gateway_base_url: Option<String>,
    pub enkrypt_oauth_redirect_uri: Option<String>,
    pub enkrypt_allow_stdio_servers: Option<bool>,
    pub enkrypt_log_format: Option<String>,
    pub session_pool_enabled: Option<bool>,
    pub session_pool_ttl: Option<f64>,
    pub sandbox: Option<Map<String, Value>>,
}

/// When direct tool names carry the server prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToolNamePrefixSetting {
    /// Always `<server><sep><tool>`.
    Always,
    /// Upstream names as they are while one server is configured and nothing collides.
    WhenNeeded,
}

/// 2.x `timeout_settings`, seconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&[]))]
pub struct TimeoutSettings {
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub default_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub guardrail_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub auth_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub tool_execution_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub discovery_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub cache_timeout: Option<f64>,
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub connectivity_timeout: Option<f64>,
    pub escalation_policies: Option<Map<String, Value>>,
}

/// The 2.x Enkrypt API settings (also accepted in 1.x files; wins over the common section).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&["api_key"]))]
pub struct EnkryptConfigSection {
    /// Prefer `${keyring:NAME}`.
    pub api_key: Option<String>,
    #[schemars(length(min = 1))]
    pub base_url: Option<String>,
    pub org_id: Option<Value>,
}

/// One upstream MCP server.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&[
    "description", "tools", "denied_tools", "input_guardrails_policy", "output_guardrails_policy",
    "input_guardrails_config", "output_guardrails_config",
]))]
pub struct ServerEntry {
    /// Unique within the gateway; prefixes the server's direct tools.
    #[schemars(length(min = 1))]
    pub server_name: String,
    /// Shown by the list/info gateway tools.
    pub description: Option<String>,
    /// How to start (stdio) or reach (HTTP) the server.
    pub config: TransportConfig,
    /// Allow-list, tool name → description; `{}` = every tool the server offers.
    pub tools: Option<Map<String, Value>>,
    /// Tools refused even when allowed (applied after `tools`).
    pub denied_tools: Option<Vec<DeniedToolEntry>>,
    /// 1.x spelling of the input policy (wins over `input_guardrails_config`).
    pub input_guardrails_policy: Option<GuardrailPolicyEntry>,
    /// 1.x spelling of the output policy (wins over `output_guardrails_config`).
    pub output_guardrails_policy: Option<GuardrailPolicyEntry>,
    /// 2.x spelling of the input policy.
    pub input_guardrails_config: Option<GuardrailPolicyEntry>,
    /// 2.x spelling of the output policy.
    pub output_guardrails_config: Option<GuardrailPolicyEntry>,
}

/// `config`: stdio (`command`) or HTTP (`url`), never both.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TransportConfig {
    Stdio(StdioConfig),
    Http(HttpConfig),
}

/// A local program speaking MCP on stdin/stdout.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("not" = {"required": ["url"]}))]
#[schemars(transform = NullAllowed(&["args", "env"]))]
pub struct StdioConfig {
    #[serde(rename = "type")]
    pub kind: Option<StdioKind>,
    /// The program to start.
    #[schemars(length(min = 1))]
    pub command: String,
    pub args: Option<Vec<String>>,
    /// Added to a minimal inherited environment; values may be `${keyring:NAME}` / `${env:NAME}`.
    pub env: Option<Keyed<String>>,
}

/// `type` of a stdio server.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StdioKind {
    Stdio,
}

/// A remote server over streamable HTTP (SSE fallback).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("not" = {"required": ["command"]}))]
#[schemars(transform = NullAllowed(&["headers", "oauth"]))]
pub struct HttpConfig {
    #[serde(rename = "type")]
    pub kind: Option<HttpKind>,
    /// 2.x spelling of `type`.
    pub transport: Option<HttpKind>,
    /// `http://` or `https://` endpoint (or a reference resolving to one).
    #[schemars(length(min = 1))]
    pub url: String,
    /// Request headers; values may be `${keyring:NAME}` / `${env:NAME}`.
    pub headers: Option<Keyed<String>>,
    /// OAuth 2.1 sign-in settings for a server that asks for it (`gateway-core auth login SERVER`).
    /// Tokens never go here: they live in the OS keychain.
    pub oauth: Option<OAuthConfig>,
}

/// `config.oauth` of an HTTP server; every key is optional. Without `client_id` the gateway registers
/// itself with the authorization server (dynamic client registration) when it offers that.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct OAuthConfig {
    /// A client id registered with the authorization server beforehand.
    #[schemars(length(min = 1))]
    pub client_id: Option<String>,
    /// The secret of that client (confidential clients), e.g. `${keyring:NAME}`.
    #[schemars(length(min = 1))]
    pub client_secret: Option<String>,
    /// Scopes to request; default: what the server's challenge or metadata asks for.
    pub scopes: Option<Vec<String>>,
    /// `https://` URL of a client ID metadata document (SEP-991) used as the client id when the
    /// authorization server supports those.
    #[schemars(regex(pattern = r"^https://"))]
    pub client_metadata_url: Option<String>,
}

/// `type`/`transport` of an HTTP server.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
pub enum HttpKind {
    #[serde(rename = "http")]
    Http,
    #[serde(rename = "streamable_http")]
    StreamableHttp,
    #[serde(rename = "streamable-http")]
    StreamableHttpDash,
    #[serde(rename = "sse")]
    Sse,
}

/// A `denied_tools` entry: a glob string, or a rule with a reason.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DeniedToolEntry {
    Glob(#[schemars(length(min = 1))] String),
    Rule(DeniedToolRule),
}

/// `{pattern, reason}` (the 2.x reference's matcher reads `name`; both are accepted).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("anyOf" = [{"required": ["pattern"]}, {"required": ["name"]}]))]
#[schemars(transform = NullAllowed(&["reason"]))]
pub struct DeniedToolRule {
    /// Tool name or glob, case-sensitive.
    #[schemars(length(min = 1))]
    pub pattern: Option<String>,
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    pub reason: Option<String>,
}

/// A guardrail policy for one side of a server.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&["policy_name", "guardrail_name", "block", "additional_config"]))]
pub struct GuardrailPolicyEntry {
    #[schemars(extend("default" = false))]
    pub enabled: Option<bool>,
    /// 1.x name of the policy.
    pub policy_name: Option<String>,
    /// 2.x name of the policy.
    pub guardrail_name: Option<String>,
    /// Detectors that block: `topic_detector`, `nsfw`, `toxicity`, `pii`, `injection_attack`,
    /// `keyword_detector`, `policy_violation`, `bias`, `sponge_attack`; output also `relevancy`,
    /// `adherence`, `hallucination`.
    pub block: Option<Vec<String>>,
    /// Detector settings (`pii_redaction`, `pii_entities`, `relevancy`, `hallucination`, `adherence`, …).
    #[schemars(extend("properties" = {
        "pii_entities": {
            "description": "Which entities of the `pii` detector are covered (Enkrypt's entity names); default all of them.",
            "type": ["array", "null"],
            "items": {"enum": ["pii", "email", "phone", "secrets", "ip_address", "url"]},
            "uniqueItems": true
        }
    }))]
    pub additional_config: Option<Map<String, Value>>,
}

/// 2.x layout: `apikeys` → `projects` → `mcp_configs`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&["common_mcp_gateway_config"]))]
pub struct ConfigFileV2 {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The reference's REST admin key (not used by this gateway).
    pub admin_apikey: Option<String>,
    pub enkrypt_config: Option<EnkryptConfigSection>,
    pub common_mcp_gateway_config: Option<CommonGatewayConfig>,
    /// The reference's plugin settings (`auth`, `guardrails`, `telemetry`).
    pub plugins: Option<Map<String, Value>>,
    /// mcp_config id → server list.
    #[schemars(extend("patternProperties" = {"^_doc": true}))]
    pub mcp_configs: Keyed<McpConfigV2>,
    /// Project id → its mcp_config.
    #[schemars(extend("patternProperties" = {"^_doc": true}))]
    pub projects: Keyed<ProjectV2>,
    /// User id → user.
    pub users: Option<Keyed<Map<String, Value>>>,
    /// Gateway key (a secret, or a reference) → its project and user. At least one.
    #[schemars(extend("patternProperties" = {"^_doc": true}, "minProperties" = 1))]
    pub apikeys: Keyed<ApiKeyV2>,
    /// Read only by the reference's cloud auth provider.
    pub local_server_overrides: Option<Map<String, Value>>,
}

/// One 2.x `mcp_configs` entry.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&["mcp_config_name"]))]
pub struct McpConfigV2 {
    pub mcp_config_name: Option<String>,
    /// Common keys for the gateways using this config (applied when all use one config).
    pub common_overrides: Option<CommonGatewayConfig>,
    pub mcp_config: Vec<ServerEntry>,
}

/// One 2.x project.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = NullAllowed(&["project_name", "created_at"]))]
pub struct ProjectV2 {
    pub project_name: Option<String>,
    /// A key of `mcp_configs`.
    #[schemars(length(min = 1))]
    pub mcp_config_id: String,
    pub users: Option<Vec<String>>,
    pub created_at: Option<String>,
}

/// One 2.x API key (gateway key) entry.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyV2 {
    /// A key of `projects`.
    #[schemars(length(min = 1))]
    pub project_id: String,
    #[schemars(length(min = 1))]
    pub user_id: String,
    pub created_at: Option<Value>,
}
