//! `gateway-core tools list|approve|deny`: review tools the gateway quarantined (poisoned definitions,
//! or definitions that changed since they were approved) and decide about them.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::guardrails::pins::{PinStatus, PinStore};

#[derive(Debug, clap::Subcommand)]
pub enum ToolsCommand {
    /// List pinned tools (quarantined ones first) with reasons and the change since approval.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Show every pinned tool, not only quarantined and denied ones.
        #[arg(long)]
        all: bool,
    },
    /// Approve a quarantined tool: it is listed and callable again.
    Approve { server: String, tool: String },
    /// Deny a tool: it stays hidden and refused, even if its definition changes again.
    Deny { server: String, tool: String },
}

pub async fn run(command: ToolsCommand, config: PathBuf) -> ExitCode {
    let store = PinStore::for_config(&config);
    match command {
        ToolsCommand::List { json, all } => list(&store, json, all),
        ToolsCommand::Approve { server, tool } => {
            decide(&store, &server, &tool, PinStatus::Approved)
        }
        ToolsCommand::Deny { server, tool } => decide(&store, &server, &tool, PinStatus::Denied),
    }
}

fn list(store: &PinStore, json: bool, all: bool) -> ExitCode {
    let mut pins = match store.list(None) {
        Ok(pins) => pins,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    pins.retain(|p| all || p.status != PinStatus::Approved);
    pins.sort_by_key(|p| {
        (
            p.status == PinStatus::Approved,
            p.server.clone(),
            p.tool.clone(),
        )
    });
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&pins).unwrap_or_else(|_| "[]".into())
        );
        return ExitCode::SUCCESS;
    }
    if pins.is_empty() {
        println!("No quarantined tools ({}).", store.path().display());
        return ExitCode::SUCCESS;
    }
    for pin in pins {
        println!(
            "{:<12} {}/{}",
            format!("{:?}", pin.status).to_lowercase(),
            pin.server,
            pin.tool
        );
        for reason in &pin.reasons {
            println!("    reason: {reason}");
        }
        if let Some(diff) = &pin.diff {
            for line in diff.lines() {
                println!("    {line}");
            }
        }
    }
    ExitCode::SUCCESS
}

fn decide(store: &PinStore, server: &str, tool: &str, status: PinStatus) -> ExitCode {
    let matching: Vec<_> = match store.list(None) {
        Ok(pins) => pins
            .into_iter()
            .filter(|p| p.server == server && p.tool == tool)
            .collect(),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if matching.is_empty() {
        eprintln!(
            "error: no pinned tool '{tool}' on server '{server}' in {}",
            store.path().display()
        );
        return ExitCode::FAILURE;
    }
    for pin in matching {
        if let Err(error) = store.set_status(&pin.gateway_id, server, tool, status) {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    }
    println!("{server}/{tool}: {}", format!("{status:?}").to_lowercase());
    ExitCode::SUCCESS
}
