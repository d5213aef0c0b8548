//! Unit tests for [`super`]: filters, `read_recent` across rotated files, and the tail: partial lines,
//! malformed lines, truncation, rotation (one or several between two polls, late lines in the old file),
//! a log that does not exist yet, and the threaded follower against the real writer.
//!
//! The tail itself ([`Tailer`]) is synchronous, so most cases drive `poll` directly and need no timing.
//! The threaded tests wait on the stream with a deadline; none sleeps to synchronise.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use time::macros::datetime;

use super::*;
use crate::audit::{AuditLog, AuditOptions};

const WAIT: Duration = Duration::from_secs(10);

fn event(i: usize) -> AuditEvent {
    AuditEvent::new(EventKind::Request, "gw")
        .with_server("echo_server")
        .with_tool("echo")
        .with_decision(Decision::Allowed)
        .with_request_id(i.to_string())
}

fn line(event: &AuditEvent) -> String {
    let mut text = serde_json::to_string(event).expect("an event serialises");
    text.push('\n');
    text
}

fn lines(range: std::ops::Range<usize>) -> String {
    range.map(|i| line(&event(i))).collect()
}

fn append(path: &Path, text: &str) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    file.write_all(text.as_bytes()).expect("append");
}

fn ids(events: &[AuditEvent]) -> Vec<usize> {
    events
        .iter()
        .map(|e| {
            e.request_id
                .as_deref()
                .and_then(|id| id.parse().ok())
                .expect("numeric request id")
        })
        .collect()
}

fn tailer(path: &Path, filter: AuditFilter) -> Tailer {
    Tailer::new(path.to_path_buf(), filter, Arc::new(AtomicU64::new(0)))
}

fn poll(tail: &mut Tailer) -> Vec<usize> {
    let mut out = Vec::new();
    tail.poll(&mut out).expect("poll");
    ids(&out)
}

fn started(path: &Path, backlog: usize) -> (Tailer, Vec<usize>) {
    let mut tail = tailer(path, AuditFilter::default());
    let mut out = Vec::new();
    tail.start(backlog, &mut out).expect("start");
    (tail, ids(&out))
}

// ---- filter ----

#[test]
fn empty_filter_matches_everything() {
    assert!(AuditFilter::default().matches(&event(0)));
    assert!(AuditFilter::default().matches(&AuditEvent::new(EventKind::Config, "other")));
}

