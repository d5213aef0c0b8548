//! Editing real 1.x and 2.x files: each edit changes only what it is about (everything else keeps its
//! value and key order), saves make a backup, and a rejected edit or save leaves the file as it was.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;

const V1: &str = include_str!("../../tests/fixtures/config/v1.json");
const V2: &str = include_str!("../../tests/fixtures/config/v2.json");
const V1_KEY: &str = "2W8UupCkazk4SsOcSu_1hAbiOgPdv0g-nN9NtfZyg-rvYGat";
const V2_CONFIG: &str = "fcbd4508-1432-4f13-abb9-c495c946f638";

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn fixture(text: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("enkrypt_mcp_config.json");
    std::fs::write(&path, text).expect("write fixture");
    Fixture { _dir: dir, path }
}

fn open(f: &Fixture) -> ConfigDocument {
    ConfigDocument::open(&f.path).unwrap_or_else(|e| panic!("open: {e}"))
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON: {e}"))
}

fn on_disk(path: &Path) -> Value {
    parse(&std::fs::read_to_string(path).expect("read back"))
}

/// Order-sensitive equality (`Value`'s `==` ignores key order).
fn assert_same(actual: &Value, expected: &Value) {
    let a = serde_json::to_string_pretty(actual).expect("serialize");
    let e = serde_json::to_string_pretty(expected).expect("serialize");
    assert!(
        a == e,
        "documents differ\n--- actual\n{a}\n--- expected\n{e}"
    );
}

fn backups(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().expect("parent");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".bak-"))
        .collect();
    found.sort();
    found
}

fn stdio(name: &str, command: &str) -> ServerSpec {
    ServerSpec {
        server_name: name.into(),
        description: format!("{name} server"),
        transport: TransportSpec::Stdio {
            command: command.into(),
            args: vec!["--flag".into()],
            env: [("TOKEN".to_owned(), "${keyring:files_token}".to_owned())].into(),
        },
        tools: Default::default(),
        denied_tools: Vec::new(),
        input_guardrails: None,
        output_guardrails: None,
    }
}

/// Saves resolving `${keyring:…}` from a fixed map (the real keychain is not under test here).
fn save(doc: &mut ConfigDocument) -> Result<crate::files::WriteOutcome, EditError> {
    let keyring: std::collections::HashMap<String, String> = [
        ("files_token".to_owned(), "t0ken".to_owned()),
        ("echo".to_owned(), "s3cret".to_owned()),
    ]
    .into();
    let sources = RefSources {
        env: &crate::config::ProcessEnv,
        keyring: &keyring,
    };
    doc.save_with(&sources)
}

fn v1_servers(v: &mut Value) -> &mut Vec<Value> {
    v.pointer_mut(&format!("/gateways/{V1_KEY}/mcp_config"))
        .and_then(Value::as_array_mut)
        .expect("v1 server list")
}

fn v2_servers(v: &mut Value) -> &mut Vec<Value> {
    v.pointer_mut(&format!("/mcp_configs/{V2_CONFIG}/mcp_config"))
        .and_then(Value::as_array_mut)
        .expect("v2 server list")
}

#[test]
fn adding_a_server_to_a_v1_file_appends_one_entry_and_keeps_the_rest() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let edit = ConfigEdit::AddServer {
        gateway: None,
        server: stdio("files", "npx"),
    };
    doc.apply(edit).expect("apply");
    let outcome = save(&mut doc).expect("save");

    let mut expected = parse(V1);
    v1_servers(&mut expected).push(json!({
        "server_name": "files",
        "description": "files server",
        "config": {"command": "npx", "args": ["--flag"], "env": {"TOKEN": "${keyring:files_token}"}},
        "tools": {},
        // A new server is protected by default (checks the user can change).
        "input_guardrails_policy": {"enabled": true, "additional_config": {"pii_entities": ["pii", "email", "phone", "secrets", "ip_address"]}, "block": ["injection_attack", "pii", "secrets"]},
        "output_guardrails_policy": {"enabled": true, "additional_config": {"pii_entities": ["pii", "email", "phone", "secrets", "ip_address"]}, "block": ["injection_attack", "pii", "secrets"]}
    }));
    assert_same(&on_disk(&f.path), &expected);
    let backup = outcome.backup.expect("a backup");
    assert_eq!(std::fs::read_to_string(backup).expect("backup"), V1);
    let written = std::fs::read_to_string(&f.path).expect("read");
    assert!(written.ends_with("}\n") && written.contains("\n  \"gateways\": {\n"));
}

