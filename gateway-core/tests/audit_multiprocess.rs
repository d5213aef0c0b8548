//! Several gateway processes append to one audit file while it rotates under them: every line stays a
//! whole JSON object, and no event is lost or written twice.
//!
//! The test binary re-executes itself as the writers: `child_appender` does nothing in a normal run and
//! becomes one writer process when `AUDIT_MP_CHILD_PATH` is set.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use gateway_core::audit::{AuditEvent, AuditLog, AuditOptions, Decision, EventKind};

const CHILD_PATH_ENV: &str = "AUDIT_MP_CHILD_PATH";
const CHILD_ID_ENV: &str = "AUDIT_MP_CHILD_ID";
const CHILDREN: usize = 4;
const EVENTS_PER_CHILD: usize = 2_000;
/// Small enough that the ~1.6 MB written rotates dozens of times, with `keep` large enough that no file
/// is deleted, so every event can be counted afterwards.
const OPTS: AuditOptions = AuditOptions {
    max_bytes: 32 * 1024,
    keep: 200,
};
const WAIT: Duration = Duration::from_secs(60);

#[test]
fn child_appender() {
    let Some(path) = std::env::var_os(CHILD_PATH_ENV) else {
        return;
    };
    let id = std::env::var(CHILD_ID_ENV).expect("child id is set");
    let log = AuditLog::open(Path::new(&path), OPTS).expect("child opens the audit log");
    for i in 0..EVENTS_PER_CHILD {
        log.record(
            AuditEvent::new(EventKind::Request, "gw-mp")
                .with_server("echo")
                .with_tool("echo")
                .with_decision(Decision::Allowed)
                .with_detectors(["none"])
                .with_duration(Duration::from_micros(i as u64))
                .with_request_id(format!("{id}-{i}"))
                .with_message(format!("child {id} event {i}")),
        );
        // Back-pressure: this test is about lost lines, not about a full queue.
        if i % 500 == 499 {
            assert!(log.flush(WAIT), "child {id} could not flush");
        }
    }
    log.flush_and_close(WAIT);
}

#[test]
fn concurrent_processes_append_whole_lines_and_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let exe = std::env::current_exe().expect("test binary path");

    let children: Vec<_> = (0..CHILDREN)
        .map(|id| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_appender",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_PATH_ENV, &path)
                .env(CHILD_ID_ENV, id.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn a child writer")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("child runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "child ran no test: {stdout}");
    }

    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("read temp dir") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("audit.jsonl") && !name.ends_with(".lock") {
            files.push(entry.path());
        }
    }
    assert!(files.len() > 2, "rotation never happened: {files:?}");

    let mut ids = HashSet::new();
    let mut pids = HashSet::new();
    let mut lines = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read log file");
        assert!(
            text.len() as u64 <= OPTS.max_bytes,
            "{} exceeds the limit",
            file.display()
        );
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{} ends mid-line",
            file.display()
        );
        for line in text.lines() {
            let event: AuditEvent = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("torn line in {}: {e}: {line:?}", file.display()));
            assert_eq!(event.event, EventKind::Request, "unexpected note: {line}");
            ids.insert(event.request_id.expect("request id"));
            pids.insert(event.pid);
            lines += 1;
        }
    }
    assert_eq!(lines, CHILDREN * EVENTS_PER_CHILD, "lost or extra lines");
    assert_eq!(ids.len(), CHILDREN * EVENTS_PER_CHILD, "duplicated events");
    assert_eq!(pids.len(), CHILDREN, "every child wrote");
}
