//! Where an MCP client keeps its config file: a pure function of (OS, environment).
//!
//! Every rule is evaluated from a [`PathEnv`] captured up front, never from `dirs`-style caches or the
//! live process environment, so the rules for macOS, Windows and Linux are all unit-tested on any host
//! and integration tests can point `HOME`/`XDG_CONFIG_HOME`/`APPDATA` at temporary folders. Paths are
//! built with the target OS's separator (`\` for Windows) even when computed on another OS.
//!
//! Two bases exist: the home folder (`$HOME`, else `%USERPROFILE%`, as Node/Electron clients resolve
//! it) and the per-user application config folder (macOS `~/Library/Application Support`, Windows
//! `%APPDATA%`, Linux `$XDG_CONFIG_HOME` when absolute, else `~/.config`). This module never touches
//! the file system.

use std::ffi::OsString;
use std::path::PathBuf;

use serde::Serialize;

/// The operating systems the client table knows paths for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// macOS.
    #[serde(rename = "macos")]
    MacOs,
    /// Windows.
    Windows,
    /// Linux and other Unix-likes (XDG layout).
    Linux,
}

impl Os {
    /// The OS this binary was built for; every Unix other than macOS uses the Linux (XDG) rules.
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }

    fn separator(self) -> &'static str {
        match self {
            Os::Windows => "\\",
            Os::MacOs | Os::Linux => "/",
        }
    }
}

/// The environment variables the path rules read, captured once. Empty values count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathEnv {
    /// `HOME`.
    pub home: Option<OsString>,
    /// `USERPROFILE` (Windows' home when `HOME` is unset).
    pub userprofile: Option<OsString>,
    /// `APPDATA` (Windows' roaming application data).
    pub appdata: Option<OsString>,
    /// `XDG_CONFIG_HOME` (Linux; ignored unless absolute, as the XDG spec says).
    pub xdg_config_home: Option<OsString>,
}

impl PathEnv {
    /// The variables of this process.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// The variables as given by `lookup` (tests, or a desktop app acting for another environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        Self {
            home: get("HOME"),
            userprofile: get("USERPROFILE"),
            appdata: get("APPDATA"),
            xdg_config_home: get("XDG_CONFIG_HOME"),
        }
    }
}

/// The folder a [`PathRule`] starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The user's home folder.
    Home,
    /// The per-user application config folder (Application Support / `%APPDATA%` / XDG config).
    AppConfig,
}

/// A path: a base folder plus fixed components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathRule {
    /// Where the path starts.
    pub base: Base,
    /// Components below the base, in order.
    pub parts: &'static [&'static str],
}

/// Why a path rule cannot be evaluated in an environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Neither `HOME` nor `USERPROFILE` is set.
    #[error("the home folder is unknown: set HOME")]
    NoHome,
}

/// The user's home folder: `$HOME`, else `%USERPROFILE%` (libuv's `os.homedir()` order, which the
/// Electron/Node clients use on every OS).
pub fn home(env: &PathEnv) -> Result<OsString, PathError> {
    env.home
        .clone()
        .or_else(|| env.userprofile.clone())
        .ok_or(PathError::NoHome)
}

/// The per-user application config folder of `os`.
pub fn app_config_dir(os: Os, env: &PathEnv) -> Result<OsString, PathError> {
    match os {
        Os::MacOs => Ok(join(os, home(env)?, &["Library", "Application Support"])),
        Os::Windows => match &env.appdata {
            Some(appdata) => Ok(appdata.clone()),
            None => Ok(join(os, home(env)?, &["AppData", "Roaming"])),
        },
        // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
        Os::Linux => match env
            .xdg_config_home
            .as_ref()
            .filter(|d| d.to_string_lossy().starts_with('/'))
        {
            Some(xdg) => Ok(xdg.clone()),
            None => Ok(join(os, home(env)?, &[".config"])),
        },
    }
}

/// Evaluates `rule` for `os` in `env`.
pub fn resolve(rule: &PathRule, os: Os, env: &PathEnv) -> Result<PathBuf, PathError> {
    let base = match rule.base {
        Base::Home => home(env)?,
        Base::AppConfig => app_config_dir(os, env)?,
    };
    Ok(PathBuf::from(join(os, base, rule.parts)))
}

/// `base` + `parts` with the separator of `os`, without doubling a trailing separator.
fn join(os: Os, base: OsString, parts: &[&str]) -> OsString {
    let sep = os.separator();
    let mut out = base;
    for part in parts {
        let text = out.to_string_lossy();
        let ends_with_sep = text.ends_with(sep) || (os == Os::Windows && text.ends_with('/'));
        if !ends_with_sep && !text.is_empty() {
            out.push(sep);
        }
        out.push(part);
    }
    out
}

#[cfg(test)]
#[path = "paths_tests.rs"]
mod tests;
