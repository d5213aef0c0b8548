//! Instant start through the real binary: the last known tool lists are kept on disk next to the
//! config, so a restarted gateway lists a slow upstream's tools at once, refreshes them in the
//! background, and sends `tools/list_changed` when the live list differs from the saved one.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn tools_file(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join("extra_tools.json");
    let tools = json!([{"name": name, "description": "an extra tool",
        "inputSchema": {"type": "object", "properties": {}}}]);
    std::fs::write(&path, tools.to_string()).expect("write tools file");
    path
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
    let first_run = connect_watched(&config).await;
    assert!(
        first_run
            .names()
            .await
            .contains(&"slow__extra_one".to_string())
    );
    first_run.close().await;
    assert!(dir.path().join("enkrypt_tool_snapshot.json").exists());

    // The upstream's tools change while the gateway is down.
    tools_file(dir.path(), "extra_two");
    let mut gw = connect_watched(&config).await;
    let started = Instant::now();
    let first = gw.names().await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1000),
        "the saved list answers before the 1.5 s upstream start: {took:?}"
    );
    assert!(first.contains(&"slow__extra_one".to_string()), "{first:?}");
    gw.list_changed(Duration::from_secs(10)).await;
    let second = gw.names().await;
    assert!(
        second.contains(&"slow__extra_two".to_string()),
        "{second:?}"
    );
    assert!(
        !second.contains(&"slow__extra_one".to_string()),
        "{second:?}"
    );
    gw.close().await;
}
