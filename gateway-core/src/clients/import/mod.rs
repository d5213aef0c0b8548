//! `client import` and `client restore`: moving the servers a client already runs behind the gateway,
//! and undoing it.
//!
//! An import reads each chosen client's file ([`read`]), decides per server whether the gateway gets it,
//! already has it, or must rename it ([`plan`]), then, in an order where a crash at any point leaves
//! every file either old or new:
//! 1. stores secret env/header/arg values in the keychain and reads each back;
//! 2. adds the new servers to the gateway config (protective checks on, [`GuardrailPolicySpec::protected`])
//!    through the validated, atomic [`ConfigDocument`] save;
//! 3. per client, under the client file's lock: saves a restore record ([`record`], no plaintext secret)
//!    and replaces the file with one where the moved servers are gone and the gateway entry is present
//!    (everything else kept, key order too). No `.bak` copy is made of a file that held secrets: the
//!    record is the backup.
//!
//! [`restore`] puts a client file back from its newest record: byte-identical when the file is still
//! what the import wrote; otherwise it refuses (unless forced) and names the record. Malformed client
//! files are refused untouched with their line. The CLI and the desktop app both call this module.

pub mod plan;
pub mod read;
pub mod record;
mod restore;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use super::edit::{self, ShapeError, WriteMode};
use super::entry::{self, Context};
use super::{ClientError, ClientSpec, ENTRY_NAME, ErrorBody, KeyDelivery};
use crate::config::edit::{GatewayRef, GuardrailPolicySpec, ServerSpec, TransportSpec};
use crate::config::{ConfigDocument, ConfigEdit, EditError, Segment};
use crate::secrets::{SecretError, SecretStore};
use plan::{Disposition, Namer, PlannedSecret, SecretSlot};
use read::{FoundServer, FoundTransport, Skipped};

pub use read::{SkipReason, points_at_gateway};
pub use restore::{RestoreOptions, RestoreOutcome, RestoreReport, restore};

/// Why an import or restore stopped. Files are unchanged unless the message says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Config(#[from] EditError),
    #[error("the gateway config cannot be used: {0}")]
    ConfigLoad(#[from] crate::config::ConfigError),
    #[error("{0}; nothing was changed")]
    Secret(#[from] SecretError),
    #[error(
        "the keychain did not return the value just stored under `{name}`; nothing was changed"
    )]
    Verify { name: String },
    #[error(transparent)]
    Record(#[from] record::RecordError),
    #[error(
        "no import of {client} to undo (no restore record in {})",
        dir.display()
    )]
    NoRecord { client: &'static str, dir: PathBuf },
    #[error(
        "{} has changed since the import (by you or by the client), so it was not restored; the \
         state before the import is saved in {} (secrets are in the keychain); run again with \
         --force to put it back anyway, losing the changes made since",
        path.display(),
        record.display()
    )]
    ChangedSinceImport { path: PathBuf, record: PathBuf },
}

impl ImportError {
    /// A stable code for front ends.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Client(e) => e.code(),
            ImportError::Config(e) => e.code(),
            ImportError::ConfigLoad(e) => e.code(),
            ImportError::Secret(e) => e.code(),
            ImportError::Verify { .. } => "keychain_verify_failed",
            ImportError::Record(_) => "restore_record_unusable",
            ImportError::NoRecord { .. } => "nothing_to_restore",
            ImportError::ChangedSinceImport { .. } => "client_config_changed",
        }
    }

    /// The `{code, message}` form.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

/// What happened to one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientOutcome {
    /// Servers moved behind the gateway (or would, in a dry run), gateway entry in place.
    Imported,
    /// Nothing to move; the gateway entry is in place.
    NothingToImport,
    /// The client has no config file.
    NoFile,
    /// The file was refused (malformed, unreadable…); see `error`. It is unchanged.
    Failed,
}

/// A value moved to the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SecretMove {
    /// `env.GITHUB_TOKEN`, `headers.Authorization`, `args[2]`.
    pub field: String,
    /// The keychain entry.
    pub keychain: String,
}

