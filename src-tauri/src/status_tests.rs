//! The tray's colour and the home page's attention list from real config files and client files.

use super::*;

const CONFIG: &str = r#"{
  "common_mcp_gateway_config": {"enkrypt_guardrails_enabled": true, "enkrypt_guardrails_provider": "local"},
  "gateways": {"key-0123456789abcdef0123": {"id": "g1", "mcp_config": [
    {"server_name": "checked", "config": {"command": "x"},
     "input_guardrails_policy": {"enabled": true, "block": ["injection_attack", "pii"]},
     "output_guardrails_policy": {"enabled": true, "block": ["secrets", "policy_violation"]}},
    {"server_name": "bare", "config": {"command": "y"},
     "input_guardrails_policy": {"enabled": false, "block": ["injection_attack"]},
     "output_guardrails_policy": {"enabled": true, "block": ["hallucination"]}}
  ]}, "key-abcdef0123456789abcd": {"id": "g2", "mcp_config": [
    {"server_name": "only", "config": {"command": "z"},
     "input_guardrails_policy": {"enabled": true, "block": ["injection_attack"]},
     "output_guardrails_policy": {"enabled": true, "block": ["pii"]}}
  ]}}
}"#;

fn view(text: &str) -> (tempfile::TempDir, ConfigView) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("enkrypt_mcp_config.json");
    std::fs::write(&path, text).expect("write");
    let view = ConfigDocument::open(&path).expect("open").view();
    (dir, view)
}

#[test]
fn checks_the_provider_cannot_run_do_not_count() {
    let (_d, v) = view(CONFIG);
    let s = Summary::from_parts(Some(&v), None, 0, Vec::new());
    assert_eq!(s.gateway_id.as_deref(), Some("g1"));
    assert_eq!(s.provider, Some(GuardrailsProviderSetting::Local));
    let checked = &s.servers[0];
    assert_eq!(checked.input, ["injection_attack", "pii"]);
    assert_eq!(checked.output, ["secrets"]);
    assert_eq!(checked.ignored, ["policy_violation"]);
    assert!(checked.checked());
    // Input off, output only lists a detector the local engine cannot run: nothing is checked.
    let bare = &s.servers[1];
    assert!(bare.input.is_empty() && bare.output.is_empty());
    assert!(!bare.checked());
    assert_eq!(s.mood, Mood::Attention);
    assert!(
        s.attention
            .iter()
            .any(|a| a == "Server bare has no checks."),
        "{:?}",
        s.attention
    );
    assert!(
        s.headline
            .starts_with("Enkrypt: Server bare has no checks."),
        "{}",
        s.headline
    );
}

#[test]
fn the_chosen_gateway_decides_and_all_checked_is_green() {
    let (_d, v) = view(CONFIG);
    let s = Summary::from_parts(Some(&v), Some("g2"), 0, Vec::new());
    assert_eq!(s.gateways, ["g1", "g2"]);
    assert_eq!(s.gateway_id.as_deref(), Some("g2"));
    assert_eq!(s.mood, Mood::On, "{:?}", s.attention);
    assert_eq!(s.servers_label(), "1 server");
    // The same gateway with the Enkrypt provider runs every listed detector.
    let (_d2, v2) = view(&CONFIG.replace("\"local\"", "\"enkrypt\""));
    let s2 = Summary::from_parts(Some(&v2), Some("g2"), 2, Vec::new());
    assert_eq!(s2.mood, Mood::Attention);
    assert_eq!(s2.attention, ["2 tool(s) wait for review in quarantine."]);
}

#[test]
fn guardrails_off_is_grey_and_missing_config_is_amber() {
    let (_d, v) = view(&CONFIG.replace(
        "\"enkrypt_guardrails_enabled\": true",
        "\"enkrypt_guardrails_enabled\": false",
    ));
    let s = Summary::from_parts(Some(&v), Some("g2"), 0, Vec::new());
    assert_eq!(s.mood, Mood::Off);
    assert_eq!(s.headline, "Enkrypt: guardrails off");
    let dir = tempfile::tempdir().expect("tempdir");
    let none = Summary::collect(
        &dir.path().join("none.json"),
        &dir.path().join("gateway-core"),
        None,
    );
    assert_eq!(none.mood, Mood::Attention);
    assert!(none.servers.is_empty());
}

#[test]
fn a_client_running_servers_directly_turns_the_tray_amber() {
    let home = tempfile::tempdir().expect("home");
    let (_d, v) = view(CONFIG);
    let mut status = ClientStatus {
        client: "claude-desktop",
        client_name: "Claude Desktop",
        path: Some(home.path().join("claude_desktop_config.json")),
        detected: true,
        file_exists: true,
        installed: true,
        state: clients::EntryState::UpToDate,
        stale: Vec::new(),
        error: None,
        key_in_plain_text: Some(true),
        direct_servers: vec!["github".to_owned()],
    };
    let s = Summary::from_parts(
        Some(&v),
        Some("g2"),
        0,
        vec![ClientProtection {
            status: status.clone(),
            import_record: None,
            changed_since_import: true,
        }],
    );
    assert_eq!(s.mood, Mood::Attention);
    assert!(
        s.attention
            .contains(&"Claude Desktop runs 1 server(s) directly, unchecked: github.".to_owned())
    );
    assert!(
        s.attention
            .iter()
            .any(|a| a.starts_with("Claude Desktop's settings file changed since the import"))
    );
    assert!(
        s.attention
            .contains(&"Claude Desktop holds the gateway key in plain text.".to_owned())
    );
    status.direct_servers.clear();
    status.key_in_plain_text = Some(false);
    let ok = Summary::from_parts(
        Some(&v),
        Some("g2"),
        0,
        vec![ClientProtection {
            status,
            import_record: None,
            changed_since_import: false,
        }],
    );
    assert_eq!(ok.mood, Mood::On, "{:?}", ok.attention);
}

