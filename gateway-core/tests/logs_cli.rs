//! `gateway-core logs` and `gateway-core init` as a user runs them: the real binary, real files.
//!
//! `logs --follow --json` must print every event the audit writer appends, in order, across rotations,
//! and stop cleanly on SIGINT or when its reader goes away; `logs -n 2 --decision blocked` prints the two
//! newest blocks as readable lines; without a usable config `logs` falls back to the default log. `init`
//! (HOME in a temp dir) creates a config that `check-config` accepts, with a fresh 48-character key, and
//! refuses to run a second time. Lines are read with deadlines; nothing sleeps to synchronise.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use gateway_core::audit::{AuditEvent, AuditLog, AuditOptions, Decision, EventKind};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const WAIT: Duration = Duration::from_secs(20);

fn gateway() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway-core"));
    cmd.env_remove("ENKRYPT_CONFIG_PATH")
        .env_remove("ENKRYPT_GATEWAY_KEY")
        .env("ENKRYPT_LOG_LEVEL", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// A config whose audit log is `audit`.
fn write_config(dir: &Path, audit: &Path) -> PathBuf {
    let config = json!({
        "common_mcp_gateway_config": {"enkrypt_audit_log_path": audit},
        "gateways": {"logs-test-key-0123456789abcdef": {"id": "gw-logs", "mcp_config": []}}
    });
    let path = dir.join("enkrypt_mcp_config.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&config).expect("json")).expect("write config");
    path
}

fn event(i: usize) -> AuditEvent {
    AuditEvent::new(EventKind::Request, "gw-logs")
        .with_server("echo_server")
        .with_tool("echo")
        .with_decision(Decision::Allowed)
        .with_request_id(i.to_string())
}

async fn flush(log: &AuditLog) {
    let log = log.clone();
    let flushed = tokio::task::spawn_blocking(move || log.flush(WAIT))
        .await
        .expect("join");
    assert!(flushed, "the audit writer flushed");
}

async fn close(log: AuditLog) {
    tokio::task::spawn_blocking(move || log.flush_and_close(WAIT))
        .await
        .expect("join");
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("a line before the deadline")
        .expect("stdout is readable")
        .expect("stdout is still open")
}

fn request_id(line: &str) -> usize {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    v["request_id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no numeric request_id in {line}"))
}

/// Every line of the audit file and its rotated files.
fn all_logged_lines(path: &Path) -> HashSet<String> {
    let mut files = vec![path.to_path_buf()];
    files.extend((1..=100).map(|n| gateway_core::audit::rotated_path(path, n)));
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|text| text.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

fn spawn_follow(config: &Path) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = gateway()
        .arg("--config")
        .arg(config)
        .args(["logs", "--follow", "--json", "-n", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gateway-core logs");
    let stdout = child.stdout.take().expect("piped stdout");
    (child, BufReader::new(stdout).lines())
}

async fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("exits before the deadline")
        .expect("wait")
}

#[tokio::test]
async fn follow_json_prints_every_event_live_across_rotations_and_stops_on_sigint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = dir.path().join("logs").join("audit.jsonl");
    let config = write_config(dir.path(), &audit);
    let opts = AuditOptions {
        max_bytes: 1500,
        keep: 100,
    };
    let log = AuditLog::open(&audit, opts).expect("open audit log");
    log.record(event(0));
    flush(&log).await;

    let (mut child, mut lines) = spawn_follow(&config);
    // The event written before the start comes as backlog: from here on the follower is live.
    assert_eq!(request_id(&next_line(&mut lines).await), 0);

    let mut printed = Vec::new();
    for batch in 0..3 {
        for i in 1 + batch * 10..=(batch + 1) * 10 {
            log.record(event(i));
        }
        flush(&log).await;
        for _ in 0..10 {
            printed.push(next_line(&mut lines).await);
        }
    }
    let ids: Vec<usize> = printed.iter().map(|l| request_id(l)).collect();
    assert_eq!(ids, (1..=30).collect::<Vec<_>>());
    assert!(
        gateway_core::audit::rotated_path(&audit, 2).exists(),
        "the log rotated while being followed"
    );
    // `--json` prints the lines as the writer wrote them.
    let logged = all_logged_lines(&audit);
    for line in &printed {
        assert!(logged.contains(line), "not a line of the log: {line}");
    }

    let pid = nix::unistd::Pid::from_raw(child.id().expect("running") as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("send SIGINT");
    let status = wait_exit(&mut child).await;
    assert!(status.success(), "Ctrl-C ends `logs -f` cleanly: {status}");
    close(log).await;
}

#[tokio::test]
async fn follow_exits_cleanly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = dir.path().join("audit.jsonl");
    let config = write_config(dir.path(), &audit);
    let log = AuditLog::open(&audit, AuditOptions::default()).expect("open audit log");
    log.record(event(0));
    flush(&log).await;

    let (mut child, mut lines) = spawn_follow(&config);
    assert_eq!(request_id(&next_line(&mut lines).await), 0);
    drop(lines); // like `logs -f | head -1` after its first line
    log.record(event(1));
    flush(&log).await;
    let status = wait_exit(&mut child).await;
    assert!(
        status.success(),
        "a closed stdout is a normal end: {status}"
    );
    close(log).await;
}

async fn run(cmd: &mut Command) -> Output {
    tokio::time::timeout(
        WAIT,
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).output(),
    )
    .await
    .expect("finishes before the deadline")
    .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn last_two_blocks_print_as_readable_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = dir.path().join("audit.jsonl");
    let config = write_config(dir.path(), &audit);
    let log = AuditLog::open(&audit, AuditOptions::default()).expect("open audit log");
    let block = |tool: &str| {
        AuditEvent::new(EventKind::Block, "gw-logs")
            .with_server("echo_server")
            .with_tool(tool)
            .with_decision(Decision::Blocked)
            .with_detectors(["injection_attack"])
            .with_side("input")
            .with_duration(Duration::from_micros(3_200))
            .with_message("input blocked by injection_attack")
    };
    log.record(event(0));
    log.record(block("first"));
    log.record(event(1));
    log.record(block("second"));
    log.record(block("third"));
    log.record(event(2));
    close(log).await;

    let out = run(gateway().arg("--config").arg(&config).args([
        "logs",
        "-n",
        "2",
        "--decision",
        "blocked",
    ]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // A date line appears only if the test straddles midnight UTC.
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("-- ")).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, tool) in lines.iter().zip(["second", "third"]) {
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(columns.len(), 12, "{line}");
        assert_eq!(columns[0].len(), "12:03:04.123".len(), "{line}");
        assert_eq!(columns[1], "BLOCK", "{line}");
        assert_eq!(columns[2], format!("echo_server/{tool}"), "{line}");
        assert_eq!(columns[3], "blocked", "{line}");
        assert!(
            line.contains("[input: injection_attack]  3.2 ms  input blocked by injection_attack"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn without_a_config_logs_reads_the_default_log_and_says_so() {
    let home = tempfile::tempdir().expect("temp home");
    let audit = home
        .path()
        .join(".enkrypt")
        .join("logs")
        .join("audit.jsonl");
    let log = AuditLog::open(&audit, AuditOptions::default()).expect("open audit log");
    log.record(event(7));
    close(log).await;

    let out = run(gateway()
        .env("HOME", home.path())
        .arg("--config")
        .arg(home.path().join("missing.json"))
        .args(["logs", "--json"]))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("note:"), "{stderr}");
    assert!(
        stderr.contains(&audit.display().to_string()),
        "names the default log: {stderr}"
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().map(request_id).collect::<Vec<_>>(), [7]);
}

#[tokio::test]
async fn init_creates_a_valid_private_config_once() {
    let home = tempfile::tempdir().expect("temp home");
    let init = || {
        let mut cmd = gateway();
        cmd.env("HOME", home.path()).arg("init");
        cmd
    };
    let out = run(&mut init()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let path = home.path().join(".enkrypt").join("enkrypt_mcp_config.json");
    let written = std::fs::read_to_string(&path).expect("config written");
    let config: Value = serde_json::from_str(&written).expect("JSON");
    let gateways = config["gateways"].as_object().expect("gateways");
    assert_eq!(gateways.len(), 1);
    let (key, entry) = gateways.iter().next().expect("one gateway");
    assert_eq!(key.len(), 48, "{key}");
    assert!(
        key.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    let id = entry["id"].as_str().expect("id");
    assert_eq!(
        uuid::Uuid::parse_str(id).expect("UUID").get_version_num(),
        4
    );
    // The echo server is configured only when its binary is next to gateway-core.
    let echo = Path::new(env!("CARGO_BIN_EXE_gateway-core"))
        .with_file_name(format!("test-mcp-server{}", std::env::consts::EXE_SUFFIX));
    let servers = entry["mcp_config"].as_array().expect("mcp_config");
    if echo.is_file() {
        assert_eq!(servers.len(), 1);
        assert_eq!(
            servers[0]["config"]["command"],
            echo.to_string_lossy().as_ref()
        );
    } else {
        assert!(servers.is_empty());
    }

    let stdout = text(&out.stdout);
    assert!(stdout.contains(&path.display().to_string()), "{stdout}");
    assert!(
        !stdout.contains(key.as_str()),
        "the key is shown masked only"
    );
    assert!(stdout.contains(&key[key.len() - 4..]), "{stdout}");
    assert!(
        stdout.contains("client install --client claude-desktop"),
        "{stdout}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&home.path().join(".enkrypt")), 0o700);
    }

    let check = run(gateway().env("HOME", home.path()).arg("check-config")).await;
    assert!(
        check.status.success(),
        "check-config accepts the new config: {}{}",
        text(&check.stdout),
        text(&check.stderr)
    );

    let again = run(&mut init()).await;
    assert_eq!(again.status.code(), Some(1));
    let stderr = text(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        written,
        "the first config is untouched"
    );
}
