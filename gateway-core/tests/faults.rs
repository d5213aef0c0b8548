//! Bad input and misbehaving upstreams: the gateway answers with a clear error and keeps serving.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[tokio::test]
async fn crashed_upstream_gives_a_clear_error_and_is_restarted_on_the_next_call() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let first_pid = text(&session.call("echo_server__pid", json!({})).await);
    let crashed = session.call("echo_server__crash", json!({})).await;
    assert_eq!(crashed.is_error, Some(true));
    assert!(
        text(&crashed).contains("echo_server"),
        "names the server: {}",
        text(&crashed)
    );
    let second_pid = text(&session.call("echo_server__pid", json!({})).await);
    assert_ne!(first_pid, second_pid, "a new process serves the next call");
    assert_eq!(
        text(
            &session
                .call("echo_server__echo", json!({"message": "back"}))
                .await
        ),
        "back"
    );
    session.close().await;
}

#[tokio::test]
async fn hung_upstream_times_out_without_blocking_other_servers() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![
            upstream_entry("stuck", &["--tools-delay-ms", "600000"]),
            upstream_entry("fine", &[]),
        ],
        json!({"upstream_timeout_seconds": 2}),
    );
    let session = connect(&config, legacy()).await;
    // tools/list returns the healthy server's tools while the stuck one is still discovering.
    let started = Instant::now();
    let names = session.tool_names().await;
    assert!(names.contains(&"fine__echo".to_string()), "{names:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "listing waited {:?}",
        started.elapsed()
    );

    let config = write_config(
        dir.path(),
        vec![upstream_entry("slowpoke", &[]), upstream_entry("fine", &[])],
        json!({"upstream_timeout_seconds": 2}),
    );
    let session2 = connect(&config, legacy()).await;
    session2.tool_names().await;
    let started = Instant::now();
    let (hung, quick) = tokio::join!(session2.call("slowpoke__hang", json!({})), async {
        let t = Instant::now();
        let r = session2
            .call("fine__echo", json!({"message": "quick"}))
            .await;
        (r, t.elapsed())
    });
    assert_eq!(text(&quick.0), "quick");
    assert!(
        quick.1 < Duration::from_secs(1),
        "other server answered in {:?}",
        quick.1
    );
    assert_eq!(hung.is_error, Some(true));
    assert!(text(&hung).contains("did not answer"), "{}", text(&hung));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The hung server keeps serving other calls.
    assert_eq!(
        text(
            &session2
                .call("slowpoke__echo", json!({"message": "alive"}))
                .await
        ),
        "alive"
    );
    session.close().await;
    session2.close().await;
}

#[tokio::test]
async fn after_one_wait_a_listing_does_not_wait_again_for_a_server_still_starting() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![
            upstream_entry("late", &["--startup-delay-ms", "7000"]),
            upstream_entry("fine", &[]),
        ],
        json!({"upstream_timeout_seconds": 1, "upstream_start_timeout_seconds": 20}),
    );
    let session = connect(&config, legacy()).await;
    // The first listing waits (at most the list deadline) for the late server, then answers without it.
    let names = session.tool_names().await;
    assert!(names.contains(&"fine__echo".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("late__")), "{names:?}");
    // Later listings answer from what is known, without waiting for it again.
    let mut took = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let names = session.tool_names().await;
        took.push(started.elapsed());
        assert!(names.contains(&"fine__echo".to_string()), "{names:?}");
    }
    took.sort();
    assert!(
        took[2] < Duration::from_millis(50),
        "median listing while a server is still starting: {took:?}"
    );
    assert!(took[4] < Duration::from_millis(500), "{took:?}");
    // Once it has started, its tools are listed.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let names = session.tool_names().await;
        if names.contains(&"late__echo".to_string()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the late server never showed up: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    session.close().await;
}

#[tokio::test]
async fn fifty_megabyte_result_is_capped_with_a_clear_error() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let huge = session
        .call("echo_server__huge", json!({"bytes": 50_000_000}))
        .await;
    assert_eq!(huge.is_error, Some(true));
    assert!(text(&huge).contains("larger than"), "{}", text(&huge));
    assert_eq!(
        text(
            &session
                .call("echo_server__echo", json!({"message": "after"}))
                .await
        ),
        "after"
    );
    let ok = session
        .call("echo_server__huge", json!({"bytes": 1_000_000}))
        .await;
    assert_eq!(text(&ok).len(), 1_000_000);
    session.close().await;
}

#[tokio::test]
async fn upstream_flooding_stdout_with_garbage_still_works() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("noisy", &["--stdout-noise", "500"])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    assert_eq!(
        text(&session.call("noisy__noise", json!({"lines": 2000})).await),
        "noisy"
    );
    assert_eq!(
        text(
            &session
                .call("noisy__echo", json!({"message": "clean"}))
                .await
        ),
        "clean"
    );
    session.close().await;
}

