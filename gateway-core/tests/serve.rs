//! `gateway-core serve` through the real binary: streamable HTTP at `/mcp` for clients of both protocol
//! eras, the gateway key required on every request (bearer or the reference's `apikey` header, 401
//! otherwise), foreign browser origins refused, loopback-only binding, `--no-auth` for test rigs, and a
//! clean stop on SIGTERM with no upstream left behind.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientLifecycleMode, ClientServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

struct Served {
    child: Child,
    url: String,
}

async fn serve(config: &Path, extra: &[&str], key_env: Option<&str>) -> Served {
    let mut cmd = Command::new(bin("gateway-core"));
    cmd.arg("serve")
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .args(extra)
        .env_remove("ENKRYPT_GATEWAY_KEY")
        .env_remove("ENKRYPT_APIKEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(key) = key_env {
        cmd.env("ENKRYPT_GATEWAY_KEY", key);
    }
    let mut child = cmd.spawn().expect("spawn gateway-core serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let url = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[serve] {line}");
            if let Some(rest) = line.split("serving MCP on ").nth(1) {
                return rest.split_whitespace().next().map(str::to_string);
            }
        }
        None
    })
    .await
    .expect("serve starts in time")
    .expect("the listen address is printed");
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[serve] {line}");
        }
    });
    Served { child, url }
}

fn config(dir: &Path) -> std::path::PathBuf {
    write_config(dir, vec![upstream_entry("echo_server", &[])], json!({}))
}

async fn client(
    url: &str,
    bearer: Option<&str>,
    headers: &[(&'static str, &str)],
    lifecycle: ClientLifecycleMode,
) -> Result<rmcp::service::RunningService<rmcp::RoleClient, ClientConfig>, String> {
    let mut cfg = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    if let Some(key) = bearer {
        cfg = cfg.auth_header(key.to_string());
    }
    let custom: HashMap<_, _> = headers
        .iter()
        .map(|(k, v)| {
            (
                http::HeaderName::from_static(k),
                http::HeaderValue::from_str(v).expect("header value"),
            )
        })
        .collect();
    cfg = cfg.custom_headers(custom);
    let transport = StreamableHttpClientTransport::from_config(cfg);
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("serve-test", "0"),
    );
    tokio::time::timeout(
        Duration::from_secs(10),
        info.serve_with_lifecycle(transport, lifecycle),
    )
    .await
    .map_err(|_| "handshake timed out".to_string())?
    .map_err(|e| e.to_string())
}

async fn echo(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ClientConfig>,
    message: &str,
) -> String {
    let params = rmcp::model::CallToolRequestParams::new("echo_server__echo").with_arguments(
        json!({"message": message})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let result = tokio::time::timeout(Duration::from_secs(20), client.peer().call_tool(params))
        .await
        .expect("call in time")
        .expect("call");
    text(&result)
}

async fn raw_initialize(url: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        );
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("HTTP answer");
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

#[tokio::test]
async fn legacy_and_stateless_clients_call_tools_with_a_bearer_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(&config(dir.path()), &[], None).await;
    let legacy = client(&served.url, Some(KEY), &[], legacy())
        .await
        .expect("legacy client connects");
    let names: Vec<String> = legacy
        .peer()
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        names.contains(&"echo_server__echo".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"enkrypt_secure_call_tools".to_string()));
    assert_eq!(echo(&legacy, "over http").await, "over http");

    let stateless = client(&served.url, Some(KEY), &[], modern())
        .await
        .expect("2026-07-28 client connects");
    assert_eq!(echo(&stateless, "stateless").await, "stateless");
    let _ = legacy.cancel().await;
    let _ = stateless.cancel().await;
}

#[tokio::test]
async fn the_reference_apikey_header_is_accepted() {
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(&config(dir.path()), &[], None).await;
    let c = client(&served.url, None, &[("apikey", KEY)], legacy())
        .await
        .expect("apikey client connects");
    assert_eq!(echo(&c, "via apikey").await, "via apikey");
    let _ = c.cancel().await;
}

