//! Shared helpers for integration tests: locate the real binaries, write configs, spawn gateway-core and
//! connect a real rmcp client to it over its stdio.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::{ClientLifecycleMode, ClientServiceExt, RoleClient};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub const KEY: &str = "test-gateway-key-0123456789abcdef";

/// A built binary of this workspace (`cargo test --workspace` builds every bin before running tests).
pub fn bin(name: &str) -> PathBuf {
    if name == "gateway-core" {
        return PathBuf::from(env!("CARGO_BIN_EXE_gateway-core"));
    }
    let exe = std::env::current_exe().expect("test exe path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} not built: run `cargo build -p test_mcps` (or `cargo test --workspace`)",
        path.display()
    );
    path
}

pub fn upstream_entry(name: &str, args: &[&str]) -> Value {
    let all_args: Vec<&str> = ["--name", name]
        .iter()
        .chain(args.iter())
        .copied()
        .collect();
    json!({
        "server_name": name,
        "description": format!("{name} test server"),
        "config": {"command": bin("test-mcp-server"), "args": all_args},
        "tools": {}
    })
}

/// Writes a 1.x config with `servers` and extra common keys; returns its path. Audit log in `dir`.
pub fn write_config(dir: &Path, servers: Vec<Value>, common: Value) -> PathBuf {
    let mut common_obj = json!({
        "enkrypt_guardrails_enabled": false,
        "enkrypt_audit_log_path": dir.join("audit.jsonl"),
        "upstream_timeout_seconds": 5,
        "upstream_start_timeout_seconds": 10
    });
    if let (Some(base), Some(extra)) = (common_obj.as_object_mut(), common.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    let config = json!({
        "common_mcp_gateway_config": common_obj,
        "gateways": {KEY: {"id": "test-gateway-id", "mcp_config": servers}}
    });
    let path = dir.join("enkrypt_mcp_config.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&config).expect("json")).expect("write config");
    path
}

pub fn gateway_command(config: &Path, key: Option<&str>) -> Command {
    let mut cmd = Command::new(bin("gateway-core"));
    cmd.arg("--config")
        .arg(config)
        .env_remove("ENKRYPT_GATEWAY_KEY")
        .env_remove("ENKRYPT_APIKEY")
        .env("ENKRYPT_LOG_LEVEL", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(key) = key {
        cmd.env("ENKRYPT_GATEWAY_KEY", key);
    }
    cmd
}

pub struct Session {
    pub client: RunningService<RoleClient, ClientConfig>,
    pub child: Child,
}

pub fn legacy() -> ClientLifecycleMode {
    ClientLifecycleMode::Initialize
}

pub fn modern() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

/// Spawns gateway-core on `config` with the test key and connects a real rmcp client.
pub async fn connect(config: &Path, lifecycle: ClientLifecycleMode) -> Session {
    let mut child = gateway_command(config, Some(KEY))
        .spawn()
        .expect("spawn gateway-core");
    let stdout = child.stdout.take().expect("stdout");
    let stdin = child.stdin.take().expect("stdin");
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(async move {
            use tokio::io::AsyncBufReadExt;
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[gateway] {line}");
            }
        });
    }
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("gateway-test", "0"),
    );
    let client = tokio::time::timeout(
        Duration::from_secs(10),
        info.serve_with_lifecycle((stdout, stdin), lifecycle),
    )
    .await
    .expect("handshake in time")
    .expect("handshake");
    Session { client, child }
}

impl Session {
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let mut params = CallToolRequestParams::new(tool.to_string());
        if let Value::Object(map) = args {
            params = params.with_arguments(map);
        }
        tokio::time::timeout(
            Duration::from_secs(30),
            self.client.peer().call_tool(params),
        )
        .await
        .expect("call answered in time")
        .expect("call succeeded at the protocol level")
    }

    pub async fn tool_names(&self) -> Vec<String> {
        let tools =
            tokio::time::timeout(Duration::from_secs(30), self.client.peer().list_all_tools())
                .await
                .expect("tools/list in time")
                .expect("tools/list");
        tools.into_iter().map(|t| t.name.to_string()).collect()
    }

    /// Calls a gateway tool and parses its JSON text.
    pub async fn call_json(&self, tool: &str, args: Value) -> Value {
        let result = self.call(tool, args).await;
        serde_json::from_str(&text(&result)).expect("gateway tool returns JSON")
    }

    pub async fn close(self) {
        let Session { client, mut child } = self;
        let _ = client.cancel().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
    }
}

/// All text items of a result, joined.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a process exists.
pub fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
}

/// Polls `cond` every 20 ms until it holds or `deadline` passes.
pub async fn eventually(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + deadline;
    loop {
        if cond() {
            return true;
        }
        if std::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A client that reports every `notifications/tools/list_changed` on a channel.
#[derive(Clone)]
pub struct ListChangedWatcher {
    pub tx: tokio::sync::mpsc::UnboundedSender<()>,
}

impl rmcp::ClientHandler for ListChangedWatcher {
    async fn on_tool_list_changed(
        &self,
        _context: rmcp::service::NotificationContext<rmcp::RoleClient>,
    ) {
        let _ = self.tx.send(());
    }
}

/// A gateway on `config` (test key) with a legacy [`ListChangedWatcher`] client connected.
pub struct Watched {
    pub client: RunningService<RoleClient, ListChangedWatcher>,
    pub changed: tokio::sync::mpsc::UnboundedReceiver<()>,
    pub child: Child,
}

/// Spawns gateway-core on `config` and connects a [`ListChangedWatcher`].
pub async fn connect_watched(config: &Path) -> Watched {
    use rmcp::ServiceExt;
    let mut child = gateway_command(config, Some(KEY))
        .spawn()
        .expect("spawn gateway-core");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, changed) = tokio::sync::mpsc::unbounded_channel();
    let client = ListChangedWatcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    Watched {
        client,
        changed,
        child,
    }
}

impl Watched {
    /// Names from `tools/list`.
    pub async fn names(&self) -> Vec<String> {
        tokio::time::timeout(Duration::from_secs(30), self.client.peer().list_all_tools())
            .await
            .expect("tools/list in time")
            .expect("tools/list")
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    /// Waits for `notifications/tools/list_changed`; returns how long it took.
    pub async fn list_changed(&mut self, within: Duration) -> Duration {
        let started = std::time::Instant::now();
        tokio::time::timeout(within, self.changed.recv())
            .await
            .expect("notifications/tools/list_changed in time")
            .expect("channel open");
        started.elapsed()
    }

    /// Closes the client and waits for the gateway to exit.
    pub async fn close(mut self) {
        let _ = self.client.cancel().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}

/// Starts `test-mcp-server` with `args` (an `--http` or `--sse` listener) and returns it with the URL
/// it prints (`listening on <url>`).
pub async fn listening_server(args: &[&str]) -> (Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut child = Command::new(bin("test-mcp-server"))
        .args(args)
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn a listening test server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("server starts")
        .expect("read")
        .expect("a line");
    (child, line.trim_start_matches("listening on ").to_string())
}
