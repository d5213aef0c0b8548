//! Upstream servers reached by URL (`config: {url, headers}`) over streamable HTTP, through the real
//! binary: tools are listed and called, configured headers (with `${env:…}` references) reach the
//! server, a server that goes away gives a clear error naming it, and the gateway reconnects once it is
//! back.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tokio::process::Child;

async fn http_server(addr: &str) -> (Child, String) {
    listening_server(&["--name", "remote", "--http", addr]).await
}

#[tokio::test]
async fn an_http_upstream_is_listed_called_and_reconnected() {
    let (mut server, url) = http_server("127.0.0.1:0").await;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![json!({
            "server_name": "remote",
            "description": "over HTTP",
            "config": {"url": url, "headers": {"X-Team-Token": "${env:HTTP_UPSTREAM_TEST_TOKEN}"}},
            "tools": {}
        })],
        json!({"upstream_timeout_seconds": 3, "upstream_start_timeout_seconds": 3}),
    );
    let mut cmd = gateway_command(&config, Some(KEY));
    cmd.env("HTTP_UPSTREAM_TEST_TOKEN", "team-token-from-env");
    let mut child = cmd.spawn().expect("spawn gateway");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let info = rmcp::model::ClientConfig::new(
        rmcp::model::ClientCapabilities::default(),
        rmcp::model::Implementation::new("http-upstream-test", "0"),
    );
    use rmcp::ClientServiceExt;
    let client = info
        .serve_with_lifecycle((stdout, stdin), legacy())
        .await
        .expect("initialize");
    let session = Session { client, child };

    let names = session.tool_names().await;
    assert!(names.contains(&"remote__echo".to_string()), "{names:?}");
    let echoed = session
        .call("remote__echo", json!({"message": "over the wire"}))
        .await;
    assert_eq!(text(&echoed), "over the wire");
    let header = session
        .call("remote__header", json!({"name": "x-team-token"}))
        .await;
    assert_eq!(
        text(&header),
        "team-token-from-env",
        "configured headers reach the server"
    );

    server.kill().await.expect("kill HTTP server");
    let _ = server.wait().await;
    let failed = session
        .call("remote__echo", json!({"message": "gone"}))
        .await;
    assert_eq!(failed.is_error, Some(true), "{failed:?}");
    assert!(
        text(&failed).contains("remote"),
        "the error names the server: {}",
        text(&failed)
    );

    let (_server, _) = http_server(&addr).await;
    let mut back = None;
    for _ in 0..40 {
        let result = session
            .call("remote__echo", json!({"message": "back"}))
            .await;
        if result.is_error != Some(true) {
            back = Some(text(&result));
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        back.as_deref(),
        Some("back"),
        "the gateway reconnects by itself"
    );
    session.close().await;
}
