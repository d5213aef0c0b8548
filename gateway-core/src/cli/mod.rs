//! The command line: argument definitions, dispatch, exit statuses, and the `stdio` /
//! `check-config` entry points. Each other command lives in its own file (`client.rs`, `secret.rs`,
//! `logs.rs`, `init.rs`, `auth.rs`, …). Serving itself (start-up, reload, shutdown) is
//! [`crate::run`]: this module only parses arguments and turns outcomes into exit statuses.
//!
//! `main.rs` only parses arguments, sets up tracing and calls [`run`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod auth;
mod client;
mod init;
mod logs;
mod secret;
mod serve;
mod tools;

use crate::config::{self, ConfigError, Severity};
use crate::run::RunError;

/// Exit status for an unknown or missing gateway key (DESIGN.md).
pub const EXIT_AUTH: u8 = 2;
/// Exit status for a config that cannot be used.
pub const EXIT_CONFIG: u8 = 1;

const EXAMPLES: &str = "\
Examples:
  # Serve MCP over stdio (what Claude Desktop, Cursor, VS Code… launch):
  ENKRYPT_GATEWAY_KEY=<key> gateway-core --config ~/.enkrypt/enkrypt_mcp_config.json

  # Serve MCP over HTTP on loopback (clients send Authorization: Bearer <key>):
  gateway-core serve --listen 127.0.0.1:8000

  # Sign in to a remote server that asks for OAuth (tokens go to the OS keychain):
  gateway-core auth login my-remote-server

  # Validate a config file (errors come with their JSON path and line):
  gateway-core check-config --config ./example_enkrypt_mcp_config.json

  # Try it with the MCP Inspector CLI:
  npx @modelcontextprotocol/inspector --cli -e ENKRYPT_GATEWAY_KEY=<key> \\
      -- gateway-core --config ./example_enkrypt_mcp_config.json --method tools/list

Config path: --config PATH, else $ENKRYPT_CONFIG_PATH, else ~/.enkrypt/enkrypt_mcp_config.json.";

#[derive(Debug, Parser)]
#[command(
    name = "gateway-core",
    version,
    about = "Enkrypt Secure MCP Gateway: one MCP server in front of all your MCP servers, with access rules, guardrails and an audit log.",
    after_help = EXAMPLES
)]
pub struct Cli {
    /// Config file (default: $ENKRYPT_CONFIG_PATH, else ~/.enkrypt/enkrypt_mcp_config.json).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (the default).
    Stdio,
    /// Validate the config file: exit 0 when valid, else 1 with every error's JSON path and line.
    CheckConfig,
    /// Serve MCP over streamable HTTP at /mcp (loopback only unless --allow-remote; gateway key required).
    Serve(serve::ServeArgs),
    /// Add, remove or inspect the gateway's entry in an MCP client's config (Claude Desktop, Cursor, …).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Secrets in the OS keychain (service `enkrypt-secure-mcp-gateway`), referenced as `${keyring:NAME}`.
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// Print audit events (requests, responses, blocks), optionally following the log live.
    Logs(logs::LogsArgs),
    /// Create ~/.enkrypt/enkrypt_mcp_config.json from the example, with a new gateway key and id.
    Init(init::InitArgs),
    /// Review tools quarantined by the guardrails (poisoned or changed definitions): list, approve, deny.
    #[command(subcommand)]
    Tools(tools::ToolsCommand),
    /// OAuth 2.1 sign-in to remote servers that ask for it; tokens live in the OS keychain only.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> ExitCode {
    let path = config::resolve_path(cli.config.as_deref());
    match cli.command.unwrap_or(Command::Stdio) {
        Command::Stdio => run_stdio(path).await,
        // `${keyring:…}` references make loading a blocking keychain call: keep it off the runtime.
        Command::CheckConfig => tokio::task::spawn_blocking(move || check_config(path))
            .await
            .unwrap_or_else(|error| {
                eprintln!("error: check-config did not complete: {error}");
                ExitCode::FAILURE
            }),
        Command::Serve(args) => serve::run(args, path).await,
        Command::Client(command) => client::run(command, path).await,
        Command::Secret(command) => secret::run(command, path).await,
        Command::Logs(args) => logs::run(args, path).await,
        Command::Init(args) => init::run(args, path).await,
        Command::Tools(command) => tools::run(command, path).await,
        Command::Auth(command) => auth::run(command, path).await,
    }
}

fn print_config_error(error: &ConfigError) {
    eprintln!("error: {error}");
}

fn check_config(path: PathBuf) -> ExitCode {
    match crate::secrets::load_config(&path) {
        Ok(cfg) => {
            for warning in &cfg.warnings {
                eprintln!(
                    "warning: {}:{}: {}: {}",
                    path.display(),
                    warning
                        .location
                        .line
                        .map(|l| l.to_string())
                        .unwrap_or_else(|| "?".into()),
                    warning.location.json_path,
                    warning.message
                );
            }
            let servers: usize = cfg.gateways.iter().map(|g| g.servers.len()).sum();
            println!(
                "{}: valid ({} gateway(s), {} server(s), {} warning(s))",
                path.display(),
                cfg.gateways.len(),
                servers,
                cfg.warnings.len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            let errors = error
                .diagnostics()
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            print_config_error(&error);
            if errors > 0 {
                eprintln!("{}: {errors} error(s)", path.display());
            }
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

/// The exit status for a failure to serve, after printing it.
fn exit_for(error: RunError) -> ExitCode {
    match error {
        RunError::Config(error) => {
            print_config_error(&error);
            ExitCode::from(EXIT_CONFIG)
        }
        RunError::Auth(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_AUTH)
        }
    }
}

/// `gateway-core [stdio]`: serves the client on this process's stdin/stdout until it leaves or a
/// signal arrives.
async fn run_stdio(path: PathBuf) -> ExitCode {
    let key = match crate::run::key_from_env().await {
        Ok(key) => key,
        Err(error) => return exit_for(error),
    };
    let pipes = rmcp::transport::stdio_pipes();
    match crate::run::run_stdio(&path, key, pipes, crate::shutdown::wait_for_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit_for(error),
    }
}
