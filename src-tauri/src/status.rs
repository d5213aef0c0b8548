//! How protected the user is, in one read-only snapshot the tray and the home page share: guardrails
//! on/off, which checks each server of the chosen gateway really runs (detectors its provider cannot run
//! do not count, [`gateway_core::config::detectors`]), which apps still run servers directly, tools
//! waiting in quarantine, and what needs attention. Built from gateway-core's config view, client
//! status, restore records and pin store, never by parsing config files here.

use std::path::{Path, PathBuf};

use gateway_core::audit::{AuditEvent, AuditFilter, EventKind};
use gateway_core::clients::import::record::{self, Record, sha256_hex};
use gateway_core::clients::{self, ClientStatus, Context};
use gateway_core::config::detectors::unavailable_reason;
use gateway_core::config::edit::{ConfigView, GuardrailPolicySpec};
use gateway_core::config::schema::GuardrailsProviderSetting;
use gateway_core::config::{ConfigDocument, GuardrailProvider};
use gateway_core::guardrails::pins::{PinStatus, PinStore};
use gateway_core::secrets::Keychain;
use schemars::JsonSchema;
use serde::Serialize;

/// What the tray icon means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mood {
    /// Guardrails on, every server checked, no app around the gateway, nothing waiting.
    On,
    /// Guardrails off.
    Off,
    /// Something leaves calls unchecked or waits for the user (see [`Summary::attention`]).
    Attention,
}

/// Which checks really run on one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ServerChecks {
    pub name: String,
    /// Detectors that block on the input side (empty when the side is off).
    pub input: Vec<String>,
    /// Detectors that block on the output side (empty when the side is off).
    pub output: Vec<String>,
    /// Detectors listed in a policy that the provider cannot run (they never block).
    pub ignored: Vec<String>,
}

impl ServerChecks {
    fn of(
        name: &str,
        input: Option<&GuardrailPolicySpec>,
        output: Option<&GuardrailPolicySpec>,
        provider: GuardrailProvider,
    ) -> Self {
        let mut ignored = Vec::new();
        let mut side = |p: Option<&GuardrailPolicySpec>| -> Vec<String> {
            let Some(p) = p.filter(|p| p.enabled) else {
                return Vec::new();
            };
            let mut runs = Vec::new();
            for d in &p.block {
                if unavailable_reason(provider, d).is_some() {
                    if !ignored.contains(d) {
                        ignored.push(d.clone());
                    }
                } else {
                    runs.push(d.clone());
                }
            }
            runs
        };
        let input = side(input);
        let output = side(output);
        Self {
            name: name.to_owned(),
            input,
            output,
            ignored,
        }
    }

    /// Both sides check something.
    pub fn checked(&self) -> bool {
        !self.input.is_empty() && !self.output.is_empty()
    }
}

/// A client's status plus what the app knows about its import.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ClientProtection {
    #[serde(flatten)]
    pub status: ClientStatus,
    /// The newest restore record (Undo is possible).
    pub import_record: Option<PathBuf>,
    /// The client file differs from what the import wrote (someone else edited it since).
    pub changed_since_import: bool,
}

/// A tool name offered by several servers (gateway-core's `tool_name_collision` audit note): a tool
/// could shadow another, and the one a client reaches may not be the one it meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NameCollision {
    pub tool: String,
    /// The servers the gateway reported it for (each server that offered the name after another did).
    pub servers: Vec<String>,
}

/// The audit detector of that note.
pub const TOOL_NAME_COLLISION: &str = "tool_name_collision";

/// How far back the collision notes count (a gateway writes them again at each tool discovery).
const COLLISIONS_WITHIN: time::Duration = time::Duration::days(1);

