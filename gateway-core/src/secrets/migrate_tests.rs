//! `secret migrate` against an in-memory store: what moves, what stays, how the file is rewritten.

use std::cell::RefCell;
use std::collections::HashMap;

use super::*;

#[derive(Default)]
struct MemoryStore {
    items: RefCell<HashMap<String, String>>,
    fail_sets: bool,
}

impl SecretStore for MemoryStore {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.items.borrow().get(name).cloned())
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        if self.fail_sets {
            return Err(SecretError::Locked {
                name: name.to_owned(),
                detail: "test".to_owned(),
            });
        }
        self.items
            .borrow_mut()
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }
}

const GITHUB: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
const API_KEY: &str = "ek-live-0123456789abcdef";

/// A 1.x config the way people write them: inline arrays, a gateway key, a placeholder-free API key, a
/// server shared by two gateways, a bearer header and ordinary env values.
fn v1_config() -> String {
    format!(
        r#"{{
  "common_mcp_gateway_config": {{
    "enkrypt_log_level": "INFO",
    "enkrypt_api_key": "{API_KEY}",
    "enkrypt_cache_password": null
  }},
  "gateways": {{
    "gw-key-aaaaaaaaaaaaaaaa": {{
      "id": "11111111-1111-1111-1111-111111111111",
      "mcp_config": [
        {{
          "server_name": "github",
          "config": {{"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                     "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{GITHUB}", "LOG_LEVEL": "debug"}}}},
          "tools": {{}}
        }},
        {{
          "server_name": "remote api",
          "config": {{"url": "https://mcp.example.com/mcp",
                     "headers": {{"Authorization": "Bearer abc123def456", "Accept": "application/json"}}}}
        }}
      ]
    }},
    "gw-key-bbbbbbbbbbbbbbbb": {{
      "id": "22222222-2222-2222-2222-222222222222",
      "mcp_config": [
        {{"server_name": "github", "config": {{"command": "npx", "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{GITHUB}"}}}}}}
      ]
    }}
  }}
}}
"#
    )
}

fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("enkrypt_mcp_config.json");
    std::fs::write(&path, text).expect("write config");
    (dir, path)
}

#[test]
fn moves_api_key_env_and_bearer_token_and_keeps_every_other_byte() {
    let original = v1_config();
    let (_dir, path) = write(&original);
    let store = MemoryStore::default();
    let report = migrate(&path, &store, false).expect("migrate");

    let names: Vec<&str> = report.moved.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "enkrypt_api_key",
            "github.GITHUB_PERSONAL_ACCESS_TOKEN",
            "remote_api.Authorization",
            "github.GITHUB_PERSONAL_ACCESS_TOKEN",
        ]
    );
    let items = store.items.borrow();
    assert_eq!(items.len(), 3, "the shared GitHub token is stored once");
    assert_eq!(
        items.get("enkrypt_api_key").map(String::as_str),
        Some(API_KEY)
    );
    assert_eq!(
        items.get("remote_api.Authorization").map(String::as_str),
        Some("abc123def456")
    );

    let expected = original
        .replace(API_KEY, "${keyring:enkrypt_api_key}")
        .replace(GITHUB, "${keyring:github.GITHUB_PERSONAL_ACCESS_TOKEN}")
        .replace(
            "Bearer abc123def456",
            "Bearer ${keyring:remote_api.Authorization}",
        );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), expected);
    let backup = report.backup.expect("backup made");
    assert_eq!(std::fs::read_to_string(backup).expect("backup"), original);

    for moved in &report.moved {
        assert!(
            !moved.path.contains("gw-key-"),
            "gateway keys masked: {}",
            moved.path
        );
        assert!(!moved.masked.contains(GITHUB) && !moved.masked.contains(API_KEY));
    }
}

#[test]
fn a_second_run_changes_nothing() {
    let (dir, path) = write(&v1_config());
    let store = MemoryStore::default();
    migrate(&path, &store, false).expect("first run");
    let after_first = std::fs::read_to_string(&path).expect("read");
    let files_before = std::fs::read_dir(dir.path()).expect("ls").count();

    let report = migrate(&path, &store, false).expect("second run");
    assert!(report.moved.is_empty());
    assert!(!report.rewritten);
    assert!(report.backup.is_none());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), after_first);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        files_before
    );
}

