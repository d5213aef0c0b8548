//! Deciding what an import does: which found servers are new to the gateway, which it already has
//! (the same server in several clients, or imported before), which names must change, and which
//! values move to the keychain.
//!
//! Identity is what the server *is*: command, arguments and environment (stdio) or URL and headers
//! (remote), compared on resolved values, so a server the gateway already holds with its token in the
//! keychain still matches the client's plaintext copy. Two different servers with one name are both
//! kept: the later one (clients in table order, servers in file order) is renamed
//! `<name>-<client id>`, then `-2`, `-3`… — the same input always gives the same names.

use std::collections::BTreeMap;

use crate::config::{GatewayConfig, JsonPath, UpstreamTransport};
use crate::secret::Sensitive;
use crate::secrets::migrate::FoundSecret;
use crate::secrets::sanitize_name;
use crate::secrets::shape::{is_secret_shaped, should_migrate, split_auth_scheme};

use super::read::{FoundServer, FoundTransport};

/// Where in a server a secret value sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSlot {
    /// `env.<NAME>`.
    Env(String),
    /// `headers.<NAME>`.
    Header(String),
    /// `args[<i>]` (the whole argument, or the value of `--flag=value`).
    Arg(usize),
}

/// A value that moves to the keychain.
#[derive(Debug, Clone)]
pub struct PlannedSecret {
    pub slot: SecretSlot,
    /// Text kept in front of the reference (`Bearer `, `--token=`).
    pub prefix: String,
    /// The keychain entry name (filled in by `name_secrets`).
    pub name: String,
    pub value: Sensitive<String>,
}

/// What happens to one found server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Added to the gateway under `name`.
    Add { name: String },
    /// The gateway already has it as `name`: nothing added.
    Existing { name: String },
}

impl Disposition {
    pub fn gateway_name(&self) -> &str {
        match self {
            Disposition::Add { name } | Disposition::Existing { name } => name,
        }
    }
}

/// The identity of a server: what it runs or where it connects, with every value resolved.
pub fn identity(transport: &FoundTransport) -> String {
    serde_json::to_string(&match transport {
        FoundTransport::Stdio { command, args, env } => {
            serde_json::json!({"stdio": {"command": command, "args": args, "env": env}})
        }
        FoundTransport::Http { url, headers } => {
            serde_json::json!({"http": {"url": url, "headers": headers}})
        }
    })
    .unwrap_or_default()
}

/// The identity of a server the gateway config already has (values resolved by the loader).
pub fn identity_of_config(transport: &UpstreamTransport) -> String {
    let expose = |m: &BTreeMap<String, Sensitive<String>>| -> BTreeMap<String, String> {
        m.iter()
            .map(|(k, v)| (k.clone(), v.expose().clone()))
            .collect()
    };
    identity(&match transport {
        UpstreamTransport::Stdio { command, args, env } => FoundTransport::Stdio {
            command: command.clone(),
            args: args.clone(),
            env: expose(env),
        },
        UpstreamTransport::Http { url, headers, .. } => FoundTransport::Http {
            url: url.clone(),
            headers: expose(headers),
        },
    })
}

/// Assigns gateway names: the servers the gateway has (`existing`: name → identity) and those placed
/// so far in this import are taken into account.
#[derive(Debug, Default)]
pub struct Namer {
    by_name: BTreeMap<String, String>,
}

impl Namer {
    /// A namer that knows the servers of the chosen gateway.
    pub fn new(config: &GatewayConfig, gateway: usize) -> Self {
        let by_name = config
            .gateways
            .get(gateway)
            .map(|g| {
                g.servers
                    .iter()
                    .map(|s| (s.server_name.clone(), identity_of_config(&s.transport)))
                    .collect()
            })
            .unwrap_or_default();
        Self { by_name }
    }

    /// Where `server` (found in `client_id`'s file) goes.
    pub fn place(&mut self, server: &FoundServer, client_id: &str) -> Disposition {
        let id = identity(&server.transport);
        if let Some((name, _)) = self.by_name.iter().find(|(_, known)| **known == id) {
            return Disposition::Existing { name: name.clone() };
        }
        let base = if server.name.trim().is_empty() {
            "server".to_owned()
        } else {
            server.name.clone()
        };
        let mut candidates = std::iter::once(base.clone())
            .chain(std::iter::once(format!("{base}-{client_id}")))
            .chain((2..).map(|n| format!("{base}-{client_id}-{n}")));
        let name = candidates
            .find(|c| !self.by_name.contains_key(c))
            .unwrap_or(base);
        self.by_name.insert(name.clone(), id);
        Disposition::Add { name }
    }
}