#[tokio::test]
async fn missing_upstream_command_is_reported_and_others_keep_working() {
    let dir = tmp();
    let missing = json!({"server_name": "ghost", "description": "", "config": {"command": "/nonexistent/mcp-server", "args": []}, "tools": {}});
    let config = write_config(
        dir.path(),
        vec![missing, upstream_entry("fine", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let names = session.tool_names().await;
    assert!(names.contains(&"fine__echo".to_string()));
    let reply = session
        .call_json(
            "enkrypt_discover_all_tools",
            json!({"server_name": "ghost"}),
        )
        .await;
    assert_eq!(reply["status"], "error");
    let error = reply["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("ghost") && error.contains("/nonexistent/mcp-server"),
        "{error}"
    );
    assert_eq!(
        text(&session.call("fine__echo", json!({"message": "ok"})).await),
        "ok"
    );
    session.close().await;
}

#[tokio::test]
async fn unknown_tools_and_wrong_arguments_get_clear_errors() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let unknown = session
        .client
        .peer()
        .call_tool(rmcp::model::CallToolRequestParams::new("nope__nothing"))
        .await;
    let message = format!(
        "{:?}",
        unknown.expect_err("unknown tool is a protocol error")
    );
    assert!(
        message.contains("Unknown tool 'nope__nothing'"),
        "{message}"
    );
    let wrong = session
        .call("echo_server__echo", json!({"message": 42}))
        .await;
    assert_eq!(
        wrong.is_error,
        Some(true),
        "the upstream's own validation error is relayed"
    );
    let missing_tool = session
        .call_json(
            "enkrypt_secure_call_tools",
            json!({"server_name": "echo_server", "tool_calls": [{"name": "nothing"}]}),
        )
        .await;
    assert_eq!(
        missing_tool["results"][0]["error"],
        "Tool 'nothing' not found for this server."
    );
    assert_eq!(
        text(
            &session
                .call("echo_server__echo", json!({"message": "still here"}))
                .await
        ),
        "still here"
    );
    session.close().await;
}

#[tokio::test]
async fn malformed_json_lines_and_unknown_methods_do_not_break_the_session() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let script = [
        "this is not json",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"0\"}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
        "{\"broken\": ",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no/such/method\",\"params\":{}}",
        "[1,2,3]",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo_server__echo\",\"arguments\":{\"message\":\"raw ok\"}}}",
    ];
    for line in script {
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write");
    }
    stdin.flush().await.expect("flush");
    let mut seen = std::collections::HashMap::new();
    let mut parse_errors = Vec::new();
    let mut invalid_requests = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while (seen.len() < 3 || parse_errors.len() < 2 || invalid_requests < 1)
        && Instant::now() < deadline
    {
        let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await
        else {
            break;
        };
        let value: serde_json::Value =
            serde_json::from_str(&line).expect("stdout carries only JSON-RPC");
        if let Some(id) = value.get("id").and_then(|v| v.as_i64()) {
            seen.insert(id, value);
        } else if value["error"]["code"] == -32700 {
            // JSON-RPC 2.0: a parse error answers with id null.
            assert!(value.get("id").is_some_and(|id| id.is_null()), "{value}");
            parse_errors.push(value);
        } else if value["error"]["code"] == -32600 {
            invalid_requests += 1;
        }
    }
    // "this is not json" and the cut-short object each get a parse error; `[1,2,3]` is JSON but not a
    // message: an invalid request.
    assert_eq!(parse_errors.len(), 2, "{parse_errors:?}");
    assert_eq!(invalid_requests, 1);
    assert!(seen[&1]["result"]["serverInfo"]["name"] == "Enkrypt Secure MCP Gateway");
    assert_eq!(
        seen[&2]["error"]["code"], -32601,
        "unknown method: {}",
        seen[&2]
    );
    assert!(seen[&3].to_string().contains("raw ok"), "{}", seen[&3]);
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .expect("exits on EOF")
        .expect("status");
    assert!(status.success());
}

#[tokio::test]
async fn closing_stdin_leaves_no_upstream_process_behind() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("a", &[]), upstream_entry("b", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let pid_a: i32 = text(&session.call("a__pid", json!({})).await)
        .parse()
        .expect("pid");
    let pid_b: i32 = text(&session.call("b__pid", json!({})).await)
        .parse()
        .expect("pid");
    // A call in flight that never answers must not keep anything alive either.
    let peer = session.client.peer().clone();
    tokio::spawn(async move {
        peer.call_tool(rmcp::model::CallToolRequestParams::new("b__hang"))
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(alive(pid_a) && alive(pid_b));
    let Session { client, mut child } = session;
    let closed_at = Instant::now();
    drop(client);
    let gone = eventually(Duration::from_millis(1500), || {
        !alive(pid_a) && !alive(pid_b)
    })
    .await;
    assert!(
        gone,
        "upstreams still alive {:?} after stdin closed",
        closed_at.elapsed()
    );
    assert!(
        closed_at.elapsed() < Duration::from_millis(1200),
        "took {:?}",
        closed_at.elapsed()
    );
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

#[tokio::test]
async fn upstream_sees_its_configured_env_but_not_the_gateway_secrets() {
    let dir = tmp();
    let mut server = upstream_entry("echo_server", &[]);
    server["config"]["env"] =
        json!({"UPSTREAM_SETTING": "configured", "FROM_ENV_REF": "${env:PATH}"});
    let config = write_config(dir.path(), vec![server], json!({}));
    let session = connect(&config, legacy()).await;
    assert_eq!(
        text(
            &session
                .call("echo_server__env", json!({"name": "UPSTREAM_SETTING"}))
                .await
        ),
        "configured"
    );
    assert_eq!(
        text(
            &session
                .call("echo_server__env", json!({"name": "ENKRYPT_GATEWAY_KEY"}))
                .await
        ),
        "<unset>"
    );
    assert_ne!(
        text(
            &session
                .call("echo_server__env", json!({"name": "PATH"}))
                .await
        ),
        "<unset>"
    );
    assert_ne!(
        text(
            &session
                .call("echo_server__env", json!({"name": "FROM_ENV_REF"}))
                .await
        ),
        "<unset>"
    );
    session.close().await;
}
