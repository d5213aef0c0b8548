//! Reading the servers a client already has: each entry of its servers object becomes a
//! [`FoundServer`] (stdio or remote), or a [`Skipped`] with the reason it stays in the client.
//!
//! One reader for every client's dialect: `{command, args, env}` (Claude Desktop, Cursor, Windsurf),
//! `{type: "stdio"|"http"|"sse", …}` (VS Code, Claude Code), remote `url` / `serverUrl` (Windsurf) /
//! `httpUrl` with `headers`. Placeholders are translated only where the meaning is certain:
//! `${env:NAME}` stays (the gateway resolves it the same way), Claude Code's `${NAME}` becomes
//! `${env:NAME}`, `${userHome}` becomes the home folder; anything else (VS Code `${input:…}`,
//! `${workspaceFolder}`, `${NAME:-default}`) cannot be resolved outside the client, so that server is
//! left where it is. Entries that change how a server runs in ways the gateway cannot honour (`cwd`,
//! `envFile`) or that are disabled are left too. Nothing here touches the keychain or a file.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::clients::{ClientSpec, ENTRY_NAME, GATEWAY_KEY_ENV};

/// How a found server is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundTransport {
    /// A local program.
    Stdio {
        command: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
    },
    /// A remote server (streamable HTTP, or legacy SSE).
    Http {
        url: String,
        headers: BTreeMap<String, String>,
    },
}

/// One server entry of a client file that can move behind the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundServer {
    /// Its name (key) in the client file.
    pub name: String,
    /// How to run or reach it, placeholders translated.
    pub transport: FoundTransport,
}

/// Why an entry stays in the client file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Our own entry, or another entry that already launches a gateway.
    AlreadyGateway,
    /// `disabled: true` in the client.
    Disabled,
    /// A placeholder only the client can fill in (`${input:…}`, `${workspaceFolder}`…).
    ClientPlaceholder,
    /// A setting the gateway cannot honour (`cwd`, `envFile`).
    Unsupported,
    /// Not an object, or neither a command nor a URL.
    Unusable,
    /// It holds a secret and no keychain can keep it out of plain files.
    NoKeychain,
}

/// An entry left in the client, with a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Skipped {
    pub name: String,
    pub reason: SkipReason,
    pub detail: String,
}

/// The servers of `client`'s parsed document: those that can move, and those that stay.
pub fn servers(
    client: &ClientSpec,
    doc: &Map<String, Value>,
    home: Option<&str>,
) -> (Vec<FoundServer>, Vec<Skipped>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let Some(Value::Object(entries)) = doc.get(client.servers_key) else {
        return (found, skipped);
    };
    let dialect = Dialect {
        bare_env_vars: client.id == "claude-code",
        home,
        env_is_set: &|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()),
    };
    for (name, value) in entries {
        match read_entry(name, value, &dialect) {
            Ok(server) => found.push(server),
            Err((reason, detail)) => skipped.push(Skipped {
                name: name.clone(),
                reason,
                detail,
            }),
        }
    }
    (found, skipped)
}

/// Whether an entry launches a gateway already: ours (gateway-core), or any entry that hands a gateway
/// key over (`ENKRYPT_GATEWAY_KEY`, as the reference's Python gateway does).
pub fn points_at_gateway(entry: &Value) -> bool {
    let Some(obj) = entry.as_object() else {
        return false;
    };
    let is_gateway_core = |s: &str| {
        let file = s.rsplit(['/', '\\']).next().unwrap_or(s);
        file == "gateway-core" || file == "gateway-core.exe" || file.starts_with("gateway-core-")
    };
    let command = obj.get("command").and_then(Value::as_str).unwrap_or("");
    let args_hit = obj
        .get("args")
        .and_then(Value::as_array)
        .is_some_and(|args| args.iter().filter_map(Value::as_str).any(is_gateway_core));
    let key_hit = obj
        .get("env")
        .and_then(Value::as_object)
        .is_some_and(|env| env.contains_key(GATEWAY_KEY_ENV));
    is_gateway_core(command) || args_hit || key_hit
}

