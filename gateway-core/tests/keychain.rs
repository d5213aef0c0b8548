//! The OS keychain for real: `gateway-core secret set|list|delete|migrate` and `${keyring:NAME}` config
//! references, against a live Secret Service.
//!
//! `make test-rust` runs the suite inside `tests/keychain/with-keyring.sh` (a private D-Bus session with an
//! unlocked throwaway gnome-keyring). Without a reachable Secret Service each test prints a `SKIP` line
//! and passes, unless `ENKRYPT_REQUIRE_KEYCHAIN=1`, where it fails instead. Every name carries a random
//! suffix and every entry a test creates is deleted again, even when the test fails.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use gateway_core::secrets::Keychain;
use serde_json::{Value, json};

const PROBE_SERVICE: &str = "enkrypt-secure-mcp-gateway-test-probe";

/// `Ok` when a Secret Service answers a set/get/delete round trip; else why not.
fn probe() -> &'static Result<(), String> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE.get_or_init(|| {
        // On Linux, insist on an explicit session bus: never fall back to (or D-Bus-activate a keyring
        // daemon on) whatever bus the machine happens to have.
        if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return Err("DBUS_SESSION_BUS_ADDRESS is not set (no D-Bus session bus)".into());
        }
        let keychain = Keychain::with_service(PROBE_SERVICE);
        let name = format!("probe-{}", suffix());
        keychain
            .set(&name, "probe-value")
            .map_err(|e| e.to_string())?;
        let read = keychain.get(&name).map_err(|e| e.to_string());
        let deleted = keychain.delete(&name).map_err(|e| e.to_string());
        match (read?, deleted?) {
            (Some(v), true) if v == "probe-value" => Ok(()),
            other => Err(format!("probe round trip returned {other:?}")),
        }
    })
}

/// Whether this test can run. Without a keychain: a loud skip, or a failure when one is required.
fn keychain_available(test: &str) -> bool {
    match probe() {
        Ok(()) => true,
        Err(why) => {
            let required =
                std::env::var("ENKRYPT_REQUIRE_KEYCHAIN").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(
                !required,
                "ENKRYPT_REQUIRE_KEYCHAIN is set but no usable OS keychain: {why}"
            );
            eprintln!(
                "SKIP {test}: no usable OS keychain ({why}). Run it under tests/keychain/with-keyring.sh \
                 (make test-rust does); ENKRYPT_REQUIRE_KEYCHAIN=1 turns this skip into a failure."
            );
            false
        }
    }
}

fn suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// Deletes the listed entries when dropped, so a failing assertion does not leave secrets behind.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let keychain = Keychain::new();
        for name in &self.0 {
            let _ = keychain.delete(name);
        }
    }
}

