//! Which config values `secret migrate` treats as secrets.

use super::*;

#[test]
fn secret_names_are_recognised_per_word() {
    for name in [
        "GITHUB_TOKEN",
        "GITHUB_PERSONAL_ACCESS_TOKEN",
        "OPENAI_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "DB_PASSWORD",
        "PGPASSWORD",
        "SLACK_BOT_TOKEN",
        "apiKey",
        "X-API-Key",
        "x-goog-api-key",
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "CLIENT_SECRET",
        "GITLAB_PAT",
        "BRAVE_API_KEY",
        "AUTH",
        "MY_CREDENTIALS",
        "s3Key",
    ] {
        assert!(is_secret_name(name), "{name} should count as a secret name");
    }
}

#[test]
fn ordinary_names_and_qualified_ones_are_not_secret_names() {
    for name in [
        "MONKEY",
        "AUTHOR",
        "BYPASS_CACHE",
        "PASSTHROUGH",
        "HOME",
        "LOG_LEVEL",
        "TOKEN_URL",
        "AUTH_TYPE",
        "API_KEY_FILE",
        "SECRET_NAME",
        "AWS_ACCESS_KEY_ID",
        "SSH_KEY_PATH",
        "Content-Type",
        "Accept",
        "",
    ] {
        assert!(
            !is_secret_name(name),
            "{name} should not count as a secret name"
        );
    }
}

#[test]
fn known_token_formats_are_secret_shaped() {
    for value in [
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
        "sk-ant-api03-abcdefghijklmnop_qrstuvwxyz012345",
        "sk_live_51HxxxxABCDEFGHIJKLMN",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
        "glpat-abcdefghij0123456789",
        "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
        "AKIAIOSFODNN7EXAMPLE",
        "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "hf_abcdefghijklmnopqrstuvwxyz012345",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "postgres://app:hunter2@db.internal:5432/app",
        "Zx8Qm2Lr7Vt4Np1Ks9Hd3Fg6Jc5Bw0Ay",
        "3f2b9c1e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
    ] {
        assert!(is_secret_shaped(value), "{value} should look like a secret");
    }
}

#[test]
fn ordinary_values_are_not_secret_shaped() {
    for value in [
        "",
        "sk-short",
        "ghp_short",
        "info",
        "https://api.example.com/v1/tokens",
        "postgres://app@db.internal:5432/app",
        "/usr/local/bin/server",
        "@modelcontextprotocol/server-filesystem",
        "2f0c3a9e-8a6b-4c8e-9b1e-5d7f3c2a1b00",
        "db1.us-east-1.rds.amazonaws.com.example",
        "node_modules_server_filesystem_dist_index",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
        "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
    ] {
        assert!(
            !is_secret_shaped(value),
            "{value} should not look like a secret"
        );
    }
}

#[test]
fn names_need_a_plausible_value() {
    assert!(should_migrate("DB_PASSWORD", "hunter2"));
    assert!(should_migrate("API_KEY", "abc123"));
    for value in [
        "",
        "  ",
        "true",
        "0",
        "/run/secrets/api_key",
        "~/.config/key.json",
        "C:\\keys\\key.pem",
        "https://auth.example.com",
        "YOUR_API_KEY",
        "<your-token-here>",
        "xxxxxxxx",
        "${env:API_KEY}",
        "${keyring:api}",
        "Bearer ${keyring:srv.Authorization}",
    ] {
        assert!(!should_migrate("API_KEY", value), "{value:?}");
    }
}

#[test]
fn shape_alone_is_enough_under_any_name() {
    assert!(should_migrate(
        "CONFIG",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345"
    ));
    assert!(should_migrate(
        "DATABASE_URL",
        "postgres://app:hunter2@db.internal:5432/app"
    ));
    assert!(!should_migrate(
        "DATABASE_URL",
        "postgres://db.internal/app"
    ));
    assert!(!should_migrate("LOG_LEVEL", "debug"));
}

#[test]
fn auth_schemes_stay_in_the_config() {
    assert_eq!(split_auth_scheme("Bearer abc.def"), ("Bearer ", "abc.def"));
    assert_eq!(split_auth_scheme("token  xyz"), ("token  ", "xyz"));
    assert_eq!(
        split_auth_scheme("Basic dXNlcjpwYXNz"),
        ("Basic ", "dXNlcjpwYXNz")
    );
    assert_eq!(split_auth_scheme("abc"), ("", "abc"));
    assert_eq!(split_auth_scheme("Bearer "), ("", "Bearer "));
    assert_eq!(split_auth_scheme("Bearer a b"), ("", "Bearer a b"));
    assert_eq!(split_auth_scheme("Other abc"), ("", "Other abc"));
    assert!(should_migrate("Authorization", "Bearer abc123def456"));
}
