//! JSON path display and the text positions of values.

use super::locate::{JsonPath, LineIndex, Segment};

#[test]
fn paths_display_jsonpath_style() {
    let p = JsonPath::root()
        .key("common_mcp_gateway_config")
        .key("tool_exposure");
    assert_eq!(p.to_string(), "$.common_mcp_gateway_config.tool_exposure");
    let odd = JsonPath::root()
        .key("mcp_configs")
        .key("a-b c")
        .index(2)
        .key("9x");
    assert_eq!(odd.to_string(), r#"$.mcp_configs["a-b c"][2]["9x"]"#);
    assert_eq!(JsonPath::root().to_string(), "$");
}

#[test]
fn gateway_keys_are_masked_in_display_but_not_in_pointers() {
    let key = "2W8UupCkazk4SsOcSu_1hAbiOgPdv0g-nN9NtfZyg-rvYGat";
    let p = JsonPath::root()
        .key("gateways")
        .key(key)
        .key("mcp_config")
        .index(0);
    assert_eq!(p.to_string(), r#"$.gateways["…YGat"].mcp_config[0]"#);
    assert_eq!(p.to_pointer(), format!("/gateways/{key}/mcp_config/0"));
    let short = JsonPath::root().key("apikeys").key("k1");
    assert_eq!(short.to_string(), r#"$.apikeys["****"]"#);
    // Only the gateway-key level is secret.
    let deeper = JsonPath::root()
        .key("mcp_configs")
        .key("gateways")
        .key("visible");
    assert_eq!(deeper.to_string(), "$.mcp_configs.gateways.visible");
}

#[test]
fn pointers_escape_slash_and_tilde() {
    let p = JsonPath::root().key("a/b").key("c~d");
    assert_eq!(p.to_pointer(), "/a~1b/c~0d");
}

const DOC: &str = r#"{
  "a": {
    "b": [
      1,
      {"c": "x\"y",
       "d\u0065": null}
    ],
    "e":
      true
  },
  "a": {"z": 1}
}"#;

#[test]
fn lines_of_keys_elements_and_nested_values() {
    let idx = LineIndex::scan(DOC);
    let a = JsonPath::root().key("a");
    assert_eq!(idx.line_of(&JsonPath::root()), Some(1));
    assert_eq!(idx.line_of(&a.key("b")), Some(3));
    assert_eq!(idx.line_of(&a.key("b").index(0)), Some(4));
    assert_eq!(idx.line_of(&a.key("b").index(1)), Some(5));
    assert_eq!(idx.line_of(&a.key("b").index(1).key("c")), Some(5));
    assert_eq!(
        idx.line_of(&a.key("b").index(1).key("de")),
        Some(6),
        "escaped key decoded"
    );
    assert_eq!(
        idx.line_of(&a.key("e")),
        Some(8),
        "a member's line is its key's"
    );
}

#[test]
fn missing_paths_fall_back_to_the_nearest_ancestor() {
    let idx = LineIndex::scan(DOC);
    let p = JsonPath::root()
        .key("a")
        .key("b")
        .index(1)
        .key("nope")
        .index(3);
    assert_eq!(idx.line_of(&p), Some(5));
}

#[test]
fn duplicate_keys_are_reported_at_the_later_one() {
    let idx = LineIndex::scan(DOC);
    assert_eq!(idx.duplicate_keys(), [JsonPath::root().key("a")]);
    assert_eq!(idx.line_of(&JsonPath::root().key("a")), Some(11));
    assert_eq!(idx.line_of(&JsonPath::root().key("a").key("z")), Some(11));
}

#[test]
fn leading_whitespace_moves_the_root_line() {
    let idx = LineIndex::scan("\n\n  {\"k\": 1}");
    assert_eq!(idx.line_of(&JsonPath::root()), Some(3));
    assert_eq!(idx.line_of(&JsonPath::root().key("k")), Some(3));
}

#[test]
fn the_scanner_survives_truncated_and_deep_input() {
    for cut in 0..DOC.len() {
        if let Some(prefix) = DOC.get(..cut) {
            let _ = LineIndex::scan(prefix);
        }
    }
    let deep = "[".repeat(10_000);
    let idx = LineIndex::scan(&deep);
    assert_eq!(idx.line_of(&JsonPath::root()), Some(1));
    let _ = LineIndex::scan("{\"a\" 1, \"b\": [1 2], }}}");
}

#[test]
fn segments_are_exposed() {
    let p = JsonPath::root().key("x").index(1);
    assert_eq!(p.segments(), [Segment::Key("x".into()), Segment::Index(1)]);
}
