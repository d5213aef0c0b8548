//! "Start at login" on each OS: what is written where, and doing it.
//!
//! - macOS: a LaunchAgent, `~/Library/LaunchAgents/<id>.plist`, `RunAtLoad` with the app binary and
//!   its arguments as `ProgramArguments` (no shell, no quoting; XML-escaped).
//! - Windows: the value `<id>` under `HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run`,
//!   one command line with the program quoted ([`super::command_line`]): the per-user install folder
//!   `…\AppData\Local\Enkrypt Secure MCP Gateway\` has spaces.
//! - Linux: an XDG autostart file, `$XDG_CONFIG_HOME/autostart/<id>.desktop` (else `~/.config/…`),
//!   its `Exec` quoted per the Desktop Entry spec. An AppImage starts itself through `$APPIMAGE`.
//!
//! `<id>` is [`ENTRY_ID`], the app's bundle identifier: no spaces in file names, a reverse-DNS launchd
//! label. [`entry`] is pure; [`enable`], [`disable`] and [`is_enabled`] write files (macOS, Linux) or
//! run `reg.exe` (Windows). This replaces tauri-plugin-autostart 2.7 (auto-launch 0.6), which wrote the
//! Windows `Run` value and the Linux `Exec` line unquoted and ignored `XDG_CONFIG_HOME`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::paths::{PathError, app_config_dir, home};
use super::{Os, PathEnv};

/// File name stem, launchd label and registry value name of the autostart entry.
pub const ENTRY_ID: &str = "ai.enkrypt.secure-mcp-gateway";

/// The name shown in login-item lists.
pub const DISPLAY_NAME: &str = "Enkrypt Secure MCP Gateway";

/// The per-user `Run` key.
pub const RUN_KEY: &str = r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run";

/// Where an autostart entry lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file (LaunchAgent plist, XDG `.desktop`).
    File(PathBuf),
    /// A registry value.
    Registry {
        /// The key, with its hive spelled out.
        key: String,
        /// The value name.
        value: String,
    },
}

/// What "start at login" writes on one OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutostartEntry {
    /// Where.
    pub location: Location,
    /// The file contents, or the registry value's data.
    pub contents: String,
}

/// Why enabling or disabling failed.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    /// The entry's location cannot be computed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] crate::files::FileError),
    /// A file could not be removed.
    #[error("cannot remove {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `reg.exe` could not run or failed.
    #[error("reg.exe {action} failed: {detail}")]
    Registry {
        action: &'static str,
        detail: String,
    },
}

/// The program the entry starts: on Linux the AppImage when running from one (`$APPIMAGE`), else the
/// running executable.
pub fn launch_path(os: Os, appimage: Option<&OsStr>, current_exe: &Path) -> PathBuf {
    match (os, appimage) {
        (Os::Linux, Some(image)) if !image.is_empty() => PathBuf::from(image),
        _ => current_exe.to_path_buf(),
    }
}

/// The entry that starts `program args…` at login on `os`.
pub fn entry(
    os: Os,
    env: &PathEnv,
    program: &str,
    args: &[&str],
) -> Result<AutostartEntry, PathError> {
    Ok(match os {
        Os::MacOs => AutostartEntry {
            location: Location::File(PathBuf::from(format!(
                "{}/Library/LaunchAgents/{ENTRY_ID}.plist",
                home(env)?.to_string_lossy().trim_end_matches('/')
            ))),
            contents: launch_agent_plist(program, args),
        },
        Os::Windows => AutostartEntry {
            location: Location::Registry {
                key: RUN_KEY.to_owned(),
                value: ENTRY_ID.to_owned(),
            },
            contents: super::command_line::join(program, args),
        },
        Os::Linux => AutostartEntry {
            location: Location::File(PathBuf::from(format!(
                "{}/autostart/{ENTRY_ID}.desktop",
                app_config_dir(Os::Linux, env)?
                    .to_string_lossy()
                    .trim_end_matches('/')
            ))),
            contents: xdg_desktop_file(program, args),
        },
    })
}

