//! The 10 KB benign payload of the guardrail latency figures, shared with `guardrail-eval`
//! (`tests/eval/src/report.rs` includes this file), so both time the same text.

/// About 10 KB of ordinary tool output: prose, JSON and a directory listing.
pub fn ten_kb_text() -> String {
    let prose = "The deployment finished without errors. Three services were restarted and the cache was warmed. \
                 Latency stayed within the agreed budget during the rollout window. ";
    let json_line = r#"{"id": 4815, "name": "widget", "tags": ["blue", "small"], "price": 12.5, "in_stock": true}"#;
    let listing = "-rw-r--r--  1 user staff  2048 Nov 25 12:00 Cargo.toml\n";
    let mut text = String::with_capacity(10_500);
    while text.len() < 10_000 {
        text.push_str(prose);
        text.push_str(json_line);
        text.push('\n');
        text.push_str(listing);
    }
    text
}
