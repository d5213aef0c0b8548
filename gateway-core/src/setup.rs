//! First-run setup (`gateway-core init`): a new user's gateway config, made from the repo's example.
//!
//! Owns what a fresh config contains: the example's common settings (local guardrails, offline), one
//! gateway with a NEW random key (URL-safe base64 of 36 random bytes, 48 characters, as the reference's
//! setup script) and a new UUIDv4 id, the audit log at its default place, and the repo's echo server
//! when its binary (`test-mcp-server`) sits next to the running `gateway-core`; without it the server list
//! is empty rather than pointing at a program that is not there. The file is checked with the real
//! config loader before it is written, atomically, mode 0600, in a folder created 0700.
//!
//! It never overwrites: an existing file (or a dangling symlink) at the path is an error. It does not
//! install the gateway into MCP clients or store anything in the keychain.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::config::{self, ConfigError};
use crate::files::{self, FileError};
use crate::secret::Sensitive;

/// The example config shipped at the repository root (1.x layout, runs offline).
pub const EXAMPLE_CONFIG: &str = include_str!("../../example_enkrypt_mcp_config.json");

/// File name of the repo's test upstream (the echo server) next to `gateway-core`.
pub const TEST_SERVER_BIN: &str = "test-mcp-server";

/// Random bytes in a gateway key; 36 bytes are 48 base64 characters, with no padding.
const KEY_BYTES: usize = 36;

/// Name of the echo server entry in the example.
const ECHO_SERVER_NAME: &str = "echo_server";

/// What `init_config` should put in the new file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// Absolute path of the echo server binary to configure; `None` leaves the server list empty.
    pub echo_server: Option<PathBuf>,
}

impl InitOptions {
    /// Options for this installation: the echo server if `test-mcp-server` sits next to the running binary.
    pub fn detect() -> Self {
        Self {
            echo_server: find_test_server(),
        }
    }
}

/// `test-mcp-server` in the folder of the running executable, if it is there.
pub fn find_test_server() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe
        .parent()?
        .join(format!("{TEST_SERVER_BIN}{}", std::env::consts::EXE_SUFFIX));
    candidate.is_file().then_some(candidate)
}

/// What `init_config` created.
#[derive(Debug)]
pub struct InitOutcome {
    /// The config file written.
    pub path: PathBuf,
    /// The new gateway key (show it masked; it is in the file).
    pub gateway_key: Sensitive<String>,
    /// The new gateway's `id`.
    pub gateway_id: String,
    /// The echo server configured, if any.
    pub echo_server: Option<PathBuf>,
    /// Where the gateway will write its audit log.
    pub audit_log_path: PathBuf,
}

/// Why no config was created. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Something already exists at the path.
    #[error(
        "{} already exists; `init` never overwrites a config. Edit it, check it with `gateway-core check-config`, or move it away and run `gateway-core init` again",
        path.display()
    )]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// Whether the path exists could not be determined.
    #[error("cannot check {}: {source}", path.display())]
    Inspect {
        /// The path looked at.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The folder for the config could not be created.
    #[error("cannot create folder {}: {source}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random number generator failed.
    #[error("cannot generate a gateway key: no secure random numbers available ({0})")]
    Random(String),
    /// The built-in example could not be turned into a valid config (a bug in this build).
    #[error("the built-in example config is unusable: {0}")]
    Template(String),
    /// Writing the file failed.
    #[error(transparent)]
    Write(#[from] FileError),
}

impl SetupError {
    /// A stable code for front ends to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::AlreadyExists { .. } => "config_exists",
            SetupError::Inspect { .. } => "config_unreadable",
            SetupError::CreateDir { .. } => "config_dir_failed",
            SetupError::Random(_) => "random_unavailable",
            SetupError::Template(_) => "template_invalid",
            SetupError::Write(_) => "config_write_failed",
        }
    }
}

