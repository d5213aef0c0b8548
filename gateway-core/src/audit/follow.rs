//! Reading the audit log back: the last matching events ([`read_recent`]) and a live tail ([`follow`])
//! that keeps going across rotation. Used by `gateway-core logs` and the desktop app's live view.
//!
//! Owns the reader side of the file protocol the writer defines: whole lines ending in `\n`, rotation by
//! renaming `<path>` to `<path>.1` (older files shift up) and creating a new `<path>`. The tail notices a
//! rotation when `<path>` no longer names the file it has open (device + inode on Unix, creation time
//! elsewhere), reads the old file to its end, picks up any rotated file it never saw, then switches.
//! A file that shrinks in place (copy-truncate) is read again from the start. A line without its newline
//! waits for the rest; a line that is not an audit event is skipped and counted, never fatal.
//!
//! All file work is blocking and happens off the async runtime: [`follow`] runs its own thread and
//! hands events over a bounded channel ([`AuditFollower`] is a [`futures::Stream`]); [`read_recent`] is
//! blocking and [`read_recent_async`] wraps it in `spawn_blocking`. It never writes or locks the log.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;
use tracing::{debug, warn};

use super::event::{AuditEvent, Decision, EventKind};
use super::rotate::rotated_path;

/// How often [`follow`] looks at the file unless told otherwise. With the writer's 10 ms batching an
/// event reaches a follower well within 250 ms.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Longest line held while waiting for its newline; anything longer is skipped as malformed.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Bytes read per `read(2)` while tailing.
const READ_CHUNK: u64 = 64 * 1024;

/// Rotated files looked at, at most (the writer keeps 5 by default; the scan stops at the first gap).
const MAX_ROTATED: usize = 1000;

/// Events that may wait for a slow consumer before the follower thread waits too.
const CHANNEL_CAPACITY: usize = 1024;

/// Which events to return. Every field that is set must match; an empty filter matches everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AuditFilter {
    /// Only events for this upstream server (exact name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Only events for this tool (exact upstream name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Only events with this decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Only these kinds of event; empty means all kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventKind>,
    /// Only events at or after this instant (RFC 3339 on the wire). Events whose `ts` cannot be read as
    /// RFC 3339 never match a `since` filter.
    #[serde(with = "rfc3339_option", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub since: Option<OffsetDateTime>,
    /// Only events of this gateway (the config entry's `id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
}

impl AuditFilter {
    /// Whether `event` passes every condition of this filter.
    pub fn matches(&self, event: &AuditEvent) -> bool {
        fn same(want: Option<&String>, got: Option<&String>) -> bool {
            want.is_none_or(|w| got == Some(w))
        }
        same(self.server.as_ref(), event.server.as_ref())
            && same(self.tool.as_ref(), event.tool.as_ref())
            && same(self.gateway_id.as_ref(), Some(&event.gateway_id))
            && self.decision.is_none_or(|d| event.decision == Some(d))
            && (self.events.is_empty() || self.events.contains(&event.event))
            && self
                .since
                .is_none_or(|since| parse_ts(&event.ts).is_some_and(|ts| ts >= since))
    }
}

/// The instant of an audit `ts` (RFC 3339, any offset, any fraction), or `None` when it is not one.
pub fn parse_ts(ts: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(ts, &Rfc3339).ok()
}

/// `Option<OffsetDateTime>` as an RFC 3339 string, without needing `time`'s serde feature.
mod rfc3339_option {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::Error as _};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub(super) fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => serializer.serialize_str(&t.format(&Rfc3339).map_err(S::Error::custom)?),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|s| OffsetDateTime::parse(&s, &Rfc3339).map_err(D::Error::custom))
            .transpose()
    }
}

/// Why the audit log could not be read. Malformed lines are not errors: they are skipped and counted.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The file exists but could not be opened or read (permissions, I/O error).
    #[error("cannot read audit log {}: {source}", path.display())]
    Read {
        /// The file that failed.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The follower thread could not be started.
    #[error("cannot start the audit follower thread: {source}")]
    Spawn {
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The blocking read task was cancelled or panicked.
    #[error("the audit reader task failed: {0}")]
    Task(String),
}

impl FollowError {
    /// A stable code for front ends to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            FollowError::Read { .. } => "audit_unreadable",
            FollowError::Spawn { .. } => "audit_follow_spawn",
            FollowError::Task(_) => "audit_read_task",
        }
    }
}

