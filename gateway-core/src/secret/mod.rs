//! `Sensitive<T>`: a value that must never reach a log, an error message or the audit file in full.
//!
//! `Debug`/`Display` print a mask; the value is read with [`Sensitive::expose`] at the one place that needs it.
//! [`names`]: what a keychain entry may be called, and the names the gateway gives its own entries.

pub mod names;

use std::fmt;

/// A secret (key, token, env value). Formatting shows `<redacted>` or a short masked hint.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call only where the value is used (a header, a child's env, a comparison).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Sensitive<String> {
    /// A display form that keeps at most the last four characters of long secrets: `…a1b2`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Mask a secret for display: `…` plus the last 4 characters when it is at least 12 long, else `****`.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 12 {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("…{tail}")
    } else {
        "****".to_string()
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Sensitive::new("sk-very-secret-value".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.masked(), "…alue");
    }

    #[test]
    fn short_secrets_are_fully_masked() {
        assert_eq!(mask("abc"), "****");
    }
}
