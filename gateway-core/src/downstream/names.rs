//! Direct tool names: `<server><sep><tool>`, sanitised to `[A-Za-z0-9_-]`, at most 64 characters.
//!
//! A name that has to be cut keeps a stable 8-hex-digit SHA-256 suffix of the full name, so two long
//! names that share a prefix still differ and the same tool always gets the same name.

use sha2::{Digest, Sha256};

/// Longest name MCP clients accept everywhere.
pub const MAX_TOOL_NAME: usize = 64;

/// Replaces every character outside `[A-Za-z0-9_-]` with `_`.
pub fn sanitise(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Cuts `name` to [`MAX_TOOL_NAME`] characters with a stable hash suffix when it is longer.
pub fn fit(name: String, hash_source: &str) -> String {
    if name.len() <= MAX_TOOL_NAME {
        return name;
    }
    let digest = Sha256::digest(hash_source.as_bytes());
    let suffix: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    // `name` is ASCII after sanitising, so byte slicing is on character boundaries.
    format!("{}_{suffix}", &name[..MAX_TOOL_NAME - suffix.len() - 1])
}

/// The direct name of `tool` on `server`.
pub fn direct_name(server: &str, separator: &str, tool: &str) -> String {
    let full = format!("{server}{separator}{tool}");
    fit(sanitise(&full), &full)
}

/// The name of `tool` when prefixes are off (`tool_name_prefix: when_needed` with one server).
pub fn bare_name(tool: &str) -> String {
    fit(sanitise(tool), tool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_server_and_tool() {
        assert_eq!(
            direct_name("echo_server", "__", "echo"),
            "echo_server__echo"
        );
    }

    #[test]
    fn replaces_forbidden_characters() {
        assert_eq!(
            direct_name("my server", "__", "read.file/v2"),
            "my_server__read_file_v2"
        );
    }

    #[test]
    fn long_names_are_cut_with_a_stable_suffix() {
        let a = direct_name(&"s".repeat(40), "__", &format!("{}a", "t".repeat(40)));
        let b = direct_name(&"s".repeat(40), "__", &format!("{}b", "t".repeat(40)));
        assert_eq!(a.len(), MAX_TOOL_NAME);
        assert_eq!(b.len(), MAX_TOOL_NAME);
        assert_ne!(a, b);
        assert_eq!(
            a,
            direct_name(&"s".repeat(40), "__", &format!("{}a", "t".repeat(40)))
        );
    }

    #[test]
    fn non_ascii_is_sanitised_before_cutting() {
        let name = direct_name("srv", "__", &"é".repeat(80));
        assert!(name.len() <= MAX_TOOL_NAME);
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
    }
}
