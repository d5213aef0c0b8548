//! The runtime end to end, as real processes: an AppDir whose `AppRun` is a shell script is packed
//! behind the built `appimage-runtime` (with `appimage-pack`), then the AppImage is run: the flags,
//! the environment `AppRun` gets, extract-once and reuse, and `--appimage-extract`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RUNTIME: &str = env!("CARGO_BIN_EXE_appimage-runtime");
const PACK: &str = env!("CARGO_BIN_EXE_appimage-pack");

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Packs a small AppDir into `dir/Test.AppImage` and returns its path.
fn build(dir: &Path) -> PathBuf {
    let appdir = dir.join("AppDir");
    write(
        &appdir.join("usr/bin/hello"),
        "#!/bin/sh\nprintf 'APPIMAGE=%s\\nAPPDIR=%s\\nARGV0=%s\\nOWD=%s\\nARGS=%s\\n' \"$APPIMAGE\" \"$APPDIR\" \"$ARGV0\" \"$OWD\" \"$*\"\n",
        0o755,
    );
    write(&appdir.join("usr/share/data.txt"), "data\n", 0o644);
    write(&appdir.join("test.desktop"), "[Desktop Entry]\n", 0o644);
    std::os::unix::fs::symlink("usr/bin/hello", appdir.join("AppRun")).expect("symlink");
    let image = dir.join("Test.AppImage");
    let out = Command::new(PACK)
        .args(["--runtime", RUNTIME, "--appdir"])
        .arg(&appdir)
        .arg("--output")
        .arg(&image)
        .output()
        .expect("appimage-pack");
    assert!(out.status.success(), "pack: {out:?}");
    image
}

/// Runs the image. Tests run in parallel threads: a child forked by another test while this one
/// still had the image open for writing keeps that descriptor until its `exec`, so `execve` can
/// fail with ETXTBSY ("Text file busy") for a moment; that is retried.
fn run(image: &Path, home: &Path, cwd: &Path, args: &[&str]) -> Output {
    let mut tries = 0;
    loop {
        let result = Command::new(image)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home)
            .current_dir(cwd)
            .output();
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.expect("run the AppImage"),
        }
    }
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn packed_image_runs_apprun_from_the_cache_and_reuses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = build(dir.path());
    let bytes = std::fs::read(&image).expect("read");
    assert_eq!(&bytes[8..11], b"AI\x02");

    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let offset: usize = stdout(&run(&image, &home, dir.path(), &["--appimage-offset"]))
        .trim()
        .parse()
        .expect("offset");
    assert_eq!(&bytes[offset..offset + 4], b"hsqs");
    assert!(stdout(&run(&image, &home, dir.path(), &["--appimage-version"])).contains("runtime"));

    let out = stdout(&run(&image, &home, dir.path(), &["one", "two"]));
    let cache = home.join(".cache/enkrypt-appimage");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .expect("cache")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let appdir = &entries[0];
    assert!(
        out.contains(&format!("APPIMAGE={}\n", image.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("APPDIR={}\n", appdir.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("ARGV0={}\n", image.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("OWD={}\n", dir.path().display())),
        "{out}"
    );
    assert!(out.contains("ARGS=one two\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(appdir.join("usr/share/data.txt")).expect("data"),
        "data\n"
    );

    // Reused: a file dropped into the extraction survives the next start.
    std::fs::write(appdir.join("marker"), "").expect("marker");
    let again = stdout(&run(&image, &home, dir.path(), &["three"]));
    assert!(again.contains("ARGS=three\n"), "{again}");
    assert!(appdir.join("marker").exists());
    assert_eq!(std::fs::read_dir(&cache).expect("cache").count(), 1);
}

#[test]
fn extract_and_extract_with_a_pattern() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = build(dir.path());
    let home = dir.path().join("home");
    let all = dir.path().join("all");
    let some = dir.path().join("some");
    for d in [&home, &all, &some] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    stdout(&run(&image, &home, &all, &["--appimage-extract"]));
    let root = all.join("squashfs-root");
    assert_eq!(
        std::fs::read_link(root.join("AppRun")).expect("AppRun"),
        Path::new("usr/bin/hello")
    );
    let mode = std::fs::metadata(root.join("usr/bin/hello"))
        .expect("hello")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    // Extracting again over an existing squashfs-root works (files are replaced).
    stdout(&run(&image, &home, &all, &["--appimage-extract"]));

    stdout(&run(
        &image,
        &home,
        &some,
        &["--appimage-extract", "*.desktop"],
    ));
    let root = some.join("squashfs-root");
    assert!(root.join("test.desktop").is_file());
    assert!(!root.join("AppRun").exists());
    assert!(!root.join("usr/bin/hello").exists());
    // Nothing was extracted into the cache by these flags.
    assert!(!home.join(".cache").exists());
}

#[test]
fn a_truncated_image_fails_and_leaves_no_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = build(dir.path());
    let bytes = std::fs::read(&image).expect("read");
    let runtime_len = std::fs::metadata(RUNTIME).expect("runtime").len() as usize;
    let broken = dir.path().join("Broken.AppImage");
    std::fs::write(&broken, &bytes[..runtime_len + 200]).expect("write");
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let out = run(&broken, &home, dir.path(), &[]);
    assert!(!out.status.success(), "{out:?}");
    let cache = home.join(".cache/enkrypt-appimage");
    let left = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0);
    // The runtime alone (no image) fails too.
    let out = run(Path::new(RUNTIME), &home, dir.path(), &[]);
    assert!(!out.status.success(), "{out:?}");
}
