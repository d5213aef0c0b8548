//! Loading both layouts into the model, and the located diagnostics for what goes wrong.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::*;

pub(super) const V1: &str = include_str!("../../tests/fixtures/config/v1.json");
pub(super) const V2: &str = include_str!("../../tests/fixtures/config/v2.json");
const FIXTURE_KEY: &str = "2W8UupCkazk4SsOcSu_1hAbiOgPdv0g-nN9NtfZyg-rvYGat";
/// The gateway key of the small generated configs, and how paths show it.
pub(super) const KEY: &str = "test-gateway-key-0001";
pub(super) const KEY_MASKED: &str = "…0001";

pub(super) fn cfg_path() -> &'static Path {
    Path::new("/cfg/enkrypt_mcp_config.json")
}

pub(super) fn load_env(text: &str, env: &[(&str, &str)]) -> Result<GatewayConfig, ConfigError> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let sources = RefSources {
        env: &env,
        keyring: &NoKeyring,
    };
    load_str_with(cfg_path(), text, &sources)
}

pub(super) fn ok(text: &str) -> GatewayConfig {
    load_env(text, &[]).unwrap_or_else(|e| panic!("expected a valid config, got: {e}"))
}

pub(super) fn errors_env(text: &str, env: &[(&str, &str)]) -> Vec<Diagnostic> {
    match load_env(text, env) {
        Ok(_) => panic!("expected the config to be rejected"),
        Err(e) => e
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect(),
    }
}

pub(super) fn errors(text: &str) -> Vec<Diagnostic> {
    errors_env(text, &[])
}

/// The single error of a rejected config.
pub(super) fn only_error(text: &str) -> Diagnostic {
    let errs = errors(text);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    errs.into_iter().next().expect("one error")
}

/// 1-based line of the first line containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
}

/// A 1.x file with one gateway (key [`KEY`]) holding `servers` (JSON array items, one per line).
pub(super) fn v1(common: &str, servers: &[&str]) -> String {
    format!(
        "{{\n  \"common_mcp_gateway_config\": {common},\n  \"gateways\": {{\n    \"{KEY}\": {{\n      \
         \"id\": \"gw-1\",\n      \"mcp_config\": [\n        {}\n      ]\n    }}\n  }}\n}}\n",
        servers.join(",\n        ")
    )
}

pub(super) const ECHO: &str = r#"{"server_name": "echo", "config": {"command": "echo-mcp"}}"#;

pub(super) fn server_path(rest: &str) -> String {
    format!("$.gateways[\"{KEY_MASKED}\"].mcp_config[0]{rest}")
}

#[test]
fn v1_fixture_loads_into_the_model() {
    let c = ok(V1);
    assert_eq!(c.format, ConfigFormat::V1);
    // The reference's sample policy blocks on `policy_violation`, which the offline provider this
    // fixture selects cannot run: that (and only that) is warned about, at the list item.
    let [w] = c.warnings.as_slice() else {
        panic!("{:#?}", c.warnings)
    };
    assert!(
        w.location
            .json_path
            .ends_with("].mcp_config[0].input_guardrails_policy.block[0]"),
        "{}",
        w.location.json_path
    );
    assert!(
        w.message
            .contains("`policy_violation` needs the Enkrypt AI API")
    );
    assert_eq!(c.common.api_key, None, "the placeholder means no key");
    assert_eq!(c.common.guardrails_provider, Some(GuardrailProvider::Local));
    assert_eq!(
        c.common.tool_cache_expiration,
        Duration::from_secs(4 * 3600)
    );
    assert_eq!(c.common.upstream_timeout, Duration::from_secs(45));
    assert_eq!(c.common.upstream_start_timeout, Duration::from_secs(20));
    assert_eq!(c.common.max_upstream_message_bytes, 1_048_576);
    assert_eq!(
        c.common.audit_log_path.as_deref(),
        Some(Path::new("/var/log/enkrypt/audit.jsonl"))
    );
    assert!(c.common.extra.contains_key("enkrypt_telemetry"));

    assert_eq!(c.gateways.len(), 2);
    let gw = &c.gateways[0];
    assert_eq!(gw.key.expose(), FIXTURE_KEY);
    assert_eq!(gw.id, "a0c2bd2b-6a04-4d2f-a8f9-1d1b4cd2e9f1");
    let echo = &gw.servers[0];
    assert_eq!(echo.server_name, "echo_server");
    match &echo.transport {
        UpstreamTransport::Stdio { command, args, env } => {
            assert_eq!(command, "python");
            assert_eq!(args, &["test_mcps/echo_mcp.py", "--verbose"]);
            assert_eq!(env["ECHO_PREFIX"].expose(), "echo: ");
        }
        other => panic!("expected stdio, got {other:?}"),
    }
    assert!(echo.input_guardrails.enabled);
    assert_eq!(
        echo.input_guardrails.policy_name.as_deref(),
        Some("Sample Airline Guardrail")
    );
    assert_eq!(
        echo.input_guardrails.block,
        ["policy_violation", "injection_attack", "pii"]
    );
    assert_eq!(
        echo.input_guardrails.additional_config["pii_redaction"],
        json!(true)
    );
    assert!(!echo.output_guardrails.enabled);
    assert_eq!(echo.raw["config"]["command"], json!("python"));

    let docs = &gw.servers[1];
    match &docs.transport {
        UpstreamTransport::Http { url, headers, .. } => {
            assert_eq!(url, "https://mcp.example.com/mcp");
            assert_eq!(headers["X-Team"].expose(), "platform");
        }
        other => panic!("expected http, got {other:?}"),
    }
    assert_eq!(docs.tools["search"], json!("Search the docs"));
    assert_eq!(
        docs.denied_tools,
        [
            DeniedTool {
                pattern: "delete_*".into(),
                reason: None
            },
            DeniedTool {
                pattern: "admin_*".into(),
                reason: Some("admin tools are off".into())
            },
        ]
    );
    assert!(
        !docs.input_guardrails.enabled,
        "an absent policy is disabled"
    );
}