#[test]
fn updating_a_v1_server_renames_it_in_place_and_keeps_keys_it_does_not_model() {
    let text = V1.replacen(
        "\"description\": \"Simple Echo Server\",",
        "\"description\": \"Simple Echo Server\",\n          \"x_team_note\": \"keep me\",",
        1,
    );
    let f = fixture(&text);
    let mut doc = open(&f);
    let mut spec = doc.view().gateways[0].servers[0].clone();
    spec.server_name = "echo".into();
    if let TransportSpec::Stdio { args, .. } = &mut spec.transport {
        args.push("--quiet".into());
    }
    doc.apply(ConfigEdit::UpdateServer {
        gateway: None,
        server_name: "echo_server".into(),
        server: spec,
    })
    .expect("apply");
    save(&mut doc).expect("save");

    let mut expected = parse(&text);
    let entry = &mut v1_servers(&mut expected)[0];
    entry["server_name"] = json!("echo");
    entry["config"]["args"] = json!(["test_mcps/echo_mcp.py", "--verbose", "--quiet"]);
    assert_same(&on_disk(&f.path), &expected);
    // The other gateway's server of the same name is untouched.
    let other = on_disk(&f.path);
    let second = other.pointer("/gateways/second-gateway-key-0123456789/mcp_config/0/server_name");
    assert_eq!(second, Some(&json!("echo_server")));
}