struct Dialect<'a> {
    /// Claude Code expands `${NAME}` from its environment.
    bare_env_vars: bool,
    /// For `${userHome}`.
    home: Option<&'a str>,
    /// Whether an environment variable is set here: a reference to an unset one would make the whole
    /// gateway config fail to load, so such a server stays in the client.
    env_is_set: &'a dyn Fn(&str) -> bool,
}

type Refusal = (SkipReason, String);

fn read_entry(name: &str, value: &Value, dialect: &Dialect<'_>) -> Result<FoundServer, Refusal> {
    if name == ENTRY_NAME || points_at_gateway(value) {
        return Err((
            SkipReason::AlreadyGateway,
            "already runs through a gateway".into(),
        ));
    }
    let Some(obj) = value.as_object() else {
        return Err((SkipReason::Unusable, "the entry is not an object".into()));
    };
    if obj.get("disabled").and_then(Value::as_bool) == Some(true) {
        return Err((
            SkipReason::Disabled,
            "disabled in this client; left as it is".into(),
        ));
    }
    for key in ["cwd", "envFile", "env_file"] {
        if obj.contains_key(key) {
            return Err((
                SkipReason::Unsupported,
                format!("uses `{key}`, which the gateway cannot apply to its servers yet"),
            ));
        }
    }
    let url = ["url", "serverUrl", "httpUrl"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str));
    let command = obj.get("command").and_then(Value::as_str);
    let transport = match (command, url) {
        (Some(command), _) if !command.trim().is_empty() => FoundTransport::Stdio {
            command: translate(command, dialect, "command")?,
            args: strings(obj.get("args"), dialect, "args")?,
            env: string_map(obj.get("env"), dialect, "env")?,
        },
        (_, Some(url)) if !url.trim().is_empty() => FoundTransport::Http {
            url: translate(url, dialect, "url")?,
            headers: string_map(obj.get("headers"), dialect, "headers")?,
        },
        _ => {
            return Err((
                SkipReason::Unusable,
                "has neither a `command` nor a `url`".into(),
            ));
        }
    };
    Ok(FoundServer {
        name: name.to_owned(),
        transport,
    })
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(
    value: Option<&Value>,
    dialect: &Dialect<'_>,
    field: &str,
) -> Result<Vec<String>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match scalar(item) {
                Some(s) => translate(&s, dialect, field),
                None => Err((
                    SkipReason::Unusable,
                    format!("`{field}` holds a non-text value"),
                )),
            })
            .collect(),
        Some(_) => Err((SkipReason::Unusable, format!("`{field}` is not a list"))),
    }
}

fn string_map(
    value: Option<&Value>,
    dialect: &Dialect<'_>,
    field: &str,
) -> Result<BTreeMap<String, String>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match scalar(v) {
                Some(s) => Ok((k.clone(), translate(&s, dialect, field)?)),
                None => Err((
                    SkipReason::Unusable,
                    format!("`{field}.{k}` is not a text value"),
                )),
            })
            .collect(),
        Some(_) => Err((SkipReason::Unusable, format!("`{field}` is not an object"))),
    }
}

