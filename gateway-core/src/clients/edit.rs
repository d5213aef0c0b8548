//! The one safe way to change a client's JSON config: lock, read, edit in memory, write atomically.
//!
//! [`update_json_file`] reads the file (an absent or blank file is an empty object), refuses anything
//! that is not a JSON object with a located [`ClientError::Malformed`] before touching anything, applies
//! the caller's edit to the parsed document (key order is kept: `serde_json`'s `preserve_order` is on),
//! and only when the document changed takes the advisory lock on `<file>.enkrypt-lock`, re-reads and
//! re-applies the edit under it, and replaces the file with [`crate::files::write_atomic`] (temp file,
//! fsync, rename, timestamped backup). A no-op edit writes nothing and creates nothing.
//!
//! The output is pretty-printed with the file's own indentation (2 spaces for new files) and line
//! endings. Clients that do not take our lock (the client app itself) are detected by re-reading the
//! file just before the rename and retrying. A symlinked config is edited at its target, so dotfile
//! links survive. This module knows nothing about MCP entries; `ops` does.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tracing::debug;

use super::ClientError;
use crate::config::{JsonPath, LineIndex};
use crate::files::write_atomic;
use crate::platform::text::TextStyle;

/// Whether an operation writes or only reports what it would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Change the file.
    Apply,
    /// Compute the change and write nothing (no file, folder, lock or backup is created).
    DryRun,
}

/// An edit found the document in a shape it cannot work with (e.g. `mcpServers` is an array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Where in the document.
    pub path: JsonPath,
    /// What is wrong, for people.
    pub detail: String,
}

/// What [`update_json_file`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct FileUpdate {
    /// The file actually edited (the symlink target when the path is a symlink).
    pub path: PathBuf,
    /// The file existed before.
    pub existed: bool,
    /// The document before the edit (an empty object for an absent file).
    pub before: Map<String, Value>,
    /// The document after the edit.
    pub after: Map<String, Value>,
    /// The edit changed the document.
    pub changed: bool,
    /// The file was written (changed and not a dry run).
    pub written: bool,
    /// Where the previous version was saved.
    pub backup: Option<PathBuf>,
}

/// How many times a write is retried when another program rewrites the file under us.
const MAX_ATTEMPTS: usize = 5;

/// The sibling lock file guarding read-modify-write of `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".enkrypt-lock");
    path.with_file_name(name)
}

/// Applies `edit` to the JSON object in `path` and saves the result if it changed (see the module doc).
pub fn update_json_file(
    path: &Path,
    mode: WriteMode,
    edit: impl FnMut(&mut Map<String, Value>) -> Result<(), ShapeError>,
) -> Result<FileUpdate, ClientError> {
    update_json_file_with(path, mode, true, edit, |_, _| Ok(()))
}