#[test]
fn switching_a_server_from_stdio_to_http_replaces_only_the_transport_keys() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let mut spec = doc.view().gateways[0].servers[0].clone();
    spec.transport = TransportSpec::Http {
        url: "https://mcp.example.com/echo".into(),
        headers: [(
            "Authorization".to_owned(),
            "Bearer ${keyring:echo}".to_owned(),
        )]
        .into(),
        oauth: None,
    };
    doc.apply(ConfigEdit::UpdateServer {
        gateway: None,
        server_name: "echo_server".into(),
        server: spec,
    })
    .expect("apply");
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    v1_servers(&mut expected)[0]["config"] = json!({
        "url": "https://mcp.example.com/echo",
        "headers": {"Authorization": "Bearer ${keyring:echo}"}
    });
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn removing_a_server_removes_only_that_entry() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let edit = ConfigEdit::RemoveServer {
        gateway: None,
        server_name: "echo_server".into(),
    };
    doc.apply(edit).expect("apply");
    // No `${keyring:…}` in this file, so the real keychain is never asked.
    doc.save().expect("save");
    let mut expected = parse(V1);
    v1_servers(&mut expected).remove(0);
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn a_v1_policy_is_written_with_the_1x_spellings() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let policy = GuardrailPolicySpec {
        enabled: true,
        policy_name: Some("Strict".into()),
        block: vec!["pii".into()],
        additional_config: json!({"relevancy": true})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    };
    doc.apply(ConfigEdit::SetGuardrailPolicy {
        gateway: None,
        server_name: "docs".into(),
        side: GuardrailSide::Output,
        policy,
    })
    .expect("apply");
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    v1_servers(&mut expected)[1]["output_guardrails_policy"] = json!({
        "enabled": true, "policy_name": "Strict", "additional_config": {"relevancy": true}, "block": ["pii"]
    });
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn a_v2_policy_uses_the_2x_spellings_and_renames_a_1x_spelling_in_place() {
    let text = V2.replacen(
        "\"output_guardrails_config\"",
        "\"output_guardrails_policy\"",
        1,
    );
    let f = fixture(&text);
    let mut doc = open(&f);
    for side in [GuardrailSide::Input, GuardrailSide::Output] {
        let policy = GuardrailPolicySpec {
            enabled: side == GuardrailSide::Output,
            policy_name: Some("Sample Airline Guardrail".into()),
            block: vec!["injection_attack".into()],
            additional_config: Default::default(),
        };
        doc.apply(ConfigEdit::SetGuardrailPolicy {
            gateway: None,
            server_name: "echo_server".into(),
            side,
            policy,
        })
        .expect("apply");
    }
    save(&mut doc).expect("save");
    let mut expected = parse(V2);
    let entry = &mut v2_servers(&mut expected)[0];
    entry["input_guardrails_config"]["enabled"] = json!(false);
    entry["input_guardrails_config"]["additional_config"] = json!({});
    entry["input_guardrails_config"]["block"] = json!(["injection_attack"]);
    entry["output_guardrails_config"]["enabled"] = json!(true);
    entry["output_guardrails_config"]["additional_config"] = json!({});
    entry["output_guardrails_config"]["block"] = json!(["injection_attack"]);
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn adding_to_a_v2_file_selects_the_gateway_by_config_or_gateway_id() {
    let f = fixture(V2);
    let mut doc = open(&f);
    let gateway_id = format!(
        "6469a670-1d64-4da5-b2b3-790de21ac726_3c09f06c-1f0d-4153-9ac5-366397937641_{V2_CONFIG}"
    );
    let server = ServerSpec {
        server_name: "remote".into(),
        description: String::new(),
        transport: TransportSpec::Http {
            url: "https://mcp.example.com/mcp".into(),
            headers: Default::default(),
            oauth: None,
        },
        tools: Default::default(),
        denied_tools: vec![DeniedToolSpec {
            pattern: "admin_*".into(),
            reason: Some("admin tools are off".into()),
        }],
        input_guardrails: None,
        output_guardrails: None,
    };
    let gateway = Some(GatewayRef { id: gateway_id });
    doc.apply(ConfigEdit::AddServer { gateway, server })
        .expect("apply");
    let err = doc
        .apply(ConfigEdit::RemoveServer {
            gateway: Some(GatewayRef { id: "nope".into() }),
            server_name: "remote".into(),
        })
        .expect_err("unknown gateway");
    assert_eq!(err.code(), "gateway_not_found");
    save(&mut doc).expect("save");

    let mut expected = parse(V2);
    let protected = json!({"enabled": true, "additional_config": {"pii_entities": ["pii", "email", "phone", "secrets", "ip_address"]}, "block": ["injection_attack", "pii", "secrets"]});
    v2_servers(&mut expected).push(json!({
        "server_name": "remote",
        "description": "",
        "config": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {}},
        "tools": {},
        "denied_tools": [{"name": "admin_*", "reason": "admin tools are off"}],
        "input_guardrails_config": protected,
        "output_guardrails_config": protected
    }));
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn the_guardrails_toggle_sets_the_common_key_and_any_2x_override_of_it() {
    let f = fixture(V1);
    let mut doc = open(&f);
    doc.apply(ConfigEdit::SetGuardrailsEnabled { enabled: true })
        .expect("apply");
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    expected["common_mcp_gateway_config"]["enkrypt_guardrails_enabled"] = json!(true);
    assert_same(&on_disk(&f.path), &expected);

    let text = V2.replacen(
        "\"common_overrides\": {",
        "\"common_overrides\": {\n        \"enkrypt_guardrails_enabled\": false,",
        1,
    );
    let f = fixture(&text);
    let mut doc = open(&f);
    doc.apply(ConfigEdit::SetGuardrailsEnabled { enabled: true })
        .expect("apply");
    assert!(doc.view().guardrails_enabled);
    save(&mut doc).expect("save");
    let mut expected = parse(&text);
    expected["common_mcp_gateway_config"]["enkrypt_guardrails_enabled"] = json!(true);
    expected["mcp_configs"][V2_CONFIG]["common_overrides"]["enkrypt_guardrails_enabled"] =
        json!(true);
    assert_same(&on_disk(&f.path), &expected);
    let loaded = crate::config::load_str(&f.path, &doc.to_text()).expect("valid");
    assert!(loaded.common.guardrails_enabled);
}

#[test]
fn tool_exposure_and_denied_tools_are_set_in_place() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let exposure = crate::config::schema::ToolExposureSetting::Direct;
    doc.apply(ConfigEdit::SetToolExposure { exposure })
        .expect("apply");
    let denied = vec![
        DeniedToolSpec {
            pattern: "drop_*".into(),
            reason: None,
        },
        DeniedToolSpec {
            pattern: "admin_*".into(),
            reason: Some("no".into()),
        },
    ];
    doc.apply(ConfigEdit::SetDeniedTools {
        gateway: None,
        server_name: "docs".into(),
        denied,
    })
    .expect("apply");
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    expected["common_mcp_gateway_config"]["tool_exposure"] = json!("direct");
    v1_servers(&mut expected)[1]["denied_tools"] =
        json!(["drop_*", {"pattern": "admin_*", "reason": "no"}]);
    assert_same(&on_disk(&f.path), &expected);
}

