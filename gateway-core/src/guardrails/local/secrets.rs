//! Secret detection: well-known token shapes (cloud keys, Git hosting, chat, payment and AI API tokens,
//! private keys, JWTs) and high-entropy values in a secret-like context (`password=…`, `api_key: …`).

use std::sync::LazyLock;

use regex::Regex;

struct Rule {
    name: &'static str,
    regex: Regex,
}

fn rule(name: &'static str, pattern: &str) -> Rule {
    Rule {
        name,
        regex: Regex::new(pattern).expect("static regex"),
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
    ]
});

static CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:api[_-]?key|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|token|password|passwd|pwd|client[_-]?secret|private[_-]?key)\b["']?\s*[:=]\s*["']?([A-Za-z0-9+/=_\-.!@#$%^&*]{12,})"#)
        .expect("static regex")
});

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

/// Names of the secret kinds found in `text` (deduplicated, in rule order).
pub fn find(text: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = RULES
        .iter()
        .filter(|r| r.regex.is_match(text))
        .map(|r| r.name)
        .collect();
    for caps in CONTEXT.captures_iter(text) {
        if let Some(value) = caps.get(1) {
            let v = value.as_str();
            let has_digit = v.chars().any(|c| c.is_ascii_digit());
            let has_alpha = v.chars().any(|c| c.is_ascii_alphabetic());
            if entropy(v) >= 3.0 && has_digit && has_alpha && !found.contains(&"secret_assignment")
            {
                found.push("secret_assignment");
            }
        }
    }
    found
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
        ];
        for (text, kind) in cases {
            assert!(find(text).contains(&kind), "{text}: {:?}", find(text));
        }
    }

    #[test]
    fn ordinary_text_has_no_secrets() {
        for text in [
            "password: please choose a strong one",
            "the token limit is 4096",
            "skip-navigation link",
            "git sha 9fceb02d0ae598e95dc970b74767f19372d61af8",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