/// One server of a client file that moves behind the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImportedServer {
    /// Its name in the client.
    pub name: String,
    /// Its name in the gateway.
    pub gateway_name: String,
    /// Whether this import adds it (`false`: the gateway already has it).
    pub added: bool,
    /// Stdio command or URL, for display.
    pub target: String,
    /// Values moved to the keychain.
    pub secrets: Vec<SecretMove>,
}

/// The result for one client.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClientImport {
    pub client: &'static str,
    pub client_name: &'static str,
    pub path: Option<PathBuf>,
    pub outcome: ClientOutcome,
    pub servers: Vec<ImportedServer>,
    /// Entries left in the client, with why.
    pub skipped: Vec<Skipped>,
    /// Whether the client file was written.
    pub written: bool,
    /// The restore record (`client restore` uses it).
    pub record: Option<PathBuf>,
    /// Why the file was refused.
    pub error: Option<ErrorBody>,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub gateway_config: PathBuf,
    pub gateway_id: String,
    /// Servers added to the gateway, with the checks they got.
    pub added: Vec<String>,
    /// The detectors each new server blocks on, input and output.
    pub default_checks: Vec<String>,
    pub clients: Vec<ClientImport>,
    /// How the gateway key is given to the clients.
    pub key_delivery: KeyDelivery,
}

impl ImportReport {
    /// Whether any client's file was refused.
    pub fn any_failed(&self) -> bool {
        self.clients
            .iter()
            .any(|c| c.outcome == ClientOutcome::Failed)
    }
}

/// What an import needs besides the clients.
pub struct ImportOptions<'a> {
    /// The install context: paths, binary, config, key and its delivery.
    pub ctx: &'a Context,
    /// The chosen gateway's id.
    pub gateway_id: &'a str,
    pub mode: WriteMode,
    /// Where secrets go (the OS keychain).
    pub store: &'a dyn SecretStore,
    /// `Err(reason)` when the keychain cannot be used: servers with secrets then stay in the client.
    pub keychain: Result<(), String>,
}

/// One client's file, read and planned.
struct ClientPlan {
    client: &'static ClientSpec,
    path: PathBuf,
    /// Wrapped servers: found server, its gateway name, its secrets.
    wrapped: Vec<(FoundServer, Disposition, Vec<PlannedSecret>)>,
    skipped: Vec<Skipped>,
}