#[test]
fn unknown_and_duplicate_servers_are_refused_and_leave_the_document_unchanged() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let before = doc.to_text();
    let cases = [
        (
            ConfigEdit::RemoveServer {
                gateway: None,
                server_name: "ghost".into(),
            },
            "server_not_found",
        ),
        (
            ConfigEdit::AddServer {
                gateway: None,
                server: stdio("docs", "x"),
            },
            "duplicate_server",
        ),
        (
            ConfigEdit::UpdateServer {
                gateway: None,
                server_name: "echo_server".into(),
                server: stdio("docs", "x"),
            },
            "duplicate_server",
        ),
        (
            ConfigEdit::AddServer {
                gateway: None,
                server: stdio(" ", "x"),
            },
            "invalid_edit",
        ),
    ];
    for (edit, code) in cases {
        let err = doc.apply(edit).expect_err("refused");
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(doc.to_text(), before);
    }
    let err = doc
        .apply(ConfigEdit::RemoveServer {
            gateway: None,
            server_name: "ghost".into(),
        })
        .expect_err("refused");
    let payload = serde_json::to_value(&err).expect("serialize");
    assert_eq!(payload["code"], "server_not_found");
    assert!(
        payload["message"]
            .as_str()
            .is_some_and(|m| m.contains("ghost"))
    );
    assert!(
        !payload["message"]
            .as_str()
            .unwrap_or_default()
            .contains(V1_KEY)
    );
}

#[test]
fn an_edit_that_makes_the_config_invalid_is_not_saved() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let mut spec = stdio("web", "x");
    spec.transport = TransportSpec::Http {
        url: "ftp://example.com".into(),
        headers: Default::default(),
        oauth: None,
    };
    doc.apply(ConfigEdit::AddServer {
        gateway: None,
        server: spec,
    })
    .expect("structurally fine");
    let err = save(&mut doc).expect_err("refused");
    assert_eq!(err.code(), "invalid_config");
    let found = err.diagnostics().iter().any(|d| {
        d.severity == Severity::Error && d.location.json_path.ends_with("mcp_config[2].config.url")
    });
    assert!(found, "{:#?}", err.diagnostics());
    assert!(
        err.to_string()
            .contains("must start with http:// or https://"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&f.path).expect("read"), V1);
    assert!(backups(&f.path).is_empty());
}

fn load_diagnostics(path: &Path) -> Vec<Diagnostic> {
    match crate::secrets::load_config(path) {
        Ok(c) => c.warnings,
        Err(e) => e.diagnostics().to_vec(),
    }
}

#[test]
fn validation_says_what_check_config_says() {
    let invalid = V1
        .replacen(
            "\"tool_exposure\": \"both\"",
            "\"tool_exposure\": \"all\"",
            1,
        )
        .replacen(
            "\"upstream_timeout_seconds\": 45",
            "\"upstream_timeout_seconds\": -1",
            1,
        )
        .replacen("\"id\": \"a0c2", "\"mystery\": 1,\n      \"id\": \"a0c2", 1);
    for text in [V1, V2, invalid.as_str()] {
        // Written as `save` would, so lines match the text that is validated.
        let pretty = format!(
            "{}\n",
            serde_json::to_string_pretty(&parse(text)).expect("serialize")
        );
        let f = fixture(&pretty);
        let doc = open(&f);
        assert_eq!(doc.validate(), load_diagnostics(&f.path));
    }
    let f = fixture(&invalid);
    assert!(
        open(&f)
            .validate()
            .iter()
            .any(|d| d.severity == Severity::Error)
    );
}