#[test]
fn each_filter_field_must_match() {
    let blocked = event(1)
        .with_decision(Decision::Blocked)
        .with_detectors(["injection_attack"]);
    let cases = [
        (
            AuditFilter {
                server: Some("echo_server".into()),
                ..Default::default()
            },
            true,
        ),
        (
            AuditFilter {
                server: Some("github".into()),
                ..Default::default()
            },
            false,
        ),
        (
            AuditFilter {
                tool: Some("echo".into()),
                ..Default::default()
            },
            true,
        ),
        (
            AuditFilter {
                tool: Some("ech".into()),
                ..Default::default()
            },
            false,
        ),
        (
            AuditFilter {
                decision: Some(Decision::Blocked),
                ..Default::default()
            },
            true,
        ),
        (
            AuditFilter {
                decision: Some(Decision::Allowed),
                ..Default::default()
            },
            false,
        ),
        (
            AuditFilter {
                events: vec![EventKind::Block, EventKind::Request],
                ..Default::default()
            },
            true,
        ),
        (
            AuditFilter {
                events: vec![EventKind::Response],
                ..Default::default()
            },
            false,
        ),
        (
            AuditFilter {
                gateway_id: Some("gw".into()),
                ..Default::default()
            },
            true,
        ),
        (
            AuditFilter {
                gateway_id: Some("gw2".into()),
                ..Default::default()
            },
            false,
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(filter.matches(&blocked), expected, "{filter:?}");
    }
}

#[test]
fn since_compares_instants_not_strings() {
    let since = AuditFilter {
        since: Some(datetime!(2025-01-31 12:00:00 UTC)),
        ..Default::default()
    };
    let at = |ts: &str| AuditEvent {
        ts: ts.into(),
        ..event(0)
    };
    // As strings "…00Z" sorts after "…00.500Z"; as instants it is earlier.
    assert!(since.matches(&at("2025-01-31T12:00:00Z")));
    assert!(since.matches(&at("2025-01-31T12:00:00.500Z")));
    assert!(!since.matches(&at("2025-01-31T11:59:59.999Z")));
    // 13:30+02:00 is 11:30 UTC.
    assert!(!since.matches(&at("2025-01-31T13:30:00+02:00")));
    assert!(since.matches(&at("2025-01-31T08:00:00-05:00")));
    assert!(
        !since.matches(&at("yesterday")),
        "an unreadable ts never passes `since`"
    );
    assert!(AuditFilter::default().matches(&at("yesterday")));
}

#[test]
fn filter_reads_and_writes_rfc3339_json() {
    let filter: AuditFilter = serde_json::from_value(json!({
        "decision": "blocked",
        "events": ["block"],
        "since": "2025-01-31T12:00:00Z"
    }))
    .expect("a filter parses");
    assert_eq!(filter.decision, Some(Decision::Blocked));
    assert_eq!(filter.since, Some(datetime!(2025-01-31 12:00:00 UTC)));
    let back = serde_json::to_value(&filter).expect("a filter serialises");
    assert_eq!(
        back,
        json!({"decision": "blocked", "events": ["block"], "since": "2025-01-31T12:00:00Z"})
    );
    assert!(serde_json::from_value::<AuditFilter>(json!({"since": "10m"})).is_err());
}

// ---- read_recent ----

#[test]
fn read_recent_takes_the_newest_from_current_then_rotated_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(rotated_path(&path, 2), lines(0..2)).expect("write .2");
    fs::write(rotated_path(&path, 1), lines(2..4)).expect("write .1");
    // The last line is still being written: not an event yet.
    fs::write(&path, lines(4..6) + r#"{"ts":"2025-"#).expect("write current");
    let all = AuditFilter::default();
    assert_eq!(ids(&read_recent(&path, &all, 3).expect("read")), [3, 4, 5]);
    assert_eq!(
        ids(&read_recent(&path, &all, usize::MAX).expect("read")),
        [0, 1, 2, 3, 4, 5]
    );
    assert!(read_recent(&path, &all, 0).expect("read").is_empty());
}

#[test]
fn read_recent_filters_and_skips_malformed_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let blocked = event(7).with_decision(Decision::Blocked);
    let text = format!(
        "{}not json\n\n{}{{\"ts\":1}}\n{}",
        line(&event(1)),
        line(&blocked),
        line(&event(2))
    );
    fs::write(&path, text).expect("write");
    let only_blocked = AuditFilter {
        decision: Some(Decision::Blocked),
        ..Default::default()
    };
    assert_eq!(
        ids(&read_recent(&path, &only_blocked, 10).expect("read")),
        [7]
    );
    assert_eq!(
        ids(&read_recent(&path, &AuditFilter::default(), 10).expect("read")),
        [1, 7, 2]
    );
}

#[test]
fn read_recent_of_a_missing_log_is_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nothing.jsonl");
    assert!(
        read_recent(&path, &AuditFilter::default(), 10)
            .expect("read")
            .is_empty()
    );
}

#[test]
fn read_recent_reads_rotated_files_while_the_current_one_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(rotated_path(&path, 1), lines(0..2)).expect("write .1");
    assert_eq!(
        ids(&read_recent(&path, &AuditFilter::default(), 10).expect("read")),
        [0, 1]
    );
}

// ---- the tail, polled directly ----

#[test]
fn partial_line_waits_for_its_newline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..1)).expect("write");
    let (mut tail, backlog) = started(&path, 0);
    assert!(backlog.is_empty());
    let text = line(&event(1));
    let (head, rest) = text.split_at(text.len() / 2);
    append(&path, head);
    assert!(poll(&mut tail).is_empty());
    assert!(poll(&mut tail).is_empty());
    append(&path, rest);
    assert_eq!(poll(&mut tail), [1]);
    assert_eq!(tail.malformed.load(Ordering::Relaxed), 0);
}

