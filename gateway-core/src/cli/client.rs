//! `gateway-core client install|uninstall|status`: the gateway's entry in MCP clients' config files.
//!
//! Argument parsing and printing only; every rule (paths, entry, merge, locking, atomic writes) lives in
//! [`crate::clients`], which the desktop app calls directly. Output is human-readable by default and
//! the library's serializable reports with `--json`. The gateway key is never printed (masked).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;

use crate::clients::{
    self, Change, ChangeReport, ClientError, ClientSpec, ClientStatus, Context, ENTRY_NAME,
    EntryState, WriteMode,
};

const INSTALL_EXAMPLES: &str = "\
Examples:
  gateway-core client install --client claude-desktop
  gateway-core client install --client vscode --config ~/.enkrypt/enkrypt_mcp_config.json --dry-run
  gateway-core client status --client all";

/// `gateway-core client …` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Add the gateway to a client's config (or bring a stale entry up to date), keeping everything
    /// else in the file; a backup of the previous file is kept next to it.
    #[command(after_help = INSTALL_EXAMPLES)]
    Install(ChangeArgs),
    /// Remove the gateway's entry from a client's config, keeping everything else (with a backup).
    Uninstall(ChangeArgs),
    /// Per client: detected or not, entry installed or not, up to date or stale.
    Status(StatusArgs),
}

/// Arguments of `install` and `uninstall`.
#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// Which client.
    #[arg(long, value_name = "CLIENT", value_parser = PossibleValuesParser::new(clients::ids()))]
    client: String,
    /// Print what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Which client, or `all`.
    #[arg(
        long,
        value_name = "CLIENT",
        default_value = "all",
        value_parser = PossibleValuesParser::new(clients::ids().chain(["all"]))
    )]
    client: String,
    /// Print the result as JSON (an array for `all`, else one object).
    #[arg(long)]
    json: bool,
    /// Accepted for symmetry with install/uninstall; status never writes.
    #[arg(long, hide = true)]
    dry_run: bool,
}

/// Runs a `client` subcommand; `config` is the resolved gateway config path.
pub async fn run(command: ClientCommand, config: PathBuf) -> ExitCode {
    // File I/O and lock waits: off the async runtime.
    match tokio::task::spawn_blocking(move || run_blocking(command, config)).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: the client command failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run_blocking(command: ClientCommand, config: PathBuf) -> ExitCode {
    match command {
        ClientCommand::Install(args) => {
            change(&args, || Context::from_process(&config), clients::install)
        }
        ClientCommand::Uninstall(args) => {
            // Removing the entry does not need the gateway config to be readable.
            change(&args, || Context::without_key(&config), clients::uninstall)
        }
        ClientCommand::Status(args) => status(&args, &config),
    }
}

fn fail(error: &ClientError, json: bool) -> ExitCode {
    if json {
        println!("{}", serde_json::json!({ "error": error.to_body() }));
    }
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

fn change(
    args: &ChangeArgs,
    context: impl FnOnce() -> Result<Context, ClientError>,
    op: impl FnOnce(&ClientSpec, &Context, WriteMode) -> Result<ChangeReport, ClientError>,
) -> ExitCode {
    let result = clients::lookup(&args.client).and_then(|client| {
        let ctx = context()?;
        let mode = if args.dry_run {
            WriteMode::DryRun
        } else {
            WriteMode::Apply
        };
        op(client, &ctx, mode)
    });
    match result {
        Ok(report) if args.json => {
            print_json(&report);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print_change(&report);
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error, args.json),
    }
}

fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: cannot render JSON: {error}"),
    }
}