/// The collision notes of `gateway_id` in the audit log at `audit_log` within the last day, for the
/// servers in `servers` (a removed server no longer counts).
pub fn name_collisions(
    audit_log: &Path,
    gateway_id: &str,
    servers: &[String],
) -> Vec<NameCollision> {
    let filter = AuditFilter {
        events: vec![EventKind::Error],
        gateway_id: Some(gateway_id.to_owned()),
        since: Some(time::OffsetDateTime::now_utc() - COLLISIONS_WITHIN),
        ..AuditFilter::default()
    };
    let events = gateway_core::audit::read_recent(audit_log, &filter, 5000).unwrap_or_default();
    let mut out: Vec<NameCollision> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e.detectors.iter().any(|d| d == TOOL_NAME_COLLISION))
    {
        let (Some(server), Some(tool)) = (&e.server, &e.tool) else {
            continue;
        };
        if !servers.contains(server) {
            continue;
        }
        match out.iter_mut().find(|c| &c.tool == tool) {
            Some(c) if !c.servers.contains(server) => c.servers.push(server.clone()),
            Some(_) => {}
            None => out.push(NameCollision {
                tool: tool.clone(),
                servers: vec![server.clone()],
            }),
        }
    }
    out
}

/// A snapshot for the tray and the home page (`ProtectionSummary` in the UI's TypeScript).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(rename = "ProtectionSummary")]
pub struct Summary {
    /// `None` when the config could not be read.
    pub guardrails_enabled: Option<bool>,
    /// The provider that runs the checks (`local` or `enkrypt`).
    pub provider: Option<GuardrailsProviderSetting>,
    /// The gateway the snapshot is about (the chosen one, else the first).
    pub gateway_id: Option<String>,
    /// Every gateway of the config.
    pub gateways: Vec<String>,
    /// The chosen gateway's servers and their checks.
    pub servers: Vec<ServerChecks>,
    /// Tools in quarantine.
    pub quarantined: usize,
    /// Tool names the gateway found offered by more than one server of this gateway in the last day.
    pub collisions: Vec<NameCollision>,
    /// Every supported client.
    pub clients: Vec<ClientProtection>,
    /// One sentence per thing that needs the user (empty: all good).
    pub attention: Vec<String>,
    pub mood: Mood,
    pub headline: String,
}

fn provider_of(view: &ConfigView) -> GuardrailProvider {
    match view.guardrails_provider {
        Some(GuardrailsProviderSetting::Local) => GuardrailProvider::Local,
        Some(GuardrailsProviderSetting::Enkrypt) => GuardrailProvider::Enkrypt,
        None if view.enkrypt_api_key_set => GuardrailProvider::Enkrypt,
        None => GuardrailProvider::Local,
    }
}

/// The newest restore record of `client`, and whether the file changed since that import wrote it.
fn import_state(config: &Path, status: &ClientStatus) -> (Option<PathBuf>, bool) {
    let Some(newest) = record::list(&record::folder(config), status.client).pop() else {
        return (None, false);
    };
    let after = std::fs::read(&newest)
        .ok()
        .and_then(|b| serde_json::from_slice::<Record>(&b).ok())
        .map(|r| r.after_sha256);
    let current = status
        .path
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .map(|b| sha256_hex(&b));
    let changed = matches!((after, current), (Some(a), Some(c)) if a != c);
    (Some(newest), changed)
}

/// Every client's status as `gateway-core client status` judges it against the key of `gateway` (the
/// config's first when `None`; its path is the binary entries launch; a key already in the keychain is
/// expected as a `${keyring:…}` reference).
pub fn client_statuses(
    config: &Path,
    sidecar: &Path,
    gateway: Option<&str>,
) -> Vec<ClientProtection> {
    let Ok(mut ctx) = Context::without_key(config) else {
        return Vec::new();
    };
    // From an AppImage the entries run the AppImage, not its changing extraction folder.
    let launcher = gateway_core::platform::appimage::launcher_from_env(
        &std::fs::canonicalize(sidecar).unwrap_or(sidecar.to_path_buf()),
    );
    ctx.gateway_binary = launcher.program;
    ctx.gateway_args = launcher.leading_args;
    if let Ok((key, id)) = clients::entry::gateway_key(config, gateway) {
        ctx.key_delivery = clients::key::current_delivery(&Keychain::new(), &id, &key);
        ctx.gateway_key = Some(key);
    }
    clients::CLIENTS
        .iter()
        .map(|c| {
            let status = clients::status(c, &ctx);
            let (import_record, changed_since_import) = import_state(config, &status);
            ClientProtection {
                status,
                import_record,
                changed_since_import,
            }
        })
        .collect()
}