#[test]
fn malformed_lines_are_skipped_and_counted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let (mut tail, _) = started(&path, 0);
    append(
        &path,
        &format!(
            "not json\n{{\"ts\":\"x\"}}\n\n{}\u{0}\u{1}\n{}",
            line(&event(1)),
            line(&event(2))
        ),
    );
    assert_eq!(poll(&mut tail), [1, 2]);
    assert_eq!(tail.malformed.load(Ordering::Relaxed), 3);
}

#[test]
fn an_over_long_line_is_dropped_without_holding_it_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let (mut tail, _) = started(&path, 0);
    append(&path, &"x".repeat(MAX_LINE_BYTES + 10));
    assert!(poll(&mut tail).is_empty());
    assert!(tail.pending.is_empty());
    append(&path, &format!("{}\n{}", "x".repeat(100), line(&event(3))));
    assert_eq!(poll(&mut tail), [3]);
    assert_eq!(tail.malformed.load(Ordering::Relaxed), 1);
}

#[test]
fn starting_mid_line_skips_that_fragment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let text = line(&event(1));
    let (head, rest) = text.split_at(10);
    fs::write(&path, lines(0..1) + head).expect("write");
    let (mut tail, _) = started(&path, 0);
    append(&path, &(rest.to_owned() + &line(&event(2))));
    assert_eq!(poll(&mut tail), [2]);
    assert_eq!(tail.malformed.load(Ordering::Relaxed), 0);
}

#[test]
fn rotation_mid_follow_reads_the_old_file_to_its_end_then_the_new_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..1)).expect("write");
    let (mut tail, _) = started(&path, 0);
    append(&path, &lines(1..2));
    assert_eq!(poll(&mut tail), [1]);

    // Another writer still holds the old file: it appends once more, then the file is rotated.
    let mut old = OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open old");
    old.write_all(lines(2..3).as_bytes()).expect("late line");
    fs::rename(&path, rotated_path(&path, 1)).expect("rotate");
    old.write_all(lines(3..4).as_bytes())
        .expect("line written before the writer noticed");
    fs::write(&path, lines(4..6)).expect("new file");
    assert_eq!(poll(&mut tail), [2, 3, 4, 5]);

    append(&path, &lines(6..7));
    assert_eq!(poll(&mut tail), [6]);
    assert!(poll(&mut tail).is_empty());
}

#[test]
fn several_rotations_between_polls_lose_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..1)).expect("write");
    let (mut tail, _) = started(&path, 0);
    append(&path, &lines(1..2));
    // First rotation.
    fs::rename(&path, rotated_path(&path, 1)).expect("rotate");
    fs::write(&path, lines(2..4)).expect("second file");
    // Second rotation: our file is now `.2`, the one we never saw is `.1`.
    fs::rename(rotated_path(&path, 1), rotated_path(&path, 2)).expect("shift");
    fs::rename(&path, rotated_path(&path, 1)).expect("rotate");
    fs::write(&path, lines(4..5)).expect("third file");
    assert_eq!(poll(&mut tail), [1, 2, 3, 4]);
}

#[test]
fn a_deleted_and_recreated_log_is_picked_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..1)).expect("write");
    let (mut tail, _) = started(&path, 0);
    append(&path, &lines(1..2));
    fs::remove_file(&path).expect("delete (rotation with keep = 0)");
    assert_eq!(poll(&mut tail), [1]);
    assert!(poll(&mut tail).is_empty());
    fs::write(&path, lines(2..3)).expect("recreate");
    assert_eq!(poll(&mut tail), [2]);
}

#[test]
fn a_truncated_log_is_read_again_from_the_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..3)).expect("write");
    let (mut tail, _) = started(&path, 0);
    OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_len(0))
        .expect("truncate");
    append(&path, &lines(3..4));
    assert_eq!(poll(&mut tail), [3]);
}

#[test]
fn a_log_that_does_not_exist_yet_is_followed_from_its_creation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("logs").join("audit.jsonl");
    let (mut tail, backlog) = started(&path, 5);
    assert!(backlog.is_empty());
    assert!(poll(&mut tail).is_empty());
    fs::create_dir_all(dir.path().join("logs")).expect("mkdir");
    fs::write(&path, lines(0..2)).expect("create");
    assert_eq!(poll(&mut tail), [0, 1]);
}