/// `text` with the client's placeholders turned into the gateway's, or the refusal naming the one that
/// cannot be.
fn translate(text: &str, dialect: &Dialect<'_>, field: &str) -> Result<String, Refusal> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..end];
        let env_name = inner
            .strip_prefix("env:")
            .or_else(|| (dialect.bare_env_vars && is_env_name(inner)).then_some(inner));
        if let Some(name) = env_name.filter(|n| !(dialect.env_is_set)(n)) {
            return Err((
                SkipReason::ClientPlaceholder,
                format!("`{field}` uses the environment variable `{name}`, which is not set here"),
            ));
        }
        if inner.starts_with("env:") || inner.starts_with("keyring:") {
            out.push_str(&rest[start..start + 3 + end]);
        } else if inner == "userHome" && dialect.home.is_some() {
            out.push_str(dialect.home.unwrap_or_default());
        } else if dialect.bare_env_vars && is_env_name(inner) {
            out.push_str("${env:");
            out.push_str(inner);
            out.push('}');
        } else {
            return Err((
                SkipReason::ClientPlaceholder,
                format!("`{field}` uses `${{{inner}}}`, which only the client can fill in"),
            ));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(id: &str) -> &'static ClientSpec {
        crate::clients::find(id).expect("known client")
    }

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn reads_stdio_and_remote_entries_of_every_dialect() {
        let d = doc(json!({"mcpServers": {
            "fs": {"command": "npx", "args": ["-y", "@scope/fs", 3], "env": {"A": "1", "N": 2}},
            "remote": {"serverUrl": "https://x.example/mcp", "headers": {"X-Api-Key": "k"}},
            "typed": {"type": "http", "url": "https://y.example/mcp"}
        }}));
        let (found, skipped) = servers(client("windsurf"), &d, None);
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].transport,
            FoundTransport::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), "@scope/fs".into(), "3".into()],
                env: BTreeMap::from([("A".into(), "1".into()), ("N".into(), "2".into())]),
            }
        );
        assert!(
            matches!(&found[1].transport, FoundTransport::Http { url, headers }
            if url == "https://x.example/mcp" && headers["X-Api-Key"] == "k")
        );
        assert!(matches!(&found[2].transport, FoundTransport::Http { .. }));
    }

    #[test]
    fn leaves_gateways_disabled_entries_and_unfillable_placeholders() {
        let d = doc(json!({"servers": {
            "Enkrypt Secure MCP Gateway": {"command": "/opt/x/gateway-core"},
            "python-gw": {"command": "uv", "args": ["run"], "env": {"ENKRYPT_GATEWAY_KEY": "k"}},
            "off": {"command": "x", "disabled": true},
            "input": {"type": "stdio", "command": "x", "env": {"T": "${input:token}"}},
            "ws": {"command": "x", "args": ["${workspaceFolder}"]},
            "cwd": {"command": "x", "cwd": "/tmp"},
            "junk": 3,
            "env-ok": {"command": "x", "env": {"T": "${env:PATH}"}}
        }}));
        let (found, skipped) = servers(client("vscode"), &d, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].name, "env-ok");
        let reasons: Vec<SkipReason> = skipped.iter().map(|s| s.reason).collect();
        assert_eq!(
            reasons,
            [
                SkipReason::AlreadyGateway,
                SkipReason::AlreadyGateway,
                SkipReason::Disabled,
                SkipReason::ClientPlaceholder,
                SkipReason::ClientPlaceholder,
                SkipReason::Unsupported,
                SkipReason::Unusable,
            ]
        );
        assert!(
            skipped[3].detail.contains("${input:token}"),
            "{}",
            skipped[3].detail
        );
    }

    #[test]
    fn claude_code_bare_variables_become_env_references() {
        let d = doc(
            json!({"mcpServers": {"s": {"type": "stdio", "command": "${PATH}/bin/s",
            "env": {"K": "${env:PATH}"}}}}),
        );
        let (found, _) = servers(client("claude-code"), &d, Some("/home/u"));
        let FoundTransport::Stdio { command, env, .. } = &found[0].transport else {
            panic!("stdio");
        };
        assert_eq!(command, "${env:PATH}/bin/s");
        assert_eq!(env["K"], "${env:PATH}");
        // A variable that is not set here would break the whole gateway config: the server stays.
        let d = doc(json!({"mcpServers": {"s": {"type": "stdio", "command": "x",
            "env": {"K": "${ENKRYPT_TEST_SURELY_UNSET_VARIABLE}"}}}}));
        let (found, skipped) = servers(client("claude-code"), &d, None);
        assert!(found.is_empty());
        assert!(
            skipped[0].detail.contains("is not set here"),
            "{}",
            skipped[0].detail
        );
        // Elsewhere a bare `${X}` is not ours to translate.
        let (found, skipped) = servers(client("cursor"), &d_cursor(), Some("/home/u"));
        assert!(found.is_empty());
        assert_eq!(skipped[0].reason, SkipReason::ClientPlaceholder);
        let d = doc(json!({"mcpServers": {"h": {"command": "${userHome}/bin/h"}}}));
        let (found, _) = servers(client("cursor"), &d, Some("/home/u"));
        assert!(
            matches!(&found[0].transport, FoundTransport::Stdio { command, .. } if command == "/home/u/bin/h")
        );
    }

    fn d_cursor() -> Map<String, Value> {
        doc(json!({"mcpServers": {"s": {"command": "x", "env": {"K": "${API_KEY}"}}}}))
    }
}
