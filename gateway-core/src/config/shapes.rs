//! Small value types shared by the config's editing API (`edit`) and its generated schema
//! (`schema`): the spelling of settings the UI picks from, and the wire shape of a diagnostic.
//! Both modules use them; neither needs the other for them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `common_mcp_gateway_config.tool_exposure`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToolExposureSetting {
    /// Direct tools (`<server>__<tool>`) plus the reference's six gateway tools.
    #[default]
    Both,
    /// Only the direct tools.
    Direct,
    /// Exactly the reference's surface: the six gateway tools.
    Meta,
}

impl ToolExposureSetting {
    /// The spelling in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ToolExposureSetting::Both => "both",
            ToolExposureSetting::Direct => "direct",
            ToolExposureSetting::Meta => "meta",
        }
    }
}

/// One validation finding (error or warning) and where it is.
// The wire shape of `config::Diagnostic`, which only derives `Serialize`; a test keeps them equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Diagnostic")]
pub struct DiagnosticShape {
    pub severity: SeverityShape,
    pub location: LocationShape,
    /// For people.
    pub message: String,
}

/// How bad a finding is: an error fails the load, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Severity")]
pub enum SeverityShape {
    Warning,
    Error,
}

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Location")]
pub struct LocationShape {
    /// JSONPath-style, gateway keys masked: `$.gateways["…a1b2"].mcp_config[0].config`.
    pub json_path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

/// Guardrail provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailsProviderSetting {
    /// Offline detectors in the gateway.
    Local,
    /// The Enkrypt guardrails API (needs `enkrypt_api_key`).
    Enkrypt,
}

impl GuardrailsProviderSetting {
    /// The spelling in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardrailsProviderSetting::Local => "local",
            GuardrailsProviderSetting::Enkrypt => "enkrypt",
        }
    }
}
