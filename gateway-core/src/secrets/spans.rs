//! Byte ranges of string values in JSON text, so `secret migrate` can replace a few values and leave
//! every other byte of the user's file (formatting, key order, inline arrays) exactly as it was.
//!
//! The positions come from the crate's one JSON scanner (`config::locate::scan_values`), run only on
//! text `serde_json` has already accepted; anything unexpected gives `None`, in which case the caller
//! re-serialises the whole document instead.

use std::collections::HashMap;
use std::ops::Range;

use crate::config::Segment;
use crate::config::locate::scan_values;

/// The byte range (quotes included) of every string value, by path. `None` when the text could not be
/// scanned or an object repeats a key (the range would be ambiguous).
pub fn string_value_spans(text: &str) -> Option<HashMap<Vec<Segment>, Range<usize>>> {
    let mut spans = HashMap::new();
    let mut ambiguous = false;
    scan_values(text, &mut |value| {
        ambiguous |= value.duplicate;
        if let Some(range) = &value.string {
            spans.insert(value.path.to_vec(), range.clone());
        }
    })?;
    (!ambiguous).then_some(spans)
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
