//! Unit tests for [`super::AuditLog`]: line format, scrubbing on the way to disk, rotation, reopening after
//! another process rotated, and `record` on a full queue. Multi-process appends are covered by
//! `tests/audit_multiprocess.rs`.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use super::rotate::lock_path;
use super::*;

const WAIT: Duration = Duration::from_secs(10);

fn request(i: usize) -> AuditEvent {
    AuditEvent::new(EventKind::Request, "gw")
        .with_server("echo")
        .with_tool("echo")
        .with_decision(Decision::Allowed)
        .with_request_id(i.to_string())
}

fn read_events(path: &Path) -> Vec<AuditEvent> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

#[test]
fn each_event_is_one_json_line_with_message_scrubbed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("logs").join("audit.jsonl");
    let log = AuditLog::open(&path, AuditOptions::default()).expect("open");
    assert_eq!(log.path(), Some(path.as_path()));
    log.record(request(0).with_message("upstream said: Bearer abc.def.ghi"));
    log.record(request(1).with_detectors(["pii"]));
    log.flush_and_close(WAIT);

    let text = fs::read_to_string(&path).expect("log written");
    assert_eq!(text.lines().count(), 2);
    assert!(text.ends_with('\n'));
    assert!(!text.contains("abc.def.ghi"), "{text}");
    let events = read_events(&path);
    assert_eq!(
        events[0].message.as_deref(),
        Some("upstream said: Bearer [REDACTED]")
    );
    assert_eq!(events[1].detectors, ["pii"]);
}

#[test]
fn rotation_keeps_only_keep_files_each_under_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let opts = AuditOptions {
        max_bytes: 1000,
        keep: 3,
    };
    let log = AuditLog::open(&path, opts).expect("open");
    for i in 0..100 {
        log.record(request(i));
    }
    log.flush_and_close(WAIT);

    assert!(!rotated_path(&path, 4).exists());
    let mut ids = Vec::new();
    for file in [3, 2, 1]
        .map(|n| rotated_path(&path, n))
        .iter()
        .chain([&path])
    {
        let size = fs::metadata(file).expect("rotated file exists").len();
        assert!(size <= opts.max_bytes, "{} is {size} bytes", file.display());
        for ev in read_events(file) {
            ids.push(ev.request_id.expect("id").parse::<usize>().expect("number"));
        }
    }
    // The newest events survive, in order, with nothing missing in between.
    let first = ids[0];
    assert!(first > 0, "something must have been rotated away");
    assert_eq!(ids, (first..100).collect::<Vec<_>>());
}

#[test]
fn reopens_when_another_process_rotated_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path, AuditOptions::default()).expect("open");
    log.record(request(1));
    assert!(log.flush(WAIT));
    // What another gateway's rotation looks like from here.
    fs::rename(&path, rotated_path(&path, 1)).expect("rename");
    log.record(request(2));
    log.flush_and_close(WAIT);

    let ids = |p: &Path| -> Vec<Option<String>> {
        read_events(p).into_iter().map(|e| e.request_id).collect()
    };
    assert_eq!(ids(&rotated_path(&path, 1)), [Some("1".to_string())]);
    assert_eq!(ids(&path), [Some("2".to_string())]);
}

#[test]
fn record_on_a_full_queue_returns_at_once_and_the_drop_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open_with_capacity(&path, AuditOptions::default(), 8).expect("open");

    // Stall the writer: it needs this lock before it can write anything.
    let lock = fs::File::open(lock_path(&path)).expect("lock file exists");
    fs4::FileExt::lock(&lock).expect("take the lock");
    const TOTAL: usize = 1000;
    let start = Instant::now();
    for i in 0..TOTAL {
        log.record(request(i));
    }
    // Had `record` blocked, the loop above would never end while we hold the lock.
    assert!(start.elapsed() < WAIT);
    fs4::FileExt::unlock(&lock).expect("release the lock");
    log.flush_and_close(WAIT);

    let events = read_events(&path);
    let written = events
        .iter()
        .filter(|e| e.event == EventKind::Request)
        .count();
    let notes: Vec<&AuditEvent> = events
        .iter()
        .filter(|e| e.event == EventKind::Error)
        .collect();
    assert!(!notes.is_empty(), "the drop is reported");
    let mut dropped = 0;
    for note in &notes {
        assert_eq!(note.decision, Some(Decision::Error));
        assert_eq!(note.gateway_id, "gw");
        let message = note.message.as_deref().expect("note has a message");
        dropped += message
            .split_whitespace()
            .find_map(|w| w.parse::<usize>().ok())
            .expect("note gives a count");
    }
    // One note per writer batch, not one per dropped event.
    assert!(
        notes.len() < dropped,
        "{} notes for {dropped} drops",
        notes.len()
    );
    assert_eq!(written + dropped, TOTAL, "no event vanishes unaccounted");
}

#[test]
fn a_tailing_reader_sees_an_event_without_an_explicit_flush() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path, AuditOptions::default()).expect("open");
    log.record(request(7));
    let deadline = Instant::now() + WAIT;
    while fs::metadata(&path).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "event never reached the file");
        std::thread::yield_now();
    }
    assert_eq!(read_events(&path).len(), 1);
    log.flush_and_close(WAIT);
}

#[test]
fn close_is_idempotent_and_later_records_are_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path, AuditOptions::default()).expect("open");
    let clone = log.clone();
    log.record(request(1));
    log.flush_and_close(WAIT);
    clone.flush_and_close(WAIT);
    clone.record(request(2));
    assert!(!clone.flush(Duration::from_millis(50)));
    assert_eq!(read_events(&path).len(), 1);
}

#[test]
fn disabled_log_records_nothing() {
    let log = AuditLog::disabled();
    assert_eq!(log.path(), None);
    log.record(request(1));
    assert!(log.flush(WAIT));
    log.flush_and_close(WAIT);
}

#[test]
fn open_error_names_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A directory where the file should be.
    let path = dir.path().join("audit.jsonl");
    fs::create_dir(&path).expect("mkdir");
    let err = AuditLog::open(&path, AuditOptions::default()).expect_err("cannot append to a dir");
    assert!(matches!(err, AuditError::Open { .. }));
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn default_path_is_under_home() {
    let p = default_path();
    assert!(
        p.ends_with(Path::new(".enkrypt/logs/audit.jsonl")),
        "{}",
        p.display()
    );
}

#[cfg(unix)]
#[test]
fn files_and_new_directories_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("new").join("audit.jsonl");
    let log = AuditLog::open(&path, AuditOptions::default()).expect("open");
    log.flush_and_close(WAIT);
    let mode = |p: &Path| fs::metadata(p).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&lock_path(&path)), 0o600);
    assert_eq!(mode(&dir.path().join("new")), 0o700);
}