fn read_error(path: &Path) -> impl FnOnce(io::Error) -> FollowError + '_ {
    move |source| FollowError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Identity of a file that survives renames: device and inode on Unix, creation time elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId(meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(meta: &Metadata) -> Option<FileId> {
    let created = meta.created().ok()?;
    let since = created.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(FileId(since.as_secs(), u64::from(since.subsec_nanos())))
}

/// What one line of the file turned out to be.
enum Line {
    Event(Box<AuditEvent>),
    Blank,
    Malformed,
}

fn parse_line(bytes: &[u8]) -> Line {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    match serde_json::from_slice::<AuditEvent>(trimmed) {
        Ok(event) => Line::Event(Box::new(event)),
        Err(_) => Line::Malformed,
    }
}

/// The last `limit` events matching `filter`, oldest first, from `path` and, when it holds fewer, from
/// its rotated files (`<path>.1`, `<path>.2`, …). A missing log is an empty result. An unfinished last
/// line of the current file is ignored; malformed lines are skipped with one warning per call.
///
/// Blocking (it reads whole files of at most the rotation size); in async code use
/// [`read_recent_async`].
pub fn read_recent(
    path: &Path,
    filter: &AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEvent>, FollowError> {
    let mut newest_first = Vec::new();
    let mut malformed = 0u64;
    collect_recent(
        path,
        0,
        filter,
        limit,
        &mut HashSet::new(),
        &mut newest_first,
        &mut malformed,
    )?;
    if malformed > 0 {
        warn!(path = %path.display(), skipped = malformed, "malformed audit lines skipped");
    }
    newest_first.reverse();
    Ok(newest_first)
}

/// [`read_recent`] on the blocking thread pool.
pub async fn read_recent_async(
    path: PathBuf,
    filter: AuditFilter,
    limit: usize,
) -> Result<Vec<AuditEvent>, FollowError> {
    tokio::task::spawn_blocking(move || read_recent(&path, &filter, limit))
        .await
        .map_err(|e| FollowError::Task(e.to_string()))?
}

/// Pushes up to `limit` matching events, newest first, from `path` (when `first` is 0) then its rotated
/// files from `<path>.<first>` on, skipping files whose identity is in `seen` (so a file renamed while we
/// scan is read once).
fn collect_recent(
    path: &Path,
    first: usize,
    filter: &AuditFilter,
    limit: usize,
    seen: &mut HashSet<FileId>,
    newest_first: &mut Vec<AuditEvent>,
    malformed: &mut u64,
) -> Result<(), FollowError> {
    for n in first..=MAX_ROTATED {
        if newest_first.len() >= limit {
            break;
        }
        let file_path = if n == 0 {
            path.to_path_buf()
        } else {
            rotated_path(path, n)
        };
        let Some((bytes, id)) = read_whole(&file_path)? else {
            // The current file may be missing for a moment after a rotation; a rotated one ends the set.
            if n == 0 {
                continue;
            }
            break;
        };
        if let Some(id) = id
            && !seen.insert(id)
        {
            continue;
        }
        let complete = if n == 0 {
            // The writer may be halfway through this line; it is not an event yet.
            &bytes[..bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)]
        } else {
            &bytes[..]
        };
        newest_matching(
            complete,
            filter,
            limit - newest_first.len(),
            newest_first,
            malformed,
        );
    }
    Ok(())
}

/// A whole file's bytes and its identity (when the platform gives one).
type FileContents = (Vec<u8>, Option<FileId>);

/// The whole file and its identity, or `None` when it does not exist.
fn read_whole(path: &Path) -> Result<Option<FileContents>, FollowError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(path)(e)),
    };
    let id = file.metadata().ok().as_ref().and_then(file_id);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_error(path))?;
    Ok(Some((bytes, id)))
}

/// Scans `bytes` from the end, pushing up to `limit` matching events (newest first).
fn newest_matching(
    bytes: &[u8],
    filter: &AuditFilter,
    limit: usize,
    out: &mut Vec<AuditEvent>,
    malformed: &mut u64,
) {
    let mut taken = 0;
    for line in bytes.rsplit(|&b| b == b'\n') {
        if taken >= limit {
            break;
        }
        match parse_line(line) {
            Line::Event(event) if filter.matches(&event) => {
                out.push(*event);
                taken += 1;
            }
            Line::Event(_) | Line::Blank => {}
            Line::Malformed => *malformed += 1,
        }
    }
}

