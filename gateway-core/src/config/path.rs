//! Which config file to read, and `~` expansion for paths written in configs.
//!
//! Precedence (DESIGN.md, "gateway-core CLI"): `--config PATH` > env `ENKRYPT_CONFIG_PATH` >
//! `~/.enkrypt/enkrypt_mcp_config.json`. Unlike the reference, a container does not switch the default to
//! `/app/.enkrypt/docker/…`: pass `--config` or set the variable there. This module never touches the file.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Environment variable naming the config file when `--config` is not given.
pub const CONFIG_PATH_ENV: &str = "ENKRYPT_CONFIG_PATH";

/// The config file to use: `cli` if given, else `$ENKRYPT_CONFIG_PATH`, else
/// `$HOME/.enkrypt/enkrypt_mcp_config.json`. Empty values count as absent; a leading `~/` is expanded.
pub fn resolve_path(cli: Option<&Path>) -> PathBuf {
    resolve_path_with(cli, |name| std::env::var_os(name))
}

fn resolve_path_with(cli: Option<&Path>, env: impl Fn(&str) -> Option<OsString>) -> PathBuf {
    let home = home_from(&env);
    let chosen = cli
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| {
            env(CONFIG_PATH_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
    match chosen {
        Some(path) => expand_with(&path, home.as_deref()),
        None => enkrypt_dir(home.as_deref()).join("enkrypt_mcp_config.json"),
    }
}

/// The user's home directory: `$HOME`, else `%USERPROFILE%`.
pub fn home_dir() -> Option<PathBuf> {
    home_from(&|name| std::env::var_os(name))
}

fn home_from(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    ["HOME", "USERPROFILE"]
        .into_iter()
        .find_map(|name| env(name).filter(|v| !v.is_empty()))
        .map(PathBuf::from)
}

/// `~/.enkrypt`, or `.enkrypt` relative to the working directory when no home is known.
fn enkrypt_dir(home: Option<&Path>) -> PathBuf {
    home.map_or_else(|| PathBuf::from(".enkrypt"), |h| h.join(".enkrypt"))
}

/// The default audit log, `~/.enkrypt/logs/audit.jsonl` (DESIGN.md, "Config").
pub fn default_audit_log_path() -> PathBuf {
    enkrypt_dir(home_dir().as_deref())
        .join("logs")
        .join("audit.jsonl")
}

/// Expand a leading `~` or `~/` (also `~\` on Windows) to the home directory. Other paths, and `~user/…`,
/// are returned unchanged, as is everything when no home is known.
pub fn expand_home(path: &Path) -> PathBuf {
    expand_with(path, home_dir().as_deref())
}

fn expand_with(path: &Path, home: Option<&Path>) -> PathBuf {
    let (Some(home), Some(text)) = (home, path.to_str()) else {
        return path.to_path_buf();
    };
    if text == "~" {
        return home.to_path_buf();
    }
    let rest = text
        .strip_prefix("~/")
        .or_else(|| text.strip_prefix("~\\").filter(|_| cfg!(windows)));
    match rest {
        Some(rest) => home.join(rest),
        None => path.to_path_buf(),
    }
}

/// A path from a config value: `~` expanded; a relative path is taken relative to the config file's
/// directory, so the result does not depend on where the gateway was started.
pub fn resolve_config_relative(value: &str, config_path: &Path) -> PathBuf {
    let expanded = expand_home(Path::new(value));
    if expanded.is_absolute() {
        return expanded;
    }
    match config_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(expanded),
        _ => expanded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn cli_flag_wins_over_env_and_default() {
        let env = env_of(&[("HOME", "/home/u"), (CONFIG_PATH_ENV, "/etc/from-env.json")]);
        let got = resolve_path_with(Some(Path::new("/tmp/cli.json")), env);
        assert_eq!(got, PathBuf::from("/tmp/cli.json"));
    }

    #[test]
    fn env_var_wins_over_default() {
        let env = env_of(&[("HOME", "/home/u"), (CONFIG_PATH_ENV, "/etc/from-env.json")]);
        assert_eq!(
            resolve_path_with(None, env),
            PathBuf::from("/etc/from-env.json")
        );
    }

    #[test]
    fn default_is_under_home_dot_enkrypt() {
        let env = env_of(&[("HOME", "/home/u"), (CONFIG_PATH_ENV, "")]);
        assert_eq!(
            resolve_path_with(None, env),
            PathBuf::from("/home/u/.enkrypt/enkrypt_mcp_config.json")
        );
    }

    #[test]
    fn leading_tilde_is_expanded_in_cli_and_env_paths() {
        let env = env_of(&[("HOME", "/home/u"), (CONFIG_PATH_ENV, "~/cfg/env.json")]);
        assert_eq!(
            resolve_path_with(None, &env),
            PathBuf::from("/home/u/cfg/env.json")
        );
        assert_eq!(
            resolve_path_with(Some(Path::new("~/c.json")), &env),
            PathBuf::from("/home/u/c.json")
        );
    }

    #[test]
    fn tilde_elsewhere_is_left_alone() {
        let home = Some(Path::new("/home/u"));
        assert_eq!(
            expand_with(Path::new("/a/~/b"), home),
            PathBuf::from("/a/~/b")
        );
        assert_eq!(
            expand_with(Path::new("~bob/x"), home),
            PathBuf::from("~bob/x")
        );
        assert_eq!(expand_with(Path::new("~"), home), PathBuf::from("/home/u"));
    }

    #[test]
    fn relative_config_paths_follow_the_config_file() {
        let got = resolve_config_relative("logs/a.jsonl", Path::new("/etc/enkrypt/config.json"));
        assert_eq!(got, PathBuf::from("/etc/enkrypt/logs/a.jsonl"));
        let abs = resolve_config_relative("/var/log/a.jsonl", Path::new("/etc/enkrypt/c.json"));
        assert_eq!(abs, PathBuf::from("/var/log/a.jsonl"));
    }
}
