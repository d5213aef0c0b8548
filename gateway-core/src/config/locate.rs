//! JSON paths and where they sit in the source text.
//!
//! [`JsonPath`] is how every config diagnostic names a value (`$.gateways["…a1b2"].mcp_config[0].config`);
//! [`LineIndex`] maps each path of a parsed document to the 1-based line it starts on, so a semantic error
//! found on the `serde_json::Value` tree can still point at a line. The index comes from [`scan_values`], the
//! crate's one scanner of JSON text positions (also behind `secrets`' in-place edits); it runs after
//! `serde_json` has accepted the text, never fails or panics, and just stops when the text is not the
//! JSON it expected. This module does not judge values; `config::load` does.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

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
        let mut out = LineIndex::default();
        // A `None` only means the scanner stopped early; whatever it recorded is still right.
        let _ = scan_values(text, &mut |value| {
            if value.duplicate {
                out.duplicates.push(JsonPath(value.path.to_vec()));
            }
            out.lines.insert(value.path.to_vec(), value.line);
        });
        out
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

/// One value met by [`scan_values`], reported before its children.
#[derive(Debug)]
pub struct ScannedValue<'p> {
    /// Where it is in the document (`[]` for the root).
    pub path: &'p [Segment],
    /// 1-based line: of the key for an object member, else of the value's first character.
    pub line: usize,
    /// For a string value, its byte range in the text, quotes included.
    pub string: Option<Range<usize>>,
    /// An object member whose key already appeared earlier in the same object.
    pub duplicate: bool,
}

/// The one scanner over JSON text that knows where values sit: every value in document order, with
/// its path, line and (for strings) byte range. Run it on text `serde_json` has already accepted: it
/// never panics, and returns `None` when it had to stop early (what it reported until then is right).
/// [`LineIndex`] and `secrets`' in-place value replacement are built on it.
pub fn scan_values(text: &str, visit: &mut dyn FnMut(&ScannedValue<'_>)) -> Option<()> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        visit,
    };
    scanner.skip_ws();
    let line = scanner.line;
    scanner.value(&mut Vec::new(), line, false, 0)
}

struct Scanner<'t, 'v> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    line: usize,
    visit: &'v mut dyn FnMut(&ScannedValue<'_>),
}

impl Scanner<'_, '_> {
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

    /// The value at the current position (after whitespace), reported with `line` (its key's line
    /// for an object member).
    fn value(
        &mut self,
        path: &mut Vec<Segment>,
        line: usize,
        duplicate: bool,
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let report = |scanner: &mut Self, string: Option<Range<usize>>| {
            (scanner.visit)(&ScannedValue {
                path,
                line,
                string,
                duplicate,
            })
        };
        match self.peek()? {
            b'{' => {
                report(self, None);
                self.object(path, depth)
            }
            b'[' => {
                report(self, None);
                self.array(path, depth)
            }
            b'"' => {
                let range = self.string()?;
                report(self, Some(range));
                Some(())
            }
            _ => {
                report(self, None);
                self.scalar()
            }
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
            let range = self.string()?;
            let key = decode_key(self.text.get(range)?);
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            let duplicate = !seen.insert(key.clone());
            path.push(Segment::Key(key));
            let parsed = self.value(path, line, duplicate, depth + 1);
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
            let line = self.line;
            let parsed = self.value(path, line, false, depth + 1);
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
    fn string(&mut self) -> Option<Range<usize>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => return Some(start..self.pos),
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
