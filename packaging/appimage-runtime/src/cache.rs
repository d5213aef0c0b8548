//! The extract-once cache: `$XDG_CACHE_HOME/enkrypt-appimage/<fingerprint>/` (else `~/.cache/…`).
//!
//! A start with a new image extracts into `.partial-<fingerprint>-<pid>` next to the final folder
//! and renames it into place, so the final folder exists only complete: a start interrupted half-way
//! leaves a partial folder that the next extraction removes, and two starts racing both extract, one
//! rename wins and the other drops its copy. Old fingerprints are not pruned (README).

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::Error;

/// Name of the folder under the cache home.
pub const CACHE_DIR: &str = "enkrypt-appimage";
const PARTIAL: &str = ".partial-";

/// The cache root for the given `$XDG_CACHE_HOME` and `$HOME` (absolute values only, as the XDG
/// Base Directory spec says).
pub fn root(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    absolute(xdg_cache_home)
        .or_else(|| absolute(home).map(|h| h.join(".cache")))
        .map(|base| base.join(CACHE_DIR))
}

/// Whether a process with this id is running (a partial folder of a live process is left alone).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes partial extractions of `key` under `root` whose process is gone.
fn remove_stale_partials(root: &Path, key: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let prefix = format!("{PARTIAL}{key}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// What [`ensure`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The folder was already there.
    Reused(PathBuf),
    /// This start extracted it (`entries` written).
    Extracted { dir: PathBuf, entries: usize },
}

impl Outcome {
    /// The extracted AppDir.
    pub fn dir(&self) -> &Path {
        match self {
            Self::Reused(dir) | Self::Extracted { dir, .. } => dir,
        }
    }
}

/// The extracted AppDir of the image at `offset` in `image` under `root`: reused when present, else
/// extracted now (atomically, see the module docs). `marker` is a file every complete extraction has
/// (`AppRun`).
pub fn ensure(image: &Path, offset: u64, root: &Path, marker: &str) -> Result<Outcome, Error> {
    let mut file = File::open(image).map_err(Error::io(image))?;
    let key = crate::squash::fingerprint(&mut file, offset)?;
    let dir = root.join(&key);
    if std::fs::symlink_metadata(dir.join(marker)).is_ok() {
        return Ok(Outcome::Reused(dir));
    }
    std::fs::create_dir_all(root).map_err(Error::io(root))?;
    remove_stale_partials(root, &key);
    let partial = root.join(format!("{PARTIAL}{key}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    let entries = match crate::squash::extract(image, offset, &partial, None) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    if std::fs::symlink_metadata(partial.join(marker)).is_err() {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(Error::Squash(format!("the image has no {marker}")));
    }
    match std::fs::rename(&partial, &dir) {
        Ok(()) => Ok(Outcome::Extracted { dir, entries }),
        // Another start renamed its copy first (the target is then a non-empty folder).
        Err(_) if std::fs::symlink_metadata(dir.join(marker)).is_ok() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(Outcome::Reused(dir))
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(Error::io(&dir)(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_cache_home_then_home() {
        let some = |s: &str| Some(OsString::from(s));
        assert_eq!(
            root(some("/x/cache"), some("/home/u")),
            Some(PathBuf::from("/x/cache/enkrypt-appimage"))
        );
        assert_eq!(
            root(None, some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/enkrypt-appimage"))
        );
        // A relative XDG_CACHE_HOME is ignored, as the spec says.
        assert_eq!(
            root(some("rel"), some("/home/u")),
            Some(PathBuf::from("/home/u/.cache/enkrypt-appimage"))
        );
        assert_eq!(root(None, None), None);
    }

    #[test]
    fn stale_partials_go_live_ones_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = dir
            .path()
            .join(format!(".partial-abc-{}", std::process::id()));
        // pid 4194304 is above Linux's pid_max ceiling, so never running.
        let dead = dir.path().join(".partial-abc-4194304");
        let other = dir.path().join(".partial-def-4194304");
        for d in [&live, &dead, &other] {
            std::fs::create_dir_all(d.join("usr")).expect("mkdir");
        }
        remove_stale_partials(dir.path(), "abc");
        assert!(live.exists());
        assert!(!dead.exists());
        assert!(
            other.exists(),
            "another image's partial is not ours to judge here"
        );
    }
}