#[test]
fn v2_fixture_loads_through_the_apikey_chain() {
    let c = ok(V2);
    assert_eq!(c.format, ConfigFormat::V2);
    assert!(c.warnings.is_empty(), "{:#?}", c.warnings);
    assert_eq!(
        c.common.api_key.as_ref().map(|k| k.expose().as_str()),
        Some("ek-live-0123456789abcdef")
    );
    assert_eq!(
        c.common.upstream_timeout,
        Duration::from_secs(360),
        "from tool_execution_timeout"
    );
    assert!(c.common.extra.contains_key("sandbox"));
    assert!(c.common.extra.contains_key("session_pool_ttl"));

    let [gw] = c.gateways.as_slice() else {
        panic!("one gateway expected")
    };
    assert_eq!(gw.key.expose(), FIXTURE_KEY);
    assert_eq!(
        gw.id,
        "6469a670-1d64-4da5-b2b3-790de21ac726_3c09f06c-1f0d-4153-9ac5-366397937641_\
         fcbd4508-1432-4f13-abb9-c495c946f638"
    );
    let echo = &gw.servers[0];
    assert_eq!(
        echo.input_guardrails.policy_name.as_deref(),
        Some("Sample Airline Guardrail")
    );
    assert!(echo.input_guardrails.enabled);
    assert_eq!(
        echo.denied_tools,
        [
            DeniedTool {
                pattern: "rm_*".into(),
                reason: Some("destructive".into())
            },
            DeniedTool {
                pattern: "shutdown".into(),
                reason: None
            },
        ]
    );
    assert!(
        echo.raw.get("oauth_config").is_some(),
        "raw keeps 2.x-only keys"
    );
    assert!(
        matches!(&gw.servers[1].transport, UpstreamTransport::Http { url, .. }
        if url == "https://api.githubcopilot.com/mcp/")
    );
}

#[test]
fn remote_config_spellings_are_all_http() {
    let text = v1(
        "{}",
        &[
            r#"{"server_name": "a", "config": {"url": "http://127.0.0.1:1/mcp", "transport": "sse"}}"#,
            r#"{"server_name": "b", "config": {"type": "streamable_http", "url": "https://x/mcp"}}"#,
            r#"{"server_name": "c", "config": {"type": "sse", "url": "https://x/sse", "headers": {"A": "b"}}}"#,
        ],
    );
    let c = ok(&text);
    for s in &c.gateways[0].servers {
        assert!(
            matches!(s.transport, UpstreamTransport::Http { .. }),
            "{}",
            s.server_name
        );
    }
}

#[test]
fn guardrail_aliases_map_to_one_policy() {
    let text = v1(
        "{}",
        &[r#"{"server_name": "e", "config": {"command": "x"},
              "input_guardrails_config": {"enabled": true, "guardrail_name": "G", "block": ["pii"]},
              "output_guardrails_policy": {"enabled": true, "policy_name": "P"}}"#],
    );
    let c = ok(&text);
    let s = &c.gateways[0].servers[0];
    assert_eq!(s.input_guardrails.policy_name.as_deref(), Some("G"));
    assert_eq!(s.input_guardrails.block, ["pii"]);
    assert_eq!(s.output_guardrails.policy_name.as_deref(), Some("P"));
}

