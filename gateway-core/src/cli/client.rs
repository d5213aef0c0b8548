//! `gateway-core client install|uninstall|status|import|restore`: the gateway's entry in MCP clients'
//! config files, and moving a client's own servers behind the gateway (and back).
//!
//! Argument parsing and printing only; every rule (paths, entry, merge, locking, atomic writes, import
//! plans, restore records) lives in [`crate::clients`], which the desktop app calls directly. Output is
//! human-readable by default and the library's serializable reports with `--json`. The gateway key and
//! secrets are never printed (masked).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;

use crate::clients::import::{self, ClientOutcome, ImportOptions, ImportReport, RestoreOptions};
use crate::clients::{
    self, Change, ChangeReport, ClientError, ClientSpec, ClientStatus, Context, ENTRY_NAME,
    EntryState, KeyDelivery, WriteMode,
};
use crate::secrets::Keychain;

const INSTALL_EXAMPLES: &str = "\
Examples:
  gateway-core client install --client claude-desktop
  gateway-core client install --client vscode --config ~/.enkrypt/enkrypt_mcp_config.json --dry-run
  gateway-core client status --client all";

const IMPORT_EXAMPLES: &str = "\
Examples:
  gateway-core client import --all --dry-run     # show what would move, change nothing
  gateway-core client import --client claude-desktop
  gateway-core client restore --client claude-desktop --remove-servers";

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
    /// Move the servers a client already has into the gateway (checks on, secrets into the keychain)
    /// and leave the client with the single gateway entry; undo with `client restore`.
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),
    /// Put a client's config file back as it was before `client import`.
    #[command(after_help = IMPORT_EXAMPLES)]
    Restore(RestoreArgs),
}

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Which client.
    #[arg(long, value_name = "CLIENT", value_parser = PossibleValuesParser::new(clients::ids()), required_unless_present = "all", conflicts_with = "all")]
    client: Option<String>,
    /// Every client that has a config file on this machine.
    #[arg(long)]
    all: bool,
    /// The gateway (its `id`) to import into and to install; default: the config's first.
    #[arg(long, value_name = "ID")]
    gateway: Option<String>,
    /// Write the gateway key itself into the client entry instead of a keychain reference.
    #[arg(long)]
    plain_key: bool,
    /// Print what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Which client.
    #[arg(long, value_name = "CLIENT", value_parser = PossibleValuesParser::new(clients::ids()))]
    client: String,
    /// Also remove the servers the import added from the gateway.
    #[arg(long, conflicts_with = "keep_servers")]
    remove_servers: bool,
    /// Keep the servers the import added in the gateway (the default when not asked interactively).
    #[arg(long)]
    keep_servers: bool,
    /// Restore even if the client file changed since the import (the changed file is kept as a backup).
    #[arg(long)]
    force: bool,
    /// Print what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `install` and `uninstall`.
#[derive(Debug, clap::Args)]
pub struct ChangeArgs {
    /// Which client.
    #[arg(long, value_name = "CLIENT", value_parser = PossibleValuesParser::new(clients::ids()))]
    client: String,
    /// The gateway (its `id`) whose key the entry carries; default: the config's first.
    #[arg(long, value_name = "ID")]
    gateway: Option<String>,
    /// Write the gateway key itself into the entry instead of a keychain reference.
    #[arg(long)]
    plain_key: bool,
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
        ClientCommand::Install(args) => change(
            &args,
            || {
                install_context(
                    &config,
                    args.gateway.as_deref(),
                    args.dry_run,
                    args.plain_key,
                )
            },
            clients::install,
        ),
        ClientCommand::Import(args) => run_import(&args, &config),
        ClientCommand::Restore(args) => run_restore(&args, &config),
        ClientCommand::Uninstall(args) => {
            // Removing the entry does not need the gateway config to be readable.
            change(&args, || Context::without_key(&config), clients::uninstall)
        }
        ClientCommand::Status(args) => status(&args, &config),
    }
}

