//! Notifications and cancellation through the real binary: an upstream's progress notifications reach
//! the calling client with the client's own progress token, upstream log lines reach clients that asked
//! for that level (logger prefixed with the server name), and a client's `notifications/cancelled` is
//! passed on to the upstream while the gateway keeps serving.

mod common;

use std::time::Duration;

use common::*;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, ProgressNotificationParam, ProgressToken,
};
use rmcp::service::{NotificationContext, PeerRequestOptions};
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;

#[derive(Debug)]
enum Seen {
    Progress(ProgressNotificationParam),
    Log(String),
}

#[derive(Clone)]
struct Watcher {
    tx: tokio::sync::mpsc::UnboundedSender<Seen>,
}

impl rmcp::ClientHandler for Watcher {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.tx.send(Seen::Progress(params));
    }

    #[allow(deprecated)]
    async fn on_logging_message(
        &self,
        params: rmcp::model::LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.tx.send(Seen::Log(params.logger.unwrap_or_default()));
    }
}

#[tokio::test]
async fn progress_and_logs_reach_the_client_and_cancellation_reaches_the_upstream() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let client = Watcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    #[allow(deprecated)]
    client
        .peer()
        .set_level(rmcp::model::SetLevelRequestParams::new(
            rmcp::model::LoggingLevel::Info,
        ))
        .await
        .expect("logging/setLevel");

    let params = CallToolRequestParams::new("echo_server__progress")
        .with_arguments(json!({"steps": 3}).as_object().cloned().unwrap_or_default());
    let handle = client
        .peer()
        .send_request_with_option(
            ClientRequest::CallToolRequest(CallToolRequest::new(params)),
            PeerRequestOptions::no_options(),
        )
        .await
        .expect("send");
    let token: ProgressToken = handle.progress_token.clone();
    let result = tokio::time::timeout(Duration::from_secs(20), handle.await_response())
        .await
        .expect("answered")
        .expect("result");
    assert!(format!("{result:?}").contains("done 3"), "{result:?}");

    let mut progress = Vec::new();
    let mut loggers = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while progress.len() < 3 || loggers.is_empty() {
        match tokio::time::timeout_at(deadline, seen.recv()).await {
            Ok(Some(Seen::Progress(p))) => progress.push(p),
            Ok(Some(Seen::Log(logger))) => loggers.push(logger),
            _ => break,
        }
    }
    assert_eq!(
        progress.len(),
        3,
        "every progress notification arrives: {progress:?}"
    );
    assert!(
        progress.iter().all(|p| p.progress_token == token),
        "with the client's own token"
    );
    assert_eq!(progress.last().map(|p| p.progress), Some(3.0));
    assert!(
        loggers.iter().any(|l| l.starts_with("echo_server")),
        "{loggers:?}"
    );

    // Cancel a slow call: the upstream is told, and the gateway keeps serving.
    let slow = CallToolRequestParams::new("echo_server__slow").with_arguments(
        json!({"ms": 20000})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let handle = client
        .peer()
        .send_request_with_option(
            ClientRequest::CallToolRequest(CallToolRequest::new(slow)),
            PeerRequestOptions::no_options(),
        )
        .await
        .expect("send slow");
    tokio::time::sleep(Duration::from_millis(300)).await;
    handle.cancel(Some("test".into())).await.expect("cancel");
    let mut cancelled = String::new();
    for _ in 0..50 {
        let result = client
            .peer()
            .call_tool(CallToolRequestParams::new("echo_server__cancelled"))
            .await
            .expect("cancelled count");
        cancelled = text(&result);
        if cancelled != "0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        cancelled, "1",
        "the upstream received notifications/cancelled"
    );
    let _ = client.cancel().await;
    let _ = child.wait().await;
}
