//! Names of OS keychain entries: what a valid name is (what `${keyring:NAME}` may name), how one is
//! made from arbitrary text, and the names the gateway gives its own entries. Pure functions with no
//! dependency on the keychain, so the config loader can name entries without reaching for it.

use sha2::{Digest, Sha256};

/// Longest accepted name.
pub const MAX_NAME_LEN: usize = 128;

/// Whether `name` is a usable secret name: 1–128 of `A-Z a-z 0-9 _ . -`, not starting with `__` (reserved
/// for the gateway's own items such as the name list).
pub fn is_valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && !name.starts_with("__")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A valid name made from arbitrary text (a server name, an env variable): every other character becomes
/// `_`, runs of `_` from replacement collapse, the reserved `__` start is avoided, and the result is cut
/// to `max` bytes (at most [`MAX_NAME_LEN`]).
pub fn sanitize_name(raw: &str, max: usize) -> String {
    let max = max.clamp(1, MAX_NAME_LEN);
    let mut out = String::with_capacity(raw.len().min(max));
    for c in raw.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        let c = if keep { c } else { '_' };
        if !keep && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_start_matches('_');
    let mut name = if trimmed.len() + 1 < out.len() {
        // Leading underscores would make a reserved `__` name: keep at most one.
        format!("_{trimmed}")
    } else {
        out
    };
    if name.starts_with("__") || name.is_empty() || name == "_" {
        name = format!("secret{name}");
    }
    name.truncate(max);
    name
}

/// The keychain entry holding the OAuth sign-in of `server` in gateway `gateway_id`: readable, valid,
/// distinct per gateway and server, and stable across runs.
pub fn oauth_entry(gateway_id: &str, server: &str) -> String {
    let digest = Sha256::digest(format!("{gateway_id}\0{server}").as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "oauth.{}.{hex}",
        sanitize_name(server, 64).trim_start_matches('_')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_digits_dot_dash_underscore() {
        for name in [
            "a",
            "GITHUB_TOKEN",
            "github.GITHUB_TOKEN",
            "my-server.api-key",
            "x_1",
        ] {
            assert!(is_valid_name(name), "{name}");
        }
        assert!(is_valid_name(&"a".repeat(128)));
    }

    #[test]
    fn rejects_empty_long_reserved_and_odd_characters() {
        for name in [
            "",
            "__index__",
            "__x",
            "has space",
            "slash/name",
            "colon:name",
            "dollar$",
            "brace}",
            "ünïcode",
            "new\nline",
        ] {
            assert!(!is_valid_name(name), "{name:?}");
        }
        assert!(!is_valid_name(&"a".repeat(129)));
    }

    #[test]
    fn sanitized_names_are_always_valid() {
        let cases = [
            ("github server.GITHUB_TOKEN", "github_server.GITHUB_TOKEN"),
            ("my/srv.X-Api-Key", "my_srv.X-Api-Key"),
            ("__index__", "_index__"),
            ("", "secret"),
            ("***", "secret_"),
            ("ünï.KEY", "_n_.KEY"),
        ];
        for (raw, want) in cases {
            let got = sanitize_name(raw, MAX_NAME_LEN);
            assert_eq!(got, want, "{raw:?}");
            assert!(is_valid_name(&got), "{got:?}");
        }
        let long = sanitize_name(&"x".repeat(500), MAX_NAME_LEN);
        assert_eq!(long.len(), MAX_NAME_LEN);
        assert!(is_valid_name(&long));
    }
}
