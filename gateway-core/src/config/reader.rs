//! Typed reads of JSON values that collect located diagnostics instead of stopping at the first problem.
//!
//! Every read takes the value and its [`JsonPath`]; on a wrong type it records an error (with the line
//! from the [`LineIndex`]) and returns `None`, so the loader keeps going and `check-config` can list every
//! problem at once. Messages describe the expected and found *types*, never the value (it may be a
//! secret). What the keys mean is decided by `load`, `common` and `server`, not here.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::locate::{JsonPath, LineIndex};
use super::model::{Diagnostic, Location, Severity};
use super::refs::RefSources;
use crate::secret::Sensitive;

/// Diagnostics collector plus everything a section loader needs to know about the document.
pub(super) struct Reader<'a> {
    index: &'a LineIndex,
    /// The document as written, before references were resolved (for `raw` and `extra`).
    raw: &'a Value,
    pub(super) config_path: &'a Path,
    pub(super) sources: &'a RefSources<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(
        index: &'a LineIndex,
        raw: &'a Value,
        config_path: &'a Path,
        sources: &'a RefSources<'a>,
    ) -> Self {
        Self {
            index,
            raw,
            config_path,
            sources,
            diagnostics: Vec::new(),
        }
    }

    /// All diagnostics, in line order (stable for equal lines).
    pub(super) fn finish(mut self) -> Vec<Diagnostic> {
        self.diagnostics
            .sort_by_key(|d| d.location.line.unwrap_or(0));
        self.diagnostics
    }

    fn push(&mut self, severity: Severity, path: &JsonPath, message: String) {
        self.diagnostics.push(Diagnostic {
            severity,
            location: Location {
                json_path: path.to_string(),
                line: self.index.line_of(path),
            },
            message,
        });
    }

    pub(super) fn error(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.push(Severity::Error, path, message.into());
    }

    pub(super) fn warn(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.push(Severity::Warning, path, message.into());
    }

    /// Warn about a key this gateway does not know; the key name is already in the path.
    pub(super) fn unknown_key(&mut self, path: &JsonPath) {
        self.warn(path, "unknown key; ignored");
    }

    pub(super) fn missing(&mut self, path: &JsonPath, what: &str) {
        let key = path
            .segments()
            .last()
            .map_or_else(String::new, |s| match s {
                super::locate::Segment::Key(k) => format!(" `{k}`"),
                super::locate::Segment::Index(i) => format!(" [{i}]"),
            });
        self.error(path, format!("missing required key{key} ({what})"));
    }

    /// The value at `path` as written in the file (references unresolved).
    pub(super) fn raw_at(&self, path: &JsonPath) -> Option<&'a Value> {
        self.raw.pointer(&path.to_pointer())
    }

    fn wrong_type(&mut self, path: &JsonPath, expected: &str, found: &Value) {
        self.error(
            path,
            format!("expected {expected}, found {}", type_name(found)),
        );
    }

    pub(super) fn string(&mut self, v: &Value, path: &JsonPath) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(path, "a string", other);
                None
            }
        }
    }

    pub(super) fn non_empty_string(&mut self, v: &Value, path: &JsonPath) -> Option<String> {
        let s = self.string(v, path)?;
        if s.trim().is_empty() {
            self.error(path, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// A string, or `null` (→ `Some(None)`).
    pub(super) fn string_or_null(&mut self, v: &Value, path: &JsonPath) -> Option<Option<String>> {
        match v {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            other => {
                self.wrong_type(path, "a string or null", other);
                None
            }
        }
    }

    /// `true`/`false`, or the strings `"true"`/`"false"` (what a whole-value `${env:…}` yields).
    pub(super) fn boolean(&mut self, v: &Value, path: &JsonPath) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
            other => {
                self.wrong_type(path, "true or false", other);
                None
            }
        }
    }

    /// A number, also from a numeric string (the reference casts with `int()`/`float()`).
    pub(super) fn number(&mut self, v: &Value, path: &JsonPath) -> Option<f64> {
        let parsed = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.wrong_type(path, "a number", v);
                None
            }
        }
    }

    /// A number `>= 0` (or `> 0` when `strict`).
    pub(super) fn non_negative(&mut self, v: &Value, path: &JsonPath, strict: bool) -> Option<f64> {
        let n = self.number(v, path)?;
        if n < 0.0 || (strict && n == 0.0) {
            let bound = if strict {
                "greater than 0"
            } else {
                "0 or more"
            };
            self.error(path, format!("must be {bound}"));
            return None;
        }
        Some(n)
    }

    /// A whole number within `[min, max]` (a float with no fractional part is accepted).
    pub(super) fn integer(
        &mut self,
        v: &Value,
        path: &JsonPath,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let n = self.number(v, path)?;
        // The range check keeps the cast below exact.
        if n.fract() != 0.0 || n < min as f64 || n > max as f64 {
            self.error(path, format!("must be a whole number from {min} to {max}"));
            return None;
        }
        Some(n as i64)
    }

    /// One of a fixed set of strings.
    pub(super) fn choice<T: Copy>(
        &mut self,
        v: &Value,
        path: &JsonPath,
        options: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(v, path)?;
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == s.trim()) {
            return Some(*value);
        }
        let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        self.error(path, format!("must be one of {}", names.join(", ")));
        None
    }

    pub(super) fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &JsonPath,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(map) => Some(map),
            other => {
                self.wrong_type(path, "an object", other);
                None
            }
        }
    }

    pub(super) fn array<'v>(&mut self, v: &'v Value, path: &JsonPath) -> Option<&'v Vec<Value>> {
        match v {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(path, "an array", other);
                None
            }
        }
    }

    /// An array of strings; each bad element is reported at its own index.
    pub(super) fn string_list(&mut self, v: &Value, path: &JsonPath) -> Option<Vec<String>> {
        let items = match v {
            Value::Array(items) => items,
            other => {
                self.wrong_type(path, "an array of strings", other);
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.string(item, &path.index(i)) {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// An object of string values (env, headers), or `null` for none. Values are secrets.
    pub(super) fn secret_map(
        &mut self,
        v: &Value,
        path: &JsonPath,
    ) -> Option<BTreeMap<String, Sensitive<String>>> {
        let map = match v {
            Value::Null => return Some(BTreeMap::new()),
            Value::Object(map) => map,
            other => {
                self.wrong_type(path, "an object of strings", other);
                return None;
            }
        };
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (key, item) in map {
            match self.string(item, &path.key(key)) {
                Some(s) => {
                    out.insert(key.clone(), Sensitive::new(s));
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// "a string", "an object", … for messages.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
