//! Secret detection: well-known token shapes (cloud keys, Git hosting, chat, payment, e-mail/SMS, shop
//! and AI API tokens, private keys, JWTs, Azure storage keys) and random-looking values in a
//! secret-like slot: an assignment to a name containing `key`, `secret`, `token`, `password` …
//! (`AWS_SECRET_ACCESS_KEY=…`), a `Bearer …` header, a password inside a connection URL.
//!
//! Limits: a secret with no known shape in an innocuous slot (`value = …`) is missed; values that look
//! like words, paths, references (`${VAR}`) or documentation placeholders (`your-token`) are skipped
//! on purpose.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

struct Rule {
    name: &'static str,
    regex: Regex,
}

fn rule(name: &'static str, pattern: &str) -> Rule {
    Rule {
        name,
        regex: super::normalize::ascii_regex(pattern),
    }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(
            "aws_access_key_id",
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        ),
        rule(
            "github_token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b",
        ),
        rule(
            "github_fine_grained_token",
            r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b",
        ),
        rule("gitlab_token", r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
        rule("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
        rule(
            "slack_webhook",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
        ),
        rule(
            "stripe_key",
            r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b",
        ),
        rule(
            "openai_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}\b",
        ),
        rule("anthropic_key", r"\bsk-ant-[A-Za-z0-9_-]{20,}\b"),
        rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
        rule(
            "private_key",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
        ),
        rule(
            "jwt",
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b",
        ),
        rule("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        rule("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}\b"),
        rule(
            "sendgrid_key",
            r"\bSG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{40,46}",
        ),
        rule("twilio_key", r"\b(?:SK|AC)[0-9a-f]{32}\b"),
        rule("shopify_token", r"\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}\b"),
        rule("digitalocean_token", r"\bdo[opr]_v1_[0-9a-f]{64}\b"),
        rule(
            "telegram_bot_token",
            r"\b[0-9]{8,10}:AA[A-Za-z0-9_-]{32,34}(?:[^A-Za-z0-9_-]|$)",
        ),
        rule(
            "azure_storage_key",
            r"(?i)\bAccountKey=[A-Za-z0-9+/]{40,}={0,2}",
        ),
    ]
});

/// The token-shape rules in one set: one pass over the text.
static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(RULES.iter().map(|r| r.regex.as_str())).expect("static regex set")
});

/// A value assigned to a secret-like name: `DB_PASSWORD=…`, `"api_key": "…"`, `client_secret = '…'`.
static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    super::normalize::ascii_regex(
        r#"(?i)[A-Za-z0-9_.-]*(?:api[_-]?key|secret|token|password|passwd|pwd|credentials?|private[_-]?key|access[_-]?key|auth)[A-Za-z0-9_-]*["']?\s*[:=]\s*["']?([A-Za-z0-9+/=_\-.!@#$%^&*~]{12,})"#,
    )
});
/// `Authorization: Bearer …` (a header in a log, a curl command line).
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| super::normalize::ascii_regex(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{20,}=*)"));
/// A password inside a connection URL: `scheme://user:password@host`.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    super::normalize::ascii_regex(
        r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@]{1,64}:([^\s@/]{8,128})@[A-Za-z0-9.-]+",
    )
});

/// Placeholder words that fill secret-shaped slots in documentation.
fn is_placeholder(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    [
        "password",
        "secret",
        "example",
        "changeme",
        "xxxx",
        "your",
        "placeholder",
        "token",
        "dummy",
    ]
    .iter()
    .any(|w| v.contains(w))
        || v.starts_with('$')
        || v.starts_with('<')
}

/// Whether a value in a secret-like slot looks generated rather than a word, a path or a reference.
fn looks_random(v: &str) -> bool {
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let has_lower = v.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = v.chars().any(|c| c.is_ascii_uppercase());
    let has_symbol = v.chars().any(|c| "!@#$%^&*+/=~".contains(c));
    let classes = [has_digit, has_lower, has_upper, has_symbol]
        .iter()
        .filter(|&&x| x)
        .count();
    entropy(v) >= 3.0 && (has_lower || has_upper) && classes >= 3 && !is_placeholder(v)
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// One secret found: its kind and the byte range of the secret value (for redaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretSpan {
    pub kind: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Where a PEM private key ends: its `-----END … -----` line, when it is there.
fn pem_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let end = rest.find("-----END ")?;
    let close = rest[end + 9..].find("-----")?;
    Some(start + end + 9 + close + 5)
}

