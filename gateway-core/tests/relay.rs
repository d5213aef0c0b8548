//! The gateway as a faithful relay: both client eras against upstreams of both eras, direct and
//! gateway tools, access rules, the reference's result shapes, and the audit log.

mod common;

use common::*;
use serde_json::{Value, json};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

async fn echo_round_trip(lifecycle: rmcp::ClientLifecycleMode, upstream_era: &str) {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &["--era", upstream_era])],
        json!({}),
    );
    let modern_client = matches!(lifecycle, rmcp::ClientLifecycleMode::Discover { .. });
    let session = connect(&config, lifecycle).await;
    let names = session.tool_names().await;
    assert!(
        names.contains(&"echo_server__echo".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"enkrypt_secure_call_tools".to_string()),
        "{names:?}"
    );
    let result = session
        .call("echo_server__echo", json!({"message": "hello"}))
        .await;
    assert_eq!(text(&result), "hello");
    assert_ne!(result.is_error, Some(true));
    if modern_client {
        // Required by 2026-07-28 clients, also when a legacy upstream did not send it.
        assert_eq!(
            result.result_type,
            Some(rmcp::model::ResultType::COMPLETE),
            "resultType with a {upstream_era} upstream"
        );
    }
    session.close().await;
}

#[tokio::test]
async fn legacy_client_through_gateway_to_upstream_of_both_eras() {
    echo_round_trip(legacy(), "both").await;
}

#[tokio::test]
async fn legacy_client_to_legacy_only_upstream() {
    echo_round_trip(legacy(), "legacy").await;
}

#[tokio::test]
async fn modern_stateless_client_to_legacy_only_upstream() {
    echo_round_trip(modern(), "legacy").await;
}

#[tokio::test]
async fn modern_stateless_client_to_modern_only_upstream() {
    echo_round_trip(modern(), "modern").await;
}

#[tokio::test]
async fn legacy_client_to_modern_only_upstream() {
    echo_round_trip(legacy(), "modern").await;
}

#[tokio::test]
async fn stateless_client_may_call_a_direct_tool_without_listing_first() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, modern()).await;
    let result = session
        .call("echo_server__add", json!({"a": 2, "b": 3}))
        .await;
    assert_eq!(text(&result), "5");
    assert_eq!(
        result.structured_content,
        Some(json!({"sum": 5.0})).or(result.structured_content.clone())
    );
    session.close().await;
}

#[tokio::test]
async fn concurrent_first_callers_share_one_upstream_process_and_session() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry(
            "echo_server",
            &["--startup-delay-ms", "300"],
        )],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let calls = (0..16).map(|_| session.call("echo_server__pid", json!({})));
    let pids: Vec<String> = futures::future::join_all(calls)
        .await
        .iter()
        .map(text)
        .collect();
    assert!(
        pids.iter().all(|p| p == &pids[0]),
        "one process for all callers: {pids:?}"
    );
    let counts =
        futures::future::join_all((0..5).map(|_| session.call("echo_server__count", json!({}))))
            .await;
    let mut counts: Vec<u64> = counts
        .iter()
        .map(|r| text(r).parse().expect("count"))
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        vec![1, 2, 3, 4, 5],
        "the session (and its state) is reused"
    );
    session.close().await;
}

#[tokio::test]
async fn every_content_item_and_structured_content_pass_through() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let result = session.call("echo_server__multi", json!({})).await;
    assert!(
        result.content.len() >= 3,
        "all items kept: {:?}",
        result.content
    );
    let failed = session
        .call("echo_server__fail", json!({"message": "kaboom"}))
        .await;
    assert_eq!(failed.is_error, Some(true));
    assert!(text(&failed).contains("kaboom"));
    session.close().await;
}

