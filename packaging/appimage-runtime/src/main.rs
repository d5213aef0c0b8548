//! The AppImage runtime: the ELF at the front of every Enkrypt `.AppImage` (lib.rs says how it
//! differs from the official one). It finds the SquashFS image appended to itself, extracts it once
//! into the cache and execs `AppRun` with the standard environment: `APPIMAGE` (this file),
//! `APPDIR` (the extracted folder), `ARGV0` (how it was called) and `OWD` (the working folder).
//! Flags as the official runtime: `--appimage-extract [PATTERN]`, `--appimage-offset`,
//! `--appimage-version`, `--appimage-help`; `--appimage-extract-and-run` is what every start does.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use appimage_runtime::{Error, cache, elf, squash};

const HELP: &str = "\
AppImage options (Enkrypt's runtime: extracts once into a cache, no FUSE):
  --appimage-extract [PATTERN]  extract the contents (or what matches PATTERN) to ./squashfs-root
  --appimage-offset             print the byte offset of the SquashFS image
  --appimage-version            print this runtime's version
  --appimage-help               this help
  --appimage-extract-and-run    run the app (every start extracts once, then reuses the cache)
Cache: $XDG_CACHE_HOME/enkrypt-appimage/ (default ~/.cache/enkrypt-appimage/); delete it to free space.";

/// This AppImage: its canonical path and the image offset.
fn locate() -> Result<(PathBuf, u64), Error> {
    let exe = std::fs::canonicalize("/proc/self/exe").map_err(Error::io("/proc/self/exe"))?;
    let mut header = [0u8; elf::HEADER_LEN];
    std::fs::File::open(&exe)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(Error::io(&exe))?;
    let offset = elf::end_of_elf(&header)?;
    Ok((exe, offset))
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("appimage-runtime: {e}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let (image, offset) = match locate() {
        Ok(found) => found,
        Err(e) => return fail(e),
    };
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    match first {
        "--appimage-offset" => {
            println!("{offset}");
            return ExitCode::SUCCESS;
        }
        "--appimage-version" => {
            println!(
                "enkrypt-appimage-runtime {} (type 2, extract-once, no FUSE)",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        "--appimage-help" => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        "--appimage-extract" => {
            let pattern = args.get(2).map(|p| p.to_string_lossy().into_owned());
            return match squash::extract(
                &image,
                offset,
                Path::new("squashfs-root"),
                pattern.as_deref(),
            ) {
                Ok(n) => {
                    eprintln!("extracted {n} entries to squashfs-root");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            };
        }
        "--appimage-extract-and-run" => {}
        other if other.starts_with("--appimage-") => {
            eprintln!("appimage-runtime: {other} is not supported by this runtime\n{HELP}");
            return ExitCode::from(2);
        }
        _ => {}
    }
    let skip = if first == "--appimage-extract-and-run" {
        2
    } else {
        1
    };
    let Some(root) = cache::root(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
    else {
        return fail("neither XDG_CACHE_HOME nor HOME is an absolute path: nowhere to extract to");
    };
    let appdir = match cache::ensure(&image, offset, &root, "AppRun") {
        Ok(outcome) => outcome.dir().to_path_buf(),
        Err(e) => return fail(e),
    };
    let apprun = appdir.join("AppRun");
    let mut command = std::process::Command::new(&apprun);
    // A symlinked AppRun runs under its target's name: GTK takes the window class from argv[0], and
    // it must match the .desktop file's StartupWMClass (the app's binary name), not "AppRun".
    if let Some(name) = std::fs::read_link(&apprun)
        .ok()
        .and_then(|target| target.file_name().map(|n| n.to_owned()))
    {
        command.arg0(name);
    }
    command
        .args(args.iter().skip(skip))
        .env("APPIMAGE", &image)
        .env("APPDIR", &appdir)
        .env("ARGV0", args.first().cloned().unwrap_or_default());
    if let Ok(owd) = std::env::current_dir() {
        command.env("OWD", owd);
    }
    let error = command.exec();
    fail(format!(
        "cannot run {}: {error}",
        appdir.join("AppRun").display()
    ))
}
