//! Running the bundled `gateway-core` binary (the sidecar) for the jobs that must be done by it: client
//! installs (the client's entry launches the binary that wrote it, so the entry points at the sidecar,
//! not at this app) and `check-config` (the exact verdict the gateway itself will reach).
//!
//! Spawned from Rust through `tauri-plugin-shell`, so the webview needs no shell permission. The app
//! never runs the sidecar as an MCP server: MCP traffic goes from clients to their own gateway-core.

use std::path::Path;

use serde_json::Value;
use tauri::AppHandle;
use tauri_plugin_shell::ShellExt;

use crate::error::IpcError;
use crate::paths::SIDECAR_NAME;

/// What a sidecar run printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarOutput {
    /// Exit status (`None` when killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl SidecarOutput {
    /// Whether the run exited 0.
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `gateway-core --config <config> <args…>` and collects its output.
pub async fn run(app: &AppHandle, config: &Path, args: &[&str]) -> Result<SidecarOutput, IpcError> {
    let config = config.to_string_lossy().into_owned();
    let command = app.shell().sidecar(SIDECAR_NAME).map_err(|e| {
        IpcError::new(
            "sidecar_missing",
            format!("the bundled gateway-core program cannot be found: {e}"),
        )
    })?;
    let output = command
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .await
        .map_err(|e| {
            IpcError::new(
                "sidecar_failed",
                format!("gateway-core could not be started: {e}"),
            )
        })?;
    Ok(SidecarOutput {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// The JSON document a `--json` run printed, or its `{"error": {code, message}}` as an [`IpcError`].
pub fn json_result(output: &SidecarOutput) -> Result<Value, IpcError> {
    let parsed: Option<Value> = serde_json::from_str(output.stdout.trim()).ok();
    match parsed {
        Some(Value::Object(map)) if map.contains_key("error") => {
            let error = &map["error"];
            let code = error["code"].as_str().unwrap_or("sidecar_failed");
            let message = error["message"]
                .as_str()
                .unwrap_or("gateway-core reported an error");
            Err(IpcError::new(code, message).with_detail(output.stderr.clone()))
        }
        Some(value) if output.succeeded() => Ok(value),
        _ => Err(IpcError::new(
            "sidecar_failed",
            format!(
                "gateway-core exited with status {} without a result",
                output
                    .code
                    .map_or_else(|| "(signal)".to_owned(), |c| c.to_string())
            ),
        )
        .with_detail(format!("{}{}", output.stdout, output.stderr))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stdout: &str, stderr: &str) -> SidecarOutput {
        SidecarOutput {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn json_result_of_a_success() {
        let v = json_result(&out(0, "{\"change\": \"added_entry\"}\n", "")).expect("ok");
        assert_eq!(v["change"], "added_entry");
    }

    #[test]
    fn json_error_keeps_the_sidecar_code() {
        let e = json_result(&out(
            1,
            r#"{"error": {"code": "malformed_client_config", "message": "bad json"}}"#,
            "error: bad json\n",
        ))
        .expect_err("error");
        assert_eq!(e.code, "malformed_client_config");
        assert_eq!(e.message, "bad json");
        assert_eq!(e.detail.as_deref(), Some("error: bad json\n"));
    }

    #[test]
    fn garbage_output_is_a_sidecar_failure_with_detail() {
        let e = json_result(&out(2, "", "panicked")).expect_err("error");
        assert_eq!(e.code, "sidecar_failed");
        assert!(e.detail.as_deref().is_some_and(|d| d.contains("panicked")));
    }
}