/// Imports the servers of `clients` into the gateway (see the module docs).
pub fn import(
    clients: &[&'static ClientSpec],
    opts: &ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    let ctx = opts.ctx;
    let config = crate::secrets::load_config(&ctx.gateway_config)?;
    let gateway_index = config
        .gateways
        .iter()
        .position(|g| g.id == opts.gateway_id)
        .ok_or_else(|| ClientError::UnknownGateway {
            id: opts.gateway_id.to_owned(),
            path: ctx.gateway_config.clone(),
            known: config.gateways.iter().map(|g| g.id.clone()).collect(),
        })?;
    let mut namer = Namer::new(&config, gateway_index);
    let home = super::paths::home(&ctx.env)
        .ok()
        .map(|h| h.to_string_lossy().into_owned());

    let mut results = Vec::new();
    let mut plans = Vec::new();
    for client in clients {
        match read_client(client, ctx, home.as_deref(), &mut namer, opts) {
            Ok(Some(plan)) => plans.push(plan),
            Ok(None) => results.push(ClientImport {
                client: client.id,
                client_name: client.display_name,
                path: client.config_path(ctx.os, &ctx.env).ok(),
                outcome: ClientOutcome::NoFile,
                servers: Vec::new(),
                skipped: Vec::new(),
                written: false,
                record: None,
                error: None,
            }),
            Err(error) => results.push(ClientImport {
                client: client.id,
                client_name: client.display_name,
                path: client.config_path(ctx.os, &ctx.env).ok(),
                outcome: ClientOutcome::Failed,
                servers: Vec::new(),
                skipped: Vec::new(),
                written: false,
                record: None,
                error: Some(error.to_body()),
            }),
        }
    }

    let dry_run = opts.mode == WriteMode::DryRun;
    name_secrets(&mut plans, opts.store, dry_run)?;
    // The servers to add, once each, in plan order.
    let mut added: Vec<(String, FoundServer, Vec<PlannedSecret>)> = Vec::new();
    for plan in &plans {
        for (found, disposition, secrets) in &plan.wrapped {
            if let Disposition::Add { name } = disposition
                && !added.iter().any(|(n, _, _)| n == name)
            {
                added.push((name.clone(), found.clone(), secrets.clone()));
            }
        }
    }

    if !dry_run {
        store_secrets(&plans, opts.store)?;
        add_to_gateway(&ctx.gateway_config, opts.gateway_id, &added)?;
    }
    let added_names: Vec<String> = added.iter().map(|(n, _, _)| n.clone()).collect();
    for plan in plans {
        results.push(finish_client(plan, &added_names, opts)?);
    }
    // Report clients in the order they were asked for.
    results.sort_by_key(|r| clients.iter().position(|c| c.id == r.client));
    Ok(ImportReport {
        dry_run,
        gateway_config: ctx.gateway_config.clone(),
        gateway_id: opts.gateway_id.to_owned(),
        added: added_names,
        default_checks: GuardrailPolicySpec::protected().block,
        clients: results,
        key_delivery: ctx.key_delivery.clone(),
    })
}

/// Reads and plans one client; `None` when it has no file.
fn read_client(
    client: &'static ClientSpec,
    ctx: &Context,
    home: Option<&str>,
    namer: &mut Namer,
    opts: &ImportOptions<'_>,
) -> Result<Option<ClientPlan>, ClientError> {
    let path = client.config_path(ctx.os, &ctx.env)?;
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ClientError::Read { path, source }),
    };
    let doc = edit::parse(&path, &bytes)?;
    if let Some(other) = doc.get(client.servers_key).filter(|v| !v.is_object()) {
        let shape = ShapeError {
            path: crate::config::JsonPath::root().key(client.servers_key),
            detail: format!(
                "`{}` is {}; {} expects an object of servers",
                client.servers_key,
                edit::kind(other),
                client.display_name
            ),
        };
        return Err(edit::shape_error(&path, &bytes, shape));
    }
    let (found, mut skipped) = read::servers(client, &doc, home);
    let mut wrapped = Vec::new();
    for server in found {
        if let Err(reason) = &opts.keychain {
            let secrets = plan::find_secrets(&server, &server.name);
            if let Some(first) = secrets.first() {
                skipped.push(Skipped {
                    name: server.name.clone(),
                    reason: SkipReason::NoKeychain,
                    detail: format!(
                        "holds a secret ({}) and no OS keychain is usable to keep it ({reason})",
                        slot_label(&first.slot)
                    ),
                });
                continue;
            }
        }
        let disposition = namer.place(&server, client.id);
        let secrets = plan::find_secrets(&server, disposition.gateway_name());
        wrapped.push((server, disposition, secrets));
    }
    Ok(Some(ClientPlan {
        client,
        path,
        wrapped,
        skipped,
    }))
}

fn slot_label(slot: &SecretSlot) -> String {
    match slot {
        SecretSlot::Env(v) => format!("env.{v}"),
        SecretSlot::Header(h) => format!("headers.{h}"),
        SecretSlot::Arg(i) => format!("args[{i}]"),
    }
}

/// Final keychain names for every secret of every plan (the same value shares a name; a name holding
/// another value gets a suffix), using `secrets::migrate`'s rules.
fn name_secrets(
    plans: &mut [ClientPlan],
    store: &dyn SecretStore,
    dry_run: bool,
) -> Result<(), ImportError> {
    let all: Vec<PlannedSecret> = plans
        .iter()
        .flat_map(|p| p.wrapped.iter().flat_map(|(_, _, s)| s.iter().cloned()))
        .collect();
    let mut warning = None;
    let names =
        crate::secrets::migrate::plan_names(&plan::as_found(&all), store, dry_run, &mut warning)?;
    let mut names = names.into_iter();
    for plan in plans.iter_mut() {
        for (_, _, secrets) in plan.wrapped.iter_mut() {
            for secret in secrets.iter_mut() {
                if let Some((name, _)) = names.next() {
                    secret.name = name;
                }
            }
        }
    }
    Ok(())
}