/// Settings for [`follow_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowOptions {
    /// Matching events already in the log to deliver first (like `tail -n`), oldest first; 0 = only new
    /// events.
    pub backlog: usize,
    /// How often the file is checked for new lines and rotation.
    pub poll_interval: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            backlog: 0,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

/// Follows the audit log at `path` from its current end, yielding each new event that matches
/// `filter`. See [`follow_with`].
pub fn follow(path: impl Into<PathBuf>, filter: AuditFilter) -> Result<AuditFollower, FollowError> {
    follow_with(path, filter, FollowOptions::default())
}

/// Follows the audit log at `path` on a dedicated thread: first up to `opts.backlog` existing matching
/// events, then every new one, across rotations, in file order. The log need not exist yet. A read
/// error is yielded once (then retried quietly every poll until the file is readable again); the
/// stream ends only when the [`AuditFollower`] is dropped, which also stops the thread.
pub fn follow_with(
    path: impl Into<PathBuf>,
    filter: AuditFilter,
    opts: FollowOptions,
) -> Result<AuditFollower, FollowError> {
    let path = path.into();
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(0);
    let malformed = Arc::new(AtomicU64::new(0));
    let tailer = Tailer::new(path, filter, Arc::clone(&malformed));
    let thread = std::thread::Builder::new()
        .name("audit-follow".into())
        .spawn(move || run_follower(tailer, opts, &tx, &stop_rx))
        .map_err(|source| FollowError::Spawn { source })?;
    Ok(AuditFollower {
        rx,
        _stop: stop_tx,
        _thread: thread,
        malformed,
    })
}

/// A live view of the audit log: a [`futures::Stream`] of matching events (or read errors).
///
/// Dropping it stops the follower thread promptly; it is not joined, so dropping never blocks.
#[derive(Debug)]
pub struct AuditFollower {
    rx: mpsc::Receiver<Result<AuditEvent, FollowError>>,
    /// Dropping this wakes the thread from its poll wait and makes it exit.
    _stop: crossbeam_channel::Sender<()>,
    /// Owned so the thread is tied to this value; see the type docs for why it is not joined.
    _thread: JoinHandle<()>,
    malformed: Arc<AtomicU64>,
}

impl AuditFollower {
    /// The next event or read error. Never returns `None` while the follower thread runs.
    pub async fn recv(&mut self) -> Option<Result<AuditEvent, FollowError>> {
        self.rx.recv().await
    }

    /// Lines skipped so far because they were not audit events (or were longer than 1 MiB).
    pub fn malformed_lines(&self) -> u64 {
        self.malformed.load(Ordering::Relaxed)
    }
}

impl futures::Stream for AuditFollower {
    type Item = Result<AuditEvent, FollowError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

/// The follower thread: backlog, then poll until the consumer or the stop signal goes away.
fn run_follower(
    mut tailer: Tailer,
    opts: FollowOptions,
    tx: &mpsc::Sender<Result<AuditEvent, FollowError>>,
    stop: &crossbeam_channel::Receiver<()>,
) {
    let mut events = Vec::new();
    let mut failing = false;
    let mut result = tailer.start(opts.backlog, &mut events);
    let mut started = result.is_ok();
    loop {
        for event in events.drain(..) {
            // `blocking_send` is fine here: this is a plain thread, never a runtime worker.
            if tx.blocking_send(Ok(event)).is_err() {
                return;
            }
        }
        match result {
            Ok(()) if failing => {
                failing = false;
                debug!(path = %tailer.path.display(), "audit log readable again");
            }
            Ok(()) => {}
            Err(error) => {
                // Reported once per outage, then retried quietly every poll.
                if !failing {
                    failing = true;
                    if tx.blocking_send(Err(error)).is_err() {
                        return;
                    }
                }
            }
        }
        match stop.recv_timeout(opts.poll_interval) {
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
        }
        if tx.is_closed() {
            return;
        }
        result = if started {
            tailer.poll(&mut events)
        } else {
            let result = tailer.start(opts.backlog, &mut events);
            started = result.is_ok();
            result
        };
    }
}

/// The file the tail has open and how far it has read.
struct Current {
    file: File,
    id: Option<FileId>,
    /// Bytes of `file` consumed (into events or `pending`).
    pos: u64,
}

/// The tail's state between polls. Synchronous and deterministic, so tests drive it directly.
struct Tailer {
    path: PathBuf,
    filter: AuditFilter,
    current: Option<Current>,
    /// Start of a line whose newline has not arrived yet.
    pending: Vec<u8>,
    /// Dropping bytes up to the next newline (an over-long line, or joined mid-line).
    discarding: bool,
    malformed: Arc<AtomicU64>,
}

impl Tailer {
    fn new(path: PathBuf, filter: AuditFilter, malformed: Arc<AtomicU64>) -> Self {
        Self {
            path,
            filter,
            current: None,
            pending: Vec::new(),
            discarding: false,
            malformed,
        }
    }