/// The values of `server` that belong in the keychain, with suggested entry names
/// (`<gateway name>.<VAR>`), not yet checked against the keychain.
pub fn find_secrets(server: &FoundServer, gateway_name: &str) -> Vec<PlannedSecret> {
    let mut out = Vec::new();
    let suggest = |what: &str| sanitize_name(&format!("{gateway_name}.{what}"), 128);
    match &server.transport {
        FoundTransport::Stdio { args, env, .. } => {
            for (var, value) in env {
                if should_migrate(var, value) {
                    let (prefix, secret) = split_auth_scheme(value);
                    out.push(PlannedSecret {
                        slot: SecretSlot::Env(var.clone()),
                        prefix: prefix.to_owned(),
                        name: suggest(var),
                        value: Sensitive::new(secret.to_owned()),
                    });
                }
            }
            for (i, arg) in args.iter().enumerate() {
                if arg.contains("${") {
                    continue;
                }
                let (prefix, value, label) = match arg.split_once('=') {
                    Some((flag, value)) if flag.starts_with('-') => (
                        format!("{flag}="),
                        value,
                        flag.trim_start_matches('-').to_owned(),
                    ),
                    _ => (String::new(), arg.as_str(), format!("arg{i}")),
                };
                let flagged = !prefix.is_empty() && should_migrate(&label, value);
                if flagged || is_secret_shaped(value) {
                    out.push(PlannedSecret {
                        slot: SecretSlot::Arg(i),
                        prefix,
                        name: suggest(&label),
                        value: Sensitive::new(value.to_owned()),
                    });
                }
            }
        }
        FoundTransport::Http { headers, .. } => {
            for (header, value) in headers {
                if should_migrate(header, value) {
                    let (prefix, secret) = split_auth_scheme(value);
                    out.push(PlannedSecret {
                        slot: SecretSlot::Header(header.clone()),
                        prefix: prefix.to_owned(),
                        name: suggest(header),
                        value: Sensitive::new(secret.to_owned()),
                    });
                }
            }
        }
    }
    out
}

/// The same secrets in the shape `secrets::migrate` names them in (its clash rules are reused).
pub fn as_found(secrets: &[PlannedSecret]) -> Vec<FoundSecret> {
    secrets
        .iter()
        .map(|s| FoundSecret {
            path: JsonPath::root(),
            suggested_name: s.name.clone(),
            kept_prefix: s.prefix.clone(),
            value: s.value.clone(),
        })
        .collect()
}

/// `server`'s transport with each secret replaced by its `${keyring:…}` reference.
pub fn with_references(server: &FoundServer, secrets: &[PlannedSecret]) -> FoundTransport {
    let reference = |s: &PlannedSecret| format!("{}${{keyring:{}}}", s.prefix, s.name);
    let mut transport = server.transport.clone();
    for s in secrets {
        match (&mut transport, &s.slot) {
            (FoundTransport::Stdio { env, .. }, SecretSlot::Env(var)) => {
                env.insert(var.clone(), reference(s));
            }
            (FoundTransport::Stdio { args, .. }, SecretSlot::Arg(i)) => {
                if let Some(arg) = args.get_mut(*i) {
                    *arg = reference(s);
                }
            }
            (FoundTransport::Http { headers, .. }, SecretSlot::Header(h)) => {
                headers.insert(h.clone(), reference(s));
            }
            _ => {}
        }
    }
    transport
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(name: &str, command: &str, env: &[(&str, &str)]) -> FoundServer {
        FoundServer {
            name: name.into(),
            transport: FoundTransport::Stdio {
                command: command.into(),
                args: vec![],
                env: env
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
            },
        }
    }

    #[test]
    fn the_same_server_twice_is_placed_once_and_clashing_names_are_renamed() {
        let mut namer = Namer::default();
        let a = stdio("github", "npx", &[("T", "1")]);
        assert_eq!(
            namer.place(&a, "claude-desktop"),
            Disposition::Add {
                name: "github".into()
            }
        );
        assert_eq!(
            namer.place(&a.clone(), "cursor"),
            Disposition::Existing {
                name: "github".into()
            }
        );
        let b = stdio("github", "npx", &[("T", "2")]);
        assert_eq!(
            namer.place(&b, "cursor"),
            Disposition::Add {
                name: "github-cursor".into()
            }
        );
        let c = stdio("github", "other", &[]);
        assert_eq!(
            namer.place(&c, "cursor"),
            Disposition::Add {
                name: "github-cursor-2".into()
            }
        );
    }

    #[test]
    fn secrets_are_found_in_env_headers_and_args_and_replaced_by_references() {
        let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        let server = FoundServer {
            name: "gh".into(),
            transport: FoundTransport::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), format!("--token={token}"), "plain".into()],
                env: BTreeMap::from([
                    ("GITHUB_TOKEN".into(), token.into()),
                    ("LOG_LEVEL".into(), "debug".into()),
                ]),
            },
        };
        let found = find_secrets(&server, "gh");
        assert_eq!(found.len(), 2, "{found:?}");
        let t = with_references(&server, &found);
        let FoundTransport::Stdio { args, env, .. } = t else {
            panic!("stdio")
        };
        assert_eq!(env["GITHUB_TOKEN"], "${keyring:gh.GITHUB_TOKEN}");
        assert_eq!(env["LOG_LEVEL"], "debug");
        assert_eq!(args[1], "--token=${keyring:gh.token}");
        assert_eq!(args[2], "plain");
        let remote = FoundServer {
            name: "r".into(),
            transport: FoundTransport::Http {
                url: "https://x/mcp".into(),
                headers: BTreeMap::from([("Authorization".into(), format!("Bearer {token}"))]),
            },
        };
        let found = find_secrets(&remote, "r");
        assert_eq!(found[0].prefix, "Bearer ");
        let FoundTransport::Http { headers, .. } = with_references(&remote, &found) else {
            panic!("http")
        };
        assert_eq!(
            headers["Authorization"],
            "Bearer ${keyring:r.Authorization}"
        );
    }
}
