//! The typed model of a gateway config file, format-independent.
//!
//! Both the reference's 1.x layout (`common_mcp_gateway_config` + `gateways{<key>: …}`) and its 2.x layout
//! (`apikeys` → `projects` → `mcp_configs`) load into these types (see `config::load`). This module only
//! defines the shapes and their defaults; it does not read files, resolve `${…}` references or validate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::secret::Sensitive;

/// Which gateway tools the downstream surface exposes (`common_mcp_gateway_config.tool_exposure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolExposure {
    /// Direct namespaced tools plus the reference's six gateway tools.
    #[default]
    Both,
    /// Only direct namespaced tools (`<server><sep><tool>`).
    Direct,
    /// Exactly the reference's surface: the six gateway tools.
    Meta,
}

/// When direct tool names carry the server prefix (`common_mcp_gateway_config.tool_name_prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolNamePrefix {
    #[default]
    Always,
    /// Keep upstream names while one server is configured and nothing collides.
    WhenNeeded,
}

/// Guardrail provider (`common_mcp_gateway_config.enkrypt_guardrails_provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailProvider {
    Local,
    Enkrypt,
}

/// The common section, after defaults are applied.
#[derive(Debug, Clone)]
pub struct CommonConfig {
    pub log_level: String,
    pub guardrails_enabled: bool,
    pub base_url: String,
    /// The Enkrypt API key; `None` when absent or the reference's placeholder `YOUR_ENKRYPT_API_KEY`.
    pub api_key: Option<Sensitive<String>>,
    pub use_external_cache: bool,
    pub cache_host: String,
    pub cache_port: u16,
    pub cache_db: i64,
    pub cache_password: Option<Sensitive<String>>,
    /// `enkrypt_tool_cache_expiration`, hours (default 4).
    pub tool_cache_expiration: Duration,
    /// `enkrypt_gateway_cache_expiration`, hours (default 24).
    pub gateway_cache_expiration: Duration,
    pub async_input_guardrails_enabled: bool,
    pub async_output_guardrails_enabled: bool,
    pub tool_exposure: ToolExposure,
    pub tool_name_separator: String,
    pub tool_name_prefix: ToolNamePrefix,
    /// Explicit provider; `None` = default rule (enkrypt when an API key is set, else local).
    pub guardrails_provider: Option<GuardrailProvider>,
    /// `enkrypt_audit_log_path`; `None` = `~/.enkrypt/logs/audit.jsonl`.
    pub audit_log_path: Option<PathBuf>,
    /// Per-request timeout for upstream calls (`timeout_settings.tool_execution_timeout` or
    /// `upstream_timeout_seconds`; default 60 s).
    pub upstream_timeout: Duration,
    /// Timeout for starting an upstream and completing its handshake (`timeout_settings.connectivity_timeout`
    /// is too short for real servers; default 30 s, key `upstream_start_timeout_seconds`).
    pub upstream_start_timeout: Duration,
    /// Largest single message accepted from an upstream, bytes (`max_upstream_message_bytes`, default 16 MiB).
    pub max_upstream_message_bytes: usize,
    /// `enkrypt_guardrails_fail_open`: when a guardrail check itself fails (API down, timeout, garbage),
    /// let the call through instead of blocking it. Default false (fail closed).
    pub guardrails_fail_open: bool,
    /// `enkrypt_guardrail_timeout_seconds`: per guardrail API request (default 15 s).
    pub guardrail_timeout: Duration,
    /// Keys of the common section this gateway does not know (kept, reported as warnings).
    pub extra: Map<String, Value>,
}

impl Default for CommonConfig {
    fn default() -> Self {
        Self {
            log_level: "INFO".into(),
            guardrails_enabled: false,
            base_url: "https://api.enkryptai.com".into(),
            api_key: None,
            use_external_cache: false,
            cache_host: "localhost".into(),
            cache_port: 6379,
            cache_db: 0,
            cache_password: None,
            tool_cache_expiration: Duration::from_secs(4 * 3600),
            gateway_cache_expiration: Duration::from_secs(24 * 3600),
            async_input_guardrails_enabled: false,
            async_output_guardrails_enabled: false,
            tool_exposure: ToolExposure::Both,
            tool_name_separator: "__".into(),
            tool_name_prefix: ToolNamePrefix::Always,
            guardrails_provider: None,
            audit_log_path: None,
            upstream_timeout: Duration::from_secs(60),
            upstream_start_timeout: Duration::from_secs(30),
            max_upstream_message_bytes: 16 * 1024 * 1024,
            guardrails_fail_open: false,
            guardrail_timeout: Duration::from_secs(15),
            extra: Map::new(),
        }
    }
}

