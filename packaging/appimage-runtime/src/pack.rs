//! Packing: an AppDir into a gzip SquashFS image (backhand) behind the runtime, magic written.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use backhand::compression::Compressor;
use backhand::{FilesystemCompressor, FilesystemWriter, NodeHeader};

use crate::Error;
use crate::elf::{HEADER_LEN, MAGIC, MAGIC_OFFSET, end_of_elf};

/// The runtime's bytes with the magic written, checked to end exactly where its ELF ends (so the
/// image appended to it is where every AppImage tool looks).
pub fn runtime_with_magic(runtime: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = std::fs::read(runtime).map_err(Error::io(runtime))?;
    let end = end_of_elf(bytes.get(..HEADER_LEN).unwrap_or(&bytes))?;
    if end != bytes.len() as u64 {
        return Err(Error::Elf(format!(
            "{} is {} bytes but its ELF ends at {end}: the image would not be found",
            runtime.display(),
            bytes.len()
        )));
    }
    bytes[MAGIC_OFFSET..MAGIC_OFFSET + MAGIC.len()].copy_from_slice(&MAGIC);
    Ok(bytes)
}

/// Every path under `dir` (not `dir` itself), parents before children, in a stable order.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(Error::io(dir))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(Error::io(dir))?;
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel = rel.join(&name);
        out.push(rel.clone());
        let meta = std::fs::symlink_metadata(&path).map_err(Error::io(&path))?;
        if meta.is_dir() {
            walk(&path, &rel, out)?;
        }
    }
    Ok(())
}

/// Writes `output`: the runtime at `runtime` (magic added), then a SquashFS image of `appdir`
/// (root-owned, permission bits and modification times kept). Returns the image's offset.
pub fn pack(runtime: &Path, appdir: &Path, output: &Path) -> Result<u64, Error> {
    let head = runtime_with_magic(runtime)?;
    if std::fs::symlink_metadata(appdir.join("AppRun")).is_err() {
        return Err(Error::Squash(format!("{} has no AppRun", appdir.display())));
    }
    let mut paths = Vec::new();
    walk(appdir, Path::new(""), &mut paths)?;
    let mut fs = FilesystemWriter::default();
    let compressor = FilesystemCompressor::new(Compressor::Gzip, None)
        .map_err(|e| Error::Squash(e.to_string()))?;
    fs.set_compressor(compressor);
    fs.set_current_time();
    fs.set_root_mode(0o755);
    let squash = |e: backhand::BackhandError| Error::Squash(e.to_string());
    for rel in &paths {
        let path = appdir.join(rel);
        let meta = std::fs::symlink_metadata(&path).map_err(Error::io(&path))?;
        let mtime = u32::try_from(meta.mtime()).unwrap_or(0);
        let header = NodeHeader::new((meta.mode() & 0o7777) as u16, 0, 0, mtime);
        let ft = meta.file_type();
        if ft.is_dir() {
            fs.push_dir(rel, header).map_err(squash)?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&path).map_err(Error::io(&path))?;
            fs.push_symlink(target, rel, header).map_err(squash)?;
        } else if ft.is_file() {
            let file = File::open(&path).map_err(Error::io(&path))?;
            fs.push_file(file, rel, header).map_err(squash)?;
        } else {
            return Err(Error::Squash(format!(
                "{}: only folders, files and symlinks go into an AppImage",
                path.display()
            )));
        }
    }
    let out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(output)
        .map_err(Error::io(output))?;
    let mut out = BufWriter::new(out);
    out.write_all(&head).map_err(Error::io(output))?;
    let offset = head.len() as u64;
    fs.write_with_offset(&mut out, offset).map_err(squash)?;
    out.flush().map_err(Error::io(output))?;
    std::fs::set_permissions(output, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(Error::io(output))?;
    Ok(offset)
}
