//! Shared helpers for the integration tests: spawn the real `test-mcp-server` binary with
//! piped stdio and connect rmcp's client to it over `(stdout, stdin)`.
//!
//! Every helper bounds its awaits with [`STEP`], so a broken server fails a test instead of
//! hanging it. Not here: assertions about behaviour; each test file owns those.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::{process::Stdio, time::Duration};

use anyhow::Context as _;
use rmcp::{
    ClientLifecycleMode, RoleClient,
    model::{CallToolRequestParams, CallToolResult, JsonObject, ProtocolVersion},
    service::{ClientInitializeError, ClientServiceExt as _, RunningService},
};
use tokio::process::{Child, Command};

/// Upper bound for any single step: spawn, handshake, one call, process exit.
pub const STEP: Duration = Duration::from_secs(10);

/// The client the tests use: rmcp's no-op handler.
pub type Client = RunningService<RoleClient, ()>;

/// A `test-mcp-server` command with piped stdin/stdout, stderr discarded, killed on drop.
pub fn server_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_test-mcp-server"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Spawn `test-mcp-server` with `args`.
pub fn spawn(args: &[&str]) -> anyhow::Result<Child> {
    server_command(args)
        .spawn()
        .context("spawning test-mcp-server")
}

/// Connect rmcp's client to `child` over its stdio using `mode`; the child's stdin and stdout
/// are moved into the transport.
pub async fn connect_with(
    child: &mut Child,
    mode: ClientLifecycleMode,
) -> anyhow::Result<Result<Client, ClientInitializeError>> {
    let stdin = child.stdin.take().context("child stdin is not piped")?;
    let stdout = child.stdout.take().context("child stdout is not piped")?;
    tokio::time::timeout(STEP, ().serve_with_lifecycle((stdout, stdin), mode))
        .await
        .context("client start-up did not finish in time")
}

/// Connect with the legacy `initialize` handshake and fail the test if it is refused.
pub async fn connect(child: &mut Child) -> anyhow::Result<Client> {
    Ok(connect_with(child, initialize()).await??)
}

/// `ClientLifecycleMode::Initialize`.
pub fn initialize() -> ClientLifecycleMode {
    ClientLifecycleMode::Initialize
}

/// `ClientLifecycleMode::Discover` preferring 2026-07-28.
pub fn discover() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

/// `ClientLifecycleMode::Auto`: discover first, fall back to `initialize` at 2025-11-25.
pub fn auto() -> ClientLifecycleMode {
    ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        legacy_version: Some(ProtocolVersion::V_2025_11_25),
    }
}

/// Call tool `name` with `arguments` (a JSON object), bounded by [`STEP`].
pub async fn call(
    client: &Client,
    name: &'static str,
    arguments: serde_json::Value,
) -> anyhow::Result<CallToolResult> {
    let mut params = CallToolRequestParams::new(name);
    if let serde_json::Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    let result = tokio::time::timeout(STEP, client.call_tool(params))
        .await
        .with_context(|| format!("tool {name} did not answer in time"))??;
    Ok(result)
}

/// The text of the only content item of `result`.
pub fn only_text(result: &CallToolResult) -> anyhow::Result<&str> {
    anyhow::ensure!(
        result.content.len() == 1,
        "expected one content item, got {:?}",
        result.content
    );
    result.content[0]
        .as_text()
        .map(|text| text.text.as_str())
        .context("content item is not text")
}

/// An empty argument object.
pub fn no_arguments() -> serde_json::Value {
    serde_json::Value::Object(JsonObject::new())
}

/// Close the client and wait for the server to exit; returns its exit code.
pub async fn close(client: Client, child: &mut Child) -> anyhow::Result<Option<i32>> {
    tokio::time::timeout(STEP, client.cancel())
        .await
        .context("client did not close in time")??;
    let status = tokio::time::timeout(STEP, child.wait())
        .await
        .context("server did not exit after its stdin closed")??;
    Ok(status.code())
}
