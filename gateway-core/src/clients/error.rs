//! Why a client config could not be read, judged or written: one error type with a stable `code()`.
//!
//! Every message names the file and says what the user can do; none contains the gateway key. The
//! desktop app receives errors as `{code, message}` ([`ErrorBody`], or `ClientError` serialized).

use std::path::PathBuf;

use serde::Serialize;

use super::paths::PathError;
use crate::config::ConfigError;
use crate::files::FileError;

/// An error from a client install, uninstall or status.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No client has this id.
    #[error("unknown client `{id}` (known: {})", super::ids().collect::<Vec<_>>().join(", "))]
    UnknownClient {
        /// The id given.
        id: String,
    },
    /// The config file's location could not be computed (no home folder).
    #[error("cannot locate {client}'s config file: {source}")]
    Path {
        /// The client's display name.
        client: &'static str,
        /// Why.
        #[source]
        source: PathError,
    },
    /// The existing file is not JSON, or not the shape the client uses. It is never modified.
    #[error("{}", malformed_message(path, *line, *column, detail))]
    Malformed {
        /// The client config file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
        /// What is wrong.
        detail: String,
    },
    /// The file is marked read-only; we do not override that.
    #[error(
        "{} is read-only; it was left unchanged (make it writable, e.g. `chmod u+w`, and try again)",
        path.display()
    )]
    ReadOnly {
        /// The client config file.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The client config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The atomic write (or its backup) failed; the previous file is intact.
    #[error("{source} (the previous file is intact)")]
    Write {
        /// The failure, naming the file.
        #[from]
        source: FileError,
    },
    /// The advisory lock next to the file could not be taken.
    #[error("cannot lock {}: {source}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another program kept rewriting the file while we edited it.
    #[error(
        "{} kept changing while it was being edited (is the client rewriting it?); nothing was written, try again",
        path.display()
    )]
    Busy {
        /// The client config file.
        path: PathBuf,
    },
    /// The running gateway-core binary could not be located.
    #[error("cannot find the path of the running gateway-core binary: {source}")]
    CurrentExe {
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A path to be written into the entry is not valid UTF-8 (JSON strings must be).
    #[error("path is not valid UTF-8, so it cannot be written to a client config: {}", path.display())]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// The gateway config could not be loaded.
    #[error("{source}")]
    GatewayConfig {
        /// The config error (with its diagnostics).
        #[from]
        source: ConfigError,
    },
    /// The gateway config defines no gateway, so there is no key to install.
    #[error("{} defines no gateway (no key to give the client); add one or run `gateway-core init`", path.display())]
    NoGateway {
        /// The gateway config file.
        path: PathBuf,
    },
    /// `--gateway ID` names no gateway of the config.
    #[error("{} has no gateway with id `{id}` (its gateways: {})", path.display(), known.join(", "))]
    UnknownGateway {
        /// The id given.
        id: String,
        /// The gateway config file.
        path: PathBuf,
        /// The ids it has.
        known: Vec<String>,
    },
    /// The gateway key could not be stored in, or read back from, the OS keychain.
    #[error("cannot keep the gateway key in the OS keychain: {reason}")]
    Keychain {
        /// Why (never the key).
        reason: String,
    },
    /// The operation needs the gateway key, but the context has none.
    #[error("the gateway key is unknown (the gateway config could not be read)")]
    NoGatewayKey,
}

fn malformed_message(
    path: &std::path::Path,
    line: Option<usize>,
    column: Option<usize>,
    detail: &str,
) -> String {
    let at = match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    };
    format!(
        "{}{at}: {detail}; the file was left unchanged (fix it, or move it away, and try again)",
        path.display()
    )
}

impl ClientError {
    /// A stable code for front ends to branch on (STYLE.md §3).
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::UnknownClient { .. } => "client_unknown",
            ClientError::Path { .. } => "client_path_unknown",
            ClientError::Malformed { .. } => "client_config_malformed",
            ClientError::ReadOnly { .. } => "client_config_read_only",
            ClientError::Read { .. } => "client_config_unreadable",
            ClientError::Write { .. } => "client_config_write_failed",
            ClientError::Lock { .. } => "client_config_lock_failed",
            ClientError::Busy { .. } => "client_config_busy",
            ClientError::CurrentExe { .. } => "gateway_binary_unknown",
            ClientError::NonUtf8Path { .. } => "path_not_utf8",
            ClientError::GatewayConfig { source } => source.code(),
            ClientError::NoGateway { .. } => "gateway_config_no_gateway",
            ClientError::NoGatewayKey => "gateway_key_unknown",
            ClientError::UnknownGateway { .. } => "gateway_not_found",
            ClientError::Keychain { .. } => "keychain_unavailable",
        }
    }

    /// The `{code, message}` form shown by the UI.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

/// An error as the UI sees it: a stable `code` to branch on and a `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl Serialize for ClientError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_body().serialize(serializer)
    }
}
