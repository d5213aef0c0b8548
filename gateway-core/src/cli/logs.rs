//! `gateway-core logs`: print audit events, optionally following the log live across rotations.
//!
//! Owns the command's flags, where the log is (`--file`, else the config's `enkrypt_audit_log_path`,
//! else the default), and the two output formats: one aligned line per event for people, or the
//! event's JSON line for tools (`--json`). Reading and filtering are [`crate::audit::follow`]'s job.
//! Exits 0 on Ctrl-C/SIGTERM and when stdout is closed (`logs -f | head`).

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

use crate::audit::follow::{self, AuditFilter, FollowOptions};
use crate::audit::{AuditEvent, Decision, EventKind};
use crate::config::{self, ConfigError, ProcessEnv, RefSources, SecretSource};

const EXAMPLES: &str = "\
Examples:
  gateway-core logs                          # the last 20 events
  gateway-core logs -f                       # ... then new ones as they happen (Ctrl-C to stop)
  gateway-core logs --decision blocked -n 50 # recent blocks
  gateway-core logs --server github --since 2h
  gateway-core logs -f --json | jq .         # JSON lines for tools

Times are UTC. The log is the config's enkrypt_audit_log_path, else ~/.enkrypt/logs/audit.jsonl.";

/// Arguments of `gateway-core logs`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct LogsArgs {
    /// Keep running and print new events as they are written (survives log rotation).
    #[arg(short, long)]
    pub follow: bool,
    /// Print each event as one JSON line (the audit log's own format) instead of a readable line.
    #[arg(long)]
    pub json: bool,
    /// Only events for this upstream server.
    #[arg(long, value_name = "NAME")]
    pub server: Option<String>,
    /// Only events for this tool (its name on the upstream server).
    #[arg(long, value_name = "NAME")]
    pub tool: Option<String>,
    /// Only events with this decision: allowed, blocked, redacted or error.
    #[arg(long, value_name = "DECISION", value_parser = parse_decision)]
    pub decision: Option<Decision>,
    /// Only these kinds of event: request, response, block, error, config (repeat or comma-separate).
    #[arg(long = "event", value_name = "KIND", value_parser = parse_kind, value_delimiter = ',')]
    pub events: Vec<EventKind>,
    /// Only events at or after this time: RFC 3339 (2025-01-31T12:00:00Z) or an age (90s, 10m, 2h, 7d).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    pub since: Option<OffsetDateTime>,
    /// Only events of this gateway (its `id` in the config).
    #[arg(long, value_name = "ID")]
    pub gateway_id: Option<String>,
    /// How many past events to print (with --follow: before the live ones); `all` for every one kept.
    #[arg(short = 'n', long = "lines", value_name = "N", default_value = "20", value_parser = parse_count)]
    pub lines: usize,
    /// Read this audit file instead of the one the config names.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

impl LogsArgs {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            server: self.server.clone(),
            tool: self.tool.clone(),
            decision: self.decision,
            events: self.events.clone(),
            since: self.since,
            gateway_id: self.gateway_id.clone(),
        }
    }
}

/// Runs `logs`: 0 on success (including an empty or missing log, Ctrl-C, closed stdout), 1 when the
/// log cannot be read or stdout fails otherwise.
pub async fn run(args: LogsArgs, config: PathBuf) -> ExitCode {
    let path = match args.file.clone() {
        Some(file) => config::expand_home(&file),
        None => audit_path_from(config).await,
    };
    let filter = args.filter();
    let mut printer = Printer::new(tokio::io::stdout(), args.json);
    let result = if args.follow {
        follow_live(&path, filter, args.lines, &mut printer).await
    } else {
        print_recent(&path, filter, args.lines, &mut printer).await
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::StdoutClosed) => ExitCode::SUCCESS,
        Err(Stop::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Why printing ended early.
enum Stop {
    /// The reader of our stdout went away: a normal end for `logs | head`.
    StdoutClosed,
    Failed(String),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Stop::StdoutClosed
        } else {
            Stop::Failed(format!("cannot write to stdout: {error}"))
        }
    }
}