/// [`update_json_file`] with control over the timestamped backup, and a hook that runs under the lock
/// just before the file is replaced, with the exact bytes being replaced (`None`: no file) and the new
/// bytes. The hook's error aborts the write. `import` saves its restore record there, so the record
/// always describes the very bytes it undoes.
pub fn update_json_file_with(
    path: &Path,
    mode: WriteMode,
    backup: bool,
    mut edit: impl FnMut(&mut Map<String, Value>) -> Result<(), ShapeError>,
    mut before_write: impl FnMut(Option<&[u8]>, &[u8]) -> Result<(), ClientError>,
) -> Result<FileUpdate, ClientError> {
    let path = resolve_symlink(path);
    // Optimistic pass without the lock: a malformed file or a no-op edit ends here, touching nothing.
    let first = read(&path)?;
    let mut update = apply(&path, first.as_deref(), &mut edit)?;
    if !update.changed || mode == WriteMode::DryRun {
        if update.changed {
            check_writable(&path)?;
        }
        return Ok(update);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|source| crate::files::FileError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let _lock = FileLock::acquire(&lock_path(&path))?;
    let mut last_read = first;
    for attempt in 1..=MAX_ATTEMPTS {
        let current = read(&path)?;
        // Unchanged since the last read: the edit already computed holds (parsing is the slow part).
        if current != last_read {
            update = apply(&path, current.as_deref(), &mut edit)?;
            last_read = current;
        }
        if !update.changed {
            return Ok(update);
        }
        check_writable(&path)?;
        let bytes = render(&update.after, last_read.as_deref());
        // A client that does not take our lock may have rewritten the file since we read it.
        if read(&path)? != last_read {
            debug!(path = %path.display(), attempt, "file changed under us; retrying");
            continue;
        }
        before_write(last_read.as_deref(), &bytes)?;
        let outcome = write_atomic(&path, &bytes, backup)?;
        update.written = true;
        update.backup = outcome.backup;
        debug!(path = %path.display(), backup = ?update.backup, "client config written");
        return Ok(update);
    }
    Err(ClientError::Busy { path })
}

fn resolve_symlink(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// The file's bytes, `None` when it does not exist.
fn read(path: &Path) -> Result<Option<Vec<u8>>, ClientError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ClientError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A read-only file is refused: a user (or their dotfiles tooling) marked it so on purpose, and the
/// rename would otherwise replace it regardless of its mode.
fn check_writable(path: &Path) -> Result<(), ClientError> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().readonly() => Err(ClientError::ReadOnly {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

fn apply(
    path: &Path,
    bytes: Option<&[u8]>,
    edit: &mut impl FnMut(&mut Map<String, Value>) -> Result<(), ShapeError>,
) -> Result<FileUpdate, ClientError> {
    let before = match bytes {
        Some(bytes) => parse(path, bytes)?,
        None => Map::new(),
    };
    let mut after = before.clone();
    if let Err(shape) = edit(&mut after) {
        return Err(shape_error(path, bytes.unwrap_or_default(), shape));
    }
    // `Map` equality ignores order; a change of order alone is still a change worth writing.
    let changed = after != before || !after.keys().eq(before.keys());
    Ok(FileUpdate {
        path: path.to_path_buf(),
        existed: bytes.is_some(),
        before,
        after,
        changed,
        written: false,
        backup: None,
    })
}

/// A [`ShapeError`] in the file `path` holding `bytes`, located to its line.
pub(crate) fn shape_error(path: &Path, bytes: &[u8], shape: ShapeError) -> ClientError {
    let text = String::from_utf8_lossy(bytes);
    let line = LineIndex::scan(strip_bom(&text)).line_of(&shape.path);
    ClientError::Malformed {
        path: path.to_path_buf(),
        line,
        column: None,
        detail: shape.detail,
    }
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses a client config: a JSON object, or blank (= empty object). Anything else is `Malformed`
/// with the line and column of the problem.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Map<String, Value>, ClientError> {
    let malformed = |line, column, detail: String| ClientError::Malformed {
        path: path.to_path_buf(),
        line: Some(line),
        column: Some(column),
        detail,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let (line, column) = position(bytes, e.valid_up_to());
            return Err(malformed(line, column, "not valid UTF-8".into()));
        }
    };
    let text = strip_bom(text);
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let start = text.len() - text.trim_start().len();
            let (line, column) = position(text.as_bytes(), start);
            let detail = format!("the top level is {}; expected a JSON object", kind(&other));
            Err(malformed(line, column, detail))
        }
        Err(e) => {
            let message = e.to_string();
            // serde_json appends " at line L column C"; we report the position ourselves.
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |i| &message[..i]);
            Err(malformed(
                e.line(),
                e.column(),
                format!("not valid JSON ({message})"),
            ))
        }
    }
}

/// The 1-based line and column of byte `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// "an array", "a string"… for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Pretty JSON in the style of `original` (its indentation, line endings and UTF-8 byte-order mark; 2
/// spaces, `\n` and no BOM for a new file: [`crate::platform::text`]), ending with a newline.
pub fn render(doc: &Map<String, Value>, original: Option<&[u8]>) -> Vec<u8> {
    use serde::Serialize as _;
    let style = TextStyle::of(original.map(String::from_utf8_lossy).as_deref());
    let original = original.map(String::from_utf8_lossy).unwrap_or_default();
    let indent = detect_indent(strip_bom(&original));
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a `Map` of `Value`s into a Vec cannot fail.
    if doc.serialize(&mut ser).is_err() {
        out = b"{}".to_vec();
    }
    out.push(b'\n');
    if style == TextStyle::default() {
        return out;
    }
    style.apply(&String::from_utf8_lossy(&out)).into_bytes()
}

/// The indentation unit of a pretty-printed JSON text: the leading whitespace of its first indented
/// line when that is a tab or 1–8 spaces, else two spaces.
fn detect_indent(text: &str) -> String {
    let first = text
        .lines()
        .skip(1)
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| !l.trim().is_empty())
        .map(|l| &l[..l.len() - l.trim_start().len()]);
    match first {
        Some("\t") => "\t".into(),
        Some(ws) if (1..=8).contains(&ws.len()) && ws.bytes().all(|b| b == b' ') => ws.into(),
        _ => "  ".into(),
    }
}

/// An exclusive advisory lock on a file, released on drop (and by the OS if the process dies).
pub(crate) struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    pub(crate) fn acquire(path: &Path) -> Result<Self, ClientError> {
        let err = |source| ClientError::Lock {
            path: path.to_path_buf(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(err)?;
        // Fully qualified: `File::lock` is also an inherent method on newer toolchains.
        fs4::FileExt::lock(&file).map_err(err)?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        if let Err(error) = fs4::FileExt::unlock(&self.file) {
            tracing::warn!(path = %self.path.display(), %error, "cannot release the client config lock");
        }
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
