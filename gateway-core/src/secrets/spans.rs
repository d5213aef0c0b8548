//! Byte ranges of string values in JSON text, so `secret migrate` can replace a few values and leave
//! every other byte of the user's file (formatting, key order, inline arrays) exactly as it was.
//!
//! The scanner runs only on text `serde_json` has already accepted; it never panics and gives up
//! (`None`) on anything unexpected, in which case the caller re-serialises the whole document instead.

use std::collections::HashMap;
use std::ops::Range;

use crate::config::Segment;

/// Deeper than `serde_json`'s recursion limit (128), so anything it parsed is fully scanned.
const MAX_DEPTH: usize = 256;

/// The byte range (quotes included) of every string value, by path. `None` when the text could not be
/// scanned or an object repeats a key (the range would be ambiguous).
pub fn string_value_spans(text: &str) -> Option<HashMap<Vec<Segment>, Range<usize>>> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        spans: HashMap::new(),
    };
    scanner.value(&mut Vec::new(), 0)?;
    Some(scanner.spans)
}

/// `text` with each range replaced by the JSON literal of its new string. `None` if ranges overlap or
/// fall outside the text.
pub fn splice(text: &str, mut edits: Vec<(Range<usize>, String)>) -> Option<String> {
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new_value) in edits {
        if range.start < at {
            return None;
        }
        out.push_str(text.get(at..range.start)?);
        out.push_str(&serde_json::to_string(&new_value).ok()?);
        at = range.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    spans: HashMap<Vec<Segment>, Range<usize>>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
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
            b'"' => {
                let range = self.string()?;
                if self.spans.insert(path.clone(), range).is_some() {
                    return None;
                }
                Some(())
            }
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
        let mut seen = std::collections::HashSet::new();
        loop {
            self.skip_ws();
            let range = self.string()?;
            let key: String = serde_json::from_str(self.text.get(range)?).ok()?;
            if !seen.insert(key.clone()) {
                return None;
            }
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            path.push(Segment::Key(key));
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
            path.push(Segment::Index(index));
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

    /// A string starting at the current `"`: its byte range including both quotes.
    fn string(&mut self) -> Option<Range<usize>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(start..self.pos);
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_owned())
    }

    #[test]
    fn finds_nested_string_values_and_splices_them() {
        let text =
            "{\n  \"a\": {\"b\": [1, \"x\\\"y\", {\"c\": \"tok\"}]},\n  \"d\": \"keep\"\n}\n";
        let spans = string_value_spans(text).expect("scans");
        let c = spans
            .get(&vec![key("a"), key("b"), Segment::Index(2), key("c")])
            .expect("c")
            .clone();
        assert_eq!(text.get(c.clone()), Some("\"tok\""));
        let xy = spans
            .get(&vec![key("a"), key("b"), Segment::Index(1)])
            .expect("escaped");
        assert_eq!(text.get(xy.clone()), Some("\"x\\\"y\""));
        let out = splice(text, vec![(c, "${keyring:t}".into())]).expect("splice");
        assert_eq!(
            out,
            "{\n  \"a\": {\"b\": [1, \"x\\\"y\", {\"c\": \"${keyring:t}\"}]},\n  \"d\": \"keep\"\n}\n"
        );
    }

    #[test]
    fn duplicate_keys_give_up() {
        assert!(string_value_spans(r#"{"a": "1", "a": "2"}"#).is_none());
    }

    #[test]
    fn overlapping_edits_are_refused() {
        assert!(splice("abcdef", vec![(0..3, "x".into()), (2..4, "y".into())]).is_none());
    }
}
