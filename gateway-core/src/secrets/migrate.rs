//! `secret migrate`: move plaintext secrets out of a gateway config into the keychain and leave
//! `${keyring:NAME}` references in their place.
//!
//! What moves: the Enkrypt API key (`common_mcp_gateway_config.enkrypt_api_key` in 1.x,
//! `enkrypt_config.api_key` in 2.x, unless it is the `YOUR_ENKRYPT_API_KEY` placeholder), the Redis
//! password `enkrypt_cache_password`, and every upstream `config.env` / `config.headers` value that
//! [`super::shape::should_migrate`] calls a secret. Gateway keys (the keys of `gateways` / `apikeys`) are
//! look-up keys and stay. Values already holding a `${…}` reference are left alone, so a second run is a
//! no-op. Secrets inside `args` or a `url` are only reported: a reference there works, but which part of
//! a command line is the secret is a guess best left to a person.
//!
//! Order of work, so a failure never loses a secret: store every value, read each back and compare, and
//! only then rewrite the file (atomically, with a backup). The rewrite replaces just the moved string
//! literals in the original text, keeping every other byte; if that cannot be done safely the document
//! is re-serialised (key order kept, indentation detected). The file is re-read before writing and the
//! write refused if someone changed it meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::SecretError;
use super::keychain::Keychain;
use super::name::{MAX_NAME_LEN, sanitize_name};
use super::shape::{is_secret_name, is_secret_shaped, should_migrate, split_auth_scheme};
use super::spans::{splice, string_value_spans};
use crate::config::JsonPath;
use crate::files::{FileError, write_atomic};
use crate::secret::{Sensitive, mask};

/// The reference config's placeholder for "no API key".
const API_KEY_PLACEHOLDER: &str = "YOUR_ENKRYPT_API_KEY";

/// Where migrated values go. [`Keychain`] in production; a map in tests.
pub trait SecretStore {
    /// The value stored under `name`, if any.
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    /// Store `value` under `name`.
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
}

impl SecretStore for Keychain {
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Keychain::get(self, name)
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        Keychain::set(self, name, value)
    }
}

/// A plaintext secret found in a config document.
#[derive(Debug, Clone)]
pub struct FoundSecret {
    /// Where it is.
    pub path: JsonPath,
    /// The keychain name derived from where it is (`<server_name>.<ENV_NAME>`), already valid.
    pub suggested_name: String,
    /// Text kept in front of the reference (`"Bearer "` for an `Authorization` header), usually empty.
    pub kept_prefix: String,
    /// The secret itself.
    pub value: Sensitive<String>,
}

/// One value moved (or, in a dry run, to be moved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedSecret {
    /// Where it was, as a display path (gateway keys masked).
    pub path: String,
    /// The keychain entry name.
    pub name: String,
    /// The new config value, e.g. `${keyring:github.GITHUB_TOKEN}` or `Bearer ${keyring:api.Authorization}`.
    pub new_value: String,
    /// The old value masked with [`crate::secret::mask`].
    pub masked: String,
    /// The keychain already held this exact value under `name` (nothing was written).
    pub already_stored: bool,
}

/// What [`migrate`] did or, with `dry_run`, would do.
#[derive(Debug, Clone, Default)]
pub struct MigrationReport {
    /// The values moved, in document order.
    pub moved: Vec<MovedSecret>,
    /// Display paths of `args`/`url` values that look like secrets but were left in place.
    pub left_in_place: Vec<String>,
    /// Where the previous config was copied (`None` when the file was not rewritten).
    pub backup: Option<PathBuf>,
    /// Whether the config file was rewritten.
    pub rewritten: bool,
    /// In a dry run: why the keychain could not be consulted for name clashes, if it could not.
    pub keychain_warning: Option<String>,
}

/// Why a migration stopped. Nothing in the config has changed when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The config file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not JSON.
    #[error("{} is not valid JSON ({message}); fix it (see `gateway-core check-config`) and retry", path.display())]
    Parse {
        /// The config file.
        path: PathBuf,
        /// `serde_json`'s message, with line and column.
        message: String,
    },
    /// Storing or reading a secret failed.
    #[error(transparent)]
    Keychain(#[from] SecretError),
    /// A stored value did not read back identically.
    #[error(
        "the keychain did not return the value just stored under `{name}`; the config was not changed"
    )]
    Verify {
        /// The entry name.
        name: String,
    },
    /// The file changed between reading and writing (another editor, the desktop app).
    #[error(
        "{} changed while migrating; the config was not rewritten (secrets already stored stay in \
         the keychain): run `gateway-core secret migrate` again",
        path.display()
    )]
    Changed {
        /// The config file.
        path: PathBuf,
    },
    /// The new file could not be written.
    #[error(transparent)]
    Write(#[from] FileError),
}

impl MigrateError {
    /// A stable code for front ends.
    pub fn code(&self) -> &'static str {
        match self {
            MigrateError::Read { .. } => "config_unreadable",
            MigrateError::Parse { .. } => "config_invalid",
            MigrateError::Keychain(e) => e.code(),
            MigrateError::Verify { .. } => "keychain_verify_failed",
            MigrateError::Changed { .. } => "config_changed",
            MigrateError::Write(_) => "config_write_failed",
        }
    }
}

