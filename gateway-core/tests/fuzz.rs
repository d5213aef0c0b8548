//! Property-based robustness of every parser of outside input, against the real code and binary:
//! random and mutated config files never panic the loader (they load or give located diagnostics), and
//! random or mutated JSON-RPC lines on stdio and random HTTP bodies on `/mcp` never take the gateway
//! down: after each batch a real client still gets its answer.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// Arbitrary JSON values, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[ -~]{0,12}".prop_map(Value::String),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON-RPC-shaped messages with wrong, missing or surprising parts.
fn rpc_like() -> impl Strategy<Value = Value> {
    let method = prop_oneof![
        Just("tools/call".to_string()),
        Just("tools/list".to_string()),
        Just("resources/read".to_string()),
        Just("prompts/get".to_string()),
        Just("completion/complete".to_string()),
        Just("initialize".to_string()),
        Just("server/discover".to_string()),
        Just("notifications/cancelled".to_string()),
        "[a-z/]{1,20}",
    ];
    let id = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z0-9]{0,6}".prop_map(Value::String),
        any_json(),
    ];
    (method, id, any_json(), any::<bool>()).prop_map(|(method, id, params, with_version)| {
        let mut msg = json!({"method": method, "id": id, "params": params});
        if with_version {
            msg["jsonrpc"] = json!("2.0");
        }
        msg
    })
}

/// A line that is not JSON at all, or JSON cut short.
fn garbage_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,80}",
        rpc_like().prop_map(|v| {
            let text = v.to_string();
            text.chars().take(text.chars().count() / 2).collect()
        }),
        Just(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":7}}"
                .into()
        ),
    ]
}

fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, n: usize, seed: u8) -> Vec<T> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[seed; 32],
        ),
    );
    (0..n)
        .filter_map(|_| strategy.new_tree(&mut runner).ok().map(|t| t.current()))
        .collect()
}

proptest! {
    #![proptest_config(Config { cases: 300, ..Config::default() })]

    #[test]
    fn random_config_values_never_panic_the_loader(value in any_json()) {
        let text = value.to_string();
        let _ = gateway_core::config::load_str(std::path::Path::new("fuzz.json"), &text);
    }

    #[test]
    fn mutated_example_configs_load_or_report_located_errors(
        cut in 0usize..2048, insert in "[ -~]{0,4}", drop in 0usize..8
    ) {
        let example = include_str!("../../example_enkrypt_mcp_config.json");
        let at = cut.min(example.len());
        let at = (0..=at).rev().find(|i| example.is_char_boundary(*i)).unwrap_or(0);
        let end = (at + drop).min(example.len());
        let end = (end..=example.len()).find(|i| example.is_char_boundary(*i)).unwrap_or(example.len());
        let mutated = format!("{}{}{}", &example[..at], insert, &example[end..]);
        match gateway_core::config::load_str(std::path::Path::new("example.json"), &mutated) {
            Ok(_) => {}
            Err(error) => {
                let diagnostics = error.diagnostics();
                prop_assert!(!diagnostics.is_empty(), "an invalid file names at least one problem");
            }
        }
    }
}

#[tokio::test]
async fn random_json_rpc_on_stdio_never_takes_the_gateway_down() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let mut child = gateway_command(&config, Some(KEY)).spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let init = json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "0"}}});
    let mut batch: Vec<String> = vec![
        init.to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
    ];
    batch.extend(
        sample(rpc_like(), 250, 7)
            .into_iter()
            .map(|v| v.to_string()),
    );
    batch.extend(sample(garbage_line(), 150, 9));
    for line in batch {
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.write_all(b"\n").await.expect("write");
    }
    let probe = json!({"jsonrpc": "2.0", "id": "probe-after-fuzz", "method": "tools/call",
        "params": {"name": "echo_server__echo", "arguments": {"message": "alive"}}});
    stdin
        .write_all(format!("{probe}\n").as_bytes())
        .await
        .expect("write probe");
    let answered = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            let Ok(message) = serde_json::from_str::<Value>(&line) else {
                panic!("stdout carries JSON-RPC only, got: {line}");
            };
            if message["id"] == "probe-after-fuzz" {
                return Some(message);
            }
        }
        None
    })
    .await
    .expect("the probe is answered in time")
    .expect("the gateway is still running");
    assert_eq!(
        answered["result"]["content"][0]["text"], "alive",
        "{answered}"
    );
    assert!(child.try_wait().expect("status").is_none(), "still running");
    drop(stdin);
    let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
}

#[tokio::test]
async fn random_http_bodies_never_take_serve_down() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(
        dir.path(),
        vec![upstream_entry("echo_server", &[])],
        json!({}),
    );
    let mut child = tokio::process::Command::new(bin("gateway-core"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let url = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("serving MCP on ").nth(1) {
                return rest.split_whitespace().next().map(str::to_string);
            }
        }
        None
    })
    .await
    .expect("starts")
    .expect("address");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let http = reqwest::Client::new();
    let bodies: Vec<String> = sample(rpc_like(), 150, 3)
        .into_iter()
        .map(|v| v.to_string())
        .chain(sample(garbage_line(), 100, 5))
        .collect();
    let mut statuses = Vec::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let mut request = http
            .post(&url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(body);
        if i % 3 != 0 {
            request = request.bearer_auth(KEY);
        }
        let response = tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .expect("answered in time")
            .expect("an HTTP answer, not a dropped connection");
        statuses.push(response.status().as_u16());
    }
    let server_errors: Vec<&u16> = statuses.iter().filter(|s| **s >= 500).collect();
    assert!(
        server_errors.is_empty(),
        "bad input is a client error, not a server error: {server_errors:?}"
    );
    let ok = http
        .post(&url)
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "p", "version": "0"}}}))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        ok.status().as_u16(),
        200,
        "still serving after the fuzz batch"
    );
    assert!(child.try_wait().expect("status").is_none(), "still running");
}
