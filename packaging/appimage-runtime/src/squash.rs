//! The SquashFS side: a cheap fingerprint of the image (the cache key) and extraction (backhand).
//!
//! The fingerprint is a SHA-256 of the superblock and of every metadata table (from the inode table
//! to `bytes_used`: inodes, directories, fragment, export and id tables). The inodes list the
//! compressed size of every data block and the superblock the build time, so any rebuild of the
//! AppDir changes it, while a start reads a few hundred KiB instead of hashing the whole image.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use backhand::{FilesystemReader, InnerNode};
use sha2::{Digest, Sha256};

use crate::Error;

/// SquashFS 4 superblock length and magic.
const SUPERBLOCK_LEN: usize = 96;
const SQUASHFS_MAGIC: &[u8; 4] = b"hsqs";
/// A sanity bound on the metadata tables the fingerprint reads.
const MAX_METADATA: u64 = 256 << 20;

/// Hex fingerprint (16 hex digits) of the image at `offset` in `file`.
pub fn fingerprint(file: &mut File, offset: u64) -> Result<String, Error> {
    let io = |e: std::io::Error| Error::Squash(format!("reading the superblock: {e}"));
    let mut sb = [0u8; SUPERBLOCK_LEN];
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    file.read_exact(&mut sb).map_err(io)?;
    if &sb[..4] != SQUASHFS_MAGIC {
        return Err(Error::Squash(format!(
            "no SquashFS superblock at offset {offset}"
        )));
    }
    let field = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&sb[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let (bytes_used, inode_table) = (field(40), field(64));
    let len = bytes_used
        .checked_sub(inode_table)
        .filter(|len| *len <= MAX_METADATA && inode_table >= SUPERBLOCK_LEN as u64)
        .ok_or_else(|| Error::Squash("inconsistent superblock".into()))?;
    let mut hasher = Sha256::new();
    hasher.update(sb);
    file.seek(SeekFrom::Start(offset + inode_table))
        .map_err(io)?;
    let copied = std::io::copy(&mut file.take(len), &mut HashWriter(&mut hasher)).map_err(io)?;
    if copied != len {
        return Err(Error::Squash("the image is truncated".into()));
    }
    let digest = hasher.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The relative path of an image entry (`/usr/bin/x` → `usr/bin/x`); `None` for the root. Refuses
/// anything but plain names (`..`, `.`), so nothing lands outside the destination.
fn relative(fullpath: &Path) -> Result<Option<PathBuf>, Error> {
    let mut out = PathBuf::new();
    for c in fullpath.components() {
        match c {
            Component::RootDir => {}
            Component::Normal(name) => out.push(name),
            _ => return Err(Error::UnsafePath(fullpath.display().to_string())),
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// Extracts the image at `offset` in `image` into `dest` (created if needed): directories, regular
/// files and symlinks with their permission bits (set-id bits dropped); devices, pipes and sockets
/// are skipped. With `pattern`, only entries whose relative path matches it ([`crate::fnmatch`]),
/// plus the folders above them. Returns how many entries were written.
pub fn extract(
    image: &Path,
    offset: u64,
    dest: &Path,
    pattern: Option<&str>,
) -> Result<usize, Error> {
    let file = File::open(image).map_err(Error::io(image))?;
    let fs = FilesystemReader::from_reader_with_offset(BufReader::new(file), offset)
        .map_err(|e| Error::Squash(e.to_string()))?;
    std::fs::create_dir_all(dest).map_err(Error::io(dest))?;
    let mut dirs = Vec::new();
    let mut written = 0;
    for node in fs.files() {
        let Some(rel) = relative(&node.fullpath)? else {
            continue;
        };
        if pattern.is_some_and(|p| !crate::fnmatch::matches(p, &rel.to_string_lossy())) {
            continue;
        }
        let path = dest.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        let mode = u32::from(node.header.permissions) & 0o777;
        match &node.inner {
            InnerNode::Dir(_) => {
                std::fs::create_dir_all(&path).map_err(Error::io(&path))?;
                // Permissions last: a read-only folder would refuse its own files.
                dirs.push((path, mode));
            }
            InnerNode::File(f) => {
                remove_non_dir(&path)?;
                let mut out = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(Error::io(&path))?;
                let mut reader = fs.file(f).reader();
                std::io::copy(&mut reader, &mut out).map_err(Error::io(&path))?;
                out.set_permissions(std::fs::Permissions::from_mode(mode))
                    .map_err(Error::io(&path))?;
            }
            InnerNode::Symlink(link) => {
                remove_non_dir(&path)?;
                std::os::unix::fs::symlink(&link.link, &path).map_err(Error::io(&path))?;
            }
            _ => continue,
        }
        written += 1;
    }
    for (path, mode) in dirs.into_iter().rev() {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode | 0o700))
            .map_err(Error::io(&path))?;
    }
    Ok(written)
}

/// Removes a file or symlink at `path` (a re-extraction into `squashfs-root` overwrites).
fn remove_non_dir(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_dir() => std::fs::remove_file(path).map_err(Error::io(path)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths() {
        assert_eq!(
            relative(Path::new("/usr/bin/x")).expect("ok"),
            Some(PathBuf::from("usr/bin/x"))
        );
        assert_eq!(relative(Path::new("/")).expect("ok"), None);
        assert!(relative(Path::new("/usr/../../etc/passwd")).is_err());
        assert!(relative(Path::new("/./x")).is_ok());
    }
}
