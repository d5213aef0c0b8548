//! `gateway-core auth login|status|logout SERVER [--no-browser]`: OAuth 2.1 sign-in to a remote upstream
//! (the work is in `crate::oauth`). `login` prints the authorization URL as ONE line on stdout, opens
//! the system browser unless `--no-browser`, and waits for the redirect on its loopback port. Progress
//! and errors go to stderr; no token, code or secret is ever printed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::oauth::{self, OAuthTarget, SignInStatus};

#[derive(Debug, clap::Subcommand)]
pub enum AuthCommand {
    /// Sign in to a remote server (opens the browser; tokens go to the OS keychain only).
    Login {
        /// The server's name in the config.
        server: String,
        /// Don't open a browser: print the authorization URL (one line, stdout) and wait for the redirect.
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for the browser step, in seconds.
        #[arg(long, default_value_t = 300, value_name = "SECS")]
        timeout: u64,
    },
    /// Show whether a remote server is signed in, and until when.
    Status {
        server: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Forget a remote server's tokens (removes its keychain entry).
    Logout { server: String },
}

pub async fn run(command: AuthCommand, path: PathBuf) -> ExitCode {
    let server = match &command {
        AuthCommand::Login { server, .. }
        | AuthCommand::Status { server, .. }
        | AuthCommand::Logout { server } => server.clone(),
    };
    let target = match target(&path, &server).await {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        AuthCommand::Login {
            no_browser,
            timeout,
            ..
        } => login(&target, no_browser, Duration::from_secs(timeout)).await,
        AuthCommand::Status { json, .. } => match oauth::status(&target).await {
            Ok(status) => {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string(&status).unwrap_or_else(|_| "{}".into())
                    );
                } else {
                    println!("{}: {}", target.server, status.describe());
                }
                match status {
                    SignInStatus::SignedIn { .. } => ExitCode::SUCCESS,
                    SignInStatus::SignInNeeded { .. } | SignInStatus::RefreshFailed { .. } => {
                        ExitCode::from(3)
                    }
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
        AuthCommand::Logout { .. } => match oauth::logout(&target).await {
            Ok(true) => {
                println!(
                    "{}: signed out (tokens removed from the keychain)",
                    target.server
                );
                ExitCode::SUCCESS
            }
            Ok(false) => {
                println!("{}: was not signed in", target.server);
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn target(path: &std::path::Path, server: &str) -> Result<OAuthTarget, String> {
    let config = crate::run::load_config(path)
        .await
        .map_err(|e| e.to_string())?;
    let presented = crate::run::key_from_env()
        .await
        .map_err(|e| e.to_string())?;
    let index =
        oauth::select_gateway(&config, presented.as_deref(), server).map_err(|e| e.to_string())?;
    OAuthTarget::from_config(&config, index, server).map_err(|e| e.to_string())
}

async fn login(target: &OAuthTarget, no_browser: bool, timeout: Duration) -> ExitCode {
    let pending = match oauth::start_login(target).await {
        Ok(pending) => pending,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    // The one line a script (or a person) opens; stdout carries nothing else before the result.
    println!("{}", pending.authorization_url());
    if no_browser {
        eprintln!(
            "Open the URL above in a browser to sign in to '{}'; waiting for the redirect to {} …",
            target.server,
            pending.redirect_uri()
        );
    } else if let Err(error) = open_browser(pending.authorization_url()) {
        eprintln!(
            "Could not open a browser ({error}); open the URL above to sign in to '{}'.",
            target.server
        );
    } else {
        eprintln!(
            "Opened the browser to sign in to '{}'; waiting for the redirect …",
            target.server
        );
    }
    match pending.complete(timeout).await {
        Ok(status) => {
            eprintln!("{}: {}", target.server, status.describe());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: sign-in to '{}' failed: {error}", target.server);
            ExitCode::FAILURE
        }
    }
}

/// Opens `url` in the system browser (only ever from this interactive command).
fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}
