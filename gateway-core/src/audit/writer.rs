//! The audit writer thread and the file it appends to.
//!
//! Owns everything that touches the disk: creating the directory and files with private permissions, the
//! cross-process protocol (exclusive advisory lock on `<path>.lock` around "reopen if another process
//! rotated → check size → maybe rotate → write"), one `write(2)` per line on an `O_APPEND` file, batching,
//! the notes about lost events, scrubbing of `message`, and the final fsync. It never runs on the async
//! runtime: [`super::AuditLog`] feeds it through a bounded channel and only ever uses `try_send` from
//! `record`. Write failures are reported on stderr through `tracing`, never on stdout.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_channel::{Receiver, Sender};
use tracing::{debug, error, info, warn};

use super::event::{AuditEvent, Decision, EventKind};
use super::rotate::{lock_path, rotate};
use super::scrub::scrub;
use super::{AuditError, AuditOptions};

/// How long the writer lets events accumulate after the first one of a burst arrives.
const BATCH_WINDOW: std::time::Duration = std::time::Duration::from_millis(10);

/// Most events written under one hold of the cross-process lock, so other gateways are not starved.
const MAX_BATCH: usize = 256;

/// A message from [`super::AuditLog`] to the writer thread.
pub(crate) enum Command {
    /// Append this event.
    Event(Box<AuditEvent>),
    /// Answer once everything queued before this command has been written.
    Flush(Sender<()>),
    /// Write what is queued before this command, fsync and exit.
    Shutdown,
}

/// State shared by the handles and the writer thread.
#[derive(Default)]
pub(crate) struct Shared {
    /// Events refused by `record` because the queue was full, not yet reported in the log.
    pub(crate) dropped: AtomicU64,
}

/// Creates the directory (0700) and opens the log (0600) and its lock file, reporting problems up front.
pub(crate) fn open_sink(path: &Path, opts: AuditOptions) -> Result<Sink, AuditError> {
    create_dirs(path).map_err(|source| AuditError::CreateDir {
        path: path.parent().unwrap_or(path).to_path_buf(),
        source,
    })?;
    let file = open_append(path).map_err(|source| AuditError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let lock_file_path = lock_path(path);
    let lock_file = open_append(&lock_file_path).map_err(|source| AuditError::OpenLock {
        path: lock_file_path,
        source,
    })?;
    Ok(Sink {
        lock_file,
        lock_warned: false,
        out: Output {
            path: path.to_path_buf(),
            file: Some(file),
            opts,
        },
    })
}

/// The open audit file plus the lock that serialises writers across processes.
pub(crate) struct Sink {
    lock_file: File,
    lock_warned: bool,
    out: Output,
}

struct Output {
    path: PathBuf,
    /// `None` after a failed reopen; retried on the next batch.
    file: Option<File>,
    opts: AuditOptions,
}

/// The writer thread's body: runs until [`Command::Shutdown`] or until every handle is gone.
pub(crate) fn run(rx: Receiver<Command>, sink: Sink, shared: Arc<Shared>) {
    let mut writer = Writer {
        sink,
        shared,
        gateway_id: String::new(),
        lost: 0,
        failing: false,
    };
    let mut lines = Vec::with_capacity(MAX_BATCH);
    'outer: while let Ok(first) = rx.recv() {
        if matches!(first, Command::Event(_)) {
            // Let a burst accumulate so a busy gateway wakes this thread (and writes) once per window
            // instead of once per event; a tailing reader still sees events well within 100 ms.
            std::thread::sleep(BATCH_WINDOW);
        }
        // Whatever else is already queued goes out in the same batch, under one lock hold.
        for cmd in std::iter::once(first).chain(rx.try_iter().take(MAX_BATCH - 1)) {
            match cmd {
                Command::Event(event) => {
                    if let Some(line) = writer.encode(*event) {
                        lines.push(line);
                    }
                }
                Command::Flush(ack) => {
                    writer.commit(&mut lines);
                    // The caller may have given up waiting; nothing to do then.
                    let _ = ack.send(());
                }
                Command::Shutdown => break 'outer,
            }
        }
        writer.commit(&mut lines);
    }
    writer.commit(&mut lines);
    writer.sink.out.sync();
}

struct Writer {
    sink: Sink,
    shared: Arc<Shared>,
    /// Last gateway seen, used for the notes about lost events.
    gateway_id: String,
    /// Events lost to write failures, not yet reported in the log.
    lost: u64,
    /// A write failure has been reported on stderr and not yet recovered from.
    failing: bool,
}

impl Writer {
    /// The event as one line, `message` scrubbed.
    fn encode(&mut self, mut event: AuditEvent) -> Option<Vec<u8>> {
        if let Some(message) = event.message.as_deref() {
            event.message = Some(scrub(message));
        }
        if event.gateway_id != self.gateway_id {
            self.gateway_id.clone_from(&event.gateway_id);
        }
        match serde_json::to_vec(&event) {
            Ok(mut line) => {
                line.push(b'\n');
                Some(line)
            }
            Err(e) => {
                error!(path = %self.sink.out.path.display(), error = %e, "cannot serialise audit event");
                self.lost += 1;
                None
            }
        }
    }

