//! The command line: argument definitions, dispatch, and the `stdio` / `check-config` entry points.
//! Each other command lives in its own file (`client.rs`, `secret.rs`, `logs.rs`, `init.rs`,
//! `auth.rs`, …).
//!
//! `main.rs` only parses arguments, sets up tracing and calls [`run`]; everything a command does is
//! here or in the modules it calls, so tests and the desktop app can reuse it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod auth;
mod client;
mod init;
mod logs;
mod secret;
mod serve;
mod tools;
use rmcp::ServiceExt;

use crate::audit::{AuditEvent, AuditLog, AuditOptions, EventKind};
use crate::config::{self, ConfigError, GatewayConfig, Severity};
use crate::downstream::{Gateway, GatewayHandle, GatewayServer};

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
    match config::load(&path) {
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

fn open_audit(cfg: &GatewayConfig) -> AuditLog {
    let path = cfg
        .common
        .audit_log_path
        .clone()
        .unwrap_or_else(crate::audit::default_path);
    match AuditLog::open(&path, AuditOptions::default()) {
        Ok(log) => log,
        Err(error) => {
            tracing::warn!(%error, "audit log disabled");
            AuditLog::disabled()
        }
    }
}

/// The gateway key presented by the client's environment, with a `${keyring:NAME}` reference (what
/// `client install` writes when a keychain is usable) resolved from the OS keychain.
async fn presented_key() -> Result<Option<String>, String> {
    let raw = std::env::var("ENKRYPT_GATEWAY_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .or_else(|| std::env::var("ENKRYPT_APIKEY").ok());
    match raw {
        Some(value) if value.contains("${keyring:") || value.contains("${env:") => {
            tokio::task::spawn_blocking(move || resolve_key_reference(&value))
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
                .map(Some)
        }
        other => Ok(other),
    }
}

/// Resolves the references in a presented key (blocking: the keychain may be a D-Bus call).
fn resolve_key_reference(value: &str) -> Result<String, String> {
    let keychain = crate::secrets::KeychainSource::default();
    let sources = config::RefSources {
        env: &config::ProcessEnv,
        keyring: &keychain,
    };
    config::refs::resolve_str(value, &sources).map_err(|problems| {
        format!(
            "ENKRYPT_GATEWAY_KEY refers to the OS keychain ({value}), which did not give the key: {}. \
             Re-run `gateway-core client install` (or \"Add to …\" in the app) to write a fresh entry",
            problems.join("; ")
        )
    })
}

/// [`config::load`] on the blocking pool: resolving `${keyring:…}` references talks to the OS keychain.
async fn load_config(path: &std::path::Path) -> Result<GatewayConfig, ConfigError> {
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || config::load(&owned))
        .await
        .unwrap_or_else(|error| {
            Err(ConfigError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(error.to_string()),
            })
        })
}

/// Hot reload for a stdio gateway: the process's key selects its gateway in each new version.
struct StdioReload {
    handle: Arc<GatewayHandle>,
    key: Option<String>,
    audit: AuditLog,
}

impl crate::reload::Reloadable for StdioReload {
    async fn apply(&self, cfg: Arc<GatewayConfig>) {
        let gateway_id = self.handle.current().gateway_id.clone();
        match crate::auth::find_gateway_index(&cfg, self.key.as_deref()) {
            Ok(index) => {
                let summary = self.handle.reload(&cfg, index).await;
                crate::reload::record_reload(
                    &self.audit,
                    &gateway_id,
                    &cfg.path,
                    summary.servers,
                    summary.restarted_upstreams,
                );
            }
            Err(error) => {
                // The key was removed or changed: a revoked key must stop working at once.
                self.handle.set_revoked(true);
                tracing::warn!(%error, "this process's gateway key is no longer in the config; refusing every request");
                self.audit
                    .record(AuditEvent::new(EventKind::Error, gateway_id).with_message(
                    format!(
                        "gateway key revoked by a config change; every request is refused: {error}"
                    ),
                ));
                self.handle.current().notify_tools_changed().await;
            }
        }
    }
}

