//! Defensive masking of credentials in the free-text `message` of an audit event.
//!
//! Callers are responsible for keeping secrets out of messages; this is the last line of defence, applied
//! by the writer thread just before a line is written. It masks only shapes that are almost never prose:
//! well-known token prefixes (`sk-`, `ghp_`, `github_pat_`, `xoxb-`, `glpat-`, `AKIA…`), the credential
//! after `Bearer`, and long hex or mixed-case base64 runs (more than 32 characters). It does not try to
//! recognise PII or arbitrary passwords.

/// What replaces a masked credential.
pub(crate) const MASK: &str = "[REDACTED]";

/// Prefixes of well-known API tokens; the prefix is kept so the reader still sees what kind leaked.
const TOKEN_PREFIXES: &[&str] = &[
    "sk-",
    "sk_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "glpat-",
];

/// Shortest secret part after a known prefix that is treated as a token (`sk-learn` stays).
const MIN_TOKEN_TAIL: usize = 16;

/// Longest run of hex or base64 left as is.
const MAX_PLAIN_RUN: usize = 32;

/// Returns `text` with anything that looks like a credential replaced by `[REDACTED]` (keeping a known token prefix such as `sk-`).
pub fn scrub(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut after_bearer = false;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if after_bearer && is_word_byte(bytes[i]) {
            // The whole credential, whatever it contains (JWT dots, base64 padding), up to whitespace.
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            out.push_str(MASK);
            after_bearer = false;
        } else if is_word_byte(bytes[i]) {
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            // Word bytes are ASCII, so `start..i` lies on char boundaries.
            let word = &text[start..i];
            push_masked(&mut out, word);
            after_bearer = word.eq_ignore_ascii_case("bearer");
        } else {
            while i < bytes.len() && !is_word_byte(bytes[i]) {
                i += 1;
            }
            let gap = &text[start..i];
            out.push_str(gap);
            // "Bearer <token>": only whitespace may separate the scheme from the credential.
            after_bearer = after_bearer && gap.bytes().all(|b| b.is_ascii_whitespace());
        }
    }
    out
}

/// Bytes that can belong to a token. `=` and `.` are separators so `key=sk-…` and JWT segments split.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/')
}

fn push_masked(out: &mut String, word: &str) {
    for prefix in TOKEN_PREFIXES {
        if word.len() >= prefix.len() + MIN_TOKEN_TAIL && word.starts_with(prefix) {
            out.push_str(prefix);
            out.push_str(MASK);
            return;
        }
    }
    if is_aws_access_key(word) {
        out.push_str(&word[..4]);
        out.push_str(MASK);
        return;
    }
    if word.len() > MAX_PLAIN_RUN && (is_hex(word) || is_mixed_base64(word)) {
        out.push_str(MASK);
        return;
    }
    out.push_str(word);
}

/// `AKIA`/`ASIA` followed by at least 16 upper-case letters or digits.
fn is_aws_access_key(word: &str) -> bool {
    (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.len() >= 20
        && word[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_hex(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Base64/base64url with digits, upper and lower case letters: random, not a path or a UUID.
fn is_mixed_base64(word: &str) -> bool {
    let has = |f: fn(&u8) -> bool| word.as_bytes().iter().any(f);
    has(u8::is_ascii_digit) && has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_token_prefixes_and_keeps_the_prefix() {
        assert_eq!(
            scrub("key sk-proj-AbCdEf0123456789xyz failed"),
            "key sk-[REDACTED] failed"
        );
        assert_eq!(
            scrub("token=ghp_0123456789abcdefABCDEF0123456789abcd"),
            "token=ghp_[REDACTED]"
        );
        assert_eq!(
            scrub("github_pat_11ABCDEFG0123456789_abcdefghij"),
            "github_pat_[REDACTED]"
        );
        assert_eq!(
            scrub("slack xoxb-1234567890-abcdefghij"),
            "slack xoxb-[REDACTED]"
        );
    }

    #[test]
    fn masks_aws_access_key_ids() {
        assert_eq!(
            scrub("aws AKIAIOSFODNN7EXAMPLE denied"),
            "aws AKIA[REDACTED] denied"
        );
    }

    #[test]
    fn masks_the_credential_after_bearer() {
        assert_eq!(
            scrub("Authorization: Bearer abc.def-123== next"),
            "Authorization: Bearer [REDACTED] next"
        );
        assert_eq!(scrub("bearer   short"), "bearer   [REDACTED]");
        assert_eq!(scrub("the Bearer: none"), "the Bearer: none");
    }

    #[test]
    fn masks_long_hex_and_base64_runs() {
        let hex = "0123456789abcdef0123456789abcdef01";
        assert_eq!(scrub(&format!("hash {hex}")), format!("hash {MASK}"));
        assert_eq!(
            scrub("blob dGhpc2lzYVNlY3JldFRva2VuVmFsdWUxMjM0NTY3OA== end"),
            format!("blob {MASK}== end")
        );
        let jwt =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ";
        assert_eq!(scrub(jwt), format!("{MASK}.{MASK}"));
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let plain = [
            "upstream github timed out after 30s",
            "request 550e8400-e29b-41d4-a716-446655440000 blocked",
            "spawn /usr/local/lib/node_modules/server-filesystem/dist",
            "sk-learn is a library; ghp_ alone is not a token",
            "non-ASCII: überprüfung fehlgeschlagen ✓",
            "",
        ];
        for text in plain {
            assert_eq!(scrub(text), text);
        }
    }
}