fn quarantined(config: &Path) -> usize {
    PinStore::for_config(config)
        .list(None)
        .map(|pins| {
            pins.iter()
                .filter(|p| p.status == PinStatus::Quarantined)
                .count()
        })
        .unwrap_or(0)
}

impl Summary {
    /// Reads the config at `config`, its pins, and every client (entries launch `sidecar`), about the
    /// gateway `gateway` (default: the first).
    pub fn collect(config: &Path, sidecar: &Path, gateway: Option<&str>) -> Self {
        let view = ConfigDocument::open(config).ok().map(|d| d.view());
        let clients = if view.is_some() {
            client_statuses(config, sidecar, gateway)
        } else {
            Vec::new()
        };
        let summary = Self::from_parts(view.as_ref(), gateway, quarantined(config), clients);
        let collisions = match &summary.gateway_id {
            Some(id) => {
                let names: Vec<String> = summary.servers.iter().map(|s| s.name.clone()).collect();
                name_collisions(&crate::paths::audit_log_of(config), id, &names)
            }
            None => Vec::new(),
        };
        let mut summary = summary.with_collisions(collisions);
        if view.is_some() {
            let id = summary.gateway_id.clone();
            summary.add_attention(crate::signin::sign_in_attention(config, id.as_deref()));
        }
        summary
    }

    /// The snapshot with `collisions` taken into account (attention, mood, headline).
    pub fn with_collisions(mut self, collisions: Vec<NameCollision>) -> Self {
        self.collisions = collisions;
        self.attention = self.attention_list();
        self.mood = self.compute_mood();
        self.headline = self.compute_headline();
        self
    }

    /// Adds `items` (e.g. servers that need a sign-in) to what needs attention, and recomputes the mood
    /// and headline.
    pub fn add_attention(&mut self, items: Vec<String>) {
        if items.is_empty() || self.guardrails_enabled.is_none() {
            return;
        }
        self.attention.extend(items);
        self.mood = self.compute_mood();
        self.headline = self.compute_headline();
    }

