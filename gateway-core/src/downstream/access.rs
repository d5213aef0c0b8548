//! Tool access rules of one server: the reference's `tools` allow-list, then `denied_tools` globs.
//!
//! The same check runs when tools are listed (refused tools are hidden) and when they are called (a
//! refused call says why), for direct tools and `enkrypt_secure_call_tools` alike.

use globset::{Glob, GlobMatcher};

use crate::config::ServerConfig;

/// Why a tool is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not in the server's non-empty `tools` allow-list.
    NotAllowed { tool: String, server: String },
    /// Matched a `denied_tools` pattern.
    Denied {
        tool: String,
        pattern: String,
        reason: Option<String>,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotAllowed { tool, server } => write!(
                f,
                "Tool '{tool}' is not allowed for server '{server}': it is not in the server's `tools` allow-list"
            ),
            Refusal::Denied {
                tool,
                pattern,
                reason,
            } => {
                write!(f, "Tool '{tool}' is denied")?;
                match reason {
                    Some(reason) => write!(f, ": {reason}"),
                    None => write!(f, " by the `denied_tools` pattern '{pattern}'"),
                }
            }
        }
    }
}

struct DenyRule {
    pattern: String,
    reason: Option<String>,
    matcher: Option<GlobMatcher>,
}

/// Compiled access rules of one server.
pub struct AccessPolicy {
    server: String,
    allow: Vec<String>,
    deny: Vec<DenyRule>,
}

impl AccessPolicy {
    pub fn new(server: &ServerConfig) -> Self {
        let deny = server
            .denied_tools
            .iter()
            .map(|d| DenyRule {
                pattern: d.pattern.clone(),
                reason: d.reason.clone(),
                // An invalid glob still matches its literal text (fail closed).
                matcher: Glob::new(&d.pattern).ok().map(|g| g.compile_matcher()),
            })
            .collect();
        Self {
            server: server.server_name.clone(),
            allow: server.tools.keys().cloned().collect(),
            deny,
        }
    }

    /// Whether the server has an explicit allow-list (the reference's "tools defined in config").
    pub fn has_allow_list(&self) -> bool {
        !self.allow.is_empty()
    }

    /// `Ok` when `tool` may be listed and called.
    pub fn check(&self, tool: &str) -> Result<(), Refusal> {
        if !self.allow.is_empty() && !self.allow.iter().any(|a| a == tool) {
            return Err(Refusal::NotAllowed {
                tool: tool.to_string(),
                server: self.server.clone(),
            });
        }
        for rule in &self.deny {
            let hit = match &rule.matcher {
                Some(m) => m.is_match(tool),
                None => rule.pattern == tool,
            };
            if hit {
                return Err(Refusal::Denied {
                    tool: tool.to_string(),
                    pattern: rule.pattern.clone(),
                    reason: rule.reason.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DeniedTool, GuardrailPolicy, UpstreamTransport};
    use serde_json::{Map, Value, json};

    fn server(tools: Value, denied: Vec<DeniedTool>) -> ServerConfig {
        ServerConfig {
            server_name: "s".into(),
            description: String::new(),
            transport: UpstreamTransport::Stdio {
                command: "x".into(),
                args: vec![],
                env: Default::default(),
            },
            tools: tools.as_object().cloned().unwrap_or_else(Map::new),
            denied_tools: denied,
            input_guardrails: GuardrailPolicy::default(),
            output_guardrails: GuardrailPolicy::default(),
            raw: Value::Null,
        }
    }

    #[test]
    fn empty_allow_list_allows_everything() {
        let p = AccessPolicy::new(&server(json!({}), vec![]));
        assert!(p.check("anything").is_ok());
    }

    #[test]
    fn allow_list_is_enforced() {
        let p = AccessPolicy::new(&server(json!({"echo": "Echo back"}), vec![]));
        assert!(p.check("echo").is_ok());
        assert!(matches!(p.check("crash"), Err(Refusal::NotAllowed { .. })));
    }

    #[test]
    fn deny_globs_apply_after_the_allow_list_with_their_reason() {
        let p = AccessPolicy::new(&server(
            json!({}),
            vec![DeniedTool {
                pattern: "delete_*".into(),
                reason: Some("destructive".into()),
            }],
        ));
        assert!(p.check("delete_all").is_err());
        assert_eq!(
            p.check("delete_all").map_err(|r| r.to_string()),
            Err("Tool 'delete_all' is denied: destructive".to_string())
        );
        assert!(p.check("read").is_ok());
    }
}