async fn print_recent<W: AsyncWrite + Unpin>(
    path: &Path,
    filter: AuditFilter,
    limit: usize,
    printer: &mut Printer<W>,
) -> Result<(), Stop> {
    if !log_exists(path) {
        eprintln!(
            "no audit log at {} yet (the gateway writes it when it starts serving)",
            path.display()
        );
        return Ok(());
    }
    let events = follow::read_recent_async(path.to_path_buf(), filter, limit)
        .await
        .map_err(|e| Stop::Failed(e.to_string()))?;
    if events.is_empty() && !printer.json {
        eprintln!("no matching events in {}", path.display());
    }
    for event in &events {
        printer.print(event).await?;
    }
    printer.flush().await?;
    Ok(())
}

async fn follow_live<W: AsyncWrite + Unpin>(
    path: &Path,
    filter: AuditFilter,
    backlog: usize,
    printer: &mut Printer<W>,
) -> Result<(), Stop> {
    if !log_exists(path) {
        eprintln!("waiting for {} to be created…", path.display());
    }
    let opts = FollowOptions {
        backlog,
        ..FollowOptions::default()
    };
    let mut follower =
        follow::follow_with(path, filter, opts).map_err(|e| Stop::Failed(e.to_string()))?;
    let signal = crate::shutdown::wait_for_signal();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            _ = &mut signal => return Ok(()),
            item = follower.recv() => match item {
                Some(Ok(event)) => {
                    printer.print(&event).await?;
                    printer.flush().await?;
                }
                Some(Err(error)) => eprintln!("warning: {error} (retrying)"),
                None => return Err(Stop::Failed("the audit follower stopped".into())),
            },
        }
    }
}

/// Whether the log or one of its rotated files exists.
fn log_exists(path: &Path) -> bool {
    path.exists() || crate::audit::rotated_path(path, 1).exists()
}

/// The audit log named by the config, or the default one (with a note) when the config cannot be read.
async fn audit_path_from(config_path: PathBuf) -> PathBuf {
    let shown = config_path.display().to_string();
    let loaded = tokio::task::spawn_blocking(move || {
        // `logs` needs one path from the config, not its secrets: references resolve to placeholders
        // (environment values when set), so it never asks the keychain and never fails on a missing secret.
        let sources = RefSources {
            env: &EnvOrPlaceholder,
            keyring: &Placeholder,
        };
        config::load_with(&config_path, &sources)
    })
    .await;
    let reason = match loaded {
        Ok(Ok(cfg)) => {
            return cfg
                .common
                .audit_log_path
                .unwrap_or_else(crate::audit::default_path);
        }
        Ok(Err(ConfigError::NotFound { .. })) => format!("config file {shown} not found"),
        Ok(Err(ConfigError::Invalid { .. })) => {
            format!("config file {shown} is not valid (see `gateway-core check-config`)")
        }
        Ok(Err(error)) => error.to_string(),
        Err(error) => format!("cannot read config file {shown}: {error}"),
    };
    let path = crate::audit::default_path();
    eprintln!(
        "note: {reason}; reading the default audit log {}",
        path.display()
    );
    path
}

/// Stands in for every `${keyring:…}` value while `logs` reads the config.
struct Placeholder;

impl SecretSource for Placeholder {
    fn get(&self, _name: &str) -> Result<Option<String>, String> {
        Ok(Some("placeholder".into()))
    }
}

/// `${env:…}` from the environment, or a placeholder when unset.
struct EnvOrPlaceholder;

impl SecretSource for EnvOrPlaceholder {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(Some(
            ProcessEnv
                .get(name)
                .ok()
                .flatten()
                .unwrap_or_else(|| "placeholder".into()),
        ))
    }
}

/// Writes events in the chosen format.
struct Printer<W> {
    out: BufWriter<W>,
    json: bool,
    today: Date,
    last_date: Option<Date>,
}

