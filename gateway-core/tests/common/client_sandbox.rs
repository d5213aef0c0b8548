//! A temporary HOME for `client install` tests: fake HOME/XDG_CONFIG_HOME/APPDATA, a small valid 1.x
//! gateway config, the real gateway-core binary run against them, and where each client's file should
//! land (written out by hand here, independently of the library's path table); plus the large file and
//! seeded PRNG of the crash test.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context as _, Result, ensure};
use serde_json::{Map, Value, json};

/// The gateway key of the sandbox's config.
pub const KEY: &str = "client-install-test-key-0123456789abcdef";
/// Our entry's name in every client.
pub const ENTRY: &str = "Enkrypt Secure MCP Gateway";

/// One client as the tests expect it on this OS.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub id: &'static str,
    pub name: &'static str,
    /// Top-level key holding the servers.
    pub top: &'static str,
    /// Whether the entry carries `"type": "stdio"`.
    pub typed: bool,
}

pub const CLIENTS: [Client; 5] = [
    Client {
        id: "claude-desktop",
        name: "Claude Desktop",
        top: "mcpServers",
        typed: false,
    },
    Client {
        id: "cursor",
        name: "Cursor",
        top: "mcpServers",
        typed: false,
    },
    Client {
        id: "vscode",
        name: "VS Code",
        top: "servers",
        typed: true,
    },
    Client {
        id: "claude-code",
        name: "Claude Code",
        top: "mcpServers",
        typed: true,
    },
    Client {
        id: "windsurf",
        name: "Windsurf",
        top: "mcpServers",
        typed: false,
    },
];

pub struct Sandbox {
    /// Whether gateway-core may reach the OS keychain (the session's D-Bus). Without it, installs take
    /// the plain-text fallback for the gateway key.
    pub keychain: bool,
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub xdg: PathBuf,
    pub appdata: PathBuf,
    /// The gateway config (absolute).
    pub config: PathBuf,
}

/// The gateway-core binary as a client should launch it (canonical path).
pub fn gateway_binary() -> Result<PathBuf> {
    Ok(fs::canonicalize(env!("CARGO_BIN_EXE_gateway-core"))?)
}

/// A minimal valid 1.x gateway config with one gateway whose key is `key`.
pub fn gateway_config(key: &str) -> Value {
    json!({
        "common_mcp_gateway_config": {"enkrypt_guardrails_enabled": false},
        "gateways": {key: {"id": "client-install-test", "mcp_config": [{
            "server_name": "echo",
            "description": "echo",
            "config": {"command": "echo-mcp", "args": []},
            "tools": {}
        }]}}
    })
}

