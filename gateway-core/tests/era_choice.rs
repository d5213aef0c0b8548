//! Era choice never loses a capability: an HTTP upstream that answers both `server/discover` and
//! `initialize` but advertises resource subscriptions only on its legacy session (`test-mcp-server
//! --era split`, shaped like the MCP conformance suite's TypeScript reference server) still gives a
//! legacy client working subscriptions through the gateway, while tool calls keep working for clients
//! of both eras.

mod common;

use std::time::Duration;

use common::*;
use rmcp::model::{CallToolRequestParams, SubscribeRequestParams};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use tokio::sync::mpsc;

const EXPOSED_URI: &str = "enkrypt://remote/test://static/readme";

#[derive(Clone)]
struct UpdateWatcher {
    tx: mpsc::UnboundedSender<String>,
}

impl ClientHandler for UpdateWatcher {
    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        let _ = self.tx.send(params.uri);
    }
}

fn call(tool: &str, args: serde_json::Value) -> CallToolRequestParams {
    CallToolRequestParams::new(tool.to_string())
        .with_arguments(args.as_object().cloned().unwrap_or_default())
}

#[tokio::test]
#[allow(deprecated)] // resources/subscribe is the legacy API this client uses.
async fn a_legacy_only_capability_of_a_two_era_http_upstream_is_not_lost() {
    let (_server, url) = listening_server(&[
        "--name",
        "remote",
        "--http",
        "127.0.0.1:0",
        "--era",
        "split",
    ])
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![
            json!({"server_name": "remote", "description": "split-era HTTP server",
                    "config": {"url": url}, "tools": {}}),
        ],
        json!({}),
    );

    // A legacy client: subscribing works, and the upstream's update reaches it.
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, mut updates) = mpsc::unbounded_channel();
    let client = UpdateWatcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    client
        .peer()
        .subscribe(SubscribeRequestParams::new(EXPOSED_URI))
        .await
        .expect("a subscription the upstream offers only on its legacy session");
    let touched = client
        .peer()
        .call_tool(call(
            "remote__touch",
            json!({"uri": "test://static/readme"}),
        ))
        .await
        .expect("touch");
    assert_eq!(
        text(&touched),
        "notified",
        "the upstream holds the subscription"
    );
    let update = tokio::time::timeout(Duration::from_secs(5), updates.recv())
        .await
        .ok()
        .flatten();
    assert_eq!(update.as_deref(), Some(EXPOSED_URI));
    client.cancel().await.ok();

    // A 2026-07-28 client: calls still work through the same gateway configuration.
    let session = connect(&config, modern()).await;
    let echoed = session.call("remote__echo", json!({"message": "hi"})).await;
    assert_eq!(text(&echoed), "hi");
    session.close().await;
}