#[tokio::test]
async fn a_missing_or_wrong_key_gets_401_and_the_key_is_never_echoed() {
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(&config(dir.path()), &[], None).await;
    let (status, body) = raw_initialize(&served.url, &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "missing_gateway_key");
    let (status, body) =
        raw_initialize(&served.url, &[("Authorization", "Bearer wrong-key-123456")]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unknown_gateway_key");
    assert!(
        !body.to_string().contains("wrong-key-123456"),
        "the key is never echoed"
    );
    let (status, _) =
        raw_initialize(&served.url, &[("Authorization", &format!("Bearer {KEY}"))]).await;
    assert_eq!(status, 200, "the right key initializes");
}

#[tokio::test]
async fn a_foreign_browser_origin_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(&config(dir.path()), &[], None).await;
    let bearer = format!("Bearer {KEY}");
    let (status, _) = raw_initialize(
        &served.url,
        &[
            ("Authorization", &bearer),
            ("Origin", "https://evil.example"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = raw_initialize(
        &served.url,
        &[
            ("Authorization", &bearer),
            ("Origin", "http://localhost:5173"),
        ],
    )
    .await;
    assert_eq!(status, 200, "a page served from this machine may call it");
}

#[tokio::test]
async fn non_loopback_needs_allow_remote_and_no_auth_needs_loopback() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = config(dir.path());
    let out = Command::new(bin("gateway-core"))
        .args(["serve", "--listen", "0.0.0.0:0", "--config"])
        .arg(&path)
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
    let out = Command::new(bin("gateway-core"))
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--allow-remote",
            "--no-auth",
            "--config",
        ])
        .arg(&path)
        .env("ENKRYPT_GATEWAY_KEY", KEY)
        .output()
        .await
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[tokio::test]
async fn no_auth_serves_the_gateway_of_the_environment_key() {
    let dir = tempfile::tempdir().expect("tmp");
    let served = serve(&config(dir.path()), &["--no-auth"], Some(KEY)).await;
    let c = client(&served.url, None, &[], legacy())
        .await
        .expect("unauthenticated client connects under --no-auth");
    assert_eq!(echo(&c, "open").await, "open");
    let _ = c.cancel().await;
}

#[tokio::test]
async fn sigterm_stops_the_server_and_its_upstreams() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut served = serve(&config(dir.path()), &[], None).await;
    let c = client(&served.url, Some(KEY), &[], legacy())
        .await
        .expect("connects");
    let pid_text = {
        let params = rmcp::model::CallToolRequestParams::new("echo_server__pid");
        text(&c.peer().call_tool(params).await.expect("pid"))
    };
    let upstream: i32 = pid_text.trim().parse().expect("pid number");
    assert!(alive(upstream));
    let gateway = served.child.id().expect("gateway pid") as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(gateway),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let status = tokio::time::timeout(Duration::from_secs(8), served.child.wait())
        .await
        .expect("gateway exits after SIGTERM")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(
        eventually(Duration::from_secs(2), || !alive(upstream)).await,
        "upstream {upstream} is gone"
    );
}

#[tokio::test]
async fn a_config_edit_reaches_a_running_http_gateway() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = config(dir.path());
    let served = serve(&path, &[], None).await;
    let c = client(&served.url, Some(KEY), &[], legacy())
        .await
        .expect("connects");
    assert_eq!(echo(&c, "before").await, "before");
    let mut cfg: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    cfg["gateways"][KEY]["mcp_config"]
        .as_array_mut()
        .expect("servers")
        .push(upstream_entry("second", &[]));
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(&cfg).expect("json")).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
    let mut found = false;
    for _ in 0..40 {
        let names: Vec<String> = c
            .peer()
            .list_all_tools()
            .await
            .expect("tools/list")
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        if names.contains(&"second__echo".to_string()) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "the added server is listed within 2 s");
    let _ = c.cancel().await;
}
