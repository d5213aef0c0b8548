//! What can go wrong with a keychain secret, as one `thiserror` enum with stable codes.
//!
//! Messages name the secret and say what to do; none ever contains a secret value. Platform errors from
//! the `keyring` crate are turned into these variants in one place ([`SecretError::from_keyring`]).

/// A keychain operation that failed. [`SecretError::code`] is stable for front ends to branch on.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The name is not `[A-Za-z0-9_.-]{1,128}` or is reserved (starts with `__`).
    #[error(
        "invalid secret name `{name}`: use 1 to 128 letters, digits, `_`, `.` or `-` \
         (names starting with `__` are reserved)"
    )]
    InvalidName {
        /// The rejected name, cut to 64 characters.
        name: String,
    },
    /// An empty value was given; an empty secret would silently become an empty key or token.
    #[error("refusing to store an empty value for `{name}`")]
    EmptyValue {
        /// The secret's name.
        name: String,
    },
    /// No credential store could be reached (Linux: no Secret Service on the D-Bus session bus).
    #[error("cannot reach the OS keychain{}: {detail}. {hint}", about(name), hint = UNAVAILABLE_HINT)]
    Unavailable {
        /// The secret's name.
        name: String,
        /// The platform's reason (never a value).
        detail: String,
    },
    /// The store answered but refused access: locked, a prompt that cannot be shown, or no default
    /// collection.
    #[error("the OS keychain is locked or refused access{}: {detail}. {hint}", about(name), hint = LOCKED_HINT)]
    Locked {
        /// The secret's name.
        name: String,
        /// The platform's reason.
        detail: String,
    },
    /// The stored bytes are not UTF-8 text, so they cannot be used in a config string.
    #[error(
        "the keychain entry `{name}` is not UTF-8 text; store it again with `gateway-core secret set {name}`"
    )]
    NotUtf8 {
        /// The secret's name.
        name: String,
    },
    /// The keychain item listing secret names is not the JSON list this crate writes.
    #[error(
        "the list of secret names kept in the keychain (item `__index__` of service `{service}`) is damaged; \
         secrets themselves are intact: store any secret again to rebuild the list"
    )]
    IndexCorrupt {
        /// The keychain service.
        service: String,
    },
    /// Any other platform failure.
    #[error("keychain error{}: {detail}", about(name))]
    Platform {
        /// The secret's name.
        name: String,
        /// The platform's reason.
        detail: String,
    },
    /// The blocking keychain task could not run to completion (panicked or was cancelled).
    #[error("the keychain task{} did not complete: {detail}", about(name))]
    Task {
        /// The secret's name.
        name: String,
        /// Why the task ended.
        detail: String,
    },
}

/// ` for `NAME`` in a message, or nothing for the gateway's own items (the list of names).
fn about(name: &str) -> String {
    if name.is_empty() || name.starts_with("__") {
        String::new()
    } else {
        format!(" for `{name}`")
    }
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
const UNAVAILABLE_HINT: &str = "Sign in to a macOS user session with a login keychain, then retry";
#[cfg(any(target_os = "macos", target_os = "ios"))]
const LOCKED_HINT: &str = "Unlock the login keychain (Keychain Access), then retry";
#[cfg(windows)]
const UNAVAILABLE_HINT: &str = "Windows Credential Manager must be available for this user; retry \
                                from a normal (non-service) user session";
#[cfg(windows)]
const LOCKED_HINT: &str = "Check Windows Credential Manager for this user, then retry";
#[cfg(not(any(target_os = "macos", target_os = "ios", windows)))]
const UNAVAILABLE_HINT: &str = "Start and unlock a Secret Service (GNOME Keyring, KWallet or KeePassXC) \
                                in this desktop session; on a headless machine run inside \
                                `dbus-run-session` with an unlocked `gnome-keyring-daemon`, or use an \
                                `${env:NAME}` reference instead";
#[cfg(not(any(target_os = "macos", target_os = "ios", windows)))]
const LOCKED_HINT: &str = "Unlock your keyring (GNOME Keyring, KWallet or KeePassXC) and make sure it \
                           has a default collection, then retry";

impl SecretError {
    /// A stable code for front ends (STYLE.md §3).
    pub fn code(&self) -> &'static str {
        match self {
            SecretError::InvalidName { .. } => "secret_invalid_name",
            SecretError::EmptyValue { .. } => "secret_empty_value",
            SecretError::Unavailable { .. } => "keychain_unavailable",
            SecretError::Locked { .. } => "keychain_locked",
            SecretError::NotUtf8 { .. } => "secret_not_utf8",
            SecretError::IndexCorrupt { .. } => "keychain_index_corrupt",
            SecretError::Platform { .. } => "keychain_error",
            SecretError::Task { .. } => "keychain_task_failed",
        }
    }

    /// Whether the keychain itself could not be used (as opposed to a problem with one entry).
    pub fn is_keychain_unusable(&self) -> bool {
        matches!(
            self,
            SecretError::Unavailable { .. } | SecretError::Locked { .. }
        )
    }

    /// What the user can do about an unusable keychain, for this platform; empty for other errors.
    pub fn hint(&self) -> &'static str {
        match self {
            SecretError::Unavailable { .. } => UNAVAILABLE_HINT,
            SecretError::Locked { .. } => LOCKED_HINT,
            _ => "",
        }
    }

    /// A short reason without the hint, for messages that add their own context.
    pub fn short_reason(&self) -> String {
        match self {
            SecretError::Unavailable { detail, .. } => {
                format!("OS keychain unavailable ({detail})")
            }
            SecretError::Locked { detail, .. } => {
                format!("OS keychain locked or access refused ({detail})")
            }
            other => other.to_string(),
        }
    }

    /// Map a `keyring` error for the entry `name`. `NoEntry` is not an error for callers and is handled
    /// before this; should it arrive here it becomes [`SecretError::Platform`].
    pub(crate) fn from_keyring(error: keyring::Error, name: &str) -> Self {
        let name = name.to_owned();
        match error {
            keyring::Error::NoDefaultStore => {
                let detail = match keyring::Entry::store_status() {
                    Err(init) => init.to_string(),
                    Ok(()) => "no credential store is configured".to_owned(),
                };
                SecretError::Unavailable { name, detail }
            }
            keyring::Error::PlatformFailure(e) => SecretError::Unavailable {
                name,
                detail: e.to_string(),
            },
            keyring::Error::NoStorageAccess(e) => SecretError::Locked {
                name,
                detail: e.to_string(),
            },
            keyring::Error::BadEncoding(_) => SecretError::NotUtf8 { name },
            keyring::Error::Ambiguous(items) => SecretError::Platform {
                name,
                detail: format!(
                    "{} keychain items match this name; remove the duplicates with your keychain tool",
                    items.len()
                ),
            },
            // `BadDataFormat` carries the raw bytes in its Debug form: never format the error itself.
            keyring::Error::BadDataFormat(_, _) => SecretError::Platform {
                name,
                detail: "the stored data is malformed".to_owned(),
            },
            keyring::Error::NoEntry => SecretError::Platform {
                name,
                detail: "no such entry".to_owned(),
            },
            other => SecretError::Platform {
                name,
                detail: other.to_string(),
            },
        }
    }
}