/// Move the plaintext secrets of the config at `path` into `store` and rewrite the file with references.
/// With `dry_run` nothing is stored or written. Blocking: call it from `spawn_blocking` in async code.
pub fn migrate(
    path: &Path,
    store: &dyn SecretStore,
    dry_run: bool,
) -> Result<MigrationReport, MigrateError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| MigrateError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let original = read(path)?;
    let body = original.strip_prefix('\u{feff}').unwrap_or(&original);
    let doc: Value = serde_json::from_str(body).map_err(|e| MigrateError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let (found, left_in_place) = find_plaintext_secrets(&doc);
    let mut report = MigrationReport {
        left_in_place: left_in_place.iter().map(ToString::to_string).collect(),
        ..MigrationReport::default()
    };
    if found.is_empty() {
        return Ok(report);
    }

    let plan = plan_names(&found, store, dry_run, &mut report.keychain_warning)?;
    report.moved = found
        .iter()
        .zip(&plan)
        .map(|(f, (name, already_stored))| MovedSecret {
            path: f.path.to_string(),
            name: name.clone(),
            new_value: format!("{}${{keyring:{name}}}", f.kept_prefix),
            masked: mask(f.value.expose()),
            already_stored: *already_stored,
        })
        .collect();
    if dry_run {
        return Ok(report);
    }

    for (f, (name, already_stored)) in found.iter().zip(&plan) {
        if !already_stored {
            store.set(name, f.value.expose())?;
            tracing::debug!(path = %f.path, name = %name, "secret moved to the keychain");
        }
    }
    for (f, (name, _)) in found.iter().zip(&plan) {
        if store.get(name)?.as_deref() != Some(f.value.expose().as_str()) {
            return Err(MigrateError::Verify { name: name.clone() });
        }
    }

    let edits: Vec<(JsonPath, String)> = found
        .iter()
        .zip(&report.moved)
        .map(|(f, m)| (f.path.clone(), m.new_value.clone()))
        .collect();
    let bom = if body.len() == original.len() {
        ""
    } else {
        "\u{feff}"
    };
    let new_text = format!("{bom}{}", rewrite(body, &doc, &edits));

    if read(path)? != original {
        return Err(MigrateError::Changed {
            path: path.to_path_buf(),
        });
    }
    let outcome = write_atomic(path, new_text.as_bytes(), true)?;
    report.backup = outcome.backup;
    report.rewritten = true;
    Ok(report)
}

/// The plaintext secrets in `doc`, in document order, and the `args`/`url` values that look like secrets
/// but are left for a person to move.
pub fn find_plaintext_secrets(doc: &Value) -> (Vec<FoundSecret>, Vec<JsonPath>) {
    let mut found = Vec::new();
    let mut suspicious = Vec::new();
    let root = JsonPath::root();
    let common = root.key("common_mcp_gateway_config");
    for (section, key, name) in [
        (&common, "enkrypt_api_key", "enkrypt_api_key"),
        (&common, "enkrypt_cache_password", "enkrypt_cache_password"),
        (&root.key("enkrypt_config"), "api_key", "enkrypt_api_key"),
    ] {
        let path = section.key(key);
        if let Some(Value::String(value)) = doc.pointer(&path.to_pointer()) {
            let value = value.trim();
            if !value.is_empty() && value != API_KEY_PLACEHOLDER && !value.contains("${") {
                found.push(FoundSecret {
                    path,
                    suggested_name: name.to_owned(),
                    kept_prefix: String::new(),
                    value: Sensitive::new(value.to_owned()),
                });
            }
        }
    }
    walk_servers(doc, &root, &mut found, &mut suspicious);
    (found, suspicious)
}

