//! Building, merging and judging our entry: an entry is up to date exactly when installing again would
//! not change it.

use serde_json::json;

use super::*;
use crate::clients::find;

fn ctx(key: Option<&str>) -> Context {
    Context {
        os: Os::Linux,
        env: PathEnv::default(),
        gateway_binary: PathBuf::from("/opt/enkrypt/gateway-core"),
        gateway_args: Vec::new(),
        gateway_config: PathBuf::from("/home/u/.enkrypt/enkrypt_mcp_config.json"),
        gateway_key: key.map(|k| Sensitive::new(k.to_owned())),
        key_delivery: KeyDelivery::Plain,
    }
}

#[test]
fn a_keychain_delivery_writes_a_reference_and_a_plain_key_is_then_stale() {
    let client = find("cursor").expect("client");
    let mut c = ctx(Some(KEY));
    let plain = build_entry(client, &c).expect("entry");
    c.key_delivery = KeyDelivery::Keychain {
        name: "gateway-key.g.abcd".into(),
    };
    let by_ref = build_entry(client, &c).expect("entry");
    assert_eq!(
        by_ref["env"][GATEWAY_KEY_ENV],
        json!("${keyring:gateway-key.g.abcd}")
    );
    assert!(!serde_json::to_string(&by_ref).expect("json").contains(KEY));
    assert!(compare(client, &c, &Value::Object(by_ref)).is_empty());
    let stale = compare(client, &c, &Value::Object(plain));
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].field, StaleField::PlainKey);
    assert!(!stale[0].to_string().contains(KEY), "{}", stale[0]);
}

const KEY: &str = "entry-test-key-0123456789";

#[test]
fn vscode_and_claude_code_entries_carry_type_stdio_first() {
    for (id, typed) in [("vscode", true), ("claude-code", true), ("cursor", false)] {
        let entry = build_entry(find(id).expect("client"), &ctx(Some(KEY))).expect("entry");
        let keys: Vec<&str> = entry.keys().map(String::as_str).collect();
        let want: &[&str] = if typed {
            &["type", "command", "args", "env"]
        } else {
            &["command", "args", "env"]
        };
        assert_eq!(keys, want, "{id}");
        assert_eq!(entry["env"][GATEWAY_KEY_ENV], KEY);
    }
}

#[test]
fn building_needs_the_key() {
    let err = build_entry(find("cursor").expect("client"), &ctx(None)).expect_err("no key");
    assert_eq!(err.code(), "gateway_key_unknown");
}

#[test]
fn merging_keeps_what_the_user_added_and_replaces_what_we_own() {
    let old = json!({"command": "/old", "disabled": true, "args": ["x"],
        "env": {"OTHER": "1", GATEWAY_KEY_ENV: "old"}});
    let wanted = build_entry(find("cursor").expect("client"), &ctx(Some(KEY))).expect("entry");
    let merged = merge_entry(Some(&old), wanted);
    assert_eq!(
        merged,
        json!({"command": "/opt/enkrypt/gateway-core", "disabled": true,
            "args": ["--config", "/home/u/.enkrypt/enkrypt_mcp_config.json"],
            "env": {"OTHER": "1", GATEWAY_KEY_ENV: KEY}})
    );
    let keys: Vec<&String> = merged.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["command", "disabled", "args", "env"], "order kept");
}

#[test]
fn up_to_date_exactly_when_a_merge_changes_nothing() {
    let client = find("vscode").expect("client");
    let c = ctx(Some(KEY));
    let fresh = Value::Object(build_entry(client, &c).expect("entry"));
    let cases = [
        fresh.clone(),
        json!("not an object"),
        json!({"type": "stdio", "command": "/opt/enkrypt/gateway-core", "args": ["--config"],
            "env": {GATEWAY_KEY_ENV: KEY}}),
        json!({"command": "/opt/enkrypt/gateway-core",
            "args": ["--config", "/home/u/.enkrypt/enkrypt_mcp_config.json"],
            "env": {GATEWAY_KEY_ENV: KEY}}),
        json!({"type": "stdio", "command": "/opt/enkrypt/gateway-core",
            "args": ["--config", "/home/u/.enkrypt/enkrypt_mcp_config.json"],
            "env": null, "extra": 1}),
    ];
    for existing in cases {
        let merged = merge_entry(Some(&existing), build_entry(client, &c).expect("entry"));
        let reasons = compare(client, &c, &existing);
        assert_eq!(
            reasons.is_empty(),
            merged == existing,
            "{existing} → {reasons:?}"
        );
        assert!(
            compare(client, &c, &merged).is_empty(),
            "a merge is up to date"
        );
    }
}

#[test]
fn stale_reasons_never_show_a_key_in_clear() {
    let client = find("cursor").expect("client");
    let other = "someone-elses-key-ABCDEFGH";
    let existing = json!({"command": "/opt/enkrypt/gateway-core",
        "args": ["--config", "/home/u/.enkrypt/enkrypt_mcp_config.json"],
        "env": {GATEWAY_KEY_ENV: other}});
    let reasons = compare(client, &ctx(Some(KEY)), &existing);
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].field, StaleField::GatewayKey);
    let shown = format!("{} {:?}", reasons[0], reasons[0]);
    assert!(!shown.contains(other) && !shown.contains(KEY), "{shown}");
    // Without a known key the key is not judged.
    assert!(compare(client, &ctx(None), &existing).is_empty());
    assert_eq!(masked(&existing)["env"][GATEWAY_KEY_ENV], "…EFGH");
}

/// From an AppImage the entry runs the AppImage with `--gateway-core` first; an entry written by a
/// `.deb` (no leading argument) is then stale, and the other way round.
#[test]
fn an_appimage_entry_runs_the_appimage_with_the_flag_first() {
    let client = find("cursor").expect("client");
    let mut image = ctx(Some(KEY));
    image.gateway_binary = PathBuf::from("/home/u/Apps/Enkrypt.AppImage");
    image.gateway_args = vec!["--gateway-core".to_owned()];
    let entry = build_entry(client, &image).expect("entry");
    assert_eq!(entry["command"], json!("/home/u/Apps/Enkrypt.AppImage"));
    assert_eq!(
        entry["args"],
        json!([
            "--gateway-core",
            "--config",
            "/home/u/.enkrypt/enkrypt_mcp_config.json"
        ])
    );
    assert!(compare(client, &image, &Value::Object(entry.clone())).is_empty());

    let deb = ctx(Some(KEY));
    let deb_entry = build_entry(client, &deb).expect("entry");
    let fields: Vec<_> = compare(client, &image, &Value::Object(deb_entry.clone()))
        .iter()
        .map(|r| r.field)
        .collect();
    assert_eq!(fields, [StaleField::Command, StaleField::Args]);
    let fields: Vec<_> = compare(client, &deb, &Value::Object(entry.clone()))
        .iter()
        .map(|r| r.field)
        .collect();
    assert_eq!(fields, [StaleField::Command, StaleField::Args]);

    // Another config path behind the flag is a config-path change, not an args change.
    let mut moved = entry;
    moved["args"][2] = json!("/elsewhere.json");
    let stale = compare(client, &image, &Value::Object(moved));
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].field, StaleField::ConfigPath);
}