#[test]
fn backlog_comes_from_the_current_then_the_rotated_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(rotated_path(&path, 1), lines(0..2)).expect("write .1");
    fs::write(&path, lines(2..3) + &line(&event(3))[..5]).expect("write current");
    let (mut tail, backlog) = started(&path, 2);
    assert_eq!(backlog, [1, 2]);
    let (_, backlog) = started(&path, 100);
    assert_eq!(backlog, [0, 1, 2]);
    // The unfinished line was kept and completes later.
    append(&path, &line(&event(3))[5..]);
    assert_eq!(poll(&mut tail), [3]);
}

#[test]
fn the_tail_applies_the_filter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let mut tail = tailer(
        &path,
        AuditFilter {
            decision: Some(Decision::Blocked),
            ..Default::default()
        },
    );
    tail.start(0, &mut Vec::new()).expect("start");
    append(
        &path,
        &(lines(0..2) + &line(&event(2).with_decision(Decision::Blocked))),
    );
    assert_eq!(poll(&mut tail), [2]);
}

// ---- the threaded follower ----

async fn next_id(follower: &mut AuditFollower) -> usize {
    let item = tokio::time::timeout(WAIT, follower.next())
        .await
        .expect("an event before the deadline")
        .expect("the stream is open")
        .expect("no read error");
    ids(std::slice::from_ref(&item))[0]
}

#[tokio::test]
async fn follower_delivers_every_event_in_order_across_real_rotations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let opts = AuditOptions {
        max_bytes: 1500,
        keep: 100,
    };
    let log = AuditLog::open(&path, opts).expect("open");
    // Everything ever written is delivered once: what predates the start as backlog, the rest live.
    let mut follower = follow_with(
        &path,
        AuditFilter::default(),
        FollowOptions {
            backlog: usize::MAX,
            ..Default::default()
        },
    )
    .expect("follow");
    let mut next = 0;
    for batch in 0..6 {
        for i in batch * 10..(batch + 1) * 10 {
            log.record(event(i));
        }
        let flushing = log.clone();
        let flushed = tokio::task::spawn_blocking(move || flushing.flush(WAIT))
            .await
            .expect("join");
        assert!(flushed);
        while next < (batch + 1) * 10 {
            assert_eq!(next_id(&mut follower).await, next);
            next += 1;
        }
    }
    assert!(
        rotated_path(&path, 3).exists(),
        "the writer rotated several times"
    );
    assert_eq!(follower.malformed_lines(), 0);
    let closing = log.clone();
    tokio::task::spawn_blocking(move || closing.flush_and_close(WAIT))
        .await
        .expect("join");
}

#[tokio::test]
async fn follower_delivers_a_new_line_promptly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    fs::write(&path, lines(0..1)).expect("write");
    let mut follower = follow_with(
        &path,
        AuditFilter::default(),
        FollowOptions {
            backlog: 1,
            ..Default::default()
        },
    )
    .expect("follow");
    assert_eq!(next_id(&mut follower).await, 0);
    let written = Instant::now();
    append(&path, &lines(1..2));
    assert_eq!(next_id(&mut follower).await, 1);
    // The poll interval is 100 ms; the bound is loose because CI machines are shared.
    assert!(
        written.elapsed() < Duration::from_secs(1),
        "{:?}",
        written.elapsed()
    );
    assert!(DEFAULT_POLL_INTERVAL <= Duration::from_millis(100));
}

#[tokio::test]
async fn dropping_the_follower_stops_its_thread() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let follower = follow(&path, AuditFilter::default()).expect("follow");
    let AuditFollower {
        rx, _stop, _thread, ..
    } = follower;
    drop(rx);
    drop(_stop);
    let joined = tokio::time::timeout(WAIT, tokio::task::spawn_blocking(move || _thread.join()))
        .await
        .expect("the thread ends before the deadline")
        .expect("join task");
    assert!(joined.is_ok(), "the follower thread did not panic");
}
