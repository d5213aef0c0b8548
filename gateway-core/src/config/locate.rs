//! JSON paths and where they sit in the source text.
//!
//! [`JsonPath`] is how every config diagnostic names a value (`$.gateways["…a1b2"].mcp_config[0].config`);
//! [`LineIndex`] maps each path of a parsed document to the 1-based line it starts on, so a semantic error
//! found on the `serde_json::Value` tree can still point at a line. The index comes from a small scanner that
//! runs after `serde_json` has accepted the text; it never fails or panics, it just stops recording when the
//! text is not the JSON it expected. This module does not judge values; `config::load` does.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::secret::mask;

/// Top-level sections whose member names are gateway keys (secrets): shown masked in every path.
const SECRET_KEYED_SECTIONS: [&str; 2] = ["gateways", "apikeys"];

/// Deeper than `serde_json`'s own recursion limit (128), so a document it accepted is always fully indexed.
const MAX_DEPTH: usize = 256;

/// One step of a [`JsonPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A location in a JSON document, displayed JSONPath-style: `$`, `.name`, `["odd name"]`, `[0]`.
///
/// A key directly under the top-level `gateways` (1.x) or `apikeys` (2.x) object is a gateway key, a
/// secret, so its display form is masked with [`crate::secret::mask`]. The unmasked form is only used for
/// look-ups ([`JsonPath::to_pointer`]), never printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    /// The document root, `$`.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by an object member.
    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        Self(segments)
    }

    /// This path extended by an array element.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Self(segments)
    }

    /// The steps from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub(crate) fn push(&mut self, segment: Segment) {
        self.0.push(segment);
    }

    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    /// The RFC 6901 JSON pointer (`/gateways/<key>/mcp_config/0`) for `serde_json::Value::pointer`.
    /// Contains gateway keys in clear: never display it.
    pub fn to_pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            out.push('/');
            match segment {
                Segment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    fn is_secret_key(&self, position: usize) -> bool {
        position == 1
            && matches!(self.0.first(), Some(Segment::Key(k)) if SECRET_KEYED_SECTIONS.contains(&k.as_str()))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Key(k) if self.is_secret_key(position) => {
                    write!(f, "[{}]", quote(&mask(k)))?
                }
                Segment::Key(k) if is_plain_name(k) => write!(f, ".{k}")?,
                Segment::Key(k) => write!(f, "[{}]", quote(k))?,
            }
        }
        Ok(())
    }
}

fn is_plain_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn quote(s: &str) -> String {
    // Serialising a &str cannot fail; the fallback only keeps this total.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The line each value of a document starts on, plus the object keys that appear twice.
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<Vec<Segment>, usize>,
    duplicates: Vec<JsonPath>,
}

impl LineIndex {
    /// Index `text`. For an object member the recorded line is that of its key; for an array element,
    /// that of the element's first character.
    pub fn scan(text: &str) -> Self {
        let mut scanner = Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            out: LineIndex::default(),
        };
        let mut path = Vec::new();
        scanner.skip_ws();
        scanner.out.lines.insert(Vec::new(), scanner.line);
        // A `None` only means the scanner stopped early; whatever it recorded is still right.
        let _ = scanner.value(&mut path, 0);
        scanner.out
    }

    /// The line of `path`, or of its nearest ancestor that exists in the text (a missing key is reported
    /// on the object that should contain it).
    pub fn line_of(&self, path: &JsonPath) -> Option<usize> {
        let segments = path.segments();
        (0..=segments.len())
            .rev()
            .find_map(|n| segments.get(..n).and_then(|s| self.lines.get(s)).copied())
    }

    /// Object members written more than once (JSON parsers keep the last one), at their later occurrence.
    pub fn duplicate_keys(&self) -> &[JsonPath] {
        &self.duplicates
    }
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line: usize,
    out: LineIndex,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
    }

    fn value(&mut self, path: &mut Vec<Segment>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => self.object(path, depth),
            b'[' => self.array(path, depth),
            b'"' => self.string().map(|_| ()),
            _ => self.scalar(),
        }
    }

    fn object(&mut self, path: &mut Vec<Segment>, depth: usize) -> Option<()> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        let mut seen = HashSet::new();
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let line = self.line;
            let (start, end) = self.string()?;
            let key = decode_key(self.text.get(start..end)?);
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            path.push(Segment::Key(key.clone()));
            if !seen.insert(key) {
                self.out.duplicates.push(JsonPath(path.clone()));
            }
            self.out.lines.insert(path.clone(), line);
            let parsed = self.value(path, depth + 1);
            path.pop();
            parsed?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &mut Vec<Segment>, depth: usize) -> Option<()> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        let mut index = 0;
        loop {
            self.skip_ws();
            path.push(Segment::Index(index));
            self.out.lines.insert(path.clone(), self.line);
            let parsed = self.value(path, depth + 1);
            path.pop();
            parsed?;
            index += 1;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Skip a string starting at the current `"`; returns its byte range including both quotes.
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        self.pos += 1;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => return Some((start, self.pos)),
                b'\\' => {
                    if self.peek() == Some(b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                b'\n' => self.line += 1,
                _ => {}
            }
        }
    }

    /// Skip a number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Option<()> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }
}

/// The key's text with escapes decoded, so look-ups match what `serde_json` produced.
fn decode_key(quoted: &str) -> String {
    serde_json::from_str::<String>(quoted).unwrap_or_else(|_| {
        quoted
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(quoted)
            .to_owned()
    })
}
