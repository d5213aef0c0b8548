//! The three autostart rules, checked against what each OS's own tools accept where this host has them
//! (desktop-file-validate, Python's plistlib), and the file-based ones written for real.

use std::ffi::OsString;

use super::*;
use crate::platform::command_line;

const ARGS: &[&str] = &["--hidden"];

fn env(pairs: &[(&str, &str)]) -> PathEnv {
    PathEnv::from_lookup(|name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| OsString::from(v))
    })
}

fn file(entry: &AutostartEntry) -> &Path {
    match &entry.location {
        Location::File(path) => path,
        other => panic!("expected a file, got {other:?}"),
    }
}

#[test]
fn linux_xdg_autostart_file() {
    let e = entry(
        Os::Linux,
        &env(&[("HOME", "/home/u")]),
        "/usr/bin/enkrypt-desktop",
        ARGS,
    )
    .expect("entry");
    assert_eq!(
        file(&e),
        Path::new("/home/u/.config/autostart/ai.enkrypt.secure-mcp-gateway.desktop")
    );
    assert!(
        e.contents
            .contains("\nExec=/usr/bin/enkrypt-desktop --hidden\n"),
        "{}",
        e.contents
    );
    assert!(
        e.contents
            .starts_with("[Desktop Entry]\nType=Application\n")
    );
    let xdg = env(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/data/cfg")]);
    let e = entry(Os::Linux, &xdg, "/usr/bin/enkrypt-desktop", ARGS).expect("entry");
    assert_eq!(
        file(&e),
        Path::new("/data/cfg/autostart/ai.enkrypt.secure-mcp-gateway.desktop")
    );
}

#[test]
fn linux_exec_quotes_an_appimage_path_with_spaces() {
    let image = "/home/u/My Apps/Enkrypt $1 100%.AppImage";
    let e = entry(Os::Linux, &env(&[("HOME", "/home/u")]), image, ARGS).expect("entry");
    // Quoted, `$` escaped, `%` doubled; then the backslash itself escaped for the string value.
    assert!(
        e.contents
            .contains(r#"Exec="/home/u/My Apps/Enkrypt \\$1 100%%.AppImage" --hidden"#),
        "{}",
        e.contents
    );
}

#[test]
fn an_appimage_starts_itself_through_appimage() {
    let exe = Path::new("/tmp/.mount_Enkr/usr/bin/enkrypt-desktop");
    let image = OsString::from("/home/u/Enkrypt.AppImage");
    assert_eq!(
        launch_path(Os::Linux, Some(&image), exe),
        Path::new("/home/u/Enkrypt.AppImage")
    );
    assert_eq!(launch_path(Os::Linux, None, exe), exe);
    assert_eq!(launch_path(Os::MacOs, Some(&image), exe), exe);
}

#[test]
fn macos_launch_agent() {
    let app = "/Applications/Enkrypt Secure MCP Gateway.app/Contents/MacOS/enkrypt-desktop";
    let e = entry(Os::MacOs, &env(&[("HOME", "/Users/u")]), app, ARGS).expect("entry");
    assert_eq!(
        file(&e),
        Path::new("/Users/u/Library/LaunchAgents/ai.enkrypt.secure-mcp-gateway.plist")
    );
    assert!(
        e.contents.contains(&format!("<string>{app}</string>")),
        "{}",
        e.contents
    );
    assert!(e.contents.contains("<key>RunAtLoad</key>\n  <true/>"));
}

#[test]
fn windows_run_value_quotes_the_program() {
    let app = r"C:\Users\John Smith\AppData\Local\Enkrypt Secure MCP Gateway\enkrypt-desktop.exe";
    let e = entry(Os::Windows, &PathEnv::default(), app, ARGS).expect("entry");
    assert_eq!(
        e.location,
        Location::Registry {
            key: r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run".into(),
            value: "ai.enkrypt.secure-mcp-gateway".into(),
        }
    );
    assert_eq!(e.contents, format!("\"{app}\" --hidden"));
    assert_eq!(command_line::split(&e.contents), [app, "--hidden"]);
    assert_eq!(
        reg_args(RegAction::Add, RUN_KEY, ENTRY_ID, &e.contents),
        [
            "add",
            RUN_KEY,
            "/v",
            ENTRY_ID,
            "/t",
            "REG_SZ",
            "/d",
            e.contents.as_str(),
            "/f"
        ]
    );
    assert_eq!(
        reg_args(RegAction::Delete, RUN_KEY, ENTRY_ID, ""),
        ["delete", RUN_KEY, "/v", ENTRY_ID, "/f"]
    );
}

#[test]
fn no_home_no_entry() {
    assert!(entry(Os::Linux, &PathEnv::default(), "/x", ARGS).is_err());
    assert!(entry(Os::MacOs, &PathEnv::default(), "/x", ARGS).is_err());
}

/// The file-based entries are really written, found and removed (Linux and macOS rules alike: both are
/// plain files under a temporary home).
#[test]
fn enable_disable_round_trip_on_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().to_string_lossy().into_owned();
    for os in [Os::Linux, Os::MacOs] {
        let e = entry(
            os,
            &env(&[("HOME", &home)]),
            "/opt/app/enkrypt-desktop",
            ARGS,
        )
        .expect("entry");
        assert!(!is_enabled(&e).expect("query"));
        enable(&e).expect("enable");
        assert!(is_enabled(&e).expect("query"));
        assert_eq!(std::fs::read_to_string(file(&e)).expect("read"), e.contents);
        enable(&e).expect("enable twice");
        disable(&e).expect("disable");
        assert!(!file(&e).exists());
        disable(&e).expect("disable twice");
    }
}

/// desktop-file-validate (apt: desktop-file-utils) accepts the autostart file, spaces and all.
#[cfg(unix)]
#[test]
fn desktop_file_validate_accepts_it() {
    if which("desktop-file-validate").is_none() {
        eprintln!("SKIP: desktop-file-validate not installed (apt install desktop-file-utils)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for program in [
        "/usr/bin/enkrypt-desktop",
        "/home/u/My Apps/Enkrypt (1) $x 100%.AppImage",
    ] {
        let e = entry(Os::Linux, &env(&[("HOME", "/h")]), program, ARGS).expect("entry");
        let path = dir.path().join(format!("{ENTRY_ID}.desktop"));
        std::fs::write(&path, &e.contents).expect("write");
        let out = Command::new("desktop-file-validate")
            .arg(&path)
            .output()
            .expect("run");
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "{program}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Python's plistlib (the reference reader available on Linux) parses the LaunchAgent back to the
/// same label and argv, with XML special characters in the path.
#[cfg(unix)]
#[test]
fn plistlib_reads_the_launch_agent_back() {
    let Some(python) = which("python3") else {
        eprintln!("SKIP: python3 not installed");
        return;
    };
    let app = "/Applications/R&D <test> \"Enkrypt\".app/Contents/MacOS/enkrypt-desktop";
    let e = entry(Os::MacOs, &env(&[("HOME", "/Users/u")]), app, ARGS).expect("entry");
    let out = Command::new(python)
        .args([
            "-c",
            "import plistlib,sys,json; p=plistlib.loads(sys.stdin.buffer.read()); \
             print(json.dumps([p['Label'], p['ProgramArguments'], p['RunAtLoad']]))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(e.contents.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        parsed,
        serde_json::json!([ENTRY_ID, [app, "--hidden"], true])
    );
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}
