//! Config commands: the editor's view, typed edits ([`gateway_core::config::ConfigEdit`]) saved
//! atomically by gateway-core, dry-run validation for inline messages, and `check-config` by the sidecar.
//!
//! [`apply_edit`] ([`crate::actions`]) is also what the tray's "Guardrails on/off" calls, so both front
//! ends write the file the same way. Running gateways pick edits up themselves (hot reload lives in gateway-core).

use gateway_core::config::edit::ConfigView;
use gateway_core::config::{ConfigDocument, ConfigEdit, Diagnostic};
use schemars::JsonSchema;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::sidecar;

pub use crate::actions::{announce_change, apply_edit, check_edit};

/// The switches and every gateway's servers.
#[tauri::command]
pub async fn config_view(paths: State<'_, AppPaths>) -> Result<ConfigView, IpcError> {
    let config = paths.config.clone();
    blocking(move || Ok(ConfigDocument::open(&config)?.view())).await
}

/// Apply one edit and save; returns the new view.
#[tauri::command]
pub async fn config_edit(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    edit: ConfigEdit,
) -> Result<ConfigView, IpcError> {
    let config = paths.config.clone();
    let view = blocking(move || apply_edit(&config, edit)).await?;
    announce_change(&app);
    Ok(view)
}

/// Validate an edit without saving it (inline form messages).
#[tauri::command]
pub async fn config_check_edit(
    paths: State<'_, AppPaths>,
    edit: ConfigEdit,
) -> Result<Vec<Diagnostic>, IpcError> {
    let config = paths.config.clone();
    blocking(move || check_edit(&config, edit)).await
}

/// The sidecar's `check-config` verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckReport {
    /// Exit status 0.
    pub valid: bool,
    /// What it printed (stdout then stderr).
    pub output: String,
}

/// Run `gateway-core check-config` on the app's config.
#[tauri::command]
pub async fn config_check(
    app: AppHandle,
    paths: State<'_, AppPaths>,
) -> Result<CheckReport, IpcError> {
    let out = sidecar::run(&app, &paths.config, &["check-config"]).await?;
    Ok(CheckReport {
        valid: out.succeeded(),
        output: format!("{}{}", out.stdout, out.stderr),
    })
}

/// One detector as the Guardrails page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DetectorInfo {
    pub name: &'static str,
    /// The provider runs it.
    pub available: bool,
    /// Why it cannot run (one line), when it cannot.
    pub reason: Option<&'static str>,
}

/// Every known detector and whether `provider` (`local` or `enkrypt`) can run it, from
/// [`gateway_core::config::detectors`] (the same table the config loader warns from).
pub fn detectors_for(provider: &str) -> Result<Vec<DetectorInfo>, IpcError> {
    use gateway_core::config::GuardrailProvider;
    use gateway_core::config::detectors::{ENKRYPT_ONLY, LOCAL, unavailable_reason};
    let provider = match provider {
        "local" => GuardrailProvider::Local,
        "enkrypt" => GuardrailProvider::Enkrypt,
        other => {
            return Err(IpcError::new(
                "unknown_provider",
                format!("unknown guardrail provider `{other}` (local or enkrypt)"),
            ));
        }
    };
    Ok(LOCAL
        .iter()
        .chain(ENKRYPT_ONLY)
        .map(|&name| {
            let reason = unavailable_reason(provider, name);
            DetectorInfo {
                name,
                available: reason.is_none(),
                reason,
            }
        })
        .collect())
}

/// The detectors `provider` can and cannot run.
#[tauri::command]
pub async fn guardrail_detectors(provider: String) -> Result<Vec<DetectorInfo>, IpcError> {
    detectors_for(&provider)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_offers_only_what_the_offline_engine_runs() {
        let local = detectors_for("local").expect("local");
        let on: Vec<&str> = local
            .iter()
            .filter(|d| d.available)
            .map(|d| d.name)
            .collect();
        assert_eq!(on, gateway_core::config::detectors::LOCAL);
        let hallucination = local
            .iter()
            .find(|d| d.name == "hallucination")
            .expect("listed");
        assert!(hallucination.reason.is_some_and(|r| r.contains("Enkrypt")));
        assert!(
            detectors_for("enkrypt")
                .expect("enkrypt")
                .iter()
                .all(|d| d.available)
        );
        assert_eq!(
            detectors_for("other").expect_err("unknown").code,
            "unknown_provider"
        );
    }

    /// The UI's page tests answer `guardrail_detectors` from this file: it must be the engine's table.
    #[test]
    fn the_page_tests_fixture_is_the_engines_table() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../../ui/e2e/detectors.json")).expect("json");
        for provider in ["local", "enkrypt"] {
            let ours =
                serde_json::to_value(detectors_for(provider).expect("provider")).expect("value");
            assert_eq!(
                fixture[provider], ours,
                "ui/e2e/detectors.json is out of date for {provider}"
            );
        }
    }

    const CONFIG: &str = r#"{
  "common_mcp_gateway_config": {"enkrypt_guardrails_enabled": false},
  "gateways": {"test-key-0123456789abcdef": {"id": "gw", "mcp_config": []}}
}"#;

    #[test]
    fn guardrails_toggle_is_written_to_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.json");
        std::fs::write(&path, CONFIG).expect("write");
        let view =
            apply_edit(&path, ConfigEdit::SetGuardrailsEnabled { enabled: true }).expect("edit");
        assert!(view.guardrails_enabled);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains("\"enkrypt_guardrails_enabled\": true"),
            "{text}"
        );
    }

    #[test]
    fn a_failing_edit_has_a_stable_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.json");
        std::fs::write(&path, CONFIG).expect("write");
        let error = apply_edit(
            &path,
            ConfigEdit::RemoveServer {
                gateway: None,
                server_name: "nope".into(),
            },
        )
        .expect_err("no such server");
        assert_eq!(error.code, "server_not_found");
        let missing = apply_edit(
            &dir.path().join("missing.json"),
            ConfigEdit::SetGuardrailsEnabled { enabled: true },
        )
        .expect_err("missing");
        assert_eq!(missing.code, "config_not_found");
    }
}