#[tokio::test]
async fn allow_list_and_denied_tools_apply_to_listing_and_calling() {
    let dir = tmp();
    let mut allowed = upstream_entry("allowed", &[]);
    allowed["tools"] = json!({"echo": "Echo back", "pid": "pid", "crash": "crash"});
    allowed["denied_tools"] = json!([{"pattern": "cra*", "reason": "kills the server"}, "pi?"]);
    let config = write_config(dir.path(), vec![allowed], json!({}));
    let session = connect(&config, legacy()).await;
    let names = session.tool_names().await;
    assert!(names.contains(&"allowed__echo".to_string()));
    for hidden in ["allowed__crash", "allowed__pid", "allowed__add"] {
        assert!(
            !names.contains(&hidden.to_string()),
            "{hidden} must be hidden: {names:?}"
        );
    }
    // Direct call of a tool outside the allow-list: unknown to the client.
    let err = session
        .client
        .peer()
        .call_tool(rmcp::model::CallToolRequestParams::new("allowed__add"))
        .await;
    assert!(err.is_err(), "not exposed, so unknown");

    // Through enkrypt_secure_call_tools: refused with the reason, upstream never reached.
    let reply = session
        .call_json(
            "enkrypt_secure_call_tools",
            json!({"server_name": "allowed", "tool_calls": [{"name": "crash"}]}),
        )
        .await;
    assert_eq!(reply["results"][0]["status"], "denied", "{reply}");
    assert!(
        reply["results"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("kills the server")
    );
    let reply = session
        .call_json("enkrypt_secure_call_tools", json!({"server_name": "allowed", "tool_calls": [{"name": "add", "args": {"a": 1, "b": 2}}]}))
        .await;
    assert_eq!(reply["results"][0]["status"], "denied", "{reply}");
    assert!(
        reply["results"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("allow-list")
    );
    let reply = session
        .call_json("enkrypt_secure_call_tools", json!({"server_name": "allowed", "tool_calls": [{"name": "echo", "args": {"message": "ok"}}]}))
        .await;
    assert_eq!(
        reply["status"], "success",
        "allow-listed tools work (the reference's 1.x fails here): {reply}"
    );
    session.close().await;
}

#[tokio::test]
async fn secure_call_batch_has_the_reference_shape_and_stops_at_the_first_failure() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let session = connect(&config, legacy()).await;
    let reply = session
        .call_json(
            "enkrypt_secure_call_tools",
            json!({"server_name": "echo_server", "tool_calls": [
                {"name": "echo", "args": {"message": "one"}},
                {"tool_name": "fail", "arguments": {"message": "two failed"}},
                {"name": "echo", "args": {"message": "never"}}
            ]}),
        )
        .await;
    assert_eq!(reply["server_name"], "echo_server");
    assert_eq!(reply["status"], "partial");
    assert_eq!(
        reply["summary"],
        json!({"total_calls": 3, "successful_calls": 1, "blocked_calls": 0, "failed_calls": 1, "skipped_calls": 1})
    );
    assert_eq!(reply["results"][0]["status"], "success");
    assert_eq!(reply["results"][0]["response"], "one");
    assert_eq!(
        reply["results"][0]["message"],
        "Request processed successfully"
    );
    assert_eq!(reply["results"][0]["enkrypt_mcp_data"]["tool_name"], "echo");
    assert!(reply["results"][0]["enkrypt_policy_detections"].is_object());
    assert_eq!(
        reply["results"][1]["status"], "error",
        "upstream isError is an error item"
    );
    assert_eq!(reply["results"].as_array().map(Vec::len), Some(2));
    assert!(reply["guardrails_applied"]["input_guardrails_enabled"].is_boolean());

    let discovery = session
        .call_json(
            "enkrypt_secure_call_tools",
            json!({"server_name": "echo_server"}),
        )
        .await;
    assert_eq!(discovery["status"], "success");
    assert!(
        discovery["tools"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );

    let unknown = session
        .call(
            "enkrypt_secure_call_tools",
            json!({"server_name": "nope", "tool_calls": [{"name": "x"}]}),
        )
        .await;
    assert_eq!(unknown.is_error, Some(true));
    let unknown: Value = serde_json::from_str(&text(&unknown)).expect("json");
    assert_eq!(unknown["error"], "Server 'nope' not available.");
    session.close().await;
}

#[tokio::test]
async fn list_info_discover_and_cache_tools_follow_the_reference() {
    let dir = tmp();
    let mut secret_env = upstream_entry("echo_server", &[]);
    secret_env["config"]["env"] = json!({"API_TOKEN": "sk-this-is-a-very-secret-token"});
    let config = write_config(dir.path(), vec![secret_env], json!({}));
    let session = connect(&config, legacy()).await;

    let list = session
        .call_json("enkrypt_list_all_servers", json!({"discover_tools": false}))
        .await;
    assert_eq!(list["status"], "success");
    assert_eq!(list["servers_needing_discovery"], json!(["echo_server"]));
    assert_eq!(
        list["available_servers"]["echo_server"]["tools_source"],
        "needs_discovery"
    );
    let shown = list.to_string();
    assert!(
        !shown.contains("sk-this-is-a-very-secret-token"),
        "secrets are masked: {shown}"
    );

    let discovered = session
        .call_json(
            "enkrypt_discover_all_tools",
            json!({"server_name": "echo_server"}),
        )
        .await;
    assert_eq!(discovered["status"], "success");
    assert_eq!(discovered["source"], "discovery");
    assert_eq!(discovered["message"], "Tools discovered for echo_server");
    let again = session
        .call_json(
            "enkrypt_discover_all_tools",
            json!({"server_name": "echo_server"}),
        )
        .await;
    assert_eq!(again["source"], "cache");

    let all = session
        .call_json("enkrypt_list_all_servers", json!({}))
        .await;
    assert_eq!(all["message"], "Tools discovery tried for all servers");
    assert_eq!(all["discovery_success_servers"], json!(["echo_server"]));

    let info = session
        .call_json(
            "enkrypt_get_server_info",
            json!({"server_name": "echo_server"}),
        )
        .await;
    assert_eq!(info["server_info"]["tools_source"], "cache");

    let status = session
        .call_json("enkrypt_get_cache_status", json!({}))
        .await;
    let server = &status["cache_status"]["gateway_specific"]["tools"]["servers"]["echo_server"];
    assert_eq!(server["exists"], true);
    assert!(
        server["expires_in_hours"]
            .as_f64()
            .is_some_and(|h| h > 3.9 && h <= 4.0)
    );
    assert_eq!(status["cache_status"]["global"]["cache_type"], "local");

    let cleared = session
        .call_json(
            "enkrypt_clear_cache",
            json!({"server_name": "echo_server", "cache_type": "server_config"}),
        )
        .await;
    assert_eq!(cleared["message"], "Cache cleared for server: echo_server");
    let cleared = session
        .call_json(
            "enkrypt_clear_cache",
            json!({"server_name": "echo_server", "cache_type": "server_config"}),
        )
        .await;
    assert_eq!(cleared["status"], "info");
    let foreign = session
        .call("enkrypt_clear_cache", json!({"id": "someone-else"}))
        .await;
    assert_eq!(
        foreign.is_error,
        Some(true),
        "another gateway's cache is off limits"
    );
    let bad_args = session
        .call("enkrypt_list_all_servers", json!({"discover_tools": [1]}))
        .await;
    assert_eq!(bad_args.is_error, Some(true));
    assert!(text(&bad_args).contains("must be a boolean"));
    session.close().await;
}

#[tokio::test]
async fn tool_exposure_and_prefix_settings_shape_the_tool_list() {
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({"tool_exposure": "meta"}),
    );
    let session = connect(&config, legacy()).await;
    let names = session.tool_names().await;
    assert_eq!(names.len(), 6, "exactly the reference surface: {names:?}");
    session.close().await;

    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({"tool_exposure": "direct", "tool_name_prefix": "when_needed"}),
    );
    let session = connect(&config, legacy()).await;
    let names = session.tool_names().await;
    assert!(names.contains(&"echo".to_string()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("enkrypt_")),
        "{names:?}"
    );
    assert_eq!(
        text(&session.call("echo", json!({"message": "bare"})).await),
        "bare"
    );
    session.close().await;
}

