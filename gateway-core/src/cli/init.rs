//! `gateway-core init`: create the user's first gateway config and say what to do next.
//!
//! The file's contents are decided by [`crate::setup`]; this command only picks the options for this
//! installation (is the echo server binary next to us?), reports the result on stdout and errors on
//! stderr. There is deliberately no `--force`: an existing config is never replaced.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config;
use crate::setup::{self, InitOptions, InitOutcome, SetupError};

const EXAMPLES: &str = "\
Examples:
  gateway-core init                              # writes ~/.enkrypt/enkrypt_mcp_config.json
  gateway-core init --config ./my_gateway.json   # somewhere else

The new config has a fresh random gateway key and id, local guardrails (off), the audit log at
~/.enkrypt/logs/audit.jsonl, and the repo's echo server when test-mcp-server sits next to gateway-core.
An existing file is never overwritten.";

/// Arguments of `gateway-core init` (the target is the global `--config` path).
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct InitArgs {}

/// Runs `init`: exit 0 when the config was created, 1 when it exists already or cannot be written.
pub async fn run(_args: InitArgs, config: PathBuf) -> ExitCode {
    let target = config.clone();
    let result =
        tokio::task::spawn_blocking(move || setup::init_config(&target, &InitOptions::detect()))
            .await;
    match result {
        Ok(Ok(outcome)) => {
            print_next_steps(&outcome, &config);
            ExitCode::SUCCESS
        }
        Ok(Err(error @ SetupError::AlreadyExists { .. })) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
        Ok(Err(error)) => {
            eprintln!("error: cannot create {}: {error}", config.display());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: init failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_next_steps(outcome: &InitOutcome, config_path: &Path) {
    // Commands are shown the way this binary was started, so they can be pasted as they are.
    let program = std::env::args_os()
        .next()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "gateway-core".into());
    let config_flag = if config::resolve_path(None) == config_path {
        String::new()
    } else {
        format!(
            " --config {}",
            shell_quote(&config_path.display().to_string())
        )
    };
    let program = shell_quote(&program);

    println!("Created {}", outcome.path.display());
    println!(
        "  gateway key  {}  (kept in the file; `client install` copies it into the client's config)",
        outcome.gateway_key.masked()
    );
    println!("  gateway id   {}", outcome.gateway_id);
    println!("  audit log    {}", outcome.audit_log_path.display());
    match &outcome.echo_server {
        Some(echo) => println!("  server       echo_server → {}", echo.display()),
        None => {
            println!(
                "  server       none yet ({} was not found next to this binary)",
                setup::TEST_SERVER_BIN
            );
            println!();
            println!("Add your MCP servers to the gateway's \"mcp_config\" list, for example:");
            let entry =
                serde_json::to_string_pretty(&setup::example_server_entry()).unwrap_or_default();
            for line in entry.lines() {
                println!("    {line}");
            }
            println!("  and store its token in the OS keychain: {program} secret set github_token");
        }
    }
    println!();
    println!("Next steps:");
    println!("  {program} check-config{config_flag}");
    println!("  {program} client install --client claude-desktop{config_flag}");
    println!(
        "      (or --client cursor | vscode | claude-code | windsurf), then restart the client"
    );
    println!("  {program} logs --follow{config_flag}      # watch requests and blocks live");
}

/// Quotes `s` for a POSIX shell when it holds anything but plain path characters.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            shell_quote("/usr/bin/gateway-core"),
            "/usr/bin/gateway-core"
        );
        assert_eq!(shell_quote("/My Apps/gw"), "'/My Apps/gw'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