impl<W: AsyncWrite + Unpin> Printer<W> {
    fn new(out: W, json: bool) -> Self {
        Self {
            out: BufWriter::new(out),
            json,
            today: OffsetDateTime::now_utc().date(),
            last_date: None,
        }
    }

    async fn print(&mut self, event: &AuditEvent) -> io::Result<()> {
        let mut text = if self.json {
            // Same serialisation as the writer's, so a line from this gateway is printed byte for byte.
            serde_json::to_string(event).map_err(io::Error::other)?
        } else {
            let ts = follow::parse_ts(&event.ts);
            let date = ts.map(|t| t.to_offset(time::UtcOffset::UTC).date());
            let mut header = String::new();
            if let Some(date) = date
                && self.last_date != Some(date)
            {
                // Lines show only the time; say which day when it is not today or the day changes.
                if self.last_date.is_some() || date != self.today {
                    header = format!("-- {date} (UTC) --\n");
                }
                self.last_date = Some(date);
            }
            header + &human_line(event, ts)
        };
        text.push('\n');
        self.out.write_all(text.as_bytes()).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.out.flush().await
    }
}

/// `12:03:04.123  BLOCK     echo_server/echo      blocked   [input: injection_attack]  3.2 ms  message`
fn human_line(event: &AuditEvent, ts: Option<OffsetDateTime>) -> String {
    let time = match ts {
        Some(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{:02}:{:02}:{:02}.{:03}",
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            )
        }
        None => clean(&event.ts),
    };
    let kind = match event.event {
        EventKind::Request => "REQUEST",
        EventKind::Response => "RESPONSE",
        EventKind::Block => "BLOCK",
        EventKind::Error => "ERROR",
        EventKind::Config => "CONFIG",
    };
    let target = match (&event.server, &event.tool) {
        (Some(server), Some(tool)) => format!("{}/{}", clean(server), clean(tool)),
        (Some(server), None) => clean(server),
        (None, Some(tool)) => clean(tool),
        (None, None) => "-".into(),
    };
    let decision = match event.decision {
        Some(Decision::Allowed) => "allowed",
        Some(Decision::Blocked) => "blocked",
        Some(Decision::Redacted) => "redacted",
        Some(Decision::Error) => "error",
        None => "-",
    };
    let mut line = format!("{time}  {kind:<8}  {target:<20}  {decision:<8}");
    if !event.detectors.is_empty() {
        let detectors: Vec<String> = event.detectors.iter().map(|d| clean(d)).collect();
        let side = event
            .side
            .as_deref()
            .map(|s| format!("{}: ", clean(s)))
            .unwrap_or_default();
        line.push_str(&format!("  [{side}{}]", detectors.join(", ")));
    }
    if let Some(ms) = event.duration_ms {
        line.push_str("  ");
        line.push_str(&format_duration(ms));
    }
    if let Some(message) = event.message.as_deref().filter(|m| !m.is_empty()) {
        line.push_str("  ");
        line.push_str(&clean(message));
    }
    line.trim_end().to_string()
}

fn format_duration(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// Text from the log as one harmless terminal line: control characters (escape sequences an upstream
/// might have put in an error message, newlines) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase()))
        .map_err(|_| format!("`{s}` is not a decision: use allowed, blocked, redacted or error"))
}

fn parse_kind(s: &str) -> Result<EventKind, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).map_err(|_| {
        format!("`{s}` is not an event kind: use request, response, block, error or config")
    })
}

fn parse_count(s: &str) -> Result<usize, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(usize::MAX);
    }
    s.parse()
        .map_err(|_| format!("`{s}` is not a count: use a number or `all`"))
}

fn parse_since(s: &str) -> Result<OffsetDateTime, String> {
    parse_since_at(s, OffsetDateTime::now_utc())
}