/// How to reach an upstream server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamTransport {
    /// A local process speaking newline-delimited JSON-RPC on stdio.
    Stdio {
        command: String,
        args: Vec<String>,
        /// Added on top of a minimal inherited environment (PATH, HOME, …); values may be secrets.
        env: BTreeMap<String, Sensitive<String>>,
    },
    /// A remote server over streamable HTTP (SSE fallback).
    Http {
        url: String,
        headers: BTreeMap<String, Sensitive<String>>,
        /// OAuth 2.1 sign-in settings (`config.oauth`) and where this server's tokens live.
        oauth: OAuthSettings,
    },
}

/// How the gateway signs in to a remote server that asks for OAuth (`config.oauth`, all optional), and
/// the keychain entry holding that server's tokens for this gateway (set by the loader, never written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthSettings {
    /// A client id registered with the authorization server out of band (used when it offers no
    /// dynamic client registration, or always when set).
    pub client_id: Option<String>,
    /// Its secret, for a confidential client; usually a `${keyring:NAME}` reference.
    pub client_secret: Option<Sensitive<String>>,
    /// Scopes to ask for; empty = what the server's challenge or metadata asks for.
    pub scopes: Vec<String>,
    /// An `https://` URL of a client ID metadata document (SEP-991) describing this gateway, used as the
    /// client id when the authorization server supports such documents (before dynamic registration).
    pub client_metadata_url: Option<String>,
    /// The keychain entry (service `enkrypt-secure-mcp-gateway`) of this (gateway, server) pair's tokens.
    pub keychain_entry: String,
}

/// One `denied_tools` entry: a glob on the upstream tool name, with an optional reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeniedTool {
    pub pattern: String,
    pub reason: Option<String>,
}

/// A guardrail policy for one side (input or output) of one server.
#[derive(Debug, Clone, Default)]
pub struct GuardrailPolicy {
    pub enabled: bool,
    /// `policy_name` (1.x) / `guardrail_name` (2.x).
    pub policy_name: Option<String>,
    /// Detector names that block when they fire.
    pub block: Vec<String>,
    /// `additional_config` as written (pii_redaction, relevancy, adherence, hallucination, thresholds…).
    pub additional_config: Map<String, Value>,
}

/// The entity names of Enkrypt's `pii` detector, accepted in `additional_config.pii_entities`:
/// personal data (names, addresses, ids, cards), e-mail addresses, phone numbers, secrets, IP addresses
/// and URLs. The `pii` detector covers all of them unless a policy narrows the list.
pub const PII_ENTITIES: &[&str] = &["pii", "email", "phone", "secrets", "ip_address", "url"];

impl GuardrailPolicy {
    /// The entities the `pii` detector covers for this policy: `additional_config.pii_entities` when
    /// it is a list (unknown names were refused at load), else all of [`PII_ENTITIES`].
    pub fn pii_entities(&self) -> Vec<&'static str> {
        match self
            .additional_config
            .get("pii_entities")
            .and_then(Value::as_array)
        {
            Some(items) => PII_ENTITIES
                .iter()
                .copied()
                .filter(|e| items.iter().any(|i| i.as_str() == Some(e)))
                .collect(),
            None => PII_ENTITIES.to_vec(),
        }
    }

    /// Whether the policy names its `pii` entities explicitly.
    pub fn pii_entities_set(&self) -> bool {
        self.additional_config
            .get("pii_entities")
            .is_some_and(Value::is_array)
    }
}

/// One upstream server entry of a gateway.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub server_name: String,
    pub description: String,
    pub transport: UpstreamTransport,
    /// The reference's `tools` object: empty = discover all; non-empty = allow-list (name → description).
    pub tools: Map<String, Value>,
    pub denied_tools: Vec<DeniedTool>,
    pub input_guardrails: GuardrailPolicy,
    pub output_guardrails: GuardrailPolicy,
    /// The entry exactly as written in the file (secrets still as `${…}` references), echoed by the
    /// list/info gateway tools as the reference does.
    pub raw: Value,
}

/// One gateway: a gateway key, its id and its servers.
#[derive(Debug, Clone)]
pub struct GatewayEntry {
    pub key: Sensitive<String>,
    /// The reference's gateway id (1.x: `id`; 2.x: `{user_id}_{project_id}_{mcp_config_id}`).
    pub id: String,
    pub servers: Vec<ServerConfig>,
}

/// Where a diagnostic points: a JSON path (`$.gateways.<key>.mcp_config[0].config.command`) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub json_path: String,
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One validation finding, shown alike by the CLI and the desktop UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

/// Which on-disk layout a file used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConfigFormat {
    /// `common_mcp_gateway_config` + `gateways{…}`.
    V1,
    /// `apikeys` → `projects` → `mcp_configs`.
    V2,
}

/// A loaded, validated config file.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub path: PathBuf,
    pub format: ConfigFormat,
    pub common: CommonConfig,
    pub gateways: Vec<GatewayEntry>,
    /// Non-fatal findings (unknown keys, deprecated spellings…).
    pub warnings: Vec<Diagnostic>,
}