/// The install context for `gateway` with the key delivered through the keychain when it is usable
/// (a warning says when the plain key is used instead).
fn install_context(
    config: &std::path::Path,
    gateway: Option<&str>,
    dry_run: bool,
    plain: bool,
) -> Result<Context, ClientError> {
    let (mut ctx, id) = Context::for_gateway(config, gateway)?;
    let Some(key) = ctx.gateway_key.clone() else {
        return Err(ClientError::NoGatewayKey);
    };
    let (delivery, fallback) =
        clients::key::choose_delivery(&Keychain::new(), &id, &key, dry_run, plain);
    if let (KeyDelivery::Plain, Some(reason)) = (&delivery, fallback)
        && !plain
    {
        eprintln!(
            "warning: the OS keychain is not usable ({reason}); the gateway key is written into the client's file in plain text"
        );
    }
    ctx.key_delivery = delivery;
    Ok(ctx)
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
    match clients::entry::gateway_key(&ctx.gateway_config, None) {
        Ok((key, id)) => {
            ctx.key_delivery = clients::key::current_delivery(&Keychain::new(), &id, &key);
            ctx.gateway_key = Some(key);
        }
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

fn run_import(args: &ImportArgs, config: &std::path::Path) -> ExitCode {
    let selected: Vec<&'static ClientSpec> = match &args.client {
        Some(id) => match clients::lookup(id) {
            Ok(client) => vec![client],
            Err(error) => return fail(&error, args.json),
        },
        None => clients::CLIENTS.iter().collect(),
    };
    if !config.exists() {
        if args.dry_run {
            let error = ClientError::NoGateway {
                path: config.to_path_buf(),
            };
            return fail(&error, args.json);
        }
        match crate::setup::init_config(config, &crate::setup::InitOptions::detect()) {
            Ok(outcome) => eprintln!(
                "Created the gateway config {} (gateway key {}).",
                outcome.path.display(),
                outcome.gateway_key.masked()
            ),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let ctx = match install_context(
        config,
        args.gateway.as_deref(),
        args.dry_run,
        args.plain_key,
    ) {
        Ok(ctx) => ctx,
        Err(error) => return fail(&error, args.json),
    };
    let gateway_id = match clients::entry::gateway_key(config, args.gateway.as_deref()) {
        Ok((_, id)) => id,
        Err(error) => return fail(&error, args.json),
    };
    let keychain = Keychain::new();
    let usable = keychain.probe().map_err(|e| e.to_string());
    let opts = ImportOptions {
        ctx: &ctx,
        gateway_id: &gateway_id,
        mode: if args.dry_run {
            WriteMode::DryRun
        } else {
            WriteMode::Apply
        },
        store: &keychain,
        keychain: usable,
    };
    match import::import(&selected, &opts) {
        Ok(report) => {
            if args.json {
                print_json(&report);
            } else {
                print_import(&report, args.client.is_none());
            }
            if report.any_failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": error.to_body() }));
            }
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_import(report: &ImportReport, all: bool) {
    let dry = report.dry_run;
    for c in &report.clients {
        let path = c
            .path
            .as_ref()
            .map_or_else(|| "(unknown)".to_owned(), |p| p.display().to_string());
        match c.outcome {
            ClientOutcome::NoFile => {
                if !all {
                    println!(
                        "{}: no config file at {path}; nothing to import.",
                        c.client_name
                    );
                }
                continue;
            }
            ClientOutcome::Failed => {
                let message = c.error.as_ref().map_or("", |e| e.message.as_str());
                println!("{}: refused, nothing changed: {message}", c.client_name);
                continue;
            }
            ClientOutcome::NothingToImport => {
                println!("{} ({path}): no server to import.", c.client_name)
            }
            ClientOutcome::Imported => println!("{} ({path}):", c.client_name),
        }
        for s in &c.servers {
            let verb = match (s.added, dry) {
                (true, false) => "added to the gateway",
                (true, true) => "would be added to the gateway",
                (false, _) => "already in the gateway",
            };
            let renamed = if s.gateway_name != s.name {
                format!(" as \"{}\"", s.gateway_name)
            } else {
                String::new()
            };
            println!("  + {}{renamed}: {verb} ({})", s.name, s.target);
            for m in &s.secrets {
                let verb = if dry { "would move" } else { "moved" };
                println!(
                    "      {} {verb} to the keychain as `{}`",
                    m.field, m.keychain
                );
            }
        }
        for k in &c.skipped {
            println!("  = {}: stays in {} ({})", k.name, c.client_name, k.detail);
        }
        let action = if dry { "would be" } else { "is" };
        println!(
            "  The client's file {action} left with \"{ENTRY_NAME}\"{}.",
            if c.skipped.is_empty() {
                " only"
            } else {
                " and the entries above that stay"
            }
        );
        if let Some(record) = &c.record {
            println!(
                "  Undo with `gateway-core client restore --client {}` (record: {}).",
                c.client,
                record.display()
            );
        }
    }
    if !report.added.is_empty() {
        println!(
            "{} {} server(s) to {} with input and output checks on ({}).",
            if dry { "Would add" } else { "Added" },
            report.added.len(),
            report.gateway_config.display(),
            report.default_checks.join(", ")
        );
    }
    match &report.key_delivery {
        KeyDelivery::Keychain { name } => {
            println!(
                "The gateway key is in the OS keychain (`{name}`); client files only reference it."
            )
        }
        KeyDelivery::Plain => println!(
            "note: the gateway key is written into the client files in plain text (no keychain)."
        ),
    }
    if dry {
        println!("Dry run: nothing was written.");
    } else if report.clients.iter().any(|c| c.written) {
        println!("Restart the client apps to load the change.");
    }
}

fn run_restore(args: &RestoreArgs, config: &std::path::Path) -> ExitCode {
    let client = match clients::lookup(&args.client) {
        Ok(client) => client,
        Err(error) => return fail(&error, args.json),
    };
    let ctx = match Context::without_key(config) {
        Ok(ctx) => ctx,
        Err(error) => return fail(&error, args.json),
    };
    let path = match client.config_path(ctx.os, &ctx.env) {
        Ok(path) => path,
        Err(error) => return fail(&error, args.json),
    };
    let remove_servers = if args.remove_servers {
        true
    } else if args.keep_servers || args.json || args.dry_run {
        false
    } else {
        ask_remove_servers()
    };
    let opts = RestoreOptions {
        remove_servers,
        force: args.force,
        mode: if args.dry_run {
            WriteMode::DryRun
        } else {
            WriteMode::Apply
        },
    };
    match import::restore(client, path, &ctx.gateway_config, opts, &Keychain::new()) {
        Ok(report) if args.json => {
            print_json(&report);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            let would = if report.dry_run { "Would put" } else { "Put" };
            match report.outcome {
                import::RestoreOutcome::Restored => println!(
                    "{would} {}'s config {} back as it was before the import{}.",
                    report.client_name,
                    report.path.display(),
                    if report.byte_identical {
                        " (byte for byte)"
                    } else {
                        ""
                    }
                ),
                import::RestoreOutcome::AlreadyRestored => println!(
                    "{}'s config {} is already as it was before the import.",
                    report.client_name,
                    report.path.display()
                ),
            }
            if let Some(backup) = &report.backup {
                println!(
                    "The file as it was just now is saved as {}.",
                    backup.display()
                );
            }
            if !report.removed_servers.is_empty() {
                println!(
                    "Removed from the gateway: {}.",
                    report.removed_servers.join(", ")
                );
            }
            if !report.kept_servers.is_empty() {
                println!(
                    "Kept in the gateway: {} (remove them with --remove-servers, or in the app).",
                    report.kept_servers.join(", ")
                );
            }
            if !report.dry_run {
                println!("Restart {} to load the change.", report.client_name);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": error.to_body() }));
            }
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Asks on the terminal whether to remove the imported servers; without a terminal they are kept.
fn ask_remove_servers() -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return false;
    }
    print!("Also remove the servers this import added from the gateway? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
