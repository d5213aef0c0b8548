//! The one error shape that crosses IPC: `{code, message, detail?, diagnostics?}` (STYLE.md §3).
//!
//! `code` is a stable string the UI branches on (gateway-core's own codes where they exist), `message`
//! is gateway-core's sentence, `diagnostics` carries config findings for inline validation. The UI turns
//! `code` into a sentence for non-technical users and keeps `message` one click away. No `Debug` dumps
//! and never a secret value: every message comes from gateway-core types that already mask keys.

use gateway_core::config::schema::DiagnosticShape;
use gateway_core::config::{Diagnostic, EditError};
use schemars::JsonSchema;
use serde::Serialize;

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema, thiserror::Error)]
#[error("{code}: {message}")]
pub struct IpcError {
    /// Stable machine-readable code.
    pub code: String,
    /// For people; the UI shows it behind "details".
    pub message: String,
    /// Extra text (e.g. the sidecar's stderr), when there is any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Config findings (with JSON paths) when `code` is `invalid_config`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<DiagnosticShape>")]
    pub diagnostics: Vec<Diagnostic>,
}

impl IpcError {
    /// An error with a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            detail: None,
            diagnostics: Vec::new(),
        }
    }

    /// The same error with `detail` attached.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        if !detail.trim().is_empty() {
            self.detail = Some(detail);
        }
        self
    }

    /// A background task that panicked or was cancelled.
    pub fn task(error: impl std::fmt::Display) -> Self {
        Self::new(
            "task_failed",
            format!("the operation did not complete: {error}"),
        )
    }
}

impl From<EditError> for IpcError {
    fn from(error: EditError) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
            detail: None,
            diagnostics: error.diagnostics().to_vec(),
        }
    }
}

impl From<gateway_core::secrets::SecretError> for IpcError {
    fn from(error: gateway_core::secrets::SecretError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<gateway_core::clients::ClientError> for IpcError {
    fn from(error: gateway_core::clients::ClientError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<gateway_core::guardrails::pins::PinError> for IpcError {
    fn from(error: gateway_core::guardrails::pins::PinError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<gateway_core::audit::FollowError> for IpcError {
    fn from(error: gateway_core::audit::FollowError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<gateway_core::setup::SetupError> for IpcError {
    fn from(error: gateway_core::setup::SetupError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

/// Runs blocking gateway-core work (file I/O, keychain D-Bus calls) off the async runtime.
pub async fn blocking<T, F>(work: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(IpcError::task)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message_without_empty_fields() {
        let value = serde_json::to_value(IpcError::new("io", "disk full")).expect("serializable");
        assert_eq!(
            value,
            serde_json::json!({"code": "io", "message": "disk full"})
        );
    }

    #[test]
    fn blank_detail_is_dropped() {
        assert_eq!(IpcError::new("x", "y").with_detail("  \n").detail, None);
        assert_eq!(
            IpcError::new("x", "y")
                .with_detail("stderr")
                .detail
                .as_deref(),
            Some("stderr")
        );
    }
}