fn launch_agent_plist(program: &str, args: &[&str]) -> String {
    let mut arguments = String::new();
    for arg in std::iter::once(program).chain(args.iter().copied()) {
        arguments.push_str(&format!("    <string>{}</string>\n", xml_escape(arg)));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n  <key>Label</key>\n  <string>{ENTRY_ID}</string>\n  \
         <key>ProgramArguments</key>\n  <array>\n{arguments}  </array>\n  \
         <key>RunAtLoad</key>\n  <true/>\n  \
         <key>ProcessType</key>\n  <string>Interactive</string>\n\
         </dict>\n</plist>\n"
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn xdg_desktop_file(program: &str, args: &[&str]) -> String {
    let exec: Vec<String> = std::iter::once(program)
        .chain(args.iter().copied())
        .map(desktop_exec_arg)
        .collect();
    format!(
        "[Desktop Entry]\nType=Application\nVersion=1.0\nName={DISPLAY_NAME}\n\
         Comment=Start {DISPLAY_NAME} at login\nExec={}\nTerminal=false\nStartupNotify=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec.join(" ")
    )
}

/// One `Exec` argument per the Desktop Entry spec: quoted when it has a reserved character (inside
/// quotes `"`, `` ` ``, `$` and `\` are backslash-escaped), `%` doubled (field codes), then the
/// string-value escapes (`\` → `\\`, control characters) that a reader undoes first.
fn desktop_exec_arg(arg: &str) -> String {
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(',
        ')', '`',
    ];
    let quoted = if arg.is_empty() || arg.contains(RESERVED) {
        let mut q = String::from("\"");
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    } else {
        arg.to_owned()
    };
    quoted
        .replace('%', "%%")
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

/// The `reg.exe` arguments that add, delete or query the entry's `Run` value.
pub fn reg_args(action: RegAction, key: &str, value: &str, data: &str) -> Vec<String> {
    let mut args: Vec<String> = vec![action.verb().into(), key.into(), "/v".into(), value.into()];
    match action {
        RegAction::Add => args.extend(["/t", "REG_SZ", "/d", data, "/f"].map(String::from)),
        RegAction::Delete => args.push("/f".into()),
        RegAction::Query => {}
    }
    args
}

/// What [`reg_args`] asks of `reg.exe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegAction {
    Add,
    Delete,
    Query,
}

impl RegAction {
    fn verb(self) -> &'static str {
        match self {
            RegAction::Add => "add",
            RegAction::Delete => "delete",
            RegAction::Query => "query",
        }
    }
}

fn reg(action: RegAction, key: &str, value: &str, data: &str) -> Result<bool, AutostartError> {
    let output = Command::new("reg")
        .args(reg_args(action, key, value, data))
        .output()
        .map_err(|e| AutostartError::Registry {
            action: action.verb(),
            detail: e.to_string(),
        })?;
    Ok(output.status.success())
}

/// Writes the entry (replacing an older one).
pub fn enable(entry: &AutostartEntry) -> Result<(), AutostartError> {
    match &entry.location {
        Location::File(path) => {
            crate::files::write_atomic(path, entry.contents.as_bytes(), false)?;
            Ok(())
        }
        Location::Registry { key, value } => {
            if reg(RegAction::Add, key, value, &entry.contents)? {
                Ok(())
            } else {
                Err(AutostartError::Registry {
                    action: "add",
                    detail: format!("cannot set {key}\\{value}"),
                })
            }
        }
    }
}

/// Removes the entry; removing an absent one is not an error.
pub fn disable(entry: &AutostartEntry) -> Result<(), AutostartError> {
    match &entry.location {
        Location::File(path) => match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(AutostartError::Io {
                path: path.clone(),
                source,
            }),
        },
        Location::Registry { key, value } => {
            if !reg(RegAction::Query, key, value, "")? {
                return Ok(());
            }
            if reg(RegAction::Delete, key, value, "")? {
                Ok(())
            } else {
                Err(AutostartError::Registry {
                    action: "delete",
                    detail: format!("cannot remove {key}\\{value}"),
                })
            }
        }
    }
}

/// Whether an entry exists at the entry's location.
pub fn is_enabled(entry: &AutostartEntry) -> Result<bool, AutostartError> {
    match &entry.location {
        Location::File(path) => Ok(path.is_file()),
        Location::Registry { key, value } => reg(RegAction::Query, key, value, ""),
    }
}

#[cfg(test)]
#[path = "autostart_tests.rs"]
mod tests;
