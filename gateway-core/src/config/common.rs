//! The `common_mcp_gateway_config` section → [`CommonConfig`].
//!
//! Defaults come from `CommonConfig::default()` (the reference's 1.x defaults plus ours); each key written
//! in the file overrides one field. Keys are read from a flat list of entries rather than one object so a
//! 2.x `common_overrides` entry can replace a common key while keeping its own path for diagnostics.
//! Keys without a typed field (the reference's 2.x-only settings and truly unknown keys) are kept in
//! `extra` as written; only the unknown ones are warned about. The 2.x `enkrypt_config` section is applied
//! by `load` on top of the result.

use std::time::Duration;

use serde_json::Value;

use super::locate::JsonPath;
use super::model::{CommonConfig, GuardrailProvider, ToolExposure, ToolNamePrefix};
use super::path::resolve_config_relative;
use super::reader::Reader;
use super::refs::is_comment_key;
use crate::secret::Sensitive;

/// The reference's "no key configured" placeholder.
const API_KEY_PLACEHOLDER: &str = "YOUR_ENKRYPT_API_KEY";

const HOUR: f64 = 3600.0;
const MINUTE: f64 = 60.0;

/// Largest `max_upstream_message_bytes` accepted (1 TiB): beyond any real message, within f64 precision.
const MAX_MESSAGE_BYTES: i64 = 1 << 40;

/// Keys of the reference's 2.x common section that we accept without a typed field (kept in `extra`).
const KNOWN_UNTYPED: [&str; 11] = [
    "enkrypt_config_watcher_poll_seconds",
    "enkrypt_gateway_base_url",
    "enkrypt_oauth_redirect_uri",
    "enkrypt_allow_stdio_servers",
    "enkrypt_telemetry",
    "enkrypt_remote_mcp_gateway_name",
    "enkrypt_remote_mcp_gateway_version",
    "enkrypt_log_format",
    "sandbox",
    "server_tools_guardrails_config",
    "admin_apikey",
];

/// One key of the common section (or of an override), with where it was written.
pub(super) struct CommonEntry<'v> {
    pub(super) key: &'v str,
    pub(super) value: &'v Value,
    pub(super) path: JsonPath,
}

/// The entries of an object, in file order, comments skipped.
pub(super) fn entries_of<'v>(
    map: &'v serde_json::Map<String, Value>,
    path: &JsonPath,
) -> Vec<CommonEntry<'v>> {
    map.iter()
        .filter(|(k, _)| !is_comment_key(k))
        .map(|(k, v)| CommonEntry {
            key: k,
            value: v,
            path: path.key(k),
        })
        .collect()
}

/// `None` for an absent key, the empty string or the reference's placeholder.
pub(super) fn api_key_from(value: Option<String>) -> Option<Sensitive<String>> {
    value
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s != API_KEY_PLACEHOLDER)
        .map(Sensitive::new)
}