#[test]
fn opening_reports_a_missing_or_malformed_file_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.json");
    let err = ConfigDocument::open(&missing).expect_err("missing");
    assert_eq!(err.code(), "config_not_found");
    assert!(err.to_string().contains("nope.json"));

    let f = fixture("{\n  \"gateways\": {\n    \"k\": [1,,]\n  }\n}\n");
    let err = ConfigDocument::open(&f.path).expect_err("malformed");
    assert_eq!(err.code(), "malformed_config");
    assert!(matches!(err, EditError::Malformed { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("line 3"), "{err}");
}

#[test]
fn a_file_changed_by_another_program_is_not_overwritten() {
    let f = fixture(V1);
    let mut doc = open(&f);
    doc.apply(ConfigEdit::SetGuardrailsEnabled { enabled: true })
        .expect("apply");
    let theirs = V1.replacen("\"INFO\"", "\"DEBUG\"", 1);
    std::fs::write(&f.path, &theirs).expect("external write");
    let err = save(&mut doc).expect_err("conflict");
    assert_eq!(err.code(), "conflict");
    assert_eq!(std::fs::read_to_string(&f.path).expect("read"), theirs);
}

#[test]
fn saving_twice_keeps_a_backup_of_each_version() {
    let f = fixture(V1);
    let mut doc = open(&f);
    doc.apply(ConfigEdit::SetGuardrailsEnabled { enabled: true })
        .expect("apply");
    let first = save(&mut doc).expect("first save").backup.expect("backup");
    doc.apply(ConfigEdit::SetGuardrailsEnabled { enabled: false })
        .expect("apply");
    let second = save(&mut doc).expect("second save").backup.expect("backup");
    assert_eq!(std::fs::read_to_string(first).expect("read"), V1);
    assert_eq!(
        on_disk(&second)["common_mcp_gateway_config"]["enkrypt_guardrails_enabled"],
        json!(true)
    );
    assert_eq!(
        on_disk(&f.path)["common_mcp_gateway_config"]["enkrypt_guardrails_enabled"],
        json!(false)
    );
}

#[test]
fn the_view_lists_servers_of_both_layouts_without_gateway_keys() {
    let v1 = ConfigDocument::from_text(Path::new("/c/v1.json"), V1).expect("v1");
    let view = v1.view();
    assert_eq!(view.layout, ConfigLayout::V1);
    assert_eq!(view.gateways.len(), 2);
    assert_eq!(view.gateways[0].id, "a0c2bd2b-6a04-4d2f-a8f9-1d1b4cd2e9f1");
    let docs = &view.gateways[0].servers[1];
    assert_eq!(docs.denied_tools.len(), 2);
    assert_eq!(
        docs.denied_tools[1].reason.as_deref(),
        Some("admin tools are off")
    );
    let text = serde_json::to_string(&view).expect("serialize");
    assert!(!text.contains(V1_KEY));
    assert!(!format!("{v1:?}").contains(V1_KEY));

    let v2 = ConfigDocument::from_text(Path::new("/c/v2.json"), V2).expect("v2");
    let view = v2.view();
    assert_eq!(view.layout, ConfigLayout::V2);
    assert_eq!(view.gateways[0].id, V2_CONFIG);
    assert_eq!(view.gateways[0].name.as_deref(), Some("default_config"));
    let echo = &view.gateways[0].servers[0];
    assert_eq!(echo.denied_tools[0].pattern, "rm_*");
    let input = echo.input_guardrails.as_ref().expect("input policy");
    assert_eq!(
        input.policy_name.as_deref(),
        Some("Sample Airline Guardrail")
    );
    assert!(matches!(
        view.gateways[0].servers[1].transport,
        TransportSpec::Http { .. }
    ));
}

#[test]
fn provider_and_api_key_are_set_in_place_and_shown_in_the_view() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let provider = crate::config::schema::GuardrailsProviderSetting::Local;
    doc.apply(ConfigEdit::SetGuardrailsProvider { provider })
        .expect("apply");
    doc.apply(ConfigEdit::SetEnkryptApiKey { api_key: None })
        .expect("apply");
    let view = doc.view();
    assert_eq!(view.guardrails_provider, Some(provider));
    assert!(!view.enkrypt_api_key_set);
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    expected["common_mcp_gateway_config"]["enkrypt_guardrails_provider"] = json!("local");
    expected["common_mcp_gateway_config"]["enkrypt_api_key"] = Value::Null;
    assert_same(&on_disk(&f.path), &expected);

    let key = "${keyring:ENKRYPT_API_KEY}".to_owned();
    doc.apply(ConfigEdit::SetEnkryptApiKey { api_key: Some(key) })
        .expect("apply");
    assert!(doc.view().enkrypt_api_key_set);
}

