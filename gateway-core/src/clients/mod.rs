//! Installing the gateway into MCP clients (Claude Desktop, Cursor, VS Code, Claude Code, Windsurf).
//!
//! The [`CLIENTS`] table is the single source of what differs between clients: where the config file
//! lives per OS ([`paths`]), which top-level key holds the servers, and the entry's shape. Adding a
//! client is one table entry. The operations ([`install`], [`uninstall`], [`status`]) are shared:
//! they build our one entry ([`entry`]), merge it into the client's file while keeping every other key,
//! server and the order of keys ([`edit`]), and write atomically with a backup under an advisory lock.
//!
//! The CLI (`gateway-core client …`) and the desktop app both call these functions; they are blocking
//! (file I/O, lock waits), so async callers run them on `spawn_blocking`. This module does not launch
//! or restart clients, and it only manages the user-level config file of each client (not per-project
//! files such as `.vscode/mcp.json` or `.cursor/mcp.json`).

pub mod edit;
pub mod entry;
mod error;
pub mod import;
pub mod key;
mod ops;

pub use crate::platform::paths::{self, Os, PathEnv};
pub use edit::WriteMode;
pub use entry::{Context, ENTRY_NAME, GATEWAY_KEY_ENV, StaleField, StaleReason, build_entry};
pub use error::{ClientError, ErrorBody};
pub use key::KeyDelivery;
pub use ops::{Change, ChangeReport, ClientStatus, EntryState, install, status, uninstall};

use paths::{Base, PathRule};

/// The shape of the entry a client expects under its servers key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryShape {
    /// `{command, args, env}` (Claude Desktop, Cursor, Windsurf).
    Stdio,
    /// `{type: "stdio", command, args, env}` (VS Code, Claude Code).
    TypedStdio,
}

/// One MCP client: how to find its user-level config file and how our entry looks in it.
#[derive(Debug, Clone, Copy)]
pub struct ClientSpec {
    /// Stable id used on the command line and in JSON (`claude-desktop`, `cursor`, …).
    pub id: &'static str,
    /// Name shown to people.
    pub display_name: &'static str,
    /// The config file, per OS.
    pub file: ClientFile,
    /// Folders or files whose presence means the client is installed (besides the config file itself).
    pub detect: &'static [PathRule],
    /// The top-level key holding the servers object.
    pub servers_key: &'static str,
    /// The entry's shape.
    pub shape: EntryShape,
}

/// A client's config file location on each OS.
#[derive(Debug, Clone, Copy)]
pub struct ClientFile {
    /// macOS.
    pub macos: PathRule,
    /// Windows.
    pub windows: PathRule,
    /// Linux (and other XDG systems).
    pub linux: PathRule,
}

impl ClientFile {
    /// The same rule on every OS.
    const fn everywhere(rule: PathRule) -> Self {
        Self {
            macos: rule,
            windows: rule,
            linux: rule,
        }
    }

    /// The rule for `os`.
    pub fn rule(&self, os: Os) -> &PathRule {
        match os {
            Os::MacOs => &self.macos,
            Os::Windows => &self.windows,
            Os::Linux => &self.linux,
        }
    }
}

const fn home(parts: &'static [&'static str]) -> PathRule {
    PathRule {
        base: Base::Home,
        parts,
    }
}

const fn app_config(parts: &'static [&'static str]) -> PathRule {
    PathRule {
        base: Base::AppConfig,
        parts,
    }
}

/// Every supported client (REFERENCE.md §8, "Client config files"). The AppConfig base is
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows and `$XDG_CONFIG_HOME` (else
/// `~/.config`) on Linux, where Claude Desktop only exists as unofficial builds using that folder.
pub const CLIENTS: &[ClientSpec] = &[
    ClientSpec {
        id: "claude-desktop",
        display_name: "Claude Desktop",
        file: ClientFile::everywhere(app_config(&["Claude", "claude_desktop_config.json"])),
        detect: &[app_config(&["Claude"])],
        servers_key: "mcpServers",
        shape: EntryShape::Stdio,
    },
    ClientSpec {
        id: "cursor",
        display_name: "Cursor",
        file: ClientFile::everywhere(home(&[".cursor", "mcp.json"])),
        detect: &[home(&[".cursor"])],
        servers_key: "mcpServers",
        shape: EntryShape::Stdio,
    },
    ClientSpec {
        id: "vscode",
        display_name: "VS Code",
        file: ClientFile::everywhere(app_config(&["Code", "User", "mcp.json"])),
        detect: &[app_config(&["Code"])],
        servers_key: "servers",
        shape: EntryShape::TypedStdio,
    },
    ClientSpec {
        id: "claude-code",
        display_name: "Claude Code",
        // User scope; `projects.<path>.mcpServers` in the same file is per-project and left alone.
        file: ClientFile::everywhere(home(&[".claude.json"])),
        detect: &[home(&[".claude"])],
        servers_key: "mcpServers",
        shape: EntryShape::TypedStdio,
    },
    ClientSpec {
        id: "windsurf",
        display_name: "Windsurf",
        file: ClientFile::everywhere(home(&[".codeium", "windsurf", "mcp_config.json"])),
        detect: &[home(&[".codeium", "windsurf"])],
        servers_key: "mcpServers",
        shape: EntryShape::Stdio,
    },
];

/// The client with this id.
pub fn find(id: &str) -> Option<&'static ClientSpec> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// The ids of every client, in table order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    CLIENTS.iter().map(|c| c.id)
}

/// The client with this id, or [`ClientError::UnknownClient`].
pub fn lookup(id: &str) -> Result<&'static ClientSpec, ClientError> {
    find(id).ok_or_else(|| ClientError::UnknownClient { id: id.to_owned() })
}

impl ClientSpec {
    /// This client's config file for `os` in `env`.
    pub fn config_path(&self, os: Os, env: &PathEnv) -> Result<std::path::PathBuf, ClientError> {
        paths::resolve(self.file.rule(os), os, env).map_err(|source| ClientError::Path {
            client: self.display_name,
            source,
        })
    }

    /// Whether the client looks installed: its config file or one of its marker folders exists.
    pub fn is_detected(&self, os: Os, env: &PathEnv) -> bool {
        let file = self.config_path(os, env).ok();
        let markers = self
            .detect
            .iter()
            .filter_map(|rule| paths::resolve(rule, os, env).ok());
        file.into_iter().chain(markers).any(|p| p.exists())
    }
}
