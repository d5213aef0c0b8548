//! Start-up contract: gateway key checks (exit 2, nothing started), config errors naming file and
//! line (exit 1), `check-config`, and stdout hygiene.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// A server whose start leaves a marker file, to prove no upstream was started.
fn marker_server(dir: &std::path::Path) -> serde_json::Value {
    json!({
        "server_name": "marker",
        "description": "",
        "config": {"command": "/bin/sh", "args": ["-c", format!("touch {}/started; exec cat", dir.display())]},
        "tools": {}
    })
}

async fn run_to_exit(mut cmd: tokio::process::Command) -> std::process::Output {
    cmd.stdin(std::process::Stdio::null());
    tokio::time::timeout(Duration::from_secs(10), cmd.output())
        .await
        .expect("exits in time")
        .expect("runs")
}

#[tokio::test]
async fn missing_gateway_key_exits_2_with_a_clear_message_and_starts_nothing() {
    let dir = tmp();
    let config = write_config(dir.path(), vec![marker_server(dir.path())], json!({}));
    let out = run_to_exit(gateway_command(&config, None)).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ENKRYPT_GATEWAY_KEY"), "{stderr}");
    assert!(out.stdout.is_empty(), "stdout carries protocol only");
    assert!(!dir.path().join("started").exists());
}

#[tokio::test]
async fn unknown_gateway_key_exits_2_without_echoing_the_key() {
    let dir = tmp();
    let config = write_config(dir.path(), vec![marker_server(dir.path())], json!({}));
    let wrong = "wrong-key-that-is-quite-long-123456";
    let out = run_to_exit(gateway_command(&config, Some(wrong))).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown gateway key"), "{stderr}");
    assert!(!stderr.contains(wrong), "the key is never printed in full");
    assert!(!dir.path().join("started").exists());
}

#[tokio::test]
async fn broken_config_names_the_file_and_line() {
    let dir = tmp();
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        "{\n  \"gateways\": {\n    \"k\": {\"id\": \"x\",, }\n  }\n}\n",
    )
    .expect("write");
    let out = run_to_exit(gateway_command(&path, Some(KEY))).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert!(
        stderr.contains("line 3") || stderr.contains(":3"),
        "{stderr}"
    );
}

#[tokio::test]
async fn missing_config_file_is_named() {
    let dir = tmp();
    let path = dir.path().join("nope.json");
    let out = run_to_exit(gateway_command(&path, Some(KEY))).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.json"));
}

#[tokio::test]
async fn check_config_accepts_the_bundled_example_and_reports_errors_with_path_and_line() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../example_enkrypt_mcp_config.json");
    let mut cmd = tokio::process::Command::new(bin("gateway-core"));
    cmd.arg("check-config").arg("--config").arg(&example);
    let out = run_to_exit(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let dir = tmp();
    let path = dir.path().join("bad.json");
    let text = r#"{
  "common_mcp_gateway_config": {"tool_exposure": "everything"},
  "gateways": {
    "some-key-0123456789": {
      "id": "g",
      "mcp_config": [
        {"server_name": "s", "config": {"args": ["x"]}}
      ]
    }
  }
}
"#;
    std::fs::write(&path, text).expect("write");
    let mut cmd = tokio::process::Command::new(bin("gateway-core"));
    cmd.arg("check-config").arg("--config").arg(&path);
    let out = run_to_exit(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tool_exposure") && stderr.contains(":2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("command") && stderr.contains(":7"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("some-key-0123456789"),
        "gateway keys are masked in paths: {stderr}"
    );
}

#[tokio::test]
async fn version_and_help_work() {
    let mut cmd = tokio::process::Command::new(bin("gateway-core"));
    cmd.arg("--version");
    let out = run_to_exit(cmd).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let mut cmd = tokio::process::Command::new(bin("gateway-core"));
    cmd.arg("--help");
    let out = run_to_exit(cmd).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Examples:"));
}

/// The stderr of a gateway started on `config` and stopped by closing its stdin once it answered.
async fn stderr_of_a_session(config: &std::path::Path, env_level: Option<&str>) -> String {
    let mut cmd = gateway_command(config, Some(KEY));
    cmd.env_remove("ENKRYPT_LOG_LEVEL").env_remove("RUST_LOG");
    if let Some(level) = env_level {
        cmd.env("ENKRYPT_LOG_LEVEL", level);
    }
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(
        child.stdout.take().expect("stdout"),
    ));
    use tokio::io::AsyncWriteExt;
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}\n")
        .await
        .expect("write");
    let answered = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
    assert!(
        matches!(answered, Ok(Ok(Some(_)))),
        "no answer to initialize"
    );
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("exits")
        .expect("output");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn enkrypt_log_level_sets_the_level_unless_the_environment_does() {
    let dir = tmp();
    let quiet = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({"enkrypt_log_level": "ERROR"}),
    );
    let stderr = stderr_of_a_session(&quiet, None).await;
    assert!(
        !stderr.contains(" INFO "),
        "ERROR in the config still logged INFO:\n{stderr}"
    );
    let stderr = stderr_of_a_session(&quiet, Some("debug")).await;
    assert!(
        stderr.contains(" DEBUG "),
        "the environment's level must win:\n{stderr}"
    );
    let dir = tmp();
    let chatty = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({"enkrypt_log_level": "DEBUG"}),
    );
    let stderr = stderr_of_a_session(&chatty, None).await;
    assert!(
        stderr.contains(" DEBUG "),
        "DEBUG in the config logged no debug line:\n{stderr}"
    );
}
