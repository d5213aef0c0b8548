//! Safe writes of user files (the gateway config, Claude's, Cursor's… configs): atomic replace with a
//! timestamped backup.
//!
//! A write goes to a temporary file in the same directory, is fsynced, then renamed over the target, and
//! the directory is fsynced; a crash at any point leaves either the old or the new file, never a partial
//! one. The previous version is first copied to `<name>.bak-<UTC timestamp>`. Permissions of an existing
//! file are kept; new files are created 0600 (they may hold keys). This module does not parse anything.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot create folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot back up {path} to {backup}: {source}")]
    Backup {
        path: PathBuf,
        backup: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What [`write_atomic`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Where the previous version was copied, when there was one.
    pub backup: Option<PathBuf>,
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// The backup path used for `path` at this moment.
pub fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{name}.bak-{}", timestamp()))
}

/// Replaces `path` with `contents` atomically, backing up the previous version when `backup` is true.
pub fn write_atomic(path: &Path, contents: &[u8], backup: bool) -> Result<WriteOutcome, FileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|source| FileError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let existing = fs::metadata(path).ok();
    let mut backup_file = None;
    if backup && existing.as_ref().is_some_and(|m| m.is_file()) {
        let target = backup_path(path);
        fs::copy(path, &target).map_err(|source| FileError::Backup {
            path: path.to_path_buf(),
            backup: target.clone(),
            source,
        })?;
        backup_file = Some(target);
    }
    let write_err = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(source) = result {
        let _ = fs::remove_file(&tmp);
        return Err(write_err(source));
    }
    Ok(WriteOutcome {
        backup: backup_file,
    })
}

/// An exclusive advisory lock on the file at `path` (created with its folder when missing), released
/// on drop. Best effort: when the file cannot be created or locked, the holder goes ahead unlocked and
/// says so at debug level, naming the lock (`what`).
pub struct AdvisoryLock(Option<File>);

impl AdvisoryLock {
    /// Waits for the lock on `path`.
    pub fn acquire(path: &Path, what: &str) -> Self {
        let file = path
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(path)
            })
            .and_then(|file| fs4::FileExt::lock(&file).map(|()| file));
        match file {
            Ok(file) => Self(Some(file)),
            Err(error) => {
                tracing::debug!(path = %path.display(), %error, lock = what, "lock unavailable; continuing unlocked");
                Self(None)
            }
        }
    }
}

impl Drop for AdvisoryLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = fs4::FileExt::unlock(file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_a_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.json");
        fs::write(&path, b"old").expect("seed");
        let outcome = write_atomic(&path, b"new", true).expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        let backup = outcome.backup.expect("backup made");
        assert_eq!(fs::read(backup).expect("read backup"), b"old");
    }

    #[test]
    fn creates_missing_folders_and_files_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b/new.json");
        let outcome = write_atomic(&path, b"{}", true).expect("write");
        assert!(outcome.backup.is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_permissions_of_an_existing_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.json");
        fs::write(&path, b"x").expect("seed");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        write_atomic(&path, b"y", false).expect("write");
        assert_eq!(
            fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o644
        );
    }
}
