//! `gateway-core secret set|list|delete|migrate`: the OS keychain from the command line.
//!
//! A secret's value is read from stdin, one line, never from the command line (argv shows in `ps` and in
//! shell history). Output names secrets and shows values only masked. Keychain calls block, so each runs
//! on the blocking pool. The behaviour lives in [`crate::secrets`]; this file parses and prints.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::secrets::{self, Keychain, MigrationReport};

/// Longest value accepted on stdin (a PEM key or a JWT fits; a pasted file by mistake does not).
const MAX_VALUE_BYTES: u64 = 64 * 1024;

const SET_EXAMPLE: &str = "\
Examples:
  printf '%s' \"$GITHUB_TOKEN\" | gateway-core secret set github.GITHUB_TOKEN
  gateway-core secret set enkrypt_api_key          # then type or paste the value and press Enter

Reference it in the config as \"${keyring:github.GITHUB_TOKEN}\".";

const MIGRATE_EXAMPLE: &str = "\
Moves the Enkrypt API key and upstream env/header values that look like keys or tokens into the OS
keychain and rewrites the config with ${keyring:NAME} references (atomically, with a backup).

Examples:
  gateway-core secret migrate --dry-run    # show what would move
  gateway-core secret migrate --config ~/.enkrypt/enkrypt_mcp_config.json";

/// Keychain subcommands (service `enkrypt-secure-mcp-gateway`).
#[derive(Debug, clap::Subcommand)]
pub enum SecretCommand {
    /// Store a secret read from stdin (one line) under NAME; reference it as `${keyring:NAME}`.
    #[command(after_help = SET_EXAMPLE)]
    Set {
        /// The secret's name: 1-128 letters, digits, `_`, `.` or `-`.
        #[arg(value_parser = parse_name)]
        name: String,
        /// Catches a value typed on the command line, to refuse it without echoing it.
        #[arg(hide = true, num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
        value_on_command_line: Vec<String>,
    },
    /// List the names of stored secrets (never their values).
    List,
    /// Delete the secret NAME.
    Delete {
        /// The secret's name.
        #[arg(value_parser = parse_name)]
        name: String,
    },
    /// Move plaintext secrets in the config into the keychain, leaving `${keyring:NAME}` references.
    #[command(after_help = MIGRATE_EXAMPLE)]
    Migrate {
        /// Show what would move without storing or writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_name(name: &str) -> Result<String, String> {
    secrets::validate_name(name)
        .map(|()| name.to_owned())
        .map_err(|e| e.to_string())
}

/// Runs one `secret` subcommand against the gateway's keychain; `config` is used by `migrate`.
pub async fn run(command: SecretCommand, config: PathBuf) -> ExitCode {
    let keychain = Keychain::new();
    let result = match command {
        SecretCommand::Set {
            name,
            value_on_command_line,
        } => {
            if !value_on_command_line.is_empty() {
                eprintln!(
                    "error: secret values are never taken from the command line (they would show in `ps` \
                     and your shell history); pipe the value on stdin instead, e.g.\n  \
                     printf '%s' \"$VALUE\" | gateway-core secret set {name}"
                );
                return ExitCode::from(2);
            }
            set(&keychain, name).await
        }
        SecretCommand::List => list(&keychain).await,
        SecretCommand::Delete { name } => delete(&keychain, name).await,
        SecretCommand::Migrate { dry_run } => migrate(keychain, config, dry_run).await,
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn set(keychain: &Keychain, name: String) -> Result<ExitCode, String> {
    let prompt_name = name.clone();
    let value = tokio::task::spawn_blocking(move || read_value(&prompt_name))
        .await
        .map_err(|e| format!("reading stdin failed: {e}"))??;
    let stored_name = name.clone();
    keychain
        .spawn(&name, move |k| k.set(&stored_name, &value))
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "stored `{name}` in the OS keychain (service {}); reference it as ${{keyring:{name}}}",
        keychain.service()
    );
    Ok(ExitCode::SUCCESS)
}

/// One line from stdin, without its line ending. A terminal gets a prompt on stderr.
fn read_value(name: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Value for `{name}` (one line; input is visible), then Enter: ");
        let _ = std::io::stderr().flush();
    }
    let mut raw = Vec::new();
    stdin
        .lock()
        .take(MAX_VALUE_BYTES + 1)
        .read_until(b'\n', &mut raw)
        .map_err(|e| format!("cannot read the value from stdin: {e}"))?;
    if raw.len() as u64 > MAX_VALUE_BYTES {
        return Err(format!(
            "the value on stdin is longer than {MAX_VALUE_BYTES} bytes; a secret is one line"
        ));
    }
    let mut value =
        String::from_utf8(raw).map_err(|_| "the value on stdin is not UTF-8 text".to_owned())?;
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err(format!(
            "no value on stdin for `{name}`; pipe it in, e.g. printf '%s' \"$VALUE\" | gateway-core secret set {name}"
        ));
    }
    Ok(value)
}

