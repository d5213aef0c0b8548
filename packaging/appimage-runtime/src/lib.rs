//! Our AppImage type-2 runtime and packer, without FUSE.
//!
//! An AppImage is this runtime (an ELF executable carrying the magic `AI\x02` at byte 8) followed
//! directly by a SquashFS image of an AppDir; the image starts where the ELF ends, at
//! `e_shoff + e_shnum * e_shentsize` ([`elf`]). Unlike the official runtime, which mounts the image
//! with FUSE on every start, this one extracts it once into a per-image cache folder and runs
//! `AppRun` from there ([`cache`], [`squash`]); later starts find the folder and only `exec`.
//! `appimage-pack` builds the image from an AppDir and puts it behind the runtime ([`pack`]).

pub mod cache;
pub mod elf;
pub mod fnmatch;
pub mod pack;
pub mod squash;

/// What can go wrong reading, extracting or packing an AppImage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The runtime's own ELF header is not what an AppImage runtime has.
    #[error("not an AppImage runtime: {0}")]
    Elf(String),
    /// The SquashFS image is missing or damaged.
    #[error("bad SquashFS image: {0}")]
    Squash(String),
    /// The image holds a path that would land outside the extraction folder.
    #[error("unsafe path in the image: {0}")]
    UnsafePath(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<std::path::PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
