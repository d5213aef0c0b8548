//! Upstream servers that speak only the legacy HTTP+SSE transport (MCP 2024-11-05), through the real
//! binary: a `…/sse` URL is used as SSE directly, any other URL falls back to SSE when streamable HTTP
//! is refused, and a server that is neither gives one clear error naming both attempts.

mod common;

use common::*;
use serde_json::json;
use tokio::process::Child;

/// A `test-mcp-server --sse` and its base URL (`http://ADDR`).
async fn sse_server() -> (Child, String) {
    let (child, url) = listening_server(&["--name", "legacy_sse", "--sse", "127.0.0.1:0"]).await;
    (child, url.trim_end_matches("/sse").to_string())
}

async fn gateway_for(url: &str) -> (Session, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![json!({
            "server_name": "legacy_sse",
            "description": "HTTP+SSE only",
            "config": {"url": url},
            "tools": {}
        })],
        json!({"upstream_timeout_seconds": 5, "upstream_start_timeout_seconds": 5}),
    );
    (connect(&config, legacy()).await, dir)
}

#[tokio::test]
async fn an_sse_url_is_spoken_as_sse() {
    let (_server, base) = sse_server().await;
    let (session, _dir) = gateway_for(&format!("{base}/sse")).await;
    let names = session.tool_names().await;
    assert!(names.contains(&"legacy_sse__echo".to_string()), "{names:?}");
    let echoed = session
        .call("legacy_sse__echo", json!({"message": "over SSE"}))
        .await;
    assert_eq!(text(&echoed), "over SSE");
    // Several calls in flight on one event stream come back to the right callers.
    let calls = (0..8).map(|i| {
        let session = &session;
        async move {
            let message = format!("call {i}");
            let result = session
                .call("legacy_sse__echo", json!({"message": message}))
                .await;
            (message, text(&result))
        }
    });
    for (sent, got) in futures::future::join_all(calls).await {
        assert_eq!(sent, got);
    }
    session.close().await;
}

#[tokio::test]
async fn another_url_falls_back_to_sse_when_streamable_http_is_refused() {
    let (_server, base) = sse_server().await;
    let (session, _dir) = gateway_for(&format!("{base}/events")).await;
    let echoed = session
        .call("legacy_sse__echo", json!({"message": "fell back"}))
        .await;
    assert_eq!(text(&echoed), "fell back", "{echoed:?}");
    session.close().await;
}

#[tokio::test]
async fn a_server_that_is_neither_gets_one_clear_error() {
    // A plain HTTP server that answers 404 to everything: neither transport.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new()).await;
    });
    let (session, _dir) = gateway_for(&format!("http://{addr}/mcp")).await;
    let failed = session
        .call(
            "enkrypt_discover_all_tools",
            json!({"server_name": "legacy_sse"}),
        )
        .await;
    let message = text(&failed);
    assert!(
        message.contains("legacy_sse") && message.contains("SSE fallback"),
        "the error names the server and both attempts: {message}"
    );
    session.close().await;
}
