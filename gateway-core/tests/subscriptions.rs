//! Resource subscriptions through the real binary: a legacy client subscribes to a namespaced URI, the
//! upstream's `notifications/resources/updated` reaches it under that URI, an unsubscribed client gets
//! nothing, and after the upstream crashes and is restarted the gateway subscribes the new process
//! again, so updates keep arriving without the client doing anything.

mod common;

use std::time::Duration;

use common::*;
use rmcp::ServiceExt;
use rmcp::model::{SubscribeRequestParams, UnsubscribeRequestParams};
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use tokio::sync::mpsc;

const UPSTREAM_URI: &str = "test://static/readme";
const EXPOSED_URI: &str = "enkrypt://echo_server/test://static/readme";

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

struct Watching {
    client: RunningService<RoleClient, UpdateWatcher>,
    updates: mpsc::UnboundedReceiver<String>,
    _child: tokio::process::Child,
    _dir: tempfile::TempDir,
}

async fn start() -> Watching {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &["--era", "legacy"])],
        json!({}),
    );
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, updates) = mpsc::unbounded_channel();
    let client = UpdateWatcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    Watching {
        client,
        updates,
        _child: child,
        _dir: dir,
    }
}

impl Watching {
    async fn touch(&self) -> String {
        let params = rmcp::model::CallToolRequestParams::new("echo_server__touch").with_arguments(
            json!({"uri": UPSTREAM_URI})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let result = self.client.peer().call_tool(params).await.expect("touch");
        text(&result)
    }

    async fn next_update(&mut self) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(5), self.updates.recv())
            .await
            .ok()
            .flatten()
    }
}

#[tokio::test]
#[allow(deprecated)] // resources/subscribe is the legacy API these clients use.
async fn updates_reach_subscribers_and_survive_an_upstream_restart() {
    let mut w = start().await;
    assert_eq!(w.touch().await, "not subscribed", "nothing subscribed yet");

    w.client
        .peer()
        .subscribe(SubscribeRequestParams::new(EXPOSED_URI))
        .await
        .expect("subscribe through the gateway");
    assert_eq!(w.touch().await, "notified");
    assert_eq!(
        w.next_update().await.as_deref(),
        Some(EXPOSED_URI),
        "the update arrives under the namespaced URI"
    );

    // The upstream dies; the next call starts a new process, which the gateway subscribes again.
    let crashed = w
        .client
        .peer()
        .call_tool(rmcp::model::CallToolRequestParams::new(
            "echo_server__crash",
        ))
        .await;
    assert!(
        crashed.is_err() || crashed.is_ok_and(|r| r.is_error == Some(true)),
        "the crash is an error"
    );
    let mut restored = String::new();
    for _ in 0..40 {
        restored = w.touch().await;
        if restored == "notified" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(restored, "notified", "the new process was subscribed again");
    assert_eq!(w.next_update().await.as_deref(), Some(EXPOSED_URI));

    w.client
        .peer()
        .unsubscribe(UnsubscribeRequestParams::new(EXPOSED_URI))
        .await
        .expect("unsubscribe");
    assert_eq!(
        w.touch().await,
        "not subscribed",
        "the last watcher leaving unsubscribes upstream"
    );
    w.client.cancel().await.ok();
}