fn gateway() -> Command {
    let mut cmd = Command::new(common::bin("gateway-core"));
    cmd.env("ENKRYPT_LOG_LEVEL", "warn")
        .env_remove("ENKRYPT_GATEWAY_KEY")
        .env_remove("ENKRYPT_CONFIG_PATH");
    cmd
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn gateway-core");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("gateway-core exits")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn args_of(cmd: &Command) -> Vec<String> {
    cmd.get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

fn secret_list() -> Vec<String> {
    let mut cmd = gateway();
    cmd.args(["secret", "list"]);
    let out = run(cmd, None);
    assert!(out.status.success(), "secret list: {}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn secret_set_list_delete_round_trip_through_the_binary() {
    if !keychain_available("secret_set_list_delete_round_trip_through_the_binary") {
        return;
    }
    let name = format!("kc-test.ROUND_TRIP-{}", suffix());
    let value = format!("sk-round-trip-{}", suffix());
    let _cleanup = Cleanup(vec![name.clone()]);

    let mut set = gateway();
    set.args(["secret", "set", &name]);
    assert!(!args_of(&set).iter().any(|a| a.contains(&value)));
    let out = run(set, Some(&format!("{value}\n")));
    assert!(out.status.success(), "secret set: {}", text(&out.stderr));
    for stream in [text(&out.stdout), text(&out.stderr)] {
        assert!(!stream.contains(&value), "value leaked: {stream}");
    }
    assert!(text(&out.stdout).contains(&format!("${{keyring:{name}}}")));

    assert_eq!(
        Keychain::new().get(&name).expect("get"),
        Some(value.clone()),
        "stored without the line ending"
    );
    let names = secret_list();
    assert!(names.contains(&name), "{names:?}");
    assert!(!names.iter().any(|n| n.contains(&value)));

    let mut delete = gateway();
    delete.args(["secret", "delete", &name]);
    let out = run(delete, None);
    assert!(out.status.success(), "secret delete: {}", text(&out.stderr));
    assert_eq!(Keychain::new().get(&name).expect("get"), None);
    assert!(!secret_list().contains(&name));

    let mut again = gateway();
    again.args(["secret", "delete", &name]);
    let out = run(again, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(&name));
}

#[test]
fn a_value_on_the_command_line_is_refused_without_echoing_it() {
    if !keychain_available("a_value_on_the_command_line_is_refused_without_echoing_it") {
        return;
    }
    let name = format!("kc-test.ARGV-{}", suffix());
    let value = format!("ghp_{}{}", suffix(), suffix());
    let _cleanup = Cleanup(vec![name.clone()]);
    let mut cmd = gateway();
    cmd.args(["secret", "set", &name, &value]);
    let out = run(cmd, Some("from-stdin\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains(&value) && !text(&out.stdout).contains(&value));
    assert!(text(&out.stderr).contains("stdin"));
    assert_eq!(Keychain::new().get(&name).expect("get"), None);
}

#[tokio::test]
async fn keyring_references_resolve_when_the_config_loads() {
    if !keychain_available("keyring_references_resolve_when_the_config_loads") {
        return;
    }
    let name = format!("kc-test.UPSTREAM_TOKEN-{}", suffix());
    let value = format!("tok-{}", suffix());
    let _cleanup = Cleanup(vec![name.clone()]);
    Keychain::new().set(&name, &value).expect("store");

    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = common::upstream_entry("echo_server", &[]);
    server["config"]["env"] = json!({"FROM_KEYCHAIN": format!("${{keyring:{name}}}")});
    let config = common::write_config(dir.path(), vec![server], json!({}));

    let mut check = gateway();
    check.arg("check-config").arg("--config").arg(&config);
    let out = run(check, None);
    assert!(out.status.success(), "check-config: {}", text(&out.stderr));
    assert!(!text(&out.stdout).contains(&value) && !text(&out.stderr).contains(&value));

    // The upstream sees the resolved value in its environment; the file still holds only the reference.
    let session = common::connect(&config, common::legacy()).await;
    let result = session
        .call("echo_server__env", json!({"name": "FROM_KEYCHAIN"}))
        .await;
    assert_eq!(common::text(&result), value);
    session.close().await;
    let on_disk = std::fs::read_to_string(&config).expect("read config");
    assert!(!on_disk.contains(&value));
}

#[test]
fn a_missing_keyring_reference_is_a_located_config_error() {
    if !keychain_available("a_missing_keyring_reference_is_a_located_config_error") {
        return;
    }
    let name = format!("kc-test.MISSING-{}", suffix());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = common::upstream_entry("echo_server", &[]);
    server["config"]["env"] = json!({"TOKEN": format!("${{keyring:{name}}}")});
    let config = common::write_config(dir.path(), vec![server], json!({}));
    let reference = format!("${{keyring:{name}}}");

    let mut check = gateway();
    check.arg("check-config").arg("--config").arg(&config);
    let out = run(check, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&reference), "{stderr}");
    assert!(stderr.contains(".config.env.TOKEN"), "{stderr}");

    // Serving refuses too, before starting any upstream: never an empty value passed on.
    let mut serve = gateway();
    serve
        .arg("--config")
        .arg(&config)
        .env("ENKRYPT_GATEWAY_KEY", common::KEY);
    let out = run(serve, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(&reference));
    assert!(text(&out.stdout).is_empty());
}

/// A 1.x config as people have them: a real-looking API key, a server shared by two gateways, an HTTP
/// upstream with a bearer token, ordinary settings, inline arrays, a null password left alone.
fn realistic_config(dir: &Path, run: &str, token: &str, bearer: &str, api_key: &str) -> String {
    let quoted = |p: &Path| serde_json::to_string(&p.display().to_string()).expect("path");
    let bin = quoted(&common::bin("test-mcp-server"));
    let audit = quoted(&dir.join("audit.jsonl"));
    format!(
        r#"{{
  "common_mcp_gateway_config": {{
    "enkrypt_log_level": "INFO",
    "enkrypt_guardrails_enabled": false,
    "enkrypt_base_url": "https://api.enkryptai.com",
    "enkrypt_api_key": "{api_key}",
    "enkrypt_use_remote_mcp_config": false,
    "enkrypt_cache_password": null,
    "enkrypt_tool_cache_expiration": 4,
    "enkrypt_guardrails_provider": "local",
    "enkrypt_audit_log_path": {audit},
    "upstream_timeout_seconds": 5
  }},
  "gateways": {{
    "{key}": {{
      "id": "3f1c2a9e-8a6b-4c8e-9b1e-5d7f3c2a1b00",
      "mcp_config": [
        {{
          "server_name": "echo_{run}",
          "description": "echo",
          "config": {{"command": {bin}, "args": ["--name", "echo"],
                     "env": {{"GITHUB_TOKEN": "{token}", "LOG_LEVEL": "debug"}}}},
          "tools": {{}},
          "denied_tools": ["crash"]
        }}
      ]
    }},
    "other-gateway-key-abcdef0123456789": {{
      "id": "4f1c2a9e-8a6b-4c8e-9b1e-5d7f3c2a1b00",
      "mcp_config": [
        {{"server_name": "echo_{run}", "config": {{"command": {bin}, "args": ["--name", "echo"],
          "env": {{"GITHUB_TOKEN": "{token}"}}}}, "tools": {{}}}},
        {{
          "server_name": "remote-{run}",
          "config": {{"url": "https://mcp.example.invalid/mcp",
                     "headers": {{"Authorization": "Bearer {bearer}", "Accept": "application/json"}}}},
          "tools": {{}}
        }}
      ]
    }}
  }}
}}
"#,
        key = common::KEY,
    )
}

/// The `${keyring:NAME}` names in a config text.
fn referenced_names(text: &str) -> Vec<String> {
    text.split("${keyring:")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn backups(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".bak-"))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn migrate_moves_plaintext_secrets_into_the_keychain_and_is_idempotent() {
    if !keychain_available("migrate_moves_plaintext_secrets_into_the_keychain_and_is_idempotent") {
        return;
    }
    let run_id = suffix();
    let token = format!("ghp_{}{}ABCDEFGHIJ", suffix(), suffix());
    let bearer = format!("bearer{}", suffix());
    let api_key = format!("ek-{}", suffix());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("enkrypt_mcp_config.json");
    let original = realistic_config(dir.path(), &run_id, &token, &bearer, &api_key);
    std::fs::write(&path, &original).expect("write config");

    // Dry run first: reports, stores nothing, writes nothing.
    let mut dry = gateway();
    dry.args(["secret", "migrate", "--dry-run", "--config"])
        .arg(&path);
    let out = run(dry, None);
    assert!(out.status.success(), "dry run: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("would move 4 secret(s)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), original);
    assert!(backups(dir.path()).is_empty());

    let mut migrate = gateway();
    migrate.args(["secret", "migrate", "--config"]).arg(&path);
    let out = run(migrate, None);
    let rewritten = std::fs::read_to_string(&path).expect("read");
    let names = referenced_names(&rewritten);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    let _cleanup = Cleanup(unique.clone());
    assert!(out.status.success(), "migrate: {}", text(&out.stderr));
    for secret in [&token, &bearer, &api_key] {
        assert!(!text(&out.stdout).contains(secret.as_str()));
        assert!(!text(&out.stderr).contains(secret.as_str()));
        assert!(
            !rewritten.contains(secret.as_str()),
            "plaintext left in the config"
        );
    }

    // Exactly the secret values changed; every other byte (order, inline arrays, spacing) is as it was.
    assert_eq!(names.len(), 4, "{rewritten}");
    let [api_name, token_name, token_again, bearer_name] =
        <[String; 4]>::try_from(names).expect("four references");
    assert_eq!(token_name, token_again, "a shared value is stored once");
    assert_eq!(token_name, format!("echo_{run_id}.GITHUB_TOKEN"));
    assert_eq!(bearer_name, format!("remote-{run_id}.Authorization"));
    let expected = original
        .replace(&api_key, &format!("${{keyring:{api_name}}}"))
        .replace(&token, &format!("${{keyring:{token_name}}}"))
        .replace(
            &format!("Bearer {bearer}"),
            &format!("Bearer ${{keyring:{bearer_name}}}"),
        );
    assert_eq!(rewritten, expected);
    let made = backups(dir.path());
    assert_eq!(made.len(), 1, "one backup: {made:?}");
    assert_eq!(std::fs::read_to_string(&made[0]).expect("backup"), original);

    let keychain = Keychain::new();
    assert_eq!(keychain.get(&api_name).expect("get"), Some(api_key.clone()));
    assert_eq!(keychain.get(&token_name).expect("get"), Some(token.clone()));
    assert_eq!(
        keychain.get(&bearer_name).expect("get"),
        Some(bearer.clone())
    );
    let listed = secret_list();
    for name in &unique {
        assert!(listed.contains(name), "{name} in {listed:?}");
    }

    // The migrated config loads, and the upstream gets the real token.
    let session = common::connect(&path, common::legacy()).await;
    let result = session
        .call(
            &format!("echo_{run_id}__env"),
            json!({"name": "GITHUB_TOKEN"}),
        )
        .await;
    assert_eq!(common::text(&result), token);
    session.close().await;

    // Second run: nothing to do, file and backups untouched.
    let mut again = gateway();
    again.args(["secret", "migrate", "--config"]).arg(&path);
    let out = run(again, None);
    assert!(
        out.status.success(),
        "second migrate: {}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("nothing to migrate"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), rewritten);
    assert_eq!(backups(dir.path()), made);
    let doc: Value = serde_json::from_str(&rewritten).expect("still JSON");
    assert_eq!(
        doc.pointer("/common_mcp_gateway_config/enkrypt_tool_cache_expiration"),
        Some(&json!(4))
    );
}
