//! The external tool-list cache against a real `redis-server` on a free loopback port: two gateway
//! processes share tool lists under the reference's keys with the configured TTL, clearing reaches
//! Redis, and when Redis is killed mid-run the gateway keeps serving from its in-process cache with one
//! warning, then uses Redis again once it is back.
//!
//! Needs `redis-server` (Debian package `redis-server`; `make test` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use redis::AsyncCommands;
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

struct Redis {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_redis(port: u16) -> Redis {
    let dir = tempfile::tempdir().expect("tmp");
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server must be installed (apt-get install redis-server; make test does it)");
    let url = format!("redis://127.0.0.1:{port}/");
    for _ in 0..100 {
        if let Ok(client) = redis::Client::open(url.as_str())
            && let Ok(mut conn) = client.get_multiplexed_async_connection().await
            && redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .is_ok()
        {
            return Redis {
                child,
                port,
                _dir: dir,
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis-server did not come up on port {port}");
}

impl Redis {
    async fn conn(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .expect("client")
            .get_multiplexed_async_connection()
            .await
            .expect("connection")
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = self.child.wait().await;
    }
}

fn md5_hex(raw: &str) -> String {
    gateway_core::cache::redis::hashed_key(raw)
}

fn config(dir: &Path, port: u16) -> PathBuf {
    write_config(
        dir,
        vec![upstream_entry("echo_server", &[])],
        json!({
            "enkrypt_mcp_use_external_cache": true,
            "enkrypt_cache_host": "127.0.0.1",
            "enkrypt_cache_port": port,
            "enkrypt_cache_db": 0,
            "enkrypt_tool_cache_expiration": 2
        }),
    )
}

/// A gateway whose stderr lines are collected.
async fn gateway(config: &Path) -> (Session, Arc<Mutex<Vec<String>>>) {
    let mut child = gateway_command(config, Some(KEY)).spawn().expect("spawn");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().expect("stderr");
    let sink = lines.clone();
    tokio::spawn(async move {
        let mut reader = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(line)) = reader.next_line().await {
            eprintln!("[gateway] {line}");
            if let Ok(mut all) = sink.lock() {
                all.push(line);
            }
        }
    });
    let (stdout, stdin) = (
        child.stdout.take().expect("stdout"),
        child.stdin.take().expect("stdin"),
    );
    use rmcp::ClientServiceExt;
    let info = rmcp::model::ClientConfig::new(
        rmcp::model::ClientCapabilities::default(),
        rmcp::model::Implementation::new("redis-test", "0"),
    );
    let client = info
        .serve_with_lifecycle((stdout, stdin), legacy())
        .await
        .expect("initialize");
    (Session { client, child }, lines)
}

const KEY_RAW: &str = "test-gateway-id-echo_server-tools";

#[tokio::test]
async fn two_gateways_share_tool_lists_with_the_reference_keys_and_ttl() {
    let redis = start_redis(free_port()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = config(dir.path(), redis.port);
    let (a, _) = gateway(&path).await;
    assert!(
        a.tool_names()
            .await
            .contains(&"echo_server__echo".to_string())
    );

    let mut conn = redis.conn().await;
    let stored: Option<String> = conn.get(md5_hex(KEY_RAW)).await.expect("GET");
    let stored: serde_json::Value =
        serde_json::from_str(&stored.expect("the tool list is in Redis under md5(key)"))
            .expect("json");
    assert!(stored["tools"].as_array().is_some_and(|t| !t.is_empty()));
    let ttl: i64 = conn.ttl(md5_hex(KEY_RAW)).await.expect("TTL");
    assert!(
        ttl > 3600 && ttl <= 7200,
        "TTL follows enkrypt_tool_cache_expiration (2 h): {ttl}"
    );
    let members: Vec<String> = conn
        .smembers("registry:test-gateway-id:servers")
        .await
        .expect("SMEMBERS");
    assert_eq!(members, vec!["echo_server".to_string()]);

    let (b, _) = gateway(&path).await;
    let status = b.call_json("enkrypt_get_cache_status", json!({})).await;
    let cache = &status["cache_status"];
    assert_eq!(cache["global"]["cache_type"], "external_cache");
    assert_eq!(
        cache["gateway_specific"]["tools"]["servers"]["echo_server"]["exists"], true,
        "the second gateway sees the first one's tool list: {status}"
    );

    let cleared = b
        .call_json(
            "enkrypt_clear_cache",
            json!({"server_name": "echo_server", "cache_type": "server_config"}),
        )
        .await;
    assert_eq!(cleared["status"], "success", "{cleared}");
    let gone: Option<String> = conn.get(md5_hex(KEY_RAW)).await.expect("GET");
    assert!(gone.is_none(), "clearing removes the Redis key");
    a.close().await;
    b.close().await;
    redis.stop().await;
}

#[tokio::test]
async fn redis_down_mid_run_keeps_serving_with_one_warning_and_reconnects() {
    let port = free_port();
    let redis = start_redis(port).await;
    let dir = tempfile::tempdir().expect("tmp");
    let path = config(dir.path(), port);
    let (gw, stderr) = gateway(&path).await;
    assert!(
        gw.tool_names()
            .await
            .contains(&"echo_server__echo".to_string())
    );
    redis.stop().await;

    for i in 0..5 {
        let message = format!("still serving {i}");
        let result = gw
            .call("echo_server__echo", json!({"message": message}))
            .await;
        assert_eq!(text(&result), message);
        gw.call_json("enkrypt_clear_cache", json!({})).await;
        assert!(
            gw.tool_names()
                .await
                .contains(&"echo_server__echo".to_string())
        );
    }
    let warnings = stderr
        .lock()
        .map(|l| {
            l.iter()
                .filter(|l| l.contains("external cache (Redis) unavailable"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(warnings, 1, "one warning per outage");

    let redis = start_redis(port).await;
    let mut conn = redis.conn().await;
    let mut back = false;
    for _ in 0..40 {
        gw.call_json("enkrypt_clear_cache", json!({})).await;
        let _ = gw.tool_names().await;
        let stored: Option<String> = conn.get(md5_hex(KEY_RAW)).await.expect("GET");
        if stored.is_some() {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "the gateway writes to Redis again once it is back");
    gw.close().await;
    redis.stop().await;
}

#[tokio::test]
async fn the_gateway_config_is_shared_masked_with_the_gateway_ttl_and_clearable() {
    let redis = start_redis(free_port()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut server = upstream_entry("echo_server", &[]);
    server["config"]["env"] =
        json!({"LITERAL_TOKEN": "ghp_literal_secret_value", "REF": "${env:HOME}"});
    let path = write_config(
        dir.path(),
        vec![server],
        json!({
            "enkrypt_mcp_use_external_cache": true,
            "enkrypt_cache_host": "127.0.0.1",
            "enkrypt_cache_port": redis.port,
            "enkrypt_gateway_cache_expiration": 3
        }),
    );
    let (a, _) = gateway(&path).await;
    let mut conn = redis.conn().await;
    let config_key = md5_hex("test-gateway-id-mcp-config");
    let mut stored: Option<String> = None;
    for _ in 0..50 {
        stored = conn.get(&config_key).await.expect("GET");
        if stored.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let text = stored.expect("the gateway config is in Redis under md5('{id}-mcp-config')");
    assert!(
        !text.contains("ghp_literal_secret_value"),
        "a literal secret never reaches Redis: {text}"
    );
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    let entry = &value["config"]["mcp_config"][0];
    assert_eq!(entry["server_name"], "echo_server");
    assert_eq!(entry["config"]["env"]["LITERAL_TOKEN"], "***");
    assert_eq!(entry["config"]["env"]["REF"], "${env:HOME}");
    let ttl: i64 = conn.ttl(&config_key).await.expect("TTL");
    assert!(
        ttl > 2 * 3600 && ttl <= 3 * 3600,
        "TTL follows enkrypt_gateway_cache_expiration (3 h): {ttl}"
    );
    let mapped: Option<String> = conn
        .get(md5_hex(&format!("gateway_key-{KEY}")))
        .await
        .expect("GET");
    assert_eq!(mapped.as_deref(), Some("test-gateway-id"), "key -> id");
    let all: Vec<u8> = redis::cmd("DUMP")
        .arg(&config_key)
        .query_async(&mut conn)
        .await
        .expect("DUMP");
    assert!(
        !String::from_utf8_lossy(&all).contains(KEY),
        "the key is never stored"
    );

    let status = a.call_json("enkrypt_get_cache_status", json!({})).await;
    let config = &status["cache_status"]["gateway_specific"]["config"];
    assert_eq!(config["exists"], true, "{status}");
    assert_eq!(status["cache_status"]["global"]["total_config_caches"], 1);

    let cleared = a
        .call_json(
            "enkrypt_clear_cache",
            json!({"cache_type": "gateway_config"}),
        )
        .await;
    assert_eq!(cleared["status"], "success", "{cleared}");
    assert_eq!(
        cleared["message"],
        "Gateway config cache cleared for test-gateway-id"
    );
    let gone: Option<String> = conn.get(&config_key).await.expect("GET");
    assert!(gone.is_none(), "clearing removes the config key from Redis");
    let again = a
        .call_json(
            "enkrypt_clear_cache",
            json!({"cache_type": "gateway_config"}),
        )
        .await;
    assert_eq!(again["status"], "info", "{again}");
    a.close().await;
    redis.stop().await;
}