/// Stores every planned secret and reads each back.
fn store_secrets(plans: &[ClientPlan], store: &dyn SecretStore) -> Result<(), ImportError> {
    let mut done: BTreeMap<&str, &str> = BTreeMap::new();
    for plan in plans {
        for secret in plan.wrapped.iter().flat_map(|(_, _, s)| s) {
            if done.get(secret.name.as_str()) == Some(&secret.value.expose().as_str()) {
                continue;
            }
            if store.get(&secret.name)?.as_deref() != Some(secret.value.expose().as_str()) {
                store.set(&secret.name, secret.value.expose())?;
                if store.get(&secret.name)?.as_deref() != Some(secret.value.expose().as_str()) {
                    return Err(ImportError::Verify {
                        name: secret.name.clone(),
                    });
                }
            }
            done.insert(&secret.name, secret.value.expose());
        }
    }
    Ok(())
}

fn transport_spec(transport: FoundTransport) -> TransportSpec {
    match transport {
        FoundTransport::Stdio { command, args, env } => TransportSpec::Stdio { command, args, env },
        FoundTransport::Http { url, headers } => TransportSpec::Http {
            url,
            headers,
            oauth: None,
        },
    }
}

/// Adds the new servers to the chosen gateway with the protective default checks.
fn add_to_gateway(
    config: &Path,
    gateway_id: &str,
    added: &[(String, FoundServer, Vec<PlannedSecret>)],
) -> Result<(), ImportError> {
    if added.is_empty() {
        return Ok(());
    }
    let mut doc = ConfigDocument::open(config)?;
    for (name, found, secrets) in added {
        let transport = plan::with_references(found, secrets);
        let server = ServerSpec {
            server_name: name.clone(),
            description: format!("Imported from an MCP client ({})", found.name),
            transport: transport_spec(transport),
            tools: Map::new(),
            denied_tools: Vec::new(),
            input_guardrails: Some(GuardrailPolicySpec::protected()),
            output_guardrails: Some(GuardrailPolicySpec::protected()),
        };
        doc.apply(ConfigEdit::AddServer {
            gateway: Some(GatewayRef {
                id: gateway_id.to_owned(),
            }),
            server,
        })?;
    }
    doc.save()?;
    Ok(())
}