    /// The snapshot from what was read (pure; tested).
    pub fn from_parts(
        view: Option<&ConfigView>,
        gateway: Option<&str>,
        quarantined: usize,
        clients: Vec<ClientProtection>,
    ) -> Self {
        let provider = view.map(provider_of);
        let chosen = view.and_then(|v| {
            gateway
                .and_then(|id| v.gateways.iter().find(|g| g.id == id))
                .or(v.gateways.first())
        });
        let servers: Vec<ServerChecks> = match (chosen, provider) {
            (Some(g), Some(p)) => g
                .servers
                .iter()
                .map(|s| {
                    ServerChecks::of(
                        &s.server_name,
                        s.input_guardrails.as_ref(),
                        s.output_guardrails.as_ref(),
                        p,
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut summary = Self {
            guardrails_enabled: view.map(|v| v.guardrails_enabled),
            provider: provider.map(|p| match p {
                GuardrailProvider::Local => GuardrailsProviderSetting::Local,
                GuardrailProvider::Enkrypt => GuardrailsProviderSetting::Enkrypt,
            }),
            gateway_id: chosen.map(|g| g.id.clone()),
            gateways: view.map_or_else(Vec::new, |v| {
                v.gateways.iter().map(|g| g.id.clone()).collect()
            }),
            servers,
            quarantined,
            collisions: Vec::new(),
            clients,
            attention: Vec::new(),
            mood: Mood::Attention,
            headline: String::new(),
        };
        summary.attention = summary.attention_list();
        summary.mood = summary.compute_mood();
        summary.headline = summary.compute_headline();
        summary
    }

    fn attention_list(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.guardrails_enabled.is_none() {
            out.push("The gateway settings cannot be read.".to_owned());
            return out;
        }
        if self.guardrails_enabled == Some(false) {
            out.push("Guardrails are off: no call is checked.".to_owned());
        }
        for s in self.servers.iter().filter(|s| !s.checked()) {
            let which = match (s.input.is_empty(), s.output.is_empty()) {
                (true, true) => "no checks",
                (true, false) => "no input checks",
                _ => "no output checks",
            };
            out.push(format!("Server {} has {which}.", s.name));
        }
        for s in self.servers.iter().filter(|s| !s.ignored.is_empty()) {
            out.push(format!(
                "Server {} lists checks this provider cannot run: {}.",
                s.name,
                s.ignored.join(", ")
            ));
        }
        if self.quarantined > 0 {
            out.push(format!(
                "{} tool(s) wait for review in quarantine.",
                self.quarantined
            ));
        }
        // One line per set of servers, so two copies of one server read as one finding.
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for c in &self.collisions {
            let servers = c.servers.join(", ");
            match groups.iter_mut().find(|(s, _)| *s == servers) {
                Some((_, tools)) => tools.push(&c.tool),
                None => groups.push((servers, vec![&c.tool])),
            }
        }
        for (servers, tools) in groups {
            out.push(match tools.as_slice() {
                [tool] => format!(
                    "Tool {tool} is offered by more than one server ({servers}): check that each is one you trust."
                ),
                _ => format!(
                    "{} tools are offered by more than one server ({servers}): {}; check that each server is one you trust.",
                    tools.len(),
                    tools.join(", ")
                ),
            });
        }
        for c in &self.clients {
            let s = &c.status;
            if !s.direct_servers.is_empty() {
                out.push(format!(
                    "{} runs {} server(s) directly, unchecked: {}.",
                    s.client_name,
                    s.direct_servers.len(),
                    s.direct_servers.join(", ")
                ));
            }
            if c.changed_since_import {
                out.push(format!(
                    "{}'s settings file changed since the import ({}).",
                    s.client_name,
                    s.path
                        .as_ref()
                        .map_or(String::new(), |p| p.display().to_string())
                ));
            } else if s.state == clients::EntryState::Stale {
                out.push(format!(
                    "{}'s gateway entry was changed outside this app.",
                    s.client_name
                ));
            }
            if s.key_in_plain_text == Some(true) {
                out.push(format!(
                    "{} holds the gateway key in plain text.",
                    s.client_name
                ));
            }
        }
        out
    }

    fn compute_mood(&self) -> Mood {
        match self.guardrails_enabled {
            None => Mood::Attention,
            Some(false) => Mood::Off,
            Some(true) if self.attention.is_empty() => Mood::On,
            Some(true) => Mood::Attention,
        }
    }

    fn compute_headline(&self) -> String {
        match (self.guardrails_enabled, self.attention.first()) {
            (None, _) => "Enkrypt: the gateway settings cannot be read".to_owned(),
            (Some(false), _) => "Enkrypt: guardrails off".to_owned(),
            (Some(true), None) => "Enkrypt: guardrails on, every server checked".to_owned(),
            (Some(true), Some(first)) if self.attention.len() == 1 => format!("Enkrypt: {first}"),
            (Some(true), Some(first)) => {
                format!("Enkrypt: {first} (+{} more)", self.attention.len() - 1)
            }
        }
    }

    /// "3 servers".
    pub fn servers_label(&self) -> String {
        match self.servers.len() {
            1 => "1 server".to_owned(),
            n => format!("{n} servers"),
        }
    }
}

/// "Latest block: server/tool (detectors)" for a block event.
pub fn block_label(event: &AuditEvent) -> String {
    let place = match (&event.server, &event.tool) {
        (Some(s), Some(t)) => format!("{s}/{t}"),
        (Some(s), None) => s.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => "a call".to_owned(),
    };
    let detectors = if event.detectors.is_empty() {
        String::new()
    } else {
        format!(" ({})", event.detectors.join(", "))
    };
    let time = event.ts.get(11..19).unwrap_or(&event.ts);
    format!("Latest block: {place}{detectors} at {time}")
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