fn print_change(r: &ChangeReport) {
    let name = r.client_name;
    let path = r.path.display();
    let would = if r.dry_run { "Would " } else { "" };
    let verb = |done: &'static str, dry: &'static str| if r.dry_run { dry } else { done };
    match r.change {
        Change::CreatedFile => println!(
            "{}{} {path} with the \"{ENTRY_NAME}\" entry for {name}.",
            would,
            verb("Created", "create")
        ),
        Change::AddedEntry => println!(
            "{}{} \"{ENTRY_NAME}\" to {name}'s config {path}.",
            would,
            verb("Added", "add")
        ),
        Change::UpdatedEntry => {
            println!(
                "{}{} the stale \"{ENTRY_NAME}\" entry in {name}'s config {path}:",
                would,
                verb("Updated", "update")
            );
            for reason in &r.stale_before {
                println!("  - {reason}");
            }
        }
        Change::Unchanged => println!(
            "\"{ENTRY_NAME}\" is already installed and up to date in {name}'s config {path}; nothing to do."
        ),
        Change::RemovedEntry => println!(
            "{}{} \"{ENTRY_NAME}\" from {name}'s config {path}.",
            would,
            verb("Removed", "remove")
        ),
        Change::NotInstalled => {
            println!("\"{ENTRY_NAME}\" is not in {name}'s config {path}; nothing to do.")
        }
    }
    let adds = matches!(
        r.change,
        Change::CreatedFile | Change::AddedEntry | Change::UpdatedEntry
    );
    if let Some(entry) = r.entry.as_ref().filter(|_| r.dry_run && adds) {
        let text = serde_json::to_string_pretty(entry).unwrap_or_default();
        println!("Entry (key masked):\n{text}");
    }
    if r.dry_run {
        println!("Dry run: nothing was written.");
        return;
    }
    if let Some(backup) = &r.backup {
        println!("Previous version saved as {}.", backup.display());
    }
    if r.written {
        println!("Restart {name} to load the change.");
    }
    if !r.detected && r.change != Change::NotInstalled {
        println!(
            "note: {name} does not seem to be installed on this machine; the entry will be used once it is."
        );
    }
}

fn status(args: &StatusArgs, config: &std::path::Path) -> ExitCode {
    let mut ctx = match Context::without_key(config) {
        Ok(ctx) => ctx,
        Err(error) => return fail(&error, args.json),
    };
    match clients::entry::first_gateway_key(&ctx.gateway_config) {
        Ok(key) => ctx.gateway_key = Some(key),
        Err(error) => eprintln!(
            "warning: the gateway key is not checked because the gateway config could not be read:\n{error}"
        ),
    }
    let selected: Vec<&ClientSpec> = if args.client == "all" {
        clients::CLIENTS.iter().collect()
    } else {
        match clients::lookup(&args.client) {
            Ok(client) => vec![client],
            Err(error) => return fail(&error, args.json),
        }
    };
    let statuses: Vec<ClientStatus> = selected.iter().map(|c| clients::status(c, &ctx)).collect();
    if args.json {
        match statuses.as_slice() {
            [one] if args.client != "all" => print_json(one),
            all => print_json(&all),
        }
    } else {
        print_status_table(&statuses);
    }
    if statuses.iter().any(|s| s.state == EntryState::Unknown) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn state_label(s: &ClientStatus) -> &'static str {
    match s.state {
        EntryState::NotInstalled => "not installed",
        EntryState::UpToDate => "up to date",
        EntryState::Stale => "stale",
        EntryState::Unknown => "error",
    }
}

fn print_status_table(statuses: &[ClientStatus]) {
    let header = ["CLIENT", "DETECTED", "ENTRY", "CONFIG FILE"];
    let rows: Vec<[String; 4]> = statuses
        .iter()
        .map(|s| {
            [
                s.client_name.to_owned(),
                if s.detected { "yes" } else { "no" }.to_owned(),
                state_label(s).to_owned(),
                s.path
                    .as_ref()
                    .map_or_else(|| "(unknown)".to_owned(), |p| p.display().to_string()),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    println!(
        "{:w0$}  {:w1$}  {:w2$}  {}",
        header[0], header[1], header[2], header[3]
    );
    for (row, s) in rows.iter().zip(statuses) {
        println!("{:w0$}  {:w1$}  {:w2$}  {}", row[0], row[1], row[2], row[3]);
        for reason in &s.stale {
            println!("    - {reason}");
        }
        if let Some(error) = &s.error {
            println!("    ! {}", error.message);
        }
    }
    if statuses.iter().any(|s| s.state == EntryState::Stale) {
        println!("\nRun `gateway-core client install --client <CLIENT>` to update stale entries.");
    }
}