    /// Opens the log (if it exists) positioned at its end and pushes up to `backlog` existing events.
    /// Fails, changing nothing, only when the current file exists but cannot be read; the caller retries.
    fn start(&mut self, backlog: usize, out: &mut Vec<AuditEvent>) -> Result<(), FollowError> {
        let mut malformed = 0;
        let mut seen = HashSet::new();
        let mut newest_first = Vec::new();
        match File::open(&self.path) {
            Ok(mut file) => {
                let meta = file.metadata().map_err(read_error(&self.path))?;
                let id = file_id(&meta);
                seen.extend(id);
                let pos = if backlog > 0 {
                    let mut bytes = Vec::new();
                    file.read_to_end(&mut bytes)
                        .map_err(read_error(&self.path))?;
                    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    let (lines, rest) = bytes.split_at(complete);
                    newest_matching(
                        lines,
                        &self.filter,
                        backlog,
                        &mut newest_first,
                        &mut malformed,
                    );
                    self.pending = rest.to_vec();
                    bytes.len() as u64
                } else {
                    let len = meta.len();
                    // Joining in the middle of a line: skip its tail instead of reporting garbage.
                    self.discarding = len > 0 && last_byte(&mut file, len) != Some(b'\n');
                    len
                };
                self.current = Some(Current { file, id, pos });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(read_error(&self.path)(e)),
        }
        // Older events come from the rotated files (the current file, if any, is already in `seen`).
        let result = collect_recent(
            &self.path,
            1,
            &self.filter,
            backlog,
            &mut seen,
            &mut newest_first,
            &mut malformed,
        );
        if let Err(error) = result {
            // Best effort: the backlog is history, the live tail is what matters.
            warn!(%error, "older audit events unavailable");
        }
        self.count_malformed(malformed);
        out.extend(newest_first.into_iter().rev());
        Ok(())
    }

    /// Reads what was appended since the last poll, following a rotation or truncation if one happened.
    fn poll(&mut self, out: &mut Vec<AuditEvent>) -> Result<(), FollowError> {
        let mut malformed = 0;
        let result = self.poll_inner(out, &mut malformed);
        self.count_malformed(malformed);
        result
    }

    fn poll_inner(&mut self, out: &mut Vec<AuditEvent>, bad: &mut u64) -> Result<(), FollowError> {
        // Two rounds at most: the old file and the one that replaced it, so a poll right after a rotation
        // already returns the first events of the new file.
        for _ in 0..2 {
            if self.current.is_none() {
                match File::open(&self.path) {
                    Ok(file) => {
                        let meta = file.metadata().map_err(read_error(&self.path))?;
                        debug!(path = %self.path.display(), "audit log opened");
                        self.current = Some(Current {
                            file,
                            id: file_id(&meta),
                            pos: 0,
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(read_error(&self.path)(e)),
                }
            }
            self.drain(out, bad)?;
            let on_disk = match std::fs::metadata(&self.path) {
                Ok(meta) => file_id(&meta),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(read_error(&self.path)(e)),
            };
            let ours = self.current.as_ref().and_then(|c| c.id);
            let replaced = match (ours, on_disk) {
                (Some(ours), Some(on_disk)) => ours != on_disk,
                // Gone (rotated with `keep = 0`, or between rename and re-create).
                (_, None) => !self.path.exists(),
                // No stable identity on this platform: rely on the shrink check in `drain`.
                (None, Some(_)) => false,
            };
            if !replaced {
                return Ok(());
            }
            // Lines appended to the old file just before the rename are still only there.
            self.drain(out, bad)?;
            self.flush_pending(out, bad);
            self.current = None;
            debug!(path = %self.path.display(), "audit log rotated; switching to the new file");
            if let Some(ours) = ours {
                self.catch_up(ours, out, bad)?;
            }
        }
        Ok(())
    }

    /// After several rotations between two polls, reads the rotated files newer than the one we had
    /// (`<path>.k-1` … `<path>.1` when ours is now `<path>.k`), oldest first.
    fn catch_up(
        &mut self,
        ours: FileId,
        out: &mut Vec<AuditEvent>,
        bad: &mut u64,
    ) -> Result<(), FollowError> {
        let mut found = None;
        for n in 1..=MAX_ROTATED {
            match std::fs::metadata(rotated_path(&self.path, n)) {
                Ok(meta) if file_id(&meta) == Some(ours) => {
                    found = Some(n);
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        // Not found (deleted by `keep`): we cannot tell which files are newer, so read none.
        let Some(found) = found else { return Ok(()) };
        for n in (1..found).rev() {
            let path = rotated_path(&self.path, n);
            if let Some((bytes, _)) = read_whole(&path)? {
                debug!(path = %path.display(), "reading a rotated audit file missed between polls");
                self.feed(&bytes, out, bad);
                self.flush_pending(out, bad);
            }
        }
        Ok(())
    }

    /// Reads the current file from our position to its end.
    fn drain(&mut self, out: &mut Vec<AuditEvent>, bad: &mut u64) -> Result<(), FollowError> {
        let Some(current) = self.current.as_mut() else {
            return Ok(());
        };
        let len = current
            .file
            .metadata()
            .map_err(read_error(&self.path))?
            .len();
        if len < current.pos {
            // Truncated in place (copy-truncate rotation or a manual `> audit.jsonl`): start over.
            debug!(path = %self.path.display(), "audit log shrank; reading it from the start");
            current.pos = 0;
            self.pending.clear();
            self.discarding = false;
        }
        let mut chunk = Vec::new();
        loop {
            let Some(current) = self.current.as_mut() else {
                return Ok(());
            };
            chunk.clear();
            current
                .file
                .seek(SeekFrom::Start(current.pos))
                .map_err(read_error(&self.path))?;
            let n = (&current.file)
                .take(READ_CHUNK)
                .read_to_end(&mut chunk)
                .map_err(read_error(&self.path))?;
            if n == 0 {
                return Ok(());
            }
            current.pos += n as u64;
            self.feed(&chunk, out, bad);
        }
    }

    /// Splits `bytes` into lines, joining the first with `pending` and keeping an unfinished last one.
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<AuditEvent>, bad: &mut u64) {
        let mut rest = bytes;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(i);
            rest = &tail[1..];
            if self.discarding {
                self.discarding = false;
            } else if self.pending.is_empty() {
                self.emit(line, out, bad);
            } else {
                let mut whole = std::mem::take(&mut self.pending);
                whole.extend_from_slice(line);
                self.emit(&whole, out, bad);
            }
        }
        if self.discarding {
            return;
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_LINE_BYTES {
            self.pending = Vec::new();
            self.discarding = true;
            *bad += 1;
        }
    }

    /// A file ended without a final newline: its last line will never be finished, take it as it is.
    fn flush_pending(&mut self, out: &mut Vec<AuditEvent>, bad: &mut u64) {
        let pending = std::mem::take(&mut self.pending);
        if !self.discarding {
            self.emit(&pending, out, bad);
        }
        self.discarding = false;
    }

    fn emit(&self, line: &[u8], out: &mut Vec<AuditEvent>, bad: &mut u64) {
        match parse_line(line) {
            Line::Event(event) if self.filter.matches(&event) => out.push(*event),
            Line::Event(_) | Line::Blank => {}
            Line::Malformed => *bad += 1,
        }
    }

    fn count_malformed(&self, n: u64) {
        if n > 0 {
            let total = self.malformed.fetch_add(n, Ordering::Relaxed) + n;
            warn!(path = %self.path.display(), skipped = n, total, "malformed audit lines skipped");
        }
    }
}

/// The byte at `len - 1`, or `None` if it cannot be read (then the first line is treated as partial).
fn last_byte(file: &mut File, len: u64) -> Option<u8> {
    let mut byte = [0u8; 1];
    file.seek(SeekFrom::Start(len.checked_sub(1)?)).ok()?;
    file.read_exact(&mut byte).ok()?;
    Some(byte[0])
}

#[cfg(test)]
#[path = "follow_tests.rs"]
mod tests;