    /// Writes `lines` (emptying it) plus a note for any events lost since the last note.
    fn commit(&mut self, lines: &mut Vec<Vec<u8>>) {
        let dropped = self.shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            self.push_note(lines, format!("audit queue full: {dropped} events dropped"));
        }
        if self.lost > 0 && !self.failing {
            let lost = std::mem::take(&mut self.lost);
            self.push_note(lines, format!("audit log write failed: {lost} events lost"));
        }
        if lines.is_empty() {
            return;
        }
        let mut written = 0;
        let result = self.sink.append(lines, &mut written);
        let unwritten = (lines.len() - written) as u64;
        lines.clear();
        match result {
            Ok(()) if self.failing => {
                self.failing = false;
                info!(path = %self.sink.out.path.display(), "audit log is writable again");
            }
            Ok(()) => {}
            Err(e) => {
                self.lost += unwritten;
                if !self.failing {
                    self.failing = true;
                    error!(
                        path = %self.sink.out.path.display(),
                        error = %e,
                        lost = unwritten,
                        "audit log write failed; events are dropped until it recovers"
                    );
                }
            }
        }
    }

    fn push_note(&mut self, lines: &mut Vec<Vec<u8>>, message: String) {
        let note = AuditEvent::new(EventKind::Error, self.gateway_id.clone())
            .with_decision(Decision::Error)
            .with_message(message);
        if let Some(line) = self.encode(note) {
            lines.push(line);
        }
    }
}

impl Sink {
    /// Appends `lines` under the cross-process lock; `written` counts the lines that made it.
    fn append(&mut self, lines: &[Vec<u8>], written: &mut usize) -> io::Result<()> {
        let _guard = match LockGuard::acquire(&self.lock_file) {
            Ok(guard) => Some(guard),
            Err(e) => {
                // Losing the audit trail is worse than an unsafe rotation: write without the lock.
                if !self.lock_warned {
                    self.lock_warned = true;
                    warn!(path = %self.out.path.display(), error = %e, "cannot lock the audit log; writing unlocked");
                }
                None
            }
        };
        self.out.append(lines, written)
    }
}

impl Output {
    fn append(&mut self, lines: &[Vec<u8>], written: &mut usize) -> io::Result<()> {
        let mut file = self.current()?;
        let mut size = file.metadata()?.len();
        // Whole lines are gathered into one buffer and appended with one write(2) (O_APPEND keeps
        // it contiguous); the buffer is flushed early only where the file has to rotate.
        let mut buf: Vec<u8> = Vec::new();
        let mut pending = 0usize;
        for line in lines {
            let len = line.len() as u64;
            let max = self.opts.max_bytes;
            // A line never straddles files; a single line larger than the limit gets a file of its own.
            if max > 0 && size > 0 && size.saturating_add(len) > max {
                if !buf.is_empty() {
                    write_line(&file, &buf)?;
                    *written += pending;
                    buf.clear();
                    pending = 0;
                }
                self.file = None;
                rotate(&self.path, self.opts.keep)?;
                file = self.current()?;
                size = 0;
                debug!(path = %self.path.display(), keep = self.opts.keep, "audit log rotated");
            }
            buf.extend_from_slice(line);
            pending += 1;
            size += len;
        }
        if !buf.is_empty() {
            write_line(&file, &buf)?;
            *written += pending;
        }
        Ok(())
    }

    /// The file currently at `path`, reopened if another process rotated (or someone deleted) ours.
    /// Called with the lock held, so the answer stays true until we release it.
    fn current(&mut self) -> io::Result<File> {
        let stale = match &self.file {
            Some(file) => is_replaced(file, &self.path)?,
            None => true,
        };
        if stale {
            self.file = None;
            if let Err(e) = create_dirs(&self.path) {
                debug!(path = %self.path.display(), error = %e, "cannot recreate audit directory");
            }
            self.file = Some(open_append(&self.path)?);
        }
        match &self.file {
            Some(file) => file.try_clone(),
            None => Err(io::Error::other("audit file is not open")),
        }
    }

    fn sync(&self) {
        if let Some(file) = &self.file
            && let Err(e) = file.sync_all()
        {
            warn!(path = %self.path.display(), error = %e, "cannot fsync the audit log");
        }
    }
}

/// Whether `path` no longer names the file we hold open.
#[cfg(unix)]
fn is_replaced(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let ours = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(on_disk) => Ok(on_disk.dev() != ours.dev() || on_disk.ino() != ours.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Without a stable file id in std, reopen on every batch; it is one open per lock hold.
#[cfg(not(unix))]
fn is_replaced(_file: &File, _path: &Path) -> io::Result<bool> {
    Ok(true)
}

/// One `write(2)` for the whole line: with `O_APPEND` the kernel places it atomically at the end, so
/// lines from several processes never interleave even without the lock.
fn write_line(mut file: &File, line: &[u8]) -> io::Result<()> {
    let n = loop {
        match file.write(line) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other?,
        }
    };
    if n < line.len() {
        // Short write (disk nearly full): finish the line while we still hold the lock rather than
        // leave a torn line that would also corrupt the next one.
        file.write_all(&line[n..])?;
    }
    Ok(())
}

fn create_dirs(path: &Path) -> io::Result<()> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // Only directories we create get 0700; an existing $HOME is left alone.
        builder.mode(0o700);
    }
    builder.create(parent)
}

fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Holds the exclusive advisory lock on `<path>.lock`; released on drop.
struct LockGuard<'a>(&'a File);

impl<'a> LockGuard<'a> {
    fn acquire(file: &'a File) -> io::Result<Self> {
        // Fully qualified: `File::lock` is also an inherent method on newer toolchains.
        fs4::FileExt::lock(file)?;
        Ok(Self(file))
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if let Err(e) = fs4::FileExt::unlock(self.0) {
            warn!(error = %e, "cannot unlock the audit lock file");
        }
    }
}
