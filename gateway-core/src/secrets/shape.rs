//! Heuristics for "this config value is probably a secret", used by `secret migrate`.
//!
//! Two independent signals: the *name* it is stored under (`GITHUB_TOKEN`, `X-Api-Key`, `Authorization`)
//! and the *shape* of the value (`sk-…`, `ghp_…`, `xoxb-…`, `AKIA…`, a JWT, a long high-entropy string, a
//! URL with a password). A value qualifies when its shape says so, or when its name says so and the value
//! is not obviously something else (a path, a URL, a boolean, a placeholder). False positives cost little
//! (the value moves to the keychain and still works through a reference); false negatives leave a
//! plaintext secret, so names are matched generously but per word, so `MONKEY` or `AUTHOR` do not count.

/// Words that, as a whole word of a name, mark it as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "KEY",
    "KEYS",
    "APIKEY",
    "TOKEN",
    "TOKENS",
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "AUTH",
    "AUTHORIZATION",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "COOKIE",
    "BEARER",
    "JWT",
    "PAT",
];

/// Endings that mark a run-together word (`PGPASSWORD`, `OPENAIAPIKEY`, `AUTHTOKEN`).
const SECRET_ENDINGS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "APIKEY",
    "ACCESSKEY",
];

/// A last word that makes the name describe something *about* a secret rather than hold one
/// (`TOKEN_URL`, `API_KEY_FILE`, `AUTH_TYPE`, `SECRET_NAME`).
const QUALIFIER_WORDS: &[&str] = &[
    "URL", "URI", "ENDPOINT", "HOST", "HOSTNAME", "PORT", "PATH", "FILE", "DIR", "MODE", "TYPE",
    "HEADER", "NAME", "ID", "USER", "USERNAME", "EXPIRY", "EXPIRES", "TTL", "TIMEOUT", "LENGTH",
    "SIZE", "ENABLED", "REGION", "VERSION", "FORMAT", "METHOD", "SCOPE", "SCOPES", "PROVIDER",
    "ISSUER", "AUDIENCE", "PREFIX", "LOCATION", "COMMAND", "CMD",
];

/// Prefixes of well-known token formats, with the minimum length of what follows.
const TOKEN_PREFIXES: &[(&str, usize)] = &[
    ("sk-", 16),      // OpenAI, Anthropic (sk-ant-…), DeepSeek…
    ("sk_live_", 12), // Stripe
    ("sk_test_", 12), // Stripe
    ("rk_live_", 12), // Stripe restricted
    ("rk_test_", 12), // Stripe restricted
    ("ghp_", 20),     // GitHub classic PAT
    ("gho_", 20),     // GitHub OAuth
    ("ghu_", 20),     // GitHub user-to-server
    ("ghs_", 20),     // GitHub server-to-server
    ("ghr_", 20),     // GitHub refresh
    ("github_pat_", 20),
    ("glpat-", 16), // GitLab
    ("xoxb-", 10),  // Slack bot
    ("xoxp-", 10),  // Slack user
    ("xoxa-", 10),
    ("xoxr-", 10),
    ("xoxs-", 10),
    ("xapp-", 10), // Slack app-level
    ("AIza", 30),  // Google API key
    ("ya29.", 20), // Google OAuth access token
    ("hf_", 20),   // Hugging Face
    ("npm_", 20),
    ("pypi-", 20),
    ("shpat_", 20), // Shopify
    ("shpss_", 20),
    ("SG.", 20),      // SendGrid
    ("dop_v1_", 20),  // DigitalOcean
    ("lin_api_", 20), // Linear
    ("ntn_", 20),     // Notion
    ("secret_", 20),  // Notion (older)
    ("glsa_", 20),    // Grafana
    ("ATATT", 20),    // Atlassian
    ("pplx-", 20),    // Perplexity
    ("gsk_", 20),     // Groq
    ("r8_", 20),      // Replicate
];

/// Whether `name` (an env variable or header name) says its value is a secret.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if QUALIFIER_WORDS.contains(&last.as_str()) {
        return false;
    }
    words.iter().any(|w| {
        SECRET_WORDS.contains(&w.as_str())
            || SECRET_ENDINGS
                .iter()
                .any(|end| w.len() > end.len() && w.ends_with(end))
    })
}

