//! `${env:NAME}` and `${keyring:NAME}` references inside config string values.
//!
//! A reference may be the whole value or part of a longer string (`"Bearer ${env:TOKEN}"`). Values come
//! from a [`SecretSource`]: the process environment for `env`, the OS keychain for `keyring` (not wired
//! yet: [`NoKeyring`] reports every keychain reference as unsupported). `$${env:…}` writes a literal
//! `${env:…}`. Resolved text is not scanned again, so a secret containing `${…}` is taken as is. Only the
//! two schemes above are references; any other `${…}` (a shell variable in `args`) is left alone.
//!
//! Problems name the reference and where it is, never a resolved value. This module does not know which
//! values are secrets or what the config means; `config::load` decides what to resolve.

use std::collections::HashMap;
use std::env::VarError;

use serde_json::Value;

use super::locate::{JsonPath, Segment};

/// Where the value of a reference comes from.
pub trait SecretSource {
    /// The value named `name`; `Ok(None)` when there is no such entry, `Err` (a short reason without the
    /// value) when the source could not be asked.
    fn get(&self, name: &str) -> Result<Option<String>, String>;
}

/// The process environment (`${env:NAME}`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl SecretSource for ProcessEnv {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(VarError::NotPresent) => Ok(None),
            Err(VarError::NotUnicode(_)) => Err("environment variable is not valid UTF-8".into()),
        }
    }
}

/// The keychain placeholder until the OS keychain is wired in: every look-up fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoKeyring;

impl SecretSource for NoKeyring {
    fn get(&self, _name: &str) -> Result<Option<String>, String> {
        Err("keychain references are not supported yet".into())
    }
}

/// A fixed map, for tests and previews.
impl SecretSource for HashMap<String, String> {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(HashMap::get(self, name).cloned())
    }
}

/// The sources used for one load.
#[derive(Clone, Copy)]
pub struct RefSources<'a> {
    pub env: &'a dyn SecretSource,
    pub keyring: &'a dyn SecretSource,
}

impl RefSources<'static> {
    /// The process environment and the (not yet supported) keychain.
    pub fn process() -> Self {
        Self {
            env: &ProcessEnv,
            keyring: &NoKeyring,
        }
    }
}

/// A reference that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefProblem {
    pub path: JsonPath,
    pub message: String,
}

#[derive(Clone, Copy)]
enum Scheme {
    Env,
    Keyring,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Env => "env",
            Scheme::Keyring => "keyring",
        }
    }
}

const SCHEMES: [Scheme; 2] = [Scheme::Env, Scheme::Keyring];

/// Replace every reference in every string value under `value`, in place. Object members whose key starts
/// with `_doc` are comments and are skipped. Unresolved references stay as written; each gives a problem.
pub fn resolve_refs(value: &mut Value, sources: &RefSources<'_>) -> Vec<RefProblem> {
    let mut problems = Vec::new();
    let mut path = JsonPath::root();
    walk(value, &mut path, sources, &mut problems);
    problems
}

fn walk(
    value: &mut Value,
    path: &mut JsonPath,
    sources: &RefSources<'_>,
    out: &mut Vec<RefProblem>,
) {
    match value {
        Value::String(s) => {
            if !s.contains("${") {
                return;
            }
            match resolve_str(s, sources) {
                Ok(resolved) => *s = resolved,
                Err(messages) => out.extend(messages.into_iter().map(|message| RefProblem {
                    path: path.clone(),
                    message,
                })),
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(Segment::Index(i));
                walk(item, path, sources, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if is_comment_key(key) {
                    continue;
                }
                path.push(Segment::Key(key.clone()));
                walk(item, path, sources, out);
                path.pop();
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Keys beginning `_doc` are comments in the reference's 2.x files.
pub fn is_comment_key(key: &str) -> bool {
    key.starts_with("_doc")
}

/// Resolve every reference in `text`. On failure, one message per bad reference.
pub fn resolve_str(text: &str, sources: &RefSources<'_>) -> Result<String, Vec<String>> {
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(at);
        out.push_str(before);
        if let Some(after_escape) = from_dollar.strip_prefix("$$")
            && SCHEMES
                .iter()
                .any(|s| after_escape.starts_with(&format!("{{{}:", s.name())))
        {
            // `$${env:X}` → literal `${env:X}`: copy it through unchanged, up to and including its `}`.
            out.push('$');
            let end = after_escape.find('}').map_or(after_escape.len(), |i| i + 1);
            let (literal, tail) = after_escape.split_at(end);
            out.push_str(literal);
            rest = tail;
            continue;
        }
        match parse_ref(from_dollar) {
            Some((scheme, Some((name, consumed)))) => {
                match lookup(scheme, name, sources) {
                    Ok(value) => out.push_str(&value),
                    Err(message) => {
                        problems.push(message);
                        out.push_str(from_dollar.get(..consumed).unwrap_or_default());
                    }
                }
                rest = from_dollar.get(consumed..).unwrap_or_default();
            }
            Some((scheme, None)) => {
                problems.push(format!(
                    "malformed reference `${{{}:…`: expected `${{{}:NAME}}` with a name of letters, \
                     digits and `_-./@:`",
                    scheme.name(),
                    scheme.name()
                ));
                out.push_str(from_dollar);
                rest = "";
            }
            None => {
                out.push('$');
                rest = from_dollar.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// At a `$`: `None` if no reference starts here; `Some((scheme, None))` for a malformed one;
/// `Some((scheme, Some((name, bytes consumed))))` otherwise.
fn parse_ref(s: &str) -> Option<(Scheme, Option<(&str, usize)>)> {
    SCHEMES.iter().find_map(|&scheme| {
        let prefix = format!("${{{}:", scheme.name());
        let body = s.strip_prefix(&prefix)?;
        let parsed = body.find('}').and_then(|end| {
            let name = body.get(..end)?;
            is_valid_name(name).then_some((name, prefix.len() + end + 1))
        });
        Some((scheme, parsed))
    })
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | ':'))
}

fn lookup(scheme: Scheme, name: &str, sources: &RefSources<'_>) -> Result<String, String> {
    let source = match scheme {
        Scheme::Env => sources.env,
        Scheme::Keyring => sources.keyring,
    };
    let reference = format!("${{{}:{name}}}", scheme.name());
    match source.get(name) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(match scheme {
            Scheme::Env => format!("environment variable is not set: {reference}"),
            Scheme::Keyring => format!("no keychain entry: {reference}"),
        }),
        Err(reason) => Err(format!("{reason}: {reference}")),
    }
}
