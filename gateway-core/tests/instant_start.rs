//! Instant start through the real binary: the last known tool lists are kept on disk next to the
//! config, so a restarted gateway lists a slow upstream's tools at once, refreshes them in the
//! background, and sends `tools/list_changed` when the live list differs from the saved one.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rmcp::ServiceExt;
use serde_json::json;

#[derive(Clone)]
struct ListChangedWatcher {
    tx: tokio::sync::mpsc::UnboundedSender<()>,
}

impl rmcp::ClientHandler for ListChangedWatcher {
    async fn on_tool_list_changed(
        &self,
        _context: rmcp::service::NotificationContext<rmcp::RoleClient>,
    ) {
        let _ = self.tx.send(());
    }
}

fn tools_file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join("extra_tools.json");
    let tools = json!([{"name": name, "description": "an extra tool",
        "inputSchema": {"type": "object", "properties": {}}}]);
    std::fs::write(&path, tools.to_string()).expect("write tools file");
    path
}

async fn names(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ListChangedWatcher>,
) -> Vec<String> {
    client
        .peer()
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect()
}

async fn start(
    config: &std::path::Path,
) -> (
    rmcp::service::RunningService<rmcp::RoleClient, ListChangedWatcher>,
    tokio::sync::mpsc::UnboundedReceiver<()>,
    tokio::process::Child,
) {
    let mut child = gateway_command(config, Some(KEY)).spawn().expect("spawn");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = ListChangedWatcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    (client, rx, child)
}

#[tokio::test]
async fn a_restarted_gateway_lists_saved_tools_at_once_and_refreshes_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let extra = tools_file(dir.path(), "extra_one");
    let extra_arg = extra.to_string_lossy().into_owned();
    let config = write_config(
        dir.path(),
        vec![upstream_entry(
            "slow",
            &["--startup-delay-ms", "1500", "--tools-file", &extra_arg],
        )],
        json!({}),
    );

    // First run: nothing saved yet, the listing waits for the slow server.
    let (client, _rx, mut child) = start(&config).await;
    assert!(
        names(&client)
            .await
            .contains(&"slow__extra_one".to_string())
    );
    let _ = client.cancel().await;
    let _ = child.wait().await;
    assert!(dir.path().join("enkrypt_tool_snapshot.json").exists());

    // The upstream's tools change while the gateway is down.
    tools_file(dir.path(), "extra_two");
    let (client, mut changed, mut child) = start(&config).await;
    let started = Instant::now();
    let first = names(&client).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1000),
        "the saved list answers before the 1.5 s upstream start: {took:?}"
    );
    assert!(first.contains(&"slow__extra_one".to_string()), "{first:?}");
    tokio::time::timeout(Duration::from_secs(10), changed.recv())
        .await
        .expect("tools/list_changed after the background refresh")
        .expect("open");
    let second = names(&client).await;
    assert!(
        second.contains(&"slow__extra_two".to_string()),
        "{second:?}"
    );
    assert!(
        !second.contains(&"slow__extra_one".to_string()),
        "{second:?}"
    );
    let _ = client.cancel().await;
    let _ = child.wait().await;
}