/// Whether the value alone looks like a credential: a known token format, a JWT, a URL carrying a
/// password, or a long random-looking string.
pub fn is_secret_shaped(value: &str) -> bool {
    let value = value.trim();
    if value.chars().any(char::is_whitespace) {
        return false;
    }
    has_token_prefix(value)
        || is_aws_access_key_id(value)
        || is_jwt(value)
        || url_has_password(value)
        || is_high_entropy(value)
}

/// Whether a value stored under `name` should move to the keychain.
pub fn should_migrate(name: &str, value: &str) -> bool {
    let secret = split_auth_scheme(value).1;
    if secret.trim().is_empty() || value.contains("${") {
        return false;
    }
    is_secret_shaped(secret) || (is_secret_name(name) && is_plausible_secret(secret))
}

/// Split `Bearer <token>` (also `Basic`, `Token`, `Bot`, `ApiKey`) into the scheme with its space, kept in
/// the config, and the credential, moved to the keychain. Other values: `("", value)`.
pub fn split_auth_scheme(value: &str) -> (&str, &str) {
    const SCHEMES: &[&str] = &["bearer", "basic", "token", "bot", "apikey", "api-key"];
    if let Some((scheme, rest)) = value.split_once(' ') {
        let credential = rest.trim_start();
        if SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
            && !credential.is_empty()
            && !credential.contains(char::is_whitespace)
        {
            let prefix_len = value.len() - credential.len();
            return (value.get(..prefix_len).unwrap_or(""), credential);
        }
    }
    ("", value)
}

/// Under a secret-sounding name, a value is taken as the secret unless it is plainly something else.
fn is_plausible_secret(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let is_flag = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "0" | "1"
    );
    let is_path =
        v.starts_with(['/', '~', '.']) || v.get(1..3).is_some_and(|s| s == ":\\" || s == ":/");
    let is_url = v.contains("://") && !url_has_password(v);
    let upper = v.to_ascii_uppercase();
    let is_placeholder = upper.contains("YOUR_")
        || upper.contains("YOUR-")
        || upper.starts_with("CHANGE")
        || upper.contains("PLACEHOLDER")
        || (v.starts_with('<') && v.ends_with('>'))
        || v.chars().all(|c| c == 'x' || c == 'X' || c == '*');
    !(is_flag || is_path || is_url || is_placeholder)
}

/// Upper-cased words of a name: split at non-alphanumerics and at lower→upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn has_token_prefix(value: &str) -> bool {
    TOKEN_PREFIXES.iter().any(|(prefix, min_rest)| {
        value.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= *min_rest
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        })
    })
}

fn is_aws_access_key_id(value: &str) -> bool {
    ["AKIA", "ASIA"].iter().any(|prefix| {
        value.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() == 16
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
    })
}

fn is_jwt(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && value.len() >= 30
        && parts.first().is_some_and(|p| p.starts_with("eyJ"))
        && parts.iter().take(2).all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'='))
        })
}

/// `scheme://user:password@host…` with a non-empty password.
fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty())
}

/// At least 32 characters of a token alphabet, letters and digits mixed, and ≥ 3.5 bits of entropy per
/// character; canonical UUIDs (identifiers far more often than secrets) excluded.
fn is_high_entropy(value: &str) -> bool {
    if value.len() < 32
        || value.starts_with(['/', '.', '~', '@'])
        || value.contains("://")
        || is_uuid(value)
        || is_dotted_name(value)
    {
        return false;
    }
    let alphabet_ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.'));
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_letter = value.bytes().any(|b| b.is_ascii_alphabetic());
    alphabet_ok && has_digit && has_letter && shannon_bits_per_char(value) >= 3.5
}

/// `db1.us-east-1.rds.amazonaws.com`, `com.example.server.v2`: host names and identifiers (lower case,
/// three or more dot-separated parts) read as random but are not secrets.
fn is_dotted_name(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_')
                })
        })
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn shannon_bits_per_char(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in value.bytes() {
        if let Some(slot) = counts.get_mut(usize::from(b)) {
            *slot += 1;
        }
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
#[path = "shape_tests.rs"]
mod tests;