impl Sandbox {
    pub fn new() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().to_path_buf();
        let (home, xdg, appdata) = (root.join("home"), root.join("xdg"), root.join("appdata"));
        for d in [&home, &xdg, &appdata] {
            fs::create_dir_all(d)?;
        }
        let config = root.join("gw").join("enkrypt_mcp_config.json");
        fs::create_dir_all(root.join("gw"))?;
        fs::write(&config, serde_json::to_vec_pretty(&gateway_config(KEY))?)?;
        Ok(Self {
            keychain: false,
            _dir: dir,
            root,
            home,
            xdg,
            appdata,
            config,
        })
    }

    /// The per-user application config folder as the clients see it on this OS.
    pub fn app_config(&self) -> PathBuf {
        if cfg!(target_os = "macos") {
            self.home.join("Library").join("Application Support")
        } else {
            self.xdg.clone()
        }
    }

    /// Where `client`'s config file must be.
    pub fn file(&self, client: &Client) -> PathBuf {
        match client.id {
            "claude-desktop" => self.app_config().join("Claude/claude_desktop_config.json"),
            "cursor" => self.home.join(".cursor/mcp.json"),
            "vscode" => self.app_config().join("Code/User/mcp.json"),
            "claude-code" => self.home.join(".claude.json"),
            "windsurf" => self.home.join(".codeium/windsurf/mcp_config.json"),
            other => panic!("no such client in the tests: {other}"),
        }
    }

    /// Writes `value` (2-space pretty, trailing newline) to `client`'s file; returns the bytes.
    pub fn seed(&self, client: &Client, value: &Value) -> Result<Vec<u8>> {
        let path = self.file(client);
        fs::create_dir_all(path.parent().context("parent")?)?;
        let mut bytes = serde_json::to_vec_pretty(value)?;
        bytes.push(b'\n');
        fs::write(&path, &bytes)?;
        Ok(bytes)
    }

    /// A gateway-core command with this sandbox's environment.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway-core"));
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.xdg)
            .env("APPDATA", &self.appdata)
            .env_remove("USERPROFILE")
            .env_remove("ENKRYPT_CONFIG_PATH")
            .env_remove("ENKRYPT_GATEWAY_KEY")
            .env("ENKRYPT_LOG_LEVEL", "warn");
        if !self.keychain {
            // No Secret Service at this address: the keychain is unusable, as on a machine without one.
            cmd.env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/enkrypt-test-bus",
            );
        }
        cmd
    }

    /// Runs `gateway-core client <args…> --config <sandbox config>`.
    pub fn client(&self, args: &[&str]) -> Result<Output> {
        self.client_with_config(args, &self.config)
    }

    pub fn client_with_config(&self, args: &[&str], config: &Path) -> Result<Output> {
        let out = self
            .command()
            .arg("client")
            .args(args)
            .arg("--config")
            .arg(config)
            .output()?;
        // No command, whatever it prints, may ever show the key.
        let all = format!("{}{}", stdout(&out), stderr(&out));
        ensure!(!all.contains(KEY), "the gateway key was printed:\n{all}");
        Ok(out)
    }

    /// `client install --client <id>`, which must succeed.
    pub fn install(&self, client: &Client) -> Result<Output> {
        succeed(self.client(&["install", "--client", client.id])?)
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `out` if the command exited 0, else an error with its output.
pub fn succeed(out: Output) -> Result<Output> {
    ensure!(
        out.status.success(),
        "command failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    Ok(out)
}

/// The entry the sandbox's install must write for `client`, pointing at `config`, with `key`.
pub fn expected_entry(client: &Client, config: &Path, key: &str) -> Result<Value> {
    let mut entry = Map::new();
    if client.typed {
        entry.insert("type".into(), json!("stdio"));
    }
    entry.insert("command".into(), json!(gateway_binary()?));
    entry.insert("args".into(), json!(["--config", config]));
    entry.insert("env".into(), json!({ "ENKRYPT_GATEWAY_KEY": key }));
    Ok(Value::Object(entry))
}

pub fn read_json(path: &Path) -> Result<Value> {
    let bytes = fs::read(path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parse {}", path.display()))
}

/// Files next to `path` derived from its name (backups, lock, temp files), sorted.
pub fn siblings(path: &Path) -> Result<Vec<String>> {
    let name = path
        .file_name()
        .context("file name")?
        .to_string_lossy()
        .into_owned();
    let Some(dir) = path.parent().filter(|d| d.exists()) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| *n != name && n.contains(&name))
        .collect();
    found.sort();
    Ok(found)
}

/// The backups of `path`.
pub fn backups(path: &Path) -> Result<Vec<String>> {
    Ok(siblings(path)?
        .into_iter()
        .filter(|n| n.contains(".bak-"))
        .collect())
}

/// `doc` with our entry taken out of `top` (for comparing everything else).
pub fn without_entry(doc: &Value, top: &str) -> Value {
    let mut doc = doc.clone();
    if let Some(Value::Object(servers)) = doc.get_mut(top) {
        servers.shift_remove(ENTRY);
    }
    doc
}

/// A document with unrelated keys around the servers object and other servers in it, in an order no
/// sorting would produce.
pub fn busy_document(top: &str) -> Value {
    json!({
        "zeta": {"nested": [1, {"b": 2, "a": 1}], "flag": true},
        top: {
            "z-other": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]},
            "a-other": {"command": "/usr/bin/python3", "args": ["server.py"], "env": {"TOKEN": "t"}},
            "m-http": {"url": "https://example.com/mcp", "headers": {"X": "y"}}
        },
        "alpha": "unrelated",
        "numbers": [0, -1, 2.5, 1e-3, 12_345_678_901_234_i64],
        "empty": {}
    })
}

/// xorshift64*: a seeded, dependency-free PRNG for the kill delays.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound.max(1)
    }
}

/// A Claude Code `~/.claude.json` of about 0.55 MB with a stale entry of ours in the middle.
pub fn large_claude_code_file() -> Result<Vec<u8>> {
    let mut projects = serde_json::Map::new();
    for i in 0..1300 {
        projects.insert(
            format!("/home/u/src/project-{i:04}"),
            json!({"allowedTools": ["Bash(git status)", "Read"], "history": [
                {"display": format!("refactor module {i} and add tests for the edge cases"), "pastedContents": {}}
            ], "mcpServers": {}, "lastCost": i as f64 * 0.013, "lastSessionId": format!("{i:032x}")}),
        );
    }
    let mut servers = serde_json::Map::new();
    for i in 0..400 {
        if i == 200 {
            servers.insert(
                ENTRY.into(),
                json!({"type": "stdio", "command": "/old/gateway-core",
                "args": ["--config", "/old/config.json"], "env": {"ENKRYPT_GATEWAY_KEY": KEY}}),
            );
        }
        servers.insert(
            format!("server-{i:03}"),
            json!({"type": "stdio", "command": "npx",
            "args": ["-y", format!("@example/mcp-server-{i}")], "env": {"N": i.to_string()}}),
        );
    }
    let doc =
        json!({"numStartups": 42, "projects": projects, "mcpServers": servers, "tipsHistory": {}});
    let mut bytes = serde_json::to_vec_pretty(&doc)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Removes everything in `home` but the client file and its lock (backups and temp files of killed
/// writers), so 200 trials do not fill the disk.
pub fn clean(home: &Path, keep: &[&str]) -> Result<()> {
    for entry in fs::read_dir(home)? {
        let entry = entry?;
        if !keep.iter().any(|k| entry.file_name() == **k) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