/// Find server entries (`{server_name, config}`) anywhere: 1.x `gateways.*.mcp_config[]`, 2.x
/// `mcp_configs.*.mcp_config[]`, and whatever layout comes next.
fn walk_servers(
    value: &Value,
    path: &JsonPath,
    found: &mut Vec<FoundSecret>,
    suspicious: &mut Vec<JsonPath>,
) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(server)), Some(Value::Object(config))) =
                (map.get("server_name"), map.get("config"))
            {
                server_secrets(server, config, &path.key("config"), found, suspicious);
                return;
            }
            for (key, item) in map {
                if !crate::config::refs::is_comment_key(key) {
                    walk_servers(item, &path.key(key), found, suspicious);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_servers(item, &path.index(i), found, suspicious);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn server_secrets(
    server: &str,
    config: &serde_json::Map<String, Value>,
    path: &JsonPath,
    found: &mut Vec<FoundSecret>,
    suspicious: &mut Vec<JsonPath>,
) {
    for section in ["env", "headers"] {
        let Some(Value::Object(map)) = config.get(section) else {
            continue;
        };
        for (key, item) in map {
            let Value::String(value) = item else { continue };
            if !should_migrate(key, value) {
                continue;
            }
            let (prefix, secret) = split_auth_scheme(value);
            found.push(FoundSecret {
                path: path.key(section).key(key),
                suggested_name: sanitize_name(&format!("{server}.{key}"), MAX_NAME_LEN),
                kept_prefix: prefix.to_owned(),
                value: Sensitive::new(secret.to_owned()),
            });
        }
    }
    if let Some(Value::Array(args)) = config.get("args") {
        let mut previous: Option<&str> = None;
        for (i, arg) in args.iter().enumerate() {
            let Value::String(arg) = arg else {
                previous = None;
                continue;
            };
            if !arg.contains("${") && arg_looks_secret(previous, arg) {
                suspicious.push(path.key("args").index(i));
            }
            previous = Some(arg);
        }
    }
    if let Some(Value::String(url)) = config.get("url")
        && !url.contains("${")
        && url_looks_secret(url)
    {
        suspicious.push(path.key("url"));
    }
}

/// `sk-…` alone, `--api-key=…`, or the value after `--token`.
fn arg_looks_secret(previous: Option<&str>, arg: &str) -> bool {
    if is_secret_shaped(arg) {
        return true;
    }
    if let Some((flag, value)) = arg.split_once('=')
        && flag.starts_with('-')
    {
        return should_migrate(flag, value);
    }
    previous.is_some_and(|flag| {
        flag.starts_with('-')
            && !arg.starts_with('-')
            && is_secret_name(flag)
            && should_migrate(flag, arg)
    })
}

/// A password in the authority, or a query parameter named like a secret (`?api_key=…`).
fn url_looks_secret(url: &str) -> bool {
    if is_secret_shaped(url) {
        return true;
    }
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    query.split('&').any(|pair| {
        pair.split_once('=')
            .is_some_and(|(k, v)| should_migrate(k, v))
    })
}

/// A keychain name for each found secret, and whether the keychain already holds that exact value. The
/// same value found twice (one server in several gateways) shares a name; a name already holding another
/// value gets a `-2`, `-3`… suffix instead of being overwritten.
pub(crate) fn plan_names(
    found: &[FoundSecret],
    store: &dyn SecretStore,
    dry_run: bool,
    warning: &mut Option<String>,
) -> Result<Vec<(String, bool)>, SecretError> {
    let mut taken: HashMap<String, Sensitive<String>> = HashMap::new();
    let mut plan = Vec::with_capacity(found.len());
    for f in found {
        let mut n = 1usize;
        let entry = loop {
            let name = if n == 1 {
                f.suggested_name.clone()
            } else {
                let suffix = format!("-{n}");
                let mut base = f.suggested_name.clone();
                base.truncate(MAX_NAME_LEN - suffix.len());
                format!("{base}{suffix}")
            };
            n += 1;
            if let Some(value) = taken.get(&name) {
                if value == &f.value {
                    break (name, true);
                }
                continue;
            }
            let existing = match store.get(&name) {
                Ok(existing) => existing,
                Err(e) if dry_run => {
                    warning.get_or_insert_with(|| e.to_string());
                    None
                }
                Err(e) => return Err(e),
            };
            match existing {
                None => break (name, false),
                Some(v) if &v == f.value.expose() => break (name, true),
                Some(_) => continue,
            }
        };
        taken.insert(entry.0.clone(), f.value.clone());
        plan.push(entry);
    }
    Ok(plan)
}

/// The new file text: the original with only the edited literals replaced when that provably yields the
/// edited document; otherwise the edited document re-serialised in the file's indentation.
fn rewrite(text: &str, doc: &Value, edits: &[(JsonPath, String)]) -> String {
    let mut expected = doc.clone();
    for (path, new_value) in edits {
        if let Some(slot) = expected.pointer_mut(&path.to_pointer()) {
            *slot = Value::String(new_value.clone());
        }
    }
    let spliced = string_value_spans(text).and_then(|spans| {
        let ranges = edits
            .iter()
            .map(|(path, new_value)| {
                spans
                    .get(path.segments())
                    .map(|range| (range.clone(), new_value.clone()))
            })
            .collect::<Option<Vec<_>>>()?;
        splice(text, ranges)
    });
    if let Some(new_text) = spliced
        && serde_json::from_str::<Value>(&new_text).ok().as_ref() == Some(&expected)
    {
        return new_text;
    }
    tracing::debug!("config could not be edited in place; re-serialising it");
    pretty(&expected, &detect_indent(text), text.ends_with('\n'))
}

fn detect_indent(text: &str) -> String {
    text.lines()
        .skip(1)
        .find_map(|line| {
            let indent: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            (!indent.is_empty() && indent.len() < line.len()).then_some(indent)
        })
        .unwrap_or_else(|| "  ".to_owned())
}

fn pretty(value: &Value, indent: &str, trailing_newline: bool) -> String {
    use serde::Serialize;
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serialising a `Value` into a Vec cannot fail; on the impossible error fall back to compact JSON.
    let mut text = match value.serialize(&mut serializer) {
        Ok(()) => String::from_utf8(out).unwrap_or_else(|_| value.to_string()),
        Err(_) => value.to_string(),
    };
    if trailing_newline {
        text.push('\n');
    }
    text
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