#[test]
fn fail_open_and_timeouts_are_set_in_place_and_shown_in_the_view() {
    let f = fixture(V1);
    let mut doc = open(&f);
    assert!(!doc.view().guardrails_fail_open);
    doc.apply(ConfigEdit::SetGuardrailRuntime {
        fail_open: Some(true),
        guardrail_timeout_seconds: Some(7.5),
        upstream_timeout_seconds: None,
    })
    .expect("apply");
    let view = doc.view();
    assert!(view.guardrails_fail_open);
    assert_eq!(view.guardrail_timeout_seconds, Some(7.5));
    save(&mut doc).expect("save");
    let mut expected = parse(V1);
    expected["common_mcp_gateway_config"]["enkrypt_guardrails_fail_open"] = json!(true);
    expected["common_mcp_gateway_config"]["enkrypt_guardrail_timeout_seconds"] = json!(7.5);
    assert_same(&on_disk(&f.path), &expected);
    let refused = doc.apply(ConfigEdit::SetGuardrailRuntime {
        fail_open: None,
        guardrail_timeout_seconds: None,
        upstream_timeout_seconds: Some(0.0),
    });
    assert!(
        matches!(refused, Err(EditError::InvalidEdit { .. })),
        "{refused:?}"
    );
    assert_eq!(
        doc.view().upstream_timeout_seconds,
        view.upstream_timeout_seconds
    );
}

#[test]
fn oauth_settings_are_modelled_kept_by_edits_that_omit_them_and_removable() {
    let f = fixture(V1);
    let mut doc = open(&f);
    let oauth = OAuthSpec {
        client_id: Some("cid".into()),
        client_secret: Some("${keyring:remote_secret}".into()),
        scopes: vec!["read".into(), "write".into()],
        client_metadata_url: None,
    };
    let mut spec = stdio("remote", "x");
    spec.transport = TransportSpec::Http {
        url: "https://mcp.example.com/mcp".into(),
        headers: Default::default(),
        oauth: Some(oauth.clone()),
    };
    doc.apply(ConfigEdit::AddServer {
        gateway: None,
        server: spec,
    })
    .expect("add");
    let read = |doc: &ConfigDocument| {
        doc.view().gateways[0]
            .servers
            .iter()
            .find(|s| s.server_name == "remote")
            .expect("remote")
            .clone()
    };
    let remote = read(&doc);
    let TransportSpec::Http {
        oauth: read_back, ..
    } = &remote.transport
    else {
        panic!("http")
    };
    assert_eq!(read_back.as_ref(), Some(&oauth));

    // An edit that does not carry `oauth` (an older UI) keeps it.
    let mut edited = remote.clone();
    if let TransportSpec::Http { url, oauth, .. } = &mut edited.transport {
        *url = "https://mcp.example.com/v2".into();
        *oauth = None;
    }
    doc.apply(ConfigEdit::UpdateServer {
        gateway: None,
        server_name: "remote".into(),
        server: edited.clone(),
    })
    .expect("update");
    let TransportSpec::Http {
        url, oauth: kept, ..
    } = read(&doc).transport
    else {
        panic!("http")
    };
    assert_eq!(url, "https://mcp.example.com/v2");
    assert_eq!(kept.as_ref(), Some(&oauth));

    // Changing one key keeps the rest; an empty spec removes `oauth`.
    if let TransportSpec::Http { oauth: o, .. } = &mut edited.transport {
        *o = Some(OAuthSpec {
            scopes: vec!["read".into()],
            ..oauth.clone()
        });
    }
    doc.apply(ConfigEdit::UpdateServer {
        gateway: None,
        server_name: "remote".into(),
        server: edited.clone(),
    })
    .expect("update scopes");
    let TransportSpec::Http { oauth: changed, .. } = read(&doc).transport else {
        panic!("http")
    };
    assert_eq!(changed.map(|o| o.scopes), Some(vec!["read".to_owned()]));
    if let TransportSpec::Http { oauth: o, .. } = &mut edited.transport {
        *o = Some(OAuthSpec::default());
    }
    doc.apply(ConfigEdit::UpdateServer {
        gateway: None,
        server_name: "remote".into(),
        server: edited,
    })
    .expect("remove oauth");
    let TransportSpec::Http { oauth: gone, .. } = read(&doc).transport else {
        panic!("http")
    };
    assert_eq!(gone, None);
}
