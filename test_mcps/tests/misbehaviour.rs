//! The deliberate misbehaviours: stdout noise, crashes, timed exits, stderr chatter and slow
//! starts, each observed from outside the process as a gateway would see it.

mod common;

use std::{
    collections::BTreeSet,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use common::{
    STEP, auto, call, close, connect, connect_with, no_arguments, only_text, server_command, spawn,
};
use rmcp::service::ServiceError;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

#[tokio::test]
async fn stdout_noise_before_and_during_serving_does_not_break_the_client() -> anyhow::Result<()> {
    for lifecycle in [common::initialize(), auto()] {
        let mut child = spawn(&["--stdout-noise", "200"])?;
        let client = connect_with(&mut child, lifecycle).await??;
        let result = call(&client, "noise", json!({ "lines": 5000 })).await?;
        assert_eq!(only_text(&result)?, "noisy");
        let result = call(&client, "echo", json!({ "message": "after the noise" })).await?;
        assert_eq!(only_text(&result)?, "after the noise");
        assert_eq!(close(client, &mut child).await?, Some(0));
    }
    Ok(())
}

/// Read stdout lines until every id in `pending` has answered; returns (noise lines, replies).
async fn read_until_answered<R>(
    reader: &mut BufReader<R>,
    mut pending: BTreeSet<u64>,
) -> anyhow::Result<(usize, Vec<Value>)>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let mut noise = 0;
    let mut replies = Vec::new();
    while !pending.is_empty() {
        let mut line = String::new();
        let read = tokio::time::timeout(STEP, reader.read_line(&mut line))
            .await
            .with_context(|| format!("still waiting for ids {pending:?}"))??;
        anyhow::ensure!(read > 0, "stdout closed while waiting for ids {pending:?}");
        let line = line.trim_end_matches('\n');
        if line.starts_with("~~ stdout noise ") {
            noise += 1;
            continue;
        }
        // Anything else must be one whole JSON-RPC message: noise never lands inside one.
        let message: Value = serde_json::from_str(line)
            .with_context(|| format!("stdout line is neither noise nor JSON: {line:.200}"))?;
        if let Some(id) = message.get("id").and_then(Value::as_u64) {
            pending.remove(&id);
        }
        replies.push(message);
    }
    Ok((noise, replies))
}

#[tokio::test]
async fn noise_lines_never_split_a_json_rpc_message_on_the_wire() -> anyhow::Result<()> {
    let mut child = spawn(&["--stdout-noise", "3"])?;
    let mut stdin = child.stdin.take().context("stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    let mut send = async |message: Value| -> anyhow::Result<()> {
        stdin.write_all(format!("{message}\n").as_bytes()).await?;
        Ok(stdin.flush().await?)
    };

    send(
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": { "name": "raw", "version": "0" } } }),
    )
    .await?;
    let (noise, _) = read_until_answered(&mut stdout, BTreeSet::from([1])).await?;
    assert_eq!(noise, 3);
    send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })).await?;

    // Noise and large replies produced at the same time.
    let mut ids = BTreeSet::new();
    for id in 10..14 {
        send(json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": { "name": "noise", "arguments": { "lines": 2000 } } }))
        .await?;
        ids.insert(id);
    }
    for id in 20..60 {
        send(json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": { "name": "huge", "arguments": { "bytes": 200_000 } } }))
        .await?;
        ids.insert(id);
    }
    let (noise, replies) = read_until_answered(&mut stdout, ids).await?;
    assert_eq!(noise, 4 * 2000);
    assert!(
        replies.iter().all(|reply| reply.get("result").is_some()),
        "an error reply"
    );
    drop(stdin);
    let status = tokio::time::timeout(STEP, child.wait()).await??;
    assert_eq!(status.code(), Some(0));
    Ok(())
}

#[tokio::test]
async fn crash_closes_the_connection_without_a_reply() -> anyhow::Result<()> {
    let mut child = spawn(&[])?;
    let client = connect(&mut child).await?;
    let params = rmcp::model::CallToolRequestParams::new("crash");
    let error = tokio::time::timeout(STEP, client.call_tool(params))
        .await
        .context("the client did not notice the crash")?
        .expect_err("crash must not reply");
    assert!(matches!(error, ServiceError::TransportClosed), "{error:?}");
    let status = tokio::time::timeout(STEP, child.wait()).await??;
    assert_eq!(status.code(), Some(1));
    Ok(())
}

#[tokio::test]
async fn exit_after_ms_ends_the_process_in_the_middle_of_a_call() -> anyhow::Result<()> {
    let mut child = spawn(&["--exit-after-ms", "500"])?;
    let client = connect(&mut child).await?;
    let error = call(&client, "slow", json!({ "ms": 60_000 }))
        .await
        .expect_err("the process exits before the slow call replies");
    assert!(
        matches!(
            error.downcast_ref::<ServiceError>(),
            Some(ServiceError::TransportClosed)
        ),
        "{error:?}"
    );
    let status = tokio::time::timeout(STEP, child.wait()).await??;
    assert_eq!(status.code(), Some(1));
    Ok(())
}

#[tokio::test]
async fn stderr_lines_are_written_at_start() -> anyhow::Result<()> {
    let mut child = server_command(&["--stderr-lines", "5", "--name", "chatty"])
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stderr = BufReader::new(child.stderr.take().context("stderr")?).lines();
    let mut seen = Vec::new();
    while seen.len() < 5 {
        let line = tokio::time::timeout(STEP, stderr.next_line())
            .await??
            .context("stderr closed early")?;
        if line.starts_with("chatty: stderr line ") {
            seen.push(line);
        }
    }
    assert_eq!(seen[0], "chatty: stderr line 1/5");
    assert_eq!(seen[4], "chatty: stderr line 5/5");
    let client = connect(&mut child).await?;
    let result = call(&client, "pid", no_arguments()).await?;
    assert!(!only_text(&result)?.is_empty());
    close(client, &mut child).await?;
    Ok(())
}

#[tokio::test]
async fn startup_delay_postpones_the_handshake() -> anyhow::Result<()> {
    let started = Instant::now();
    let mut child = spawn(&["--startup-delay-ms", "400"])?;
    let client = connect(&mut child).await?;
    assert!(started.elapsed() >= Duration::from_millis(400));
    close(client, &mut child).await?;
    Ok(())
}
