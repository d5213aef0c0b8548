//! Our one server entry: what it should contain, how it is merged into an existing one, and how an
//! existing one is judged up to date or stale.
//!
//! The entry is named [`ENTRY_NAME`] and runs the absolute path of the gateway-core binary with
//! `--config <absolute gateway config>` and the gateway key in `env` ([`build_entry`] is the only place
//! that decides this). When a keychain is usable the key itself stays out of the client's file: `env`
//! carries a `${keyring:NAME}` reference that gateway-core resolves at start ([`KeyDelivery`]); the
//! plain key is the fallback and is reported as such. Only the fields we own are managed (`type` where the client uses it, `command`,
//! `args`, `env.ENKRYPT_GATEWAY_KEY`); keys a user added to our entry (another env var, `disabled`…)
//! are kept. The key never appears in a [`StaleReason`] or a rendered entry in clear: see [`masked`].

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::key::KeyDelivery;
use super::paths::{Os, PathEnv};
use super::{ClientError, ClientSpec, EntryShape};
use crate::secret::{Sensitive, mask};

/// The name of our entry in every client (as the reference installer writes it).
pub const ENTRY_NAME: &str = "Enkrypt Secure MCP Gateway";

/// The env var carrying the gateway key to the gateway process (DESIGN.md).
pub const GATEWAY_KEY_ENV: &str = "ENKRYPT_GATEWAY_KEY";

/// Everything an install needs besides the client: where files are, which binary, which config, which key.
#[derive(Debug, Clone)]
pub struct Context {
    /// Whose path rules apply.
    pub os: Os,
    /// The environment the path rules read.
    pub env: PathEnv,
    /// Absolute path of the program the client should run: gateway-core, or the AppImage holding it.
    pub gateway_binary: PathBuf,
    /// Arguments before `--config`: empty, or `--gateway-core` when `gateway_binary` is an AppImage
    /// ([`crate::platform::appimage`]).
    pub gateway_args: Vec<String>,
    /// Absolute path of the gateway config passed with `--config`.
    pub gateway_config: PathBuf,
    /// The gateway key given to the client in `env`; `None` when the gateway config could not be read
    /// (enough for `status` and `uninstall`, not for `install`).
    pub gateway_key: Option<Sensitive<String>>,
    /// How the key reaches the client's entry: a keychain reference or the key itself.
    pub key_delivery: KeyDelivery,
}

impl Context {
    /// The context of this process: current OS and environment, the running binary, the config at
    /// `config` (made absolute) and its first gateway's key. Fails when the config cannot be loaded.
    pub fn from_process(config: &Path) -> Result<Self, ClientError> {
        let mut ctx = Self::without_key(config)?;
        ctx.gateway_key = Some(first_gateway_key(&ctx.gateway_config)?);
        Ok(ctx)
    }

    /// Like [`Context::from_process`] for the gateway `gateway` selects (its `id`; the first when
    /// `None`), with the key id for the keychain name.
    pub fn for_gateway(
        config: &Path,
        gateway: Option<&str>,
    ) -> Result<(Self, String), ClientError> {
        let mut ctx = Self::without_key(config)?;
        let (key, id) = gateway_key(&ctx.gateway_config, gateway)?;
        ctx.gateway_key = Some(key);
        Ok((ctx, id))
    }

    /// Like [`Context::from_process`] but without reading the gateway config (no key).
    pub fn without_key(config: &Path) -> Result<Self, ClientError> {
        let launcher = crate::platform::appimage::launcher_from_env(&current_binary()?);
        Ok(Self {
            os: Os::current(),
            env: PathEnv::from_process(),
            gateway_binary: launcher.program,
            gateway_args: launcher.leading_args,
            gateway_config: absolute(config),
            gateway_key: None,
            key_delivery: KeyDelivery::Plain,
        })
    }
}

/// The running gateway-core binary, canonicalized (symlinks resolved).
pub fn current_binary() -> Result<PathBuf, ClientError> {
    let exe = std::env::current_exe().map_err(|source| ClientError::CurrentExe { source })?;
    // On Linux a binary replaced on disk while running reads back as "<path> (deleted)"; the new file
    // at <path> is the one clients should launch.
    let exe = match exe.to_str().and_then(|s| s.strip_suffix(" (deleted)")) {
        Some(stripped) if Path::new(stripped).exists() => PathBuf::from(stripped),
        _ => exe,
    };
    std::fs::canonicalize(&exe).map_err(|source| ClientError::CurrentExe { source })
}