/// Loads the config a serving command starts on, with the bytes it came from (so hot reload can tell an
/// unchanged file), logging its warnings; a config that cannot be used is reported and ends the command.
async fn load_for_serving(
    path: &std::path::Path,
) -> Result<(Option<Vec<u8>>, GatewayConfig), ExitCode> {
    let initial_text = tokio::fs::read(path).await.ok();
    let cfg = match load_config(path).await {
        Ok(cfg) => cfg,
        Err(error) => {
            print_config_error(&error);
            return Err(ExitCode::from(EXIT_CONFIG));
        }
    };
    crate::logging::apply_config_level(&cfg.common.log_level);
    for warning in &cfg.warnings {
        tracing::warn!(path = %warning.location.json_path, line = ?warning.location.line, "{}", warning.message);
    }
    Ok((initial_text, cfg))
}

async fn run_stdio(path: PathBuf) -> ExitCode {
    let (initial_text, cfg) = match load_for_serving(&path).await {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let key = match presented_key().await {
        Ok(key) => key,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_AUTH);
        }
    };
    let index = match crate::auth::find_gateway_index(&cfg, key.as_deref()) {
        Ok(index) => index,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_AUTH);
        }
    };
    let audit = open_audit(&cfg);
    let _telemetry = crate::telemetry::init(&cfg.common.extra);
    let cache = crate::cache::for_config(&cfg.common);
    let (gateway, events) = Gateway::new(&cfg, index, cache, audit.clone());
    audit.record(
        AuditEvent::new(EventKind::Config, gateway.gateway_id.clone()).with_message(format!(
            "gateway started on {} ({} servers)",
            path.display(),
            gateway.servers.len()
        )),
    );
    let handle = GatewayHandle::new(gateway.clone());
    let events_task = tokio::spawn(handle.clone().run_events(events));
    let reload_task = crate::reload::spawn(
        path.clone(),
        initial_text.as_deref(),
        Arc::new(StdioReload {
            handle: handle.clone(),
            key,
            audit: audit.clone(),
        }),
        audit.clone(),
        gateway.gateway_id.clone(),
    );
    drop(gateway);

    let (stdin, stdout) = rmcp::transport::stdio_pipes();
    let (stdin, eof) = crate::shutdown::EofWatch::new(stdin);
    // Lines that are not JSON get a JSON-RPC parse error (rmcp would skip them silently).
    let replies = crate::parse_guard::Replies::new(stdout);
    let replies_task = tokio::spawn(replies.clone().run());
    let stdin = crate::parse_guard::LineCheck::new(stdin, replies.clone());
    let code = match GatewayServer::new(handle.clone())
        .serve((stdin, replies.writer()))
        .await
    {
        Ok(service) => {
            let waiting = service.waiting();
            tokio::pin!(waiting);
            tokio::select! {
                quit = &mut waiting => {
                    tracing::debug!(?quit, "client disconnected");
                }
                _ = crate::shutdown::wait_for_eof(eof) => {
                    tracing::debug!("client closed stdin");
                    // Stop upstreams first so in-flight calls fail fast, then let rmcp finish.
                    reload_task.abort();
                    handle.shutdown().await;
                    let _ = tokio::time::timeout(Duration::from_secs(2), &mut waiting).await;
                }
                _ = crate::shutdown::wait_for_signal() => {
                    tracing::info!("signal received; shutting down");
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::warn!(%error, "MCP session did not start");
            ExitCode::SUCCESS
        }
    };
    reload_task.abort();
    replies_task.abort();
    handle.shutdown().await;
    events_task.abort();
    let _ = tokio::task::spawn_blocking(move || audit.flush_and_close(Duration::from_millis(500)))
        .await;
    code
}