#[test]
fn env_references_resolve_whole_and_embedded_but_raw_keeps_them() {
    let text = v1(
        r#"{"enkrypt_api_key": "${env:EK_KEY}"}"#,
        &[r#"{"server_name": "h", "config": {"url": "https://x/mcp",
              "headers": {"Authorization": "Bearer ${env:TOKEN}"}}}"#],
    );
    let c = load_env(&text, &[("EK_KEY", "ek-from-env"), ("TOKEN", "t0k3n")]).expect("valid");
    assert_eq!(
        c.common.api_key.as_ref().map(|k| k.expose().as_str()),
        Some("ek-from-env")
    );
    let s = &c.gateways[0].servers[0];
    let UpstreamTransport::Http { headers, .. } = &s.transport else {
        panic!("http")
    };
    assert_eq!(headers["Authorization"].expose(), "Bearer t0k3n");
    assert_eq!(
        s.raw["config"]["headers"]["Authorization"],
        json!("Bearer ${env:TOKEN}")
    );
}

#[test]
fn env_references_use_the_process_environment_by_default() {
    let Ok(path_var) = std::env::var("PATH") else {
        return;
    };
    let text = v1(
        "{}",
        &[r#"{"server_name": "e", "config": {"command": "x", "env": {"P": "${env:PATH}"}}}"#],
    );
    let c = load_str(cfg_path(), &text).expect("valid");
    let UpstreamTransport::Stdio { env, .. } = &c.gateways[0].servers[0].transport else {
        panic!()
    };
    assert_eq!(env["P"].expose(), &path_var);
}

#[test]
fn missing_env_variable_is_a_located_error() {
    let text = v1(
        "{}",
        &[
            r#"{"server_name": "e", "config": {"command": "x", "env": {"API_KEY": "${env:NOPE_MISSING}"}}}"#,
        ],
    );
    let e = only_error(&text);
    assert_eq!(e.location.json_path, server_path(".config.env.API_KEY"));
    assert_eq!(e.location.line, Some(line_of(&text, "NOPE_MISSING")));
    assert_eq!(
        e.message,
        "environment variable is not set: ${env:NOPE_MISSING}"
    );
}

#[test]
fn keyring_references_are_reported_as_not_supported_yet() {
    let text = v1(r#"{"enkrypt_api_key": "${keyring:enkrypt_api}"}"#, &[ECHO]);
    let e = only_error(&text);
    assert_eq!(
        e.location.json_path,
        "$.common_mcp_gateway_config.enkrypt_api_key"
    );
    assert_eq!(
        e.message,
        "keychain references are not supported yet: ${keyring:enkrypt_api}"
    );
}

#[test]
fn a_gateway_key_may_be_an_env_reference() {
    let text = v1("{}", &[ECHO]).replace(KEY, "${env:GW_KEY}");
    let c = load_env(&text, &[("GW_KEY", "resolved-gateway-key")]).expect("valid");
    assert_eq!(c.gateways[0].key.expose(), "resolved-gateway-key");
}

#[test]
fn secrets_never_appear_in_error_text() {
    let secret = "s3cr3t-value-that-must-not-leak";
    let text = v1(
        r#"{"tool_exposure": "everything"}"#,
        &[
            r#"{"server_name": "h", "config": {"url": "https://x", "headers": {"A": "${env:SECRET}", "B": 5}}}"#,
        ],
    );
    let err = load_env(&text, &[("SECRET", secret)]).expect_err("invalid");
    let shown = format!("{err}\n{err:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(!shown.contains(KEY), "gateway key leaked: {shown}");
    assert!(shown.contains(KEY_MASKED));
}

#[test]
fn api_key_placeholder_and_empty_mean_none() {
    for (written, expected) in [
        (r#""YOUR_ENKRYPT_API_KEY""#, None),
        (r#""""#, None),
        ("null", None),
        (r#""ek-real""#, Some("ek-real")),
    ] {
        let c = ok(&v1(&format!("{{\"enkrypt_api_key\": {written}}}"), &[ECHO]));
        assert_eq!(
            c.common.api_key.as_ref().map(|k| k.expose().as_str()),
            expected,
            "{written}"
        );
    }
}

#[test]
fn expirations_accept_ints_floats_and_numeric_strings() {
    let c = ok(&v1(
        r#"{"enkrypt_tool_cache_expiration": "2", "enkrypt_gateway_cache_expiration": 0.5}"#,
        &[ECHO],
    ));
    assert_eq!(c.common.tool_cache_expiration, Duration::from_secs(7200));
    assert_eq!(c.common.gateway_cache_expiration, Duration::from_secs(1800));
    let e = only_error(&v1(r#"{"enkrypt_tool_cache_expiration": "soon"}"#, &[ECHO]));
    assert_eq!(
        e.location.json_path,
        "$.common_mcp_gateway_config.enkrypt_tool_cache_expiration"
    );
}

#[test]
fn v2_common_overrides_apply_when_one_mcp_config_is_used() {
    let text = V2.replace(
        "\"common_overrides\": {",
        "\"common_overrides\": {\n        \"tool_exposure\": \"meta\",",
    );
    assert_eq!(ok(&text).common.tool_exposure, ToolExposure::Meta);
}

#[test]
fn load_reads_files_from_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c.json");
    std::fs::write(&file, format!("\u{feff}{V1}")).expect("write");
    let c = crate::secrets::load_config(&file).expect("valid");
    assert_eq!(c.path, file);
    std::fs::write(&file, b"{\"a\": \"\xff\"}").expect("write");
    assert!(matches!(
        crate::secrets::load_config(&file),
        Err(ConfigError::Invalid { .. })
    ));
}

#[test]
fn the_repository_example_config_loads_cleanly() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../example_enkrypt_mcp_config.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    let c = load_env(&text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.warnings.is_empty(), "{:#?}", c.warnings);
}

#[test]
fn oauth_settings_load_with_a_keychain_entry_per_gateway_and_server() {
    let text = v1(
        "{}",
        &[
            r#"{"server_name": "linear", "config": {"url": "https://x/mcp",
                "oauth": {"client_id": "cid", "client_secret": "${env:SECRET}", "scopes": ["read", "write"]}}}"#,
            r#"{"server_name": "plain", "config": {"url": "https://y/mcp"}}"#,
        ],
    );
    let c = load_env(&text, &[("SECRET", "s3cret")]).expect("valid");
    let gateway = &c.gateways[0];
    let UpstreamTransport::Http { oauth, .. } = &gateway.servers[0].transport else {
        panic!("http")
    };
    assert_eq!(oauth.client_id.as_deref(), Some("cid"));
    assert_eq!(
        oauth.client_secret.as_ref().map(|s| s.expose().as_str()),
        Some("s3cret")
    );
    assert_eq!(oauth.scopes, ["read", "write"]);
    assert_eq!(
        oauth.keychain_entry,
        crate::oauth::entry_name(&gateway.id, "linear")
    );
    let UpstreamTransport::Http { oauth, .. } = &gateway.servers[1].transport else {
        panic!("http")
    };
    assert_eq!(oauth.client_id, None);
    assert_eq!(
        oauth.keychain_entry,
        crate::oauth::entry_name(&gateway.id, "plain")
    );
}

#[test]
fn oauth_settings_are_checked() {
    let text = v1(
        "{}",
        &[r#"{"server_name": "r", "config": {"url": "https://x/mcp",
              "oauth": {"client_secret": "s", "scopes": "read", "extra": 1}}}"#],
    );
    let errors = errors_env(&text, &[]);
    let text_of = |d: &Diagnostic| format!("{} {}", d.location.json_path, d.message);
    let all: Vec<String> = errors.iter().map(text_of).collect();
    assert!(all.iter().any(|e| e.contains("oauth.scopes")), "{all:?}");
}

#[test]
fn pii_entities_are_checked_and_default_to_all() {
    let text = v1(
        "{}",
        &[
            r#"{"server_name": "e", "config": {"command": "x"}, "output_guardrails_policy": {"enabled": true, "block": ["pii"], "additional_config": {"pii_entities": ["email", "passport"]}}}"#,
        ],
    );
    let e = only_error(&text);
    assert_eq!(
        e.location.json_path,
        server_path(".output_guardrails_policy.additional_config.pii_entities")
    );
    assert!(e.message.contains("`passport`"), "{}", e.message);

    let text = v1(
        "{}",
        &[
            r#"{"server_name": "e", "config": {"command": "x"}, "output_guardrails_policy": {"enabled": true, "block": ["pii"], "additional_config": {"pii_entities": ["secrets", "email"]}}}"#,
        ],
    );
    let c = ok(&text);
    let server = &c.gateways[0].servers[0];
    assert_eq!(
        server.output_guardrails.pii_entities(),
        vec!["email", "secrets"]
    );
    assert_eq!(
        server.input_guardrails.pii_entities(),
        PII_ENTITIES.to_vec()
    );
}
