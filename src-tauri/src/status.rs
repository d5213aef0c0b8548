//! The one-glance state the tray shows: guardrails on/off, how many servers, tools waiting in
//! quarantine, whether the config can be read, and the latest block. Read-only: built from gateway-core's
//! config view and pin store, never by parsing files here.

use std::path::Path;

use gateway_core::audit::AuditEvent;
use gateway_core::config::ConfigDocument;
use gateway_core::guardrails::pins::{PinStatus, PinStore};

/// What the tray icon means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    /// Guardrails on, nothing waiting.
    On,
    /// Guardrails off.
    Off,
    /// The config cannot be read, or tools wait in quarantine.
    Attention,
}

/// A snapshot for the tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `None` when the config could not be read.
    pub guardrails_enabled: Option<bool>,
    /// Servers over all gateways.
    pub servers: usize,
    /// Tools in quarantine.
    pub quarantined: usize,
}

impl Summary {
    /// Reads the config at `config` and its pin file.
    pub fn collect(config: &Path) -> Self {
        let view = ConfigDocument::open(config).ok().map(|d| d.view());
        let quarantined = PinStore::for_config(config)
            .list(None)
            .map(|pins| {
                pins.iter()
                    .filter(|p| p.status == PinStatus::Quarantined)
                    .count()
            })
            .unwrap_or(0);
        Self {
            guardrails_enabled: view.as_ref().map(|v| v.guardrails_enabled),
            servers: view
                .as_ref()
                .map_or(0, |v| v.gateways.iter().map(|g| g.servers.len()).sum()),
            quarantined,
        }
    }

    /// The icon state.
    pub fn mood(&self) -> Mood {
        match self.guardrails_enabled {
            None => Mood::Attention,
            Some(_) if self.quarantined > 0 => Mood::Attention,
            Some(true) => Mood::On,
            Some(false) => Mood::Off,
        }
    }

    /// The tray tooltip / first line.
    pub fn headline(&self) -> String {
        match (self.guardrails_enabled, self.quarantined) {
            (None, _) => "Enkrypt: the gateway settings cannot be read".to_owned(),
            (Some(_), n) if n > 0 => format!("Enkrypt: {n} tool(s) waiting for review"),
            (Some(true), _) => "Enkrypt: guardrails on".to_owned(),
            (Some(false), _) => "Enkrypt: guardrails off".to_owned(),
        }
    }

    /// "3 servers".
    pub fn servers_label(&self) -> String {
        match self.servers {
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
mod tests {
    use super::*;

    fn summary(enabled: Option<bool>, quarantined: usize) -> Summary {
        Summary {
            guardrails_enabled: enabled,
            servers: 1,
            quarantined,
        }
    }

    #[test]
    fn mood_follows_guardrails_and_quarantine() {
        assert_eq!(summary(Some(true), 0).mood(), Mood::On);
        assert_eq!(summary(Some(false), 0).mood(), Mood::Off);
        assert_eq!(summary(Some(true), 2).mood(), Mood::Attention);
        assert_eq!(summary(None, 0).mood(), Mood::Attention);
        assert_eq!(summary(Some(true), 0).servers_label(), "1 server");
    }

    #[test]
    fn missing_config_needs_attention() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Summary::collect(&dir.path().join("none.json"));
        assert_eq!(s.mood(), Mood::Attention);
        assert_eq!(s.servers, 0);
    }

    #[test]
    fn block_label_names_place_and_detectors() {
        let event: AuditEvent = serde_json::from_value(serde_json::json!({
            "ts": "2026-01-02T10:11:12.123Z", "event": "block", "gateway_id": "g",
            "server": "echo", "tool": "echo", "decision": "blocked",
            "detectors": ["injection_attack"]
        }))
        .expect("event");
        assert_eq!(
            block_label(&event),
            "Latest block: echo/echo (injection_attack) at 10:11:12"
        );
    }
}