/// `s` as an RFC 3339 instant, or as an age (`90s`, `10m`, `2h`, `7d`) before `now`.
fn parse_since_at(s: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let invalid = || {
        format!(
            "`{s}` is neither an RFC 3339 time (2025-01-31T12:00:00Z) nor an age like 10m, 2h, 7d"
        )
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(invalid)?;
    let (number, unit) = s.split_at(split);
    let n: u64 = number.parse().map_err(|_| invalid())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(invalid()),
    };
    let age = n
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(invalid)?;
    now.checked_sub(time::Duration::try_from(age).map_err(|_| invalid())?)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn since_takes_rfc3339_or_an_age() {
        let now = datetime!(2025-01-31 12:00:00 UTC);
        assert_eq!(
            parse_since_at("2025-01-01T00:00:00Z", now),
            Ok(datetime!(2025-01-01 00:00:00 UTC))
        );
        assert_eq!(
            parse_since_at("10m", now),
            Ok(datetime!(2025-01-31 11:50:00 UTC))
        );
        assert_eq!(
            parse_since_at("2h", now),
            Ok(datetime!(2025-01-31 10:00:00 UTC))
        );
        assert_eq!(
            parse_since_at("1d", now),
            Ok(datetime!(2025-01-30 12:00:00 UTC))
        );
        assert_eq!(
            parse_since_at("90s", now),
            Ok(datetime!(2025-01-31 11:58:30 UTC))
        );
        for bad in [
            "",
            "m",
            "10",
            "10y",
            "-5m",
            "yesterday",
            "99999999999999999999d",
        ] {
            assert!(parse_since_at(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn decisions_kinds_and_counts_parse() {
        assert_eq!(parse_decision("blocked"), Ok(Decision::Blocked));
        assert_eq!(parse_decision("REDACTED"), Ok(Decision::Redacted));
        assert!(parse_decision("deny").is_err());
        assert_eq!(parse_kind("block"), Ok(EventKind::Block));
        assert!(parse_kind("blocks").is_err());
        assert_eq!(parse_count("5"), Ok(5));
        assert_eq!(parse_count("all"), Ok(usize::MAX));
        assert!(parse_count("-1").is_err());
    }

    #[test]
    fn human_line_shows_the_call_at_a_glance() {
        let event = AuditEvent {
            ts: "2025-01-31T12:03:04.123Z".into(),
            ..AuditEvent::new(EventKind::Block, "gw")
        }
        .with_server("echo_server")
        .with_tool("echo")
        .with_decision(Decision::Blocked)
        .with_detectors(["injection_attack"])
        .with_side("input")
        .with_duration(Duration::from_micros(3_200))
        .with_message("blocked\n\u{1b}[31mred");
        let ts = follow::parse_ts(&event.ts);
        assert_eq!(
            human_line(&event, ts),
            "12:03:04.123  BLOCK     echo_server/echo      blocked   [input: injection_attack]  3.2 ms  blocked  [31mred"
        );
        let bare = AuditEvent {
            ts: "not a time".into(),
            ..AuditEvent::new(EventKind::Config, "gw")
        };
        assert_eq!(
            human_line(&bare, None),
            "not a time  CONFIG    -                     -"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(3.24), "3.2 ms");
        assert_eq!(format_duration(123.4), "123 ms");
        assert_eq!(format_duration(12_345.0), "12.3 s");
    }

    #[tokio::test]
    async fn a_date_line_appears_when_the_day_is_not_today() {
        let mut printer = Printer::new(Vec::new(), false);
        printer.today = Date::from_calendar_date(2025, time::Month::January, 31).expect("date");
        for ts in [
            "2025-01-30T23:59:59.000Z",
            "2025-01-31T00:00:01.000Z",
            "2025-01-31T00:00:02.000Z",
        ] {
            let event = AuditEvent {
                ts: ts.into(),
                ..AuditEvent::new(EventKind::Request, "gw")
            };
            printer.print(&event).await.expect("print");
        }
        printer.flush().await.expect("flush");
        let text = String::from_utf8(printer.out.into_inner()).expect("utf-8");
        let dates: Vec<&str> = text.lines().filter(|l| l.starts_with("--")).collect();
        assert_eq!(dates, ["-- 2025-01-30 (UTC) --", "-- 2025-01-31 (UTC) --"]);
        assert_eq!(text.lines().count(), 5);
    }
}
