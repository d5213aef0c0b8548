//! Names that are credited rather than described: Markdown link texts, a handle or address right after
//! the name, author, contributor and copyright lines and lists. Shared by the gazetteer and the
//! running-text finder, so a credit is skipped the same way by both.

/// Whether a name at `start..end` is credited rather than described: a Markdown link text
/// (`[Jane Doe](…)`, ``[`Jane Doe`](…)``), a handle or link right after it (`Jane Doe (@jdoe)`,
/// `Jane Doe <jane@…>`), or inside an author, contributor or copyright line or list.
pub fn credited(text: &str, start: usize, end: usize) -> bool {
    let next = text[end..].trim_start_matches([' ', '`', '*', '_']);
    let prev = text[..start].trim_end_matches(['`', '*', '_']);
    if next.starts_with(['<', ']']) || next.starts_with("(@") || next.starts_with("([@") {
        return true;
    }
    if prev.ends_with('[') || prev.ends_with('@') {
        return true;
    }
    let mut from = start.saturating_sub(400);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..start].to_ascii_lowercase();
    let line = before.rsplit('\n').next().unwrap_or("");
    if [
        "author",
        "contributor",
        "maintainer",
        "copyright",
        "(c)",
        "©",
        "written by",
        "created by",
        "thanks to",
        "thank you to",
        "credits",
    ]
    .iter()
    .any(|w| line.contains(w))
    {
        return true;
    }
    // A list opened after `authors = [` / `"contributors": [` and not yet closed.
    ["authors", "contributors", "maintainers", "credits"]
        .iter()
        .filter_map(|w| before.rfind(w))
        .max()
        .is_some_and(|at| {
            let rest = &before[at..];
            rest.contains('[') && !rest.contains(']') && !rest.contains("\n\n")
        })
}