async fn list(keychain: &Keychain) -> Result<ExitCode, String> {
    let names = keychain
        .spawn("", |k| k.list())
        .await
        .map_err(|e| e.to_string())?;
    if names.is_empty() {
        eprintln!(
            "no secrets stored under service {} (add one with `gateway-core secret set NAME`)",
            keychain.service()
        );
    }
    let mut out = std::io::stdout().lock();
    for name in names {
        let _ = writeln!(out, "{name}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn delete(keychain: &Keychain, name: String) -> Result<ExitCode, String> {
    let target = name.clone();
    let existed = keychain
        .spawn(&name, move |k| k.delete(&target))
        .await
        .map_err(|e| e.to_string())?;
    if existed {
        println!("deleted `{name}` from the OS keychain");
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!(
            "no keychain entry named `{name}` (see `gateway-core secret list`)"
        ))
    }
}

async fn migrate(keychain: Keychain, config: PathBuf, dry_run: bool) -> Result<ExitCode, String> {
    let path = config.clone();
    let report = tokio::task::spawn_blocking(move || secrets::migrate(&path, &keychain, dry_run))
        .await
        .map_err(|e| format!("migration task failed: {e}"))?
        .map_err(|e| e.to_string())?;
    print_report(&config, &report, dry_run);
    Ok(ExitCode::SUCCESS)
}

fn print_report(config: &std::path::Path, report: &MigrationReport, dry_run: bool) {
    if let Some(warning) = &report.keychain_warning {
        eprintln!("warning: {warning}");
        eprintln!("warning: a real run would fail until the keychain is reachable");
    }
    if report.moved.is_empty() {
        println!(
            "nothing to migrate: no plaintext secrets found in {}",
            config.display()
        );
    } else {
        let verb = if dry_run { "would move" } else { "moved" };
        println!(
            "{verb} {} secret(s) from {} to the OS keychain (service {}):",
            report.moved.len(),
            config.display(),
            secrets::SERVICE
        );
        for m in &report.moved {
            let note = if m.already_stored {
                " (already in the keychain)"
            } else {
                ""
            };
            println!("  {}  {}  →  {}{note}", m.path, m.masked, m.new_value);
        }
    }
    for path in &report.left_in_place {
        eprintln!(
            "warning: {path} looks like a secret but is a command-line argument or URL; move it by hand \
             (e.g. into `env` as ${{keyring:NAME}} after `gateway-core secret set NAME`)"
        );
    }
    if report.rewritten {
        match &report.backup {
            Some(backup) => {
                println!(
                    "rewrote {} (previous version: {})",
                    config.display(),
                    backup.display()
                );
                eprintln!(
                    "note: the backup {} still holds the plaintext secrets; delete it once the gateway \
                     works with the new config",
                    backup.display()
                );
            }
            None => println!("rewrote {}", config.display()),
        }
    } else if dry_run && !report.moved.is_empty() {
        println!("dry run: nothing stored, {} unchanged", config.display());
    }
}
