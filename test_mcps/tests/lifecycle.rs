//! Each `--era` against each rmcp client lifecycle mode: which combinations connect, at which
//! protocol version, and how the others are refused.
//!
//! The rule under test: `both` accepts everything; `legacy` answers `server/discover` with
//! `-32601` so an `Auto` client falls back to `initialize` at once (not after its 10 s discover
//! timeout); `modern` refuses `initialize` with `-32022` and serves 2026-07-28 only.

mod common;

use std::time::{Duration, Instant};

use common::{STEP, auto, call, close, connect_with, discover, initialize, only_text, spawn};
use rmcp::{
    ClientLifecycleMode,
    model::{ErrorCode, ProtocolVersion},
    service::ClientInitializeError,
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

/// Connect with `mode` to a server of `era`, expect `version`, prove a tool call works, close.
async fn assert_connects(
    era: &str,
    mode: ClientLifecycleMode,
    version: ProtocolVersion,
) -> anyhow::Result<()> {
    let mut child = spawn(&["--era", era, "--name", "lifecycle-server"])?;
    let client = connect_with(&mut child, mode).await??;
    let info = client
        .peer_info()
        .ok_or_else(|| anyhow::anyhow!("no peer info"))?;
    assert_eq!(info.protocol_version, version);
    assert_eq!(
        info.server_info.as_ref().map(|server| server.name.as_str()),
        Some("lifecycle-server")
    );
    let result = call(&client, "echo", json!({ "message": "hi" })).await?;
    assert_eq!(only_text(&result)?, "hi");
    assert_eq!(close(client, &mut child).await?, Some(0));
    Ok(())
}

/// Connect with `mode` to a server of `era` and expect a JSON-RPC refusal with `code`.
async fn assert_refused(
    era: &str,
    mode: ClientLifecycleMode,
    code: ErrorCode,
) -> anyhow::Result<()> {
    let mut child = spawn(&["--era", era])?;
    match connect_with(&mut child, mode).await? {
        Ok(_) => anyhow::bail!("{era} server accepted a client it should refuse"),
        Err(ClientInitializeError::JsonRpcError(error)) => {
            assert_eq!(error.code, code, "{error:?}")
        }
        Err(other) => anyhow::bail!("expected a JSON-RPC error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn both_era_accepts_initialize_at_2025_11_25() -> anyhow::Result<()> {
    assert_connects("both", initialize(), ProtocolVersion::V_2025_11_25).await
}

#[tokio::test]
async fn both_era_accepts_discover_at_2026_07_28() -> anyhow::Result<()> {
    assert_connects("both", discover(), ProtocolVersion::V_2026_07_28).await
}

#[tokio::test]
async fn both_era_auto_client_stays_modern() -> anyhow::Result<()> {
    assert_connects("both", auto(), ProtocolVersion::V_2026_07_28).await
}

#[tokio::test]
async fn legacy_era_accepts_initialize() -> anyhow::Result<()> {
    assert_connects("legacy", initialize(), ProtocolVersion::V_2025_11_25).await
}

#[tokio::test]
async fn legacy_era_answers_discover_with_method_not_found() -> anyhow::Result<()> {
    assert_refused("legacy", discover(), ErrorCode::METHOD_NOT_FOUND).await
}

#[tokio::test]
async fn legacy_era_exits_cleanly_when_a_refused_discover_client_hangs_up() -> anyhow::Result<()> {
    let mut child = spawn(&["--era", "legacy"])?;
    let refused = connect_with(&mut child, discover()).await?;
    assert!(refused.is_err());
    drop(refused);
    let status = tokio::time::timeout(STEP, child.wait()).await??;
    assert_eq!(status.code(), Some(0));
    Ok(())
}

#[tokio::test]
async fn legacy_era_auto_client_falls_back_to_initialize_without_waiting_for_timeout()
-> anyhow::Result<()> {
    // rmcp's Auto mode gives up on discover after 10 s and falls back anyway, so only the
    // elapsed time tells a recognised legacy server from an ignored probe.
    let started = Instant::now();
    assert_connects("legacy", auto(), ProtocolVersion::V_2025_11_25).await?;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "fallback took {elapsed:?}: the discover probe was not recognised as legacy"
    );
    Ok(())
}

#[tokio::test]
async fn legacy_era_discover_on_the_wire_is_json_rpc_method_not_found() -> anyhow::Result<()> {
    let mut child = spawn(&["--era", "legacy"])?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let discover = json!({
        "jsonrpc": "2.0",
        "id": 7,
        "method": "server/discover",
        "params": { "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": { "name": "raw", "version": "0" },
            "io.modelcontextprotocol/clientCapabilities": {}
        } }
    });
    stdin.write_all(format!("{discover}\n").as_bytes()).await?;
    stdin.flush().await?;
    let mut line = String::new();
    tokio::time::timeout(STEP, BufReader::new(stdout).read_line(&mut line)).await??;
    let reply: serde_json::Value = serde_json::from_str(&line)?;
    assert_eq!(reply["id"], json!(7), "{reply}");
    assert_eq!(reply["error"]["code"], json!(-32601), "{reply}");
    Ok(())
}

#[tokio::test]
async fn modern_era_refuses_initialize_with_unsupported_protocol_version() -> anyhow::Result<()> {
    assert_refused(
        "modern",
        initialize(),
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
    )
    .await
}

#[tokio::test]
async fn modern_era_accepts_discover() -> anyhow::Result<()> {
    assert_connects("modern", discover(), ProtocolVersion::V_2026_07_28).await
}

#[tokio::test]
async fn modern_era_auto_client_stays_modern() -> anyhow::Result<()> {
    assert_connects("modern", auto(), ProtocolVersion::V_2026_07_28).await
}

#[tokio::test]
async fn modern_era_exits_with_failure_after_refusing_initialize() -> anyhow::Result<()> {
    let mut child = spawn(&["--era", "modern"])?;
    let refused = connect_with(&mut child, initialize()).await?;
    assert!(refused.is_err());
    let status = tokio::time::timeout(STEP, child.wait()).await??;
    assert_eq!(status.code(), Some(1));
    Ok(())
}