#[test]
fn import_state_compares_the_file_with_what_the_import_wrote() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("enkrypt_mcp_config.json");
    let client_file = dir.path().join("claude_desktop_config.json");
    std::fs::write(&client_file, b"{\"mcpServers\": {}}").expect("write");
    let folder = record::folder(&config);
    std::fs::create_dir_all(&folder).expect("mkdir");
    let rec = serde_json::json!({
        "version": 1, "client": "claude-desktop", "path": client_file, "created": "x",
        "stamp": "20260101T000000000000Z", "added_servers": [], "wrapped_servers": [], "gateway_id": "g1",
        "bom": false, "text": "{}", "marked": [], "original_entry": null,
        "before_sha256": sha256_hex(b"{}"), "after_sha256": sha256_hex(b"{\"mcpServers\": {}}")
    });
    let rec_path = folder.join("claude-desktop-20260101T000000000000Z.json");
    std::fs::write(&rec_path, rec.to_string()).expect("record");
    let status = ClientStatus {
        client: "claude-desktop",
        client_name: "Claude Desktop",
        path: Some(client_file.clone()),
        detected: true,
        file_exists: true,
        installed: true,
        state: clients::EntryState::UpToDate,
        stale: Vec::new(),
        error: None,
        key_in_plain_text: Some(false),
        direct_servers: Vec::new(),
    };
    assert_eq!(
        import_state(&config, &status),
        (Some(rec_path.clone()), false)
    );
    std::fs::write(&client_file, b"{\"mcpServers\": {\"x\": {}}}").expect("edit");
    assert_eq!(import_state(&config, &status), (Some(rec_path), true));
}

#[test]
fn block_label_names_place_and_detectors() {
    let event: AuditEvent = serde_json::from_value(serde_json::json!({
        "ts": "2026-01-02T10:11:12.123Z", "event": "block", "gateway_id": "g",
        "server": "echo", "tool": "echo", "decision": "blocked",
        "detectors": ["injection_attack"]
    }))
    .expect("event");
    assert_eq!(
        block_label(&event),
        "Latest block: echo/echo (injection_attack) at 10:11:12"
    );
}

#[test]
fn tools_offered_by_several_servers_need_attention_and_never_read_as_protected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("enkrypt_mcp_config.json");
    let log = dir.path().join("audit.jsonl");
    let text = CONFIG.replace(
        r#""enkrypt_guardrails_provider": "local""#,
        &format!(
            r#""enkrypt_guardrails_provider": "local", "enkrypt_audit_log_path": {}"#,
            serde_json::to_string(&log).expect("path")
        ),
    );
    std::fs::write(&config, text).expect("write");
    let note = |server: &str, tool: &str, gateway: &str| {
        let e = AuditEvent::new(EventKind::Error, gateway)
            .with_server(server)
            .with_tool(tool)
            .with_detectors([TOOL_NAME_COLLISION])
            .with_message("tool name also offered by another server");
        serde_json::to_string(&e).expect("event")
    };
    let old = {
        let mut e: serde_json::Value =
            serde_json::from_str(&note("only", "stale", "g2")).expect("json");
        e["ts"] = "2000-01-01T00:00:00.000Z".into();
        e.to_string()
    };
    let lines = [
        note("only", "echo", "g2"),
        note("only", "echo", "g2"),
        note("gone", "echo", "g2"),
        note("checked", "add", "g1"),
        old,
    ];
    std::fs::write(&log, lines.join("\n") + "\n").expect("log");

    let found = name_collisions(&log, "g2", &["only".to_owned()]);
    assert_eq!(
        found,
        vec![NameCollision {
            tool: "echo".into(),
            servers: vec!["only".into()]
        }]
    );
    // g2 alone is fully checked; the collision alone keeps it from reading as protected.
    let s = Summary::collect(&config, Path::new("/nonexistent/gateway-core"), Some("g2"));
    assert_eq!(s.collisions, found);
    assert_eq!(s.mood, Mood::Attention, "{:?}", s.attention);
    assert!(
        s.attention
            .iter()
            .any(|a| a.starts_with("Tool echo is offered by more than one server (only)")),
        "{:?}",
        s.attention
    ); // Many same-named tools of the same servers read as one finding.
    let many = s.with_collisions(vec![
        NameCollision {
            tool: "add".into(),
            servers: vec!["only".into()],
        },
        NameCollision {
            tool: "echo".into(),
            servers: vec!["only".into()],
        },
    ]);
    let lines: Vec<&String> = many
        .attention
        .iter()
        .filter(|a| a.contains("offered by more than one server"))
        .collect();
    assert_eq!(
        lines,
        vec![
            "2 tools are offered by more than one server (only): add, echo; check that each server is one you trust."
        ]
    );
}