/// `path` made absolute against the working directory, without resolving symlinks (a user's
/// symlinked config keeps the name they chose).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The key of the first gateway in the config at `path`.
pub fn first_gateway_key(path: &Path) -> Result<Sensitive<String>, ClientError> {
    gateway_key(path, None).map(|(key, _)| key)
}

/// The key and id of the gateway with id `gateway` (the first when `None`) in the config at `path`.
pub fn gateway_key(
    path: &Path,
    gateway: Option<&str>,
) -> Result<(Sensitive<String>, String), ClientError> {
    let cfg = crate::secrets::load_config(path)?;
    let found = match gateway {
        None => cfg.gateways.first(),
        Some(id) => {
            let found = cfg.gateways.iter().find(|g| g.id == id);
            if found.is_none() {
                return Err(ClientError::UnknownGateway {
                    id: id.to_owned(),
                    path: path.to_path_buf(),
                    known: cfg.gateways.iter().map(|g| g.id.clone()).collect(),
                });
            }
            found
        }
    };
    found
        .map(|g| (g.key.clone(), g.id.clone()))
        .ok_or_else(|| ClientError::NoGateway {
            path: path.to_path_buf(),
        })
}

fn path_str(path: &Path) -> Result<&str, ClientError> {
    path.to_str().ok_or_else(|| ClientError::NonUtf8Path {
        path: path.to_path_buf(),
    })
}

/// The entry this context wants in `client`'s file. This is the one function deciding the entry's
/// content (a keychain reference instead of the key itself would change only this).
pub fn build_entry(client: &ClientSpec, ctx: &Context) -> Result<Map<String, Value>, ClientError> {
    let key = ctx.gateway_key.as_ref().ok_or(ClientError::NoGatewayKey)?;
    let mut entry = Map::new();
    if client.shape == EntryShape::TypedStdio {
        entry.insert("type".into(), json!("stdio"));
    }
    entry.insert("command".into(), json!(path_str(&ctx.gateway_binary)?));
    entry.insert(
        "args".into(),
        json!(entry_args(ctx, path_str(&ctx.gateway_config)?)),
    );
    entry.insert(
        "env".into(),
        json!({ GATEWAY_KEY_ENV: ctx.key_delivery.env_value(key) }),
    );
    Ok(entry)
}

/// The entry's `args`: the context's leading arguments, then `--config <config>`.
fn entry_args(ctx: &Context, config: &str) -> Vec<String> {
    let mut args = ctx.gateway_args.clone();
    args.extend(["--config".to_owned(), config.to_owned()]);
    args
}

/// `wanted` applied onto `existing`: managed fields replaced (env merged key by key), other keys and
/// their order kept. A non-object `existing` is replaced.
pub(crate) fn merge_entry(existing: Option<&Value>, wanted: Map<String, Value>) -> Value {
    let Some(Value::Object(existing)) = existing else {
        return Value::Object(wanted);
    };
    let mut merged = existing.clone();
    for (key, value) in wanted {
        match (merged.get_mut(&key), value) {
            (Some(Value::Object(old_env)), Value::Object(new_env)) if key == "env" => {
                for (name, v) in new_env {
                    old_env.insert(name, v);
                }
            }
            (_, value) => {
                merged.insert(key, value);
            }
        }
    }
    Value::Object(merged)
}

/// A field of our entry that differs from what this gateway would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaleField {
    /// The entry is not a JSON object.
    Entry,
    /// `type` is not `"stdio"` (VS Code, Claude Code).
    Type,
    /// `command` is not this gateway-core binary (e.g. the binary moved).
    Command,
    /// `args` is not `["--config", <path>]` (after the leading arguments of an AppImage).
    Args,
    /// `--config` points at another gateway config.
    ConfigPath,
    /// `env.ENKRYPT_GATEWAY_KEY` is missing or another key.
    GatewayKey,
    /// `env.ENKRYPT_GATEWAY_KEY` holds the key in plain text although the keychain holds it.
    PlainKey,
}

/// Why an entry is stale: which field, what was found, what is expected (keys masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StaleReason {
    /// The field.
    pub field: StaleField,
    /// The value found (masked for the key); `None` when absent.
    pub found: Option<String>,
    /// The value expected (masked for the key).
    pub expected: Option<String>,
}