pub(super) fn parse_common(r: &mut Reader<'_>, entries: &[CommonEntry<'_>]) -> CommonConfig {
    let mut c = CommonConfig::default();
    let mut gateway_cache_hours_set = false;
    let mut gateway_cache_minutes = None;
    let mut upstream_timeout_set = false;
    let mut tool_execution_timeout = None;

    for CommonEntry {
        key,
        value: v,
        path: p,
    } in entries
    {
        let (v, p) = (*v, p);
        match *key {
            "enkrypt_log_level" => set(&mut c.log_level, r.non_empty_string(v, p)),
            "enkrypt_guardrails_enabled" => set(&mut c.guardrails_enabled, r.boolean(v, p)),
            "enkrypt_base_url" => set(&mut c.base_url, r.non_empty_string(v, p)),
            "enkrypt_api_key" => {
                if let Some(s) = r.string_or_null(v, p) {
                    c.api_key = api_key_from(s);
                }
            }
            "enkrypt_use_remote_mcp_config" => {
                if r.boolean(v, p) == Some(true) {
                    r.warn(
                        p,
                        "fetching the gateway config from Enkrypt cloud is not supported; \
                         the gateways in this file are used",
                    );
                }
                keep(r, &mut c, key, v, p);
            }
            "enkrypt_mcp_use_external_cache" => set(&mut c.use_external_cache, r.boolean(v, p)),
            "enkrypt_cache_host" => set(&mut c.cache_host, r.non_empty_string(v, p)),
            "enkrypt_cache_port" => {
                let port = r.integer(v, p, 1, i64::from(u16::MAX));
                set(&mut c.cache_port, port.and_then(|n| u16::try_from(n).ok()));
            }
            "enkrypt_cache_db" => set(&mut c.cache_db, r.integer(v, p, 0, i64::from(i32::MAX))),
            "enkrypt_cache_password" => {
                if let Some(s) = r.string_or_null(v, p) {
                    c.cache_password = s.filter(|s| !s.is_empty()).map(Sensitive::new);
                }
            }
            "enkrypt_tool_cache_expiration" => {
                set(&mut c.tool_cache_expiration, duration(r, v, p, HOUR, false));
            }
            "enkrypt_gateway_cache_expiration" => {
                gateway_cache_hours_set = true;
                set(
                    &mut c.gateway_cache_expiration,
                    duration(r, v, p, HOUR, false),
                );
            }
            "enkrypt_gateway_cache_expiration_minutes" => {
                gateway_cache_minutes = duration(r, v, p, MINUTE, false);
                keep(r, &mut c, key, v, p);
            }
            "enkrypt_async_input_guardrails_enabled" => {
                set(&mut c.async_input_guardrails_enabled, r.boolean(v, p));
            }
            "enkrypt_async_output_guardrails_enabled" => {
                set(&mut c.async_output_guardrails_enabled, r.boolean(v, p));
            }
            "tool_exposure" => set(
                &mut c.tool_exposure,
                r.choice(
                    v,
                    p,
                    &[
                        ("both", ToolExposure::Both),
                        ("direct", ToolExposure::Direct),
                        ("meta", ToolExposure::Meta),
                    ],
                ),
            ),
            "tool_name_separator" => set(&mut c.tool_name_separator, separator(r, v, p)),
            "tool_name_prefix" => set(
                &mut c.tool_name_prefix,
                r.choice(
                    v,
                    p,
                    &[
                        ("always", ToolNamePrefix::Always),
                        ("when_needed", ToolNamePrefix::WhenNeeded),
                    ],
                ),
            ),
            "enkrypt_guardrails_provider" => {
                let options = [
                    ("local", GuardrailProvider::Local),
                    ("enkrypt", GuardrailProvider::Enkrypt),
                ];
                if let Some(provider) = r.choice(v, p, &options) {
                    c.guardrails_provider = Some(provider);
                }
            }
            "enkrypt_audit_log_path" => {
                if let Some(s) = r.non_empty_string(v, p) {
                    c.audit_log_path = Some(resolve_config_relative(s.trim(), r.config_path));
                }
            }
            "upstream_timeout_seconds" => {
                upstream_timeout_set = true;
                set(&mut c.upstream_timeout, duration(r, v, p, 1.0, true));
            }
            "enkrypt_guardrails_fail_open" => set(&mut c.guardrails_fail_open, r.boolean(v, p)),
            "enkrypt_guardrail_timeout_seconds" => {
                set(&mut c.guardrail_timeout, duration(r, v, p, 1.0, true));
            }
            "upstream_start_timeout_seconds" => {
                set(&mut c.upstream_start_timeout, duration(r, v, p, 1.0, true));
            }
            "max_upstream_message_bytes" => {
                let bytes = r.integer(v, p, 1, MAX_MESSAGE_BYTES);
                set(
                    &mut c.max_upstream_message_bytes,
                    bytes.and_then(|n| usize::try_from(n).ok()),
                );
            }
            "timeout_settings" => {
                tool_execution_timeout = timeout_settings(r, v, p);
                keep(r, &mut c, key, v, p);
            }
            k if KNOWN_UNTYPED.contains(&k) || k.starts_with("session_pool_") => {
                keep(r, &mut c, key, v, p);
            }
            _ => {
                r.warn(p, "unknown key; kept but not used");
                keep(r, &mut c, key, v, p);
            }
        }
    }

    // Precedence: our own key, then the reference's 2.x setting, then the default.
    if !upstream_timeout_set && let Some(t) = tool_execution_timeout {
        c.upstream_timeout = t;
    }
    if !gateway_cache_hours_set && let Some(t) = gateway_cache_minutes {
        c.gateway_cache_expiration = t;
    }
    c
}

fn set<T>(field: &mut T, value: Option<impl Into<T>>) {
    if let Some(v) = value {
        *field = v.into();
    }
}

/// Keep a key without a typed field in `extra`, as written (references unresolved, so a round trip never
/// writes a resolved secret back to disk).
fn keep(r: &Reader<'_>, c: &mut CommonConfig, key: &str, v: &Value, p: &JsonPath) {
    let written = r.raw_at(p).cloned().unwrap_or_else(|| v.clone());
    c.extra.insert(key.to_owned(), written);
}

/// A duration given as a number of `unit` seconds (hours for cache expirations).
fn duration(
    r: &mut Reader<'_>,
    v: &Value,
    p: &JsonPath,
    unit: f64,
    strict: bool,
) -> Option<Duration> {
    let n = r.non_negative(v, p, strict)?;
    match Duration::try_from_secs_f64(n * unit) {
        Ok(d) => Some(d),
        Err(_) => {
            r.error(p, "is too large");
            None
        }
    }
}

fn separator(r: &mut Reader<'_>, v: &Value, p: &JsonPath) -> Option<String> {
    let s = r.string(v, p)?;
    if s.is_empty() {
        r.error(p, "must not be empty (the default is \"__\")");
        return None;
    }
    if !s
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        r.error(
            p,
            "may contain only letters, digits, `_` and `-` (tool names allow no more)",
        );
        return None;
    }
    Some(s)
}

/// Validates `timeout_settings` loosely and returns `tool_execution_timeout`, if set.
fn timeout_settings(r: &mut Reader<'_>, v: &Value, p: &JsonPath) -> Option<Duration> {
    let map = r.object(v, p)?;
    let mut tool_execution = None;
    for (key, item) in map {
        let ip = p.key(key);
        match key.as_str() {
            "tool_execution_timeout" => tool_execution = duration(r, item, &ip, 1.0, true),
            "default_timeout"
            | "guardrail_timeout"
            | "auth_timeout"
            | "discovery_timeout"
            | "cache_timeout"
            | "connectivity_timeout" => {
                let _ = duration(r, item, &ip, 1.0, true);
            }
            "escalation_policies" => {}
            k if is_comment_key(k) => {}
            _ => r.unknown_key(&ip),
        }
    }
    tool_execution
}