#[tokio::test]
async fn long_server_names_give_valid_64_char_tool_names() {
    let dir = tmp();
    let long = "a-really-long-server-name-that-goes-on.and.on-for-ever-and-ever";
    let config = write_config(dir.path(), vec![upstream_entry(long, &[])], json!({}));
    let session = connect(&config, legacy()).await;
    let names = session.tool_names().await;
    let direct: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with("enkrypt_"))
        .collect();
    assert!(!direct.is_empty());
    for name in &direct {
        assert!(name.len() <= 64, "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{name}"
        );
    }
    let echo = direct
        .iter()
        .find(|n| n.contains("__ech") || n.ends_with("echo"))
        .map(|s| s.to_string());
    if let Some(echo) = echo {
        assert_eq!(
            text(&session.call(&echo, json!({"message": "long"})).await),
            "long"
        );
    }
    session.close().await;
}

#[tokio::test]
async fn audit_log_records_requests_responses_and_blocks_without_raw_arguments() {
    let dir = tmp();
    let mut server = upstream_entry("echo_server", &[]);
    server["denied_tools"] = json!(["crash"]);
    let config = write_config(dir.path(), vec![server], json!({}));
    let session = connect(&config, legacy()).await;
    session
        .call(
            "echo_server__echo",
            json!({"message": "secret-argument-value"}),
        )
        .await;
    session
        .call_json(
            "enkrypt_secure_call_tools",
            json!({"server_name": "echo_server", "tool_calls": [{"name": "crash"}]}),
        )
        .await;
    session.close().await;
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).expect("audit log");
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSONL"))
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for kind in ["config", "request", "response", "block"] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
    let response = events
        .iter()
        .find(|e| e["event"] == "response")
        .expect("response");
    assert_eq!(response["gateway_id"], "test-gateway-id");
    assert_eq!(response["server"], "echo_server");
    assert_eq!(response["tool"], "echo");
    assert_eq!(response["decision"], "allowed");
    assert!(response["duration_ms"].is_number());
    assert!(response["ts"].as_str().is_some_and(|t| t.contains('T')));
    let block = events
        .iter()
        .find(|e| e["event"] == "block")
        .expect("block");
    assert_eq!(block["decision"], "blocked");
    assert!(
        !log.contains("secret-argument-value"),
        "raw arguments never reach the audit log"
    );
}

#[tokio::test]
async fn a_slow_starting_server_joins_the_list_later_with_list_changed() {
    use rmcp::ServiceExt;
    let dir = tmp();
    let config = write_config(
        dir.path(),
        vec![
            upstream_entry("late", &["--startup-delay-ms", "3000"]),
            upstream_entry("fine", &[]),
        ],
        json!({"upstream_timeout_seconds": 1}),
    );
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let client = ListChangedWatcher { tx }
        .serve((stdout, stdin))
        .await
        .expect("initialize");
    let started = std::time::Instant::now();
    let first: Vec<String> = client
        .peer()
        .list_all_tools()
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2500),
        "listing waited {:?}",
        started.elapsed()
    );
    assert!(first.contains(&"fine__echo".to_string()), "{first:?}");
    assert!(
        !first.contains(&"late__echo".to_string()),
        "late server not up yet: {first:?}"
    );
    tokio::time::timeout(std::time::Duration::from_secs(15), rx.recv())
        .await
        .expect("notifications/tools/list_changed arrives")
        .expect("channel open");
    let second: Vec<String> = client
        .peer()
        .list_all_tools()
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(second.contains(&"late__echo".to_string()), "{second:?}");
    let _ = client.cancel().await;
    let _ = child.wait().await;
}