impl std::fmt::Display for StaleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.field {
            StaleField::Entry => "entry is not an object",
            StaleField::Type => "type",
            StaleField::Command => "command",
            StaleField::Args => "args",
            StaleField::ConfigPath => "config path",
            StaleField::GatewayKey => "gateway key",
            StaleField::PlainKey => "gateway key in plain text (the keychain can hold it)",
        };
        let found = self.found.as_deref().unwrap_or("(missing)");
        match &self.expected {
            Some(expected) => write!(f, "{label}: {found} → {expected}"),
            None => write!(f, "{label}"),
        }
    }
}

fn short(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How `existing` differs from what `ctx` would install in `client`, managed fields only. The key is
/// compared only when the context knows it. Empty means up to date.
pub fn compare(client: &ClientSpec, ctx: &Context, existing: &Value) -> Vec<StaleReason> {
    let mut reasons = Vec::new();
    let reason = |field, found: Option<String>, expected: Option<String>| StaleReason {
        field,
        found,
        expected,
    };
    let Value::Object(entry) = existing else {
        reasons.push(reason(StaleField::Entry, Some(short(existing)), None));
        return reasons;
    };
    if client.shape == EntryShape::TypedStdio && entry.get("type") != Some(&json!("stdio")) {
        let found = entry.get("type").map(short);
        reasons.push(reason(StaleField::Type, found, Some("stdio".into())));
    }
    let binary = ctx.gateway_binary.to_string_lossy();
    if entry.get("command").and_then(Value::as_str) != Some(&*binary) {
        let found = entry.get("command").map(short);
        reasons.push(reason(
            StaleField::Command,
            found,
            Some(binary.into_owned()),
        ));
    }
    let config = ctx.gateway_config.to_string_lossy();
    let lead = ctx.gateway_args.len();
    match entry
        .get("args")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some(args)
            if args.len() == lead + 2
                && args[..lead]
                    .iter()
                    .zip(&ctx.gateway_args)
                    .all(|(a, b)| a == b)
                && args[lead] == "--config" =>
        {
            let path = &args[lead + 1];
            if path.as_str() != Some(&*config) {
                let found = Some(short(path));
                reasons.push(reason(
                    StaleField::ConfigPath,
                    found,
                    Some(config.into_owned()),
                ));
            }
        }
        _ => {
            let found = entry.get("args").map(short);
            let expected = json!(entry_args(ctx, &config)).to_string();
            reasons.push(reason(StaleField::Args, found, Some(expected)));
        }
    }
    if let Some(key) = &ctx.gateway_key {
        let found = entry
            .get("env")
            .and_then(|env| env.get(GATEWAY_KEY_ENV))
            .and_then(Value::as_str);
        let wanted = ctx.key_delivery.env_value(key);
        let plain = found == Some(key.expose().as_str());
        if plain && matches!(ctx.key_delivery, KeyDelivery::Keychain { .. }) {
            reasons.push(reason(
                StaleField::PlainKey,
                Some(key.masked()),
                Some(wanted),
            ));
        } else if found != Some(wanted.as_str()) && !plain {
            let found = found.map(|f| {
                if f.starts_with("${keyring:") {
                    f.to_owned()
                } else {
                    mask(f)
                }
            });
            let expected = match &ctx.key_delivery {
                KeyDelivery::Plain => key.masked(),
                KeyDelivery::Keychain { .. } => wanted,
            };
            reasons.push(reason(StaleField::GatewayKey, found, Some(expected)));
        }
    }
    reasons
}

/// `entry` with every `env` value masked (keychain references are shown as they are), for display
/// and JSON reports.
pub fn masked(entry: &Value) -> Value {
    let mut out = entry.clone();
    for field in ["env", "headers"] {
        if let Some(Value::Object(values)) = out.get_mut(field) {
            for value in values.values_mut() {
                if let Value::String(s) = value
                    && !is_reference(s)
                {
                    *s = mask(s);
                }
            }
        }
    }
    out
}

/// Whether `value` is exactly one `${keyring:…}` or `${env:…}` reference.
pub fn is_reference(value: &str) -> bool {
    (value.starts_with("${keyring:") || value.starts_with("${env:"))
        && value.ends_with('}')
        && value.matches("${").count() == 1
}

#[cfg(test)]
#[path = "entry_tests.rs"]
mod tests;
