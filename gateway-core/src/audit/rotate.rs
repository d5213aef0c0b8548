//! Size-based rotation of the audit file: `audit.jsonl` → `audit.jsonl.1` → … → `audit.jsonl.<keep>`.
//!
//! Owns the file-name scheme (rotated files and the sibling `<path>.lock`) and the rename sequence. It does
//! not take the cross-process lock or decide *when* to rotate; the writer does both and calls
//! [`rotate`] only while holding the lock, so two processes never rotate the same file twice.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// The `n`-th rotated file: `<path>.<n>` (`audit.jsonl.1` is the newest rotated file).
pub fn rotated_path(path: &Path, n: usize) -> PathBuf {
    with_suffix(path, &format!(".{n}"))
}

/// The sibling lock file guarding "check size → rotate → write": `<path>.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    with_suffix(path, ".lock")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Shifts `path` to `<path>.1`, `<path>.1` to `<path>.2`, …, deleting `<path>.<keep>` (and any older
/// leftovers from a larger `keep`). With `keep == 0` the current file is simply deleted.
///
/// Missing files are not an error: a gap in the sequence (someone deleted a file by hand) just shifts.
/// The caller reopens `path` afterwards.
pub(crate) fn rotate(path: &Path, keep: usize) -> io::Result<()> {
    // Leftovers from a previous run with a larger `keep`; stop at the first gap.
    let mut n = keep.saturating_add(1);
    while remove_if_exists(&rotated_path(path, n))? {
        n += 1;
    }
    if keep == 0 {
        remove_if_exists(path)?;
        return Ok(());
    }
    remove_if_exists(&rotated_path(path, keep))?;
    for n in (1..keep).rev() {
        rename_if_exists(&rotated_path(path, n), &rotated_path(path, n + 1))?;
    }
    rename_if_exists(path, &rotated_path(path, 1))?;
    Ok(())
}

fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn rename_if_exists(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("temp dir is readable")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn sibling_names() {
        let p = Path::new("/x/audit.jsonl");
        assert_eq!(rotated_path(p, 3), Path::new("/x/audit.jsonl.3"));
        assert_eq!(lock_path(p), Path::new("/x/audit.jsonl.lock"));
    }

    #[test]
    fn shifts_files_and_drops_the_oldest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("a.jsonl");
        for round in 0..4 {
            std::fs::write(&p, format!("{round}")).expect("write");
            rotate(&p, 2).expect("rotate");
        }
        assert_eq!(names(dir.path()), ["a.jsonl.1", "a.jsonl.2"]);
        let read = |n| std::fs::read_to_string(rotated_path(&p, n)).expect("read");
        assert_eq!(read(1), "3");
        assert_eq!(read(2), "2");
    }

    #[test]
    fn keep_zero_deletes_and_smaller_keep_cleans_leftovers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("a.jsonl");
        for n in 1..=4 {
            std::fs::write(rotated_path(&p, n), "old").expect("write");
        }
        std::fs::write(&p, "cur").expect("write");
        rotate(&p, 0).expect("rotate");
        assert!(names(dir.path()).is_empty());
    }
}
