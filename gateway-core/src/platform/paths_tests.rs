//! Path rules of every client on macOS, Windows and Linux, computed on whatever OS runs the tests.

use std::ffi::OsString;
use std::path::PathBuf;

use super::*;
use crate::clients::{CLIENTS, find};

fn env(pairs: &[(&str, &str)]) -> PathEnv {
    let pairs: Vec<(String, OsString)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
        .collect();
    PathEnv::from_lookup(|name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

fn path_of(id: &str, os: Os, env: &PathEnv) -> PathBuf {
    let client = find(id).expect("client in table");
    client.config_path(os, env).expect("path resolves")
}

fn mac_env() -> PathEnv {
    // XDG_CONFIG_HOME and APPDATA must not leak into macOS paths.
    env(&[
        ("HOME", "/Users/ada"),
        ("XDG_CONFIG_HOME", "/Users/ada/.xdg"),
        ("APPDATA", "/nope"),
    ])
}

fn windows_env() -> PathEnv {
    env(&[
        ("USERPROFILE", r"C:\Users\ada"),
        ("APPDATA", r"C:\Users\ada\AppData\Roaming"),
        ("XDG_CONFIG_HOME", "/nope"),
    ])
}

fn linux_env() -> PathEnv {
    env(&[("HOME", "/home/ada"), ("APPDATA", "/nope")])
}

#[test]
fn macos_paths_use_application_support_and_home() {
    let e = mac_env();
    let expect = [
        (
            "claude-desktop",
            "/Users/ada/Library/Application Support/Claude/claude_desktop_config.json",
        ),
        ("cursor", "/Users/ada/.cursor/mcp.json"),
        (
            "vscode",
            "/Users/ada/Library/Application Support/Code/User/mcp.json",
        ),
        ("claude-code", "/Users/ada/.claude.json"),
        ("windsurf", "/Users/ada/.codeium/windsurf/mcp_config.json"),
    ];
    for (id, want) in expect {
        assert_eq!(path_of(id, Os::MacOs, &e), PathBuf::from(want), "{id}");
    }
}

#[test]
fn windows_paths_use_appdata_and_userprofile_with_backslashes() {
    let e = windows_env();
    let expect = [
        (
            "claude-desktop",
            r"C:\Users\ada\AppData\Roaming\Claude\claude_desktop_config.json",
        ),
        ("cursor", r"C:\Users\ada\.cursor\mcp.json"),
        ("vscode", r"C:\Users\ada\AppData\Roaming\Code\User\mcp.json"),
        ("claude-code", r"C:\Users\ada\.claude.json"),
        (
            "windsurf",
            r"C:\Users\ada\.codeium\windsurf\mcp_config.json",
        ),
    ];
    for (id, want) in expect {
        assert_eq!(path_of(id, Os::Windows, &e), PathBuf::from(want), "{id}");
    }
}

#[test]
fn linux_paths_default_to_dot_config_and_home() {
    let e = linux_env();
    let expect = [
        (
            "claude-desktop",
            "/home/ada/.config/Claude/claude_desktop_config.json",
        ),
        ("cursor", "/home/ada/.cursor/mcp.json"),
        ("vscode", "/home/ada/.config/Code/User/mcp.json"),
        ("claude-code", "/home/ada/.claude.json"),
        ("windsurf", "/home/ada/.codeium/windsurf/mcp_config.json"),
    ];
    for (id, want) in expect {
        assert_eq!(path_of(id, Os::Linux, &e), PathBuf::from(want), "{id}");
    }
}

#[test]
fn linux_honours_an_absolute_xdg_config_home() {
    let e = env(&[("HOME", "/home/ada"), ("XDG_CONFIG_HOME", "/srv/cfg/")]);
    assert_eq!(
        path_of("claude-desktop", Os::Linux, &e),
        PathBuf::from("/srv/cfg/Claude/claude_desktop_config.json")
    );
    assert_eq!(
        path_of("vscode", Os::Linux, &e),
        PathBuf::from("/srv/cfg/Code/User/mcp.json")
    );
    // Home-based clients do not move with XDG_CONFIG_HOME.
    assert_eq!(
        path_of("cursor", Os::Linux, &e),
        PathBuf::from("/home/ada/.cursor/mcp.json")
    );
}

#[test]
fn linux_ignores_a_relative_or_empty_xdg_config_home() {
    for xdg in ["relative/cfg", ""] {
        let e = env(&[("HOME", "/home/ada"), ("XDG_CONFIG_HOME", xdg)]);
        assert_eq!(
            path_of("vscode", Os::Linux, &e),
            PathBuf::from("/home/ada/.config/Code/User/mcp.json"),
            "XDG_CONFIG_HOME={xdg:?}"
        );
    }
}

#[test]
fn windows_without_appdata_falls_back_to_roaming_under_the_profile() {
    let e = env(&[("USERPROFILE", r"C:\Users\ada")]);
    assert_eq!(
        path_of("claude-desktop", Os::Windows, &e),
        PathBuf::from(r"C:\Users\ada\AppData\Roaming\Claude\claude_desktop_config.json")
    );
}

#[test]
fn home_wins_over_userprofile_as_node_resolves_it() {
    let e = env(&[("HOME", r"D:\home"), ("USERPROFILE", r"C:\Users\ada")]);
    assert_eq!(
        path_of("cursor", Os::Windows, &e),
        PathBuf::from(r"D:\home\.cursor\mcp.json")
    );
}

#[test]
fn no_home_is_a_clear_error_for_every_os() {
    let e = env(&[]);
    for os in [Os::MacOs, Os::Windows, Os::Linux] {
        let err = find("cursor")
            .expect("cursor")
            .config_path(os, &e)
            .expect_err("no home");
        assert_eq!(err.code(), "client_path_unknown");
        assert!(err.to_string().contains("HOME"), "{err}");
    }
}

#[test]
fn every_client_resolves_on_every_os_and_ids_are_unique() {
    let envs = [
        (Os::MacOs, mac_env()),
        (Os::Windows, windows_env()),
        (Os::Linux, linux_env()),
    ];
    for client in CLIENTS {
        for (os, e) in &envs {
            let path = client.config_path(*os, e).expect("resolves");
            assert!(path.to_string_lossy().ends_with(".json"), "{path:?}");
        }
        assert_eq!(CLIENTS.iter().filter(|c| c.id == client.id).count(), 1);
    }
}