fn target(found: &FoundServer) -> String {
    match &found.transport {
        FoundTransport::Stdio { command, args, .. } => {
            let mut shown = vec![command.as_str()];
            shown.extend(args.iter().take(3).map(String::as_str));
            if args.len() > 3 {
                shown.push("…");
            }
            // Arguments that are secrets are never shown.
            shown
                .iter()
                .map(|a| {
                    if crate::secrets::shape::is_secret_shaped(a) {
                        "****"
                    } else {
                        a
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        FoundTransport::Http { url, .. } => url.split('?').next().unwrap_or(url).to_owned(),
    }
}

/// The JSON path of a secret's literal in the client file.
fn literal_path(client: &ClientSpec, server: &str, slot: &SecretSlot) -> Vec<Segment> {
    let mut path = vec![
        Segment::Key(client.servers_key.to_owned()),
        Segment::Key(server.to_owned()),
    ];
    match slot {
        SecretSlot::Env(var) => {
            path.extend([Segment::Key("env".into()), Segment::Key(var.clone())])
        }
        SecretSlot::Header(h) => {
            path.extend([Segment::Key("headers".into()), Segment::Key(h.clone())])
        }
        SecretSlot::Arg(i) => path.extend([Segment::Key("args".into()), Segment::Index(*i)]),
    }
    path
}

/// Writes (or, dry, describes) one client's new file and its restore record.
fn finish_client(
    plan: ClientPlan,
    added: &[String],
    opts: &ImportOptions<'_>,
) -> Result<ClientImport, ImportError> {
    let client = plan.client;
    let servers: Vec<ImportedServer> = plan
        .wrapped
        .iter()
        .map(|(found, disposition, secrets)| ImportedServer {
            name: found.name.clone(),
            gateway_name: disposition.gateway_name().to_owned(),
            added: matches!(disposition, Disposition::Add { .. }),
            target: target(found),
            secrets: secrets
                .iter()
                .map(|s| SecretMove {
                    field: slot_label(&s.slot),
                    keychain: s.name.clone(),
                })
                .collect(),
        })
        .collect();
    let outcome = if servers.is_empty() {
        ClientOutcome::NothingToImport
    } else {
        ClientOutcome::Imported
    };
    let wanted = entry::build_entry(client, opts.ctx)?;
    let wrapped_names: Vec<String> = plan
        .wrapped
        .iter()
        .map(|(f, _, _)| f.name.clone())
        .collect();
    let removals: Vec<record::Removal> = plan
        .wrapped
        .iter()
        .flat_map(|(found, _, secrets)| {
            secrets.iter().map(|s| record::Removal {
                path: literal_path(client, &found.name, &s.slot),
                name: s.name.clone(),
                prefix: s.prefix.clone(),
                value: crate::secret::Sensitive::new(format!("{}{}", s.prefix, s.value.expose())),
            })
        })
        .collect();
    let wrapped_in_gateway: Vec<String> = plan
        .wrapped
        .iter()
        .map(|(_, d, _)| d.gateway_name().to_owned())
        .collect();
    let this_added: Vec<String> = plan
        .wrapped
        .iter()
        .filter_map(|(_, d, _)| match d {
            Disposition::Add { name } if added.contains(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut saved_record = None;
    let update = edit::update_json_file_with(
        &plan.path,
        opts.mode,
        // The record is the backup; a `.bak` copy would keep the moved secrets in plain text.
        false,
        |doc| {
            let servers = doc
                .entry(client.servers_key)
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(servers) = servers else {
                return Err(ShapeError {
                    path: crate::config::JsonPath::root().key(client.servers_key),
                    detail: format!("`{}` is not an object", client.servers_key),
                });
            };
            for name in &wrapped_names {
                servers.shift_remove(name);
            }
            let merged = entry::merge_entry(servers.get(ENTRY_NAME), wanted.clone());
            servers.insert(ENTRY_NAME.to_owned(), merged);
            Ok(())
        },
        |before, after| {
            let record = record::build(
                client.id,
                &plan.path,
                opts.gateway_id,
                this_added.clone(),
                wrapped_in_gateway.clone(),
                before.unwrap_or_default(),
                after,
                &removals,
                opts.store,
            )
            .map_err(|e| ClientError::Keychain {
                reason: e.to_string(),
            })?;
            let dir = record::folder(&opts.ctx.gateway_config);
            let saved = record.save(&dir).map_err(|e| ClientError::Keychain {
                reason: e.to_string(),
            })?;
            saved_record = Some(saved);
            Ok(())
        },
    )?;
    Ok(ClientImport {
        client: client.id,
        client_name: client.display_name,
        path: Some(update.path),
        outcome,
        servers,
        skipped: plan.skipped,
        written: update.written,
        record: saved_record,
        error: None,
    })
}

/// Whether `name` is a server that a live restore record of another client than `except` wrapped.
pub(crate) fn used_by_other_import(config: &Path, except: &str, name: &str) -> bool {
    let dir = record::folder(config);
    super::CLIENTS
        .iter()
        .filter(|c| c.id != except)
        .flat_map(|c| record::list(&dir, c.id))
        .filter_map(|p| record::Record::load(&p).ok())
        .any(|r| {
            r.added_servers
                .iter()
                .chain(&r.wrapped_servers)
                .any(|s| s == name)
        })
}