/// Creates a new gateway config at `path` (see the module docs). Refuses if anything is already there.
/// Blocking (small file I/O); call from `spawn_blocking` in async code.
pub fn init_config(path: &Path, opts: &InitOptions) -> Result<InitOutcome, SetupError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => {
            return Err(SetupError::AlreadyExists {
                path: path.to_path_buf(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(SetupError::Inspect {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let key = new_gateway_key()?;
    let id = new_gateway_id()?;
    let text = render_config(&key, &id, opts.echo_server.as_deref())?;
    // The file must load with the real loader before it is written: a user's first run must work.
    let loaded = config::load_str(path, &text).map_err(|e| template_error(&e))?;
    let audit_log_path = loaded
        .common
        .audit_log_path
        .clone()
        .unwrap_or_else(crate::audit::default_path);

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|source| SetupError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    files::write_atomic(path, text.as_bytes(), false)?;
    tracing::debug!(path = %path.display(), echo_server = opts.echo_server.is_some(), "gateway config created");
    Ok(InitOutcome {
        path: path.to_path_buf(),
        gateway_key: Sensitive::new(key),
        gateway_id: id,
        echo_server: opts.echo_server.clone(),
        audit_log_path,
    })
}

fn template_error(error: &ConfigError) -> SetupError {
    let details: Vec<String> = error
        .diagnostics()
        .iter()
        .map(|d| format!("{}: {}", d.location.json_path, d.message))
        .collect();
    if details.is_empty() {
        SetupError::Template(error.to_string())
    } else {
        SetupError::Template(details.join("; "))
    }
}

/// The new config's text: the example with `key`, `id` and the echo server (or no server) filled in.
fn render_config(key: &str, id: &str, echo_server: Option<&Path>) -> Result<String, SetupError> {
    let bad = |what: &str| SetupError::Template(what.to_string());
    let mut root: Value =
        serde_json::from_str(EXAMPLE_CONFIG).map_err(|e| SetupError::Template(e.to_string()))?;
    let obj = root
        .as_object_mut()
        .ok_or_else(|| bad("not a JSON object"))?;

    let common = obj
        .get_mut("common_mcp_gateway_config")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| bad("no common_mcp_gateway_config object"))?;
    // Written out (it is the default) so users see where the audit log goes and can move it.
    common.insert(
        "enkrypt_audit_log_path".into(),
        Value::String("~/.enkrypt/logs/audit.jsonl".into()),
    );

    let example_gateway = obj
        .get("gateways")
        .and_then(Value::as_object)
        .and_then(|g| g.values().next())
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no gateway entry"))?;
    let servers = match echo_server {
        Some(binary) => {
            let mut entry = example_gateway
                .get("mcp_config")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter().find(|s| {
                        s.get("server_name").and_then(Value::as_str) == Some(ECHO_SERVER_NAME)
                    })
                })
                .cloned()
                .ok_or_else(|| bad("no echo_server entry"))?;
            let server = entry
                .as_object_mut()
                .ok_or_else(|| bad("echo_server is not an object"))?;
            server.insert(
                "description".into(),
                Value::String(
                    "Echo server from the gateway's test_mcps, to try the gateway; remove it once you add your own servers".into(),
                ),
            );
            let config = server
                .get_mut("config")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| bad("echo_server has no config object"))?;
            config.insert(
                "command".into(),
                Value::String(binary.to_string_lossy().into_owned()),
            );
            vec![entry]
        }
        None => Vec::new(),
    };
    let mut gateway = Map::new();
    gateway.insert("id".into(), Value::String(id.to_string()));
    gateway.insert("mcp_config".into(), Value::Array(servers));
    let mut gateways = Map::new();
    gateways.insert(key.to_string(), Value::Object(gateway));
    obj.insert("gateways".into(), Value::Object(gateways));

    let mut text =
        serde_json::to_string_pretty(&root).map_err(|e| SetupError::Template(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// A new gateway key: 36 bytes from the OS's secure random source, URL-safe base64 without padding.
pub fn new_gateway_key() -> Result<String, SetupError> {
    let mut bytes = [0u8; KEY_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| SetupError::Random(e.to_string()))?;
    Ok(base64_url(&bytes))
}

/// A new gateway id: a random (version 4) UUID, hyphenated.
pub fn new_gateway_id() -> Result<String, SetupError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| SetupError::Random(e.to_string()))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string())
}

/// RFC 4648 §5 (URL- and file-name-safe) base64 without padding. Small enough to keep a dependency out.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        // A chunk of k bytes gives k + 1 characters.
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// Creates `dir` and missing parents with mode 0700 (Unix). An existing folder is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A server entry users can paste into `mcp_config` (shown by `init` when no server was configured).
pub fn example_server_entry() -> Value {
    json!({
        "server_name": "github",
        "description": "GitHub MCP server",
        "config": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${keyring:github_token}"}
        },
        "tools": {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_url_matches_rfc4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64_url(input), expected);
        }
        assert_eq!(base64_url(&[0xfb, 0xff, 0xfe]), "-__-");
    }

    #[test]
    fn gateway_keys_are_48_url_safe_characters_and_differ() {
        let a = new_gateway_key().expect("random");
        let b = new_gateway_key().expect("random");
        assert_eq!(a.len(), 48);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{a}"
        );
        assert_ne!(a, b);
    }

    #[test]
    fn gateway_ids_are_uuid_v4() {
        let id = new_gateway_id().expect("random");
        let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(id.len(), 36);
    }

    #[test]
    fn creates_a_loadable_private_config_with_the_echo_server() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("home/.enkrypt/enkrypt_mcp_config.json");
        let echo = dir.path().join("bin/test-mcp-server");
        let opts = InitOptions {
            echo_server: Some(echo.clone()),
        };
        let outcome = init_config(&path, &opts).expect("init");
        assert_eq!(outcome.path, path);
        let cfg = crate::secrets::load_config(&path).expect("the new config loads");
        assert_eq!(cfg.gateways.len(), 1);
        let text = std::fs::read_to_string(&path).expect("read");
        let v: Value = serde_json::from_str(&text).expect("json");
        let gateways = v["gateways"].as_object().expect("gateways");
        let (key, gateway) = gateways.iter().next().expect("one gateway");
        assert_eq!(key, outcome.gateway_key.expose());
        assert_eq!(key.len(), 48);
        assert_eq!(gateway["id"], outcome.gateway_id.as_str());
        assert_eq!(
            gateway["mcp_config"][0]["config"]["command"],
            echo.to_string_lossy().as_ref()
        );
        assert_eq!(gateway["mcp_config"][0]["server_name"], ECHO_SERVER_NAME);
        assert!(!text.contains("example-gateway-key-change-me"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().expect("parent")), 0o700);
        }
    }

    #[test]
    fn without_the_echo_binary_the_server_list_is_empty_and_still_loads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("c.json");
        init_config(&path, &InitOptions::default()).expect("init");
        let cfg = crate::secrets::load_config(&path).expect("the new config loads");
        assert!(cfg.gateways.iter().all(|g| g.servers.is_empty()));
    }

    #[test]
    fn refuses_to_overwrite_anything() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("c.json");
        std::fs::write(&path, "mine").expect("seed");
        let err = init_config(&path, &InitOptions::default()).expect_err("refused");
        assert_eq!(err.code(), "config_exists");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "mine");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_dangling_symlink() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("c.json");
        std::os::unix::fs::symlink(dir.path().join("nowhere.json"), &path).expect("symlink");
        let err = init_config(&path, &InitOptions::default()).expect_err("refused");
        assert!(matches!(err, SetupError::AlreadyExists { .. }));
        assert!(!dir.path().join("nowhere.json").exists());
    }

    #[test]
    fn the_example_server_entry_loads() {
        let text = serde_json::to_string(&json!({
            "common_mcp_gateway_config": {},
            "gateways": {"k-0123456789abcdef": {"id": "x", "mcp_config": [example_server_entry()]}}
        }))
        .expect("json");
        let loaded = config::load_str_with(
            Path::new("x.json"),
            &text,
            &config::RefSources {
                env: &config::ProcessEnv,
                keyring: &std::collections::HashMap::from([(
                    "github_token".to_string(),
                    "t".to_string(),
                )]),
            },
        );
        assert!(loaded.is_ok(), "{loaded:?}");
    }
}
