//! Extra tools loaded from `--tools-file`.
//!
//! The file is a JSON array of `{name, description, inputSchema}` objects, the shape of a
//! `tools/list` entry. Each becomes a tool that answers with its own arguments as JSON text.
//! Tests use it for tool poisoning (descriptions carrying instructions) and for servers with
//! hundreds of tools. This module parses and checks the file; [`crate::server`] turns the
//! definitions into routes.

use std::path::Path;

use anyhow::Context as _;
use rmcp::model::JsonObject;
use serde::Deserialize;

/// One extra tool definition, as written in the file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtraTool {
    /// Tool name; must not clash with a built-in tool or another extra tool.
    pub name: String,
    /// Description shown in `tools/list`, passed through verbatim.
    #[serde(default)]
    pub description: Option<String>,
    /// JSON Schema of the arguments; `{"type": "object"}` when absent.
    #[serde(default = "any_object_schema")]
    pub input_schema: JsonObject,
}

fn any_object_schema() -> JsonObject {
    let mut schema = JsonObject::new();
    schema.insert("type".into(), "object".into());
    schema
}

/// Read and parse a tools file.
pub fn load(path: &Path) -> anyhow::Result<Vec<ExtraTool>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading tools file {}", path.display()))?;
    parse(&text).with_context(|| format!("parsing tools file {}", path.display()))
}

/// Parse the contents of a tools file and reject duplicate names.
pub fn parse(text: &str) -> anyhow::Result<Vec<ExtraTool>> {
    let tools: Vec<ExtraTool> =
        serde_json::from_str(text).context("expected a JSON array of tool definitions")?;
    let mut seen = std::collections::HashSet::new();
    for tool in &tools {
        anyhow::ensure!(!tool.name.is_empty(), "a tool has an empty name");
        anyhow::ensure!(
            seen.insert(tool.name.as_str()),
            "tool {:?} is defined twice",
            tool.name
        );
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_schema_defaults_to_any_object() -> anyhow::Result<()> {
        let tools = parse(r#"[{"name": "a", "description": "d"}]"#)?;
        assert_eq!(tools[0].input_schema, any_object_schema());
        assert_eq!(tools[0].description.as_deref(), Some("d"));
        Ok(())
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let error =
            parse(r#"[{"name": "a"}, {"name": "a"}]"#).expect_err("duplicates must be rejected");
        assert!(error.to_string().contains("defined twice"), "{error}");
    }

    #[test]
    fn a_non_array_is_rejected() {
        assert!(parse(r#"{"name": "a"}"#).is_err());
    }
}
