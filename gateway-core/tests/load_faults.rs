//! Load with faults through the real binary: 10,000 calls, 64 in flight, across three upstreams while
//! one of them is SIGKILLed every few hundred calls. Every call gets exactly its own answer or a clear
//! error naming the failing server, the healthy servers never fail, no child process is left behind,
//! and the gateway's memory stays flat.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use serde_json::json;

const CALLS: usize = 10_000;
const IN_FLIGHT: usize = 64;
const KILL_EVERY: usize = 400;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Pids of live processes whose command line contains `needle`.
fn processes_with(needle: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| {
                    String::from_utf8_lossy(&c)
                        .replace('\0', " ")
                        .contains(needle)
                })
                .unwrap_or(false)
                && alive(*pid)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_with_a_crashing_upstream_lose_nothing() {
    let tag = format!("lf{}", std::process::id());
    let names: Vec<String> = ["a", "b", "victim"]
        .iter()
        .map(|n| format!("{tag}_{n}"))
        .collect();
    let dir = tempfile::tempdir().expect("tmp");
    let servers = names.iter().map(|n| upstream_entry(n, &[])).collect();
    let config = write_config(
        dir.path(),
        servers,
        json!({"upstream_timeout_seconds": 10, "upstream_start_timeout_seconds": 10}),
    );
    let session = Arc::new(connect(&config, legacy()).await);
    let gateway_pid = session.child.id().expect("gateway pid");
    let victim = format!("--name {}", names[2]);

    let done = Arc::new(AtomicUsize::new(0));
    let semaphore = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let rss_early = Arc::new(std::sync::Mutex::new(0u64));
    let killer = {
        let done = done.clone();
        let victim = victim.clone();
        let rss_early = rss_early.clone();
        tokio::spawn(async move {
            let mut next_kill = KILL_EVERY;
            let mut kills = 0;
            while done.load(Ordering::Relaxed) < CALLS {
                let now = done.load(Ordering::Relaxed);
                if now >= 2_000
                    && let Ok(mut early) = rss_early.lock()
                    && *early == 0
                {
                    *early = rss_kib(gateway_pid);
                }
                if now >= next_kill {
                    for pid in processes_with(&victim) {
                        let _ = nix::sys::signal::kill(
                            nix::unistd::Pid::from_raw(pid),
                            nix::sys::signal::Signal::SIGKILL,
                        );
                        kills += 1;
                    }
                    next_kill = now + KILL_EVERY;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            kills
        })
    };

    let mut tasks = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let permit = semaphore.clone().acquire_owned().await.expect("semaphore");
        let session = session.clone();
        let server = names[i % 3].clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let message = format!("call-{i}-{server}");
            let mut params = rmcp::model::CallToolRequestParams::new(format!("{server}__echo"));
            params = params.with_arguments(
                json!({"message": message})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            );
            let outcome = tokio::time::timeout(
                Duration::from_secs(60),
                session.client.peer().call_tool(params),
            )
            .await;
            drop(permit);
            done.fetch_add(1, Ordering::Relaxed);
            (i, server, message, outcome)
        }));
    }

    let (mut ok, mut failed_victim) = (0usize, 0usize);
    for task in tasks {
        let (i, server, message, outcome) = task.await.expect("task");
        let result = outcome
            .unwrap_or_else(|_| panic!("call {i} to {server} was never answered"))
            .unwrap_or_else(|e| panic!("call {i} to {server} failed at the protocol level: {e}"));
        let body = text(&result);
        if result.is_error == Some(true) {
            assert_eq!(
                server, names[2],
                "only the killed server fails: call {i}: {body}"
            );
            assert!(
                body.contains(&names[2]),
                "the error names the server: {body}"
            );
            failed_victim += 1;
        } else {
            assert_eq!(body, message, "call {i} got someone else's answer");
            ok += 1;
        }
    }
    let kills = killer.await.expect("killer");
    assert_eq!(
        ok + failed_victim,
        CALLS,
        "every call answered exactly once"
    );
    assert!(
        kills >= 5,
        "the victim was killed repeatedly ({kills} kills)"
    );
    assert!(ok >= CALLS * 2 / 3, "healthy servers never fail ({ok} ok)");

    let rss_late = rss_kib(gateway_pid);
    let early = *rss_early.lock().expect("rss");
    eprintln!(
        "load_faults: {ok} ok, {failed_victim} failed on the killed server, {kills} kills, RSS {early} KiB after 2k calls -> {rss_late} KiB after 10k"
    );
    assert!(
        rss_late <= early + 16 * 1024,
        "memory stays flat: {early} KiB -> {rss_late} KiB"
    );

    let session = Arc::try_unwrap(session).unwrap_or_else(|_| panic!("tasks done"));
    session.close().await;
    assert!(
        eventually(Duration::from_secs(3), || processes_with(&tag).is_empty()).await,
        "no upstream left behind: {:?}",
        processes_with(&tag)
    );
}