/// Every secret value in `text`, in rule order (token shapes first, then assignments).
pub fn spans(text: &str) -> Vec<SecretSpan> {
    let mut found = Vec::new();
    for index in SET.matches(text).iter() {
        let rule = &RULES[index];
        for m in rule.regex.find_iter(text) {
            let mut end = m.end();
            // The Telegram rule matches the character after the token: not part of it.
            if let Some(last) = m.as_str().chars().next_back()
                && !(last.is_ascii_alphanumeric() || "_-=/+".contains(last))
            {
                end -= last.len_utf8();
            }
            if rule.name == "private_key" {
                end = pem_end(text, m.start()).unwrap_or(end);
            }
            found.push(SecretSpan {
                kind: rule.name,
                start: m.start(),
                end,
            });
        }
    }
    let mut assignment = |value: Option<regex::Match<'_>>, kind: &'static str| {
        if let Some(value) = value
            && looks_random(value.as_str())
        {
            found.push(SecretSpan {
                kind,
                start: value.start(),
                end: value.end(),
            });
        }
    };
    for caps in CONTEXT.captures_iter(text) {
        assignment(caps.get(1), "secret_assignment");
    }
    for caps in BEARER.captures_iter(text) {
        assignment(caps.get(1), "bearer_token");
    }
    for caps in URL_PASSWORD.captures_iter(text) {
        assignment(caps.get(1), "url_password");
    }
    found
}

/// Names of the secret kinds among `spans` (deduplicated, in rule order).
pub fn kinds(spans: &[SecretSpan]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in spans {
        if !out.contains(&s.kind) {
            out.push(s.kind);
        }
    }
    out
}

/// Names of the secret kinds found in `text` (deduplicated, in rule order).
pub fn find(text: &str) -> Vec<&'static str> {
    kinds(&spans(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_common_tokens() {
        let cases = [
            ("key AKIAIOSFODNN7EXAMPLE here", "aws_access_key_id"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "github_token"),
            ("glpat-abcdefghij0123456789", "gitlab_token"),
            ("xoxb-123456789012-abcdefghijkl", "slack_token"),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe_key"),
            (
                "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx",
                "openai_key",
            ),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private_key"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "jwt",
            ),
            ("password = 'Xk9#pQ2v!Lm7zR4t'", "secret_assignment"),
            (
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCY9QzL2mNvT8",
                "secret_assignment",
            ),
            (
                "SENDGRID_API_KEY=SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                "sendgrid_key",
            ),
            (
                "Authorization: Bearer 9fKq2LmZ8xT4vB7nR1wY6cD3hJ5sA0eG",
                "bearer_token",
            ),
            (
                "DATABASE_URL=postgres://app:Q7vLm2Xp9KzR4tWb@db.internal:5432/app",
                "url_password",
            ),
            (
                "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "digitalocean_token",
            ),
        ];
        for (text, kind) in cases {
            assert!(find(text).contains(&kind), "{text}: {:?}", find(text));
        }
    }

    #[test]
    fn spans_cover_the_secret_value_only() {
        let text = "export GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345 # ci";
        let found = spans(text);
        assert!(
            found
                .iter()
                .any(|s| &text[s.start..s.end] == "ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            "{found:?}"
        );
        let pem =
            "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nafter";
        let found = spans(pem);
        assert_eq!(
            &pem[found[0].start..found[0].end],
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"
        );
        let bot = "bot 123456789:AAabcdefghijklmnopqrstuvwxyz0123456789, ok";
        let found = spans(bot);
        assert!(
            found.iter().all(|s| !bot[s.start..s.end].ends_with(',')),
            "{found:?}"
        );
    }

    #[test]
    fn ordinary_text_has_no_secrets() {
        for text in [
            "password: please choose a strong one",
            "the token limit is 4096",
            "skip-navigation link",
            "git sha 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "password = os.environ[\"DB_PASSWORD\"]",
            "api_key: ${{ secrets.API_KEY }}",
            "token = 'your-token-goes-here-12345'",
            "postgres://user:password@localhost:5432/db",
            "\"node_modules/js-tokens\": {\"version\": \"4.0.0\"}",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