#[test]
fn dry_run_neither_stores_nor_writes() {
    let original = v1_config();
    let (_dir, path) = write(&original);
    let store = MemoryStore::default();
    let report = migrate(&path, &store, true).expect("dry run");
    assert_eq!(report.moved.len(), 4);
    assert!(!report.rewritten);
    assert!(store.items.borrow().is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
}

#[test]
fn an_existing_entry_with_another_value_is_not_overwritten() {
    let (_dir, path) = write(&v1_config());
    let store = MemoryStore::default();
    store
        .items
        .borrow_mut()
        .insert("enkrypt_api_key".into(), "someone-elses-key".into());
    let report = migrate(&path, &store, false).expect("migrate");
    assert_eq!(
        report.moved.first().map(|m| m.name.as_str()),
        Some("enkrypt_api_key-2")
    );
    let items = store.items.borrow();
    assert_eq!(
        items.get("enkrypt_api_key").map(String::as_str),
        Some("someone-elses-key")
    );
    assert_eq!(
        items.get("enkrypt_api_key-2").map(String::as_str),
        Some(API_KEY)
    );
}

#[test]
fn a_failing_store_leaves_the_file_alone() {
    let original = v1_config();
    let (dir, path) = write(&original);
    let store = MemoryStore {
        fail_sets: true,
        ..MemoryStore::default()
    };
    let error = migrate(&path, &store, false).expect_err("store fails");
    assert_eq!(error.code(), "keychain_locked");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("ls").count(),
        1,
        "no backup"
    );
}

#[test]
fn placeholders_references_and_ordinary_values_stay() {
    let text = r#"{
  "common_mcp_gateway_config": {"enkrypt_api_key": "YOUR_ENKRYPT_API_KEY"},
  "gateways": {"k": {"id": "x", "mcp_config": [
    {"server_name": "s", "config": {"command": "c", "env": {
      "TOKEN": "${env:TOKEN}", "API_KEY": "${keyring:s.API_KEY}", "HOME": "/home/me", "API_KEY_FILE": "/run/key"}}}
  ]}}
}"#;
    let (_dir, path) = write(text);
    let report = migrate(&path, &MemoryStore::default(), false).expect("migrate");
    assert!(report.moved.is_empty());
    assert!(!report.rewritten);
}

#[test]
fn v2_layout_api_key_and_servers_are_found() {
    let doc = serde_json::json!({
        "enkrypt_config": {"api_key": API_KEY, "base_url": "https://api.enkryptai.com"},
        "apikeys": {"gw-key-cccccccccccccccc": {"project_id": "p", "user_id": "u"}},
        "mcp_configs": {"cfg-1": {"mcp_config_name": "default", "mcp_config": [
            {"server_name": "slack", "config": {"command": "npx", "env": {"SLACK_BOT_TOKEN": "xoxb-1234567890-abcdefghijkl"}}}
        ]}}
    });
    let (found, _) = find_plaintext_secrets(&doc);
    let paths: Vec<String> = found.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "$.enkrypt_config.api_key",
            "$.mcp_configs[\"cfg-1\"].mcp_config[0].config.env.SLACK_BOT_TOKEN",
        ]
    );
    assert_eq!(
        found.get(1).map(|f| f.suggested_name.as_str()),
        Some("slack.SLACK_BOT_TOKEN")
    );
}

#[test]
fn secrets_in_args_and_urls_are_reported_not_moved() {
    let doc = serde_json::json!({
        "gateways": {"k": {"id": "x", "mcp_config": [
            {"server_name": "a", "config": {"command": "srv", "args": ["--api-key", "abc123secret", "--verbose", GITHUB, "--token=hunter22"]}},
            {"server_name": "b", "config": {"url": "https://mcp.example.com/mcp?api_key=abc123secret"}},
            {"server_name": "c", "config": {"url": "https://mcp.example.com/mcp?format=json"}}
        ]}}
    });
    let (found, suspicious) = find_plaintext_secrets(&doc);
    assert!(found.is_empty());
    let paths: Vec<String> = suspicious.iter().map(ToString::to_string).collect();
    assert_eq!(
        paths,
        [
            "$.gateways[\"****\"].mcp_config[0].config.args[1]",
            "$.gateways[\"****\"].mcp_config[0].config.args[3]",
            "$.gateways[\"****\"].mcp_config[0].config.args[4]",
            "$.gateways[\"****\"].mcp_config[1].config.url",
        ]
    );
}

#[test]
fn duplicate_keys_fall_back_to_reserialising_in_the_files_indentation() {
    let text = "{\n    \"a\": 1,\n    \"a\": 2,\n    \"common_mcp_gateway_config\": {\"enkrypt_api_key\": \"ek-0123456789abcdef\"}\n}\n";
    let (_dir, path) = write(text);
    migrate(&path, &MemoryStore::default(), false).expect("migrate");
    let new_text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        new_text,
        "{\n    \"a\": 2,\n    \"common_mcp_gateway_config\": {\n        \"enkrypt_api_key\": \"${keyring:enkrypt_api_key}\"\n    }\n}\n"
    );
}

#[test]
fn invalid_json_is_reported_with_its_location() {
    let (_dir, path) = write("{\n  \"a\": ,\n}");
    let error = migrate(&path, &MemoryStore::default(), false).expect_err("invalid");
    assert_eq!(error.code(), "config_invalid");
    assert!(error.to_string().contains("line 2"), "{error}");
}
