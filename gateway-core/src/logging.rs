//! Logging on stderr: the level comes from `ENKRYPT_LOG_LEVEL` or `RUST_LOG` when set, else from the
//! config's `enkrypt_log_level` (the reference's `INFO`, `DEBUG`, `WARNING`, `ERROR`, `CRITICAL`), else
//! `info`.
//!
//! [`init`] installs the subscriber with a reloadable filter; [`apply_config_level`] sets the config's
//! level once a config is loaded (and again on hot reload) unless the environment chose one. stdout is
//! never written here: it carries the protocol.

use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;

type Handle = reload::Handle<EnvFilter, tracing_subscriber::Registry>;

/// The reload handle, present only when the environment left the level to the config.
static CONFIG_CONTROLLED: OnceLock<Handle> = OnceLock::new();

/// Installs the stderr subscriber. Call once, first thing in `main`.
pub fn init() {
    let from_env = EnvFilter::try_from_env("ENKRYPT_LOG_LEVEL")
        .or_else(|_| EnvFilter::try_from_default_env())
        .ok();
    let env_chose = from_env.is_some();
    let (filter, handle) = reload::Layer::new(from_env.unwrap_or_else(|| EnvFilter::new("info")));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    if tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .try_init()
        .is_ok()
        && !env_chose
    {
        let _ = CONFIG_CONTROLLED.set(handle);
    }
}

/// The `tracing` directive for a reference log level name; `None` for a name it does not know.
pub fn directive(level: &str) -> Option<&'static str> {
    match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => Some("trace"),
        "DEBUG" => Some("debug"),
        "INFO" => Some("info"),
        "WARN" | "WARNING" => Some("warn"),
        "ERROR" | "CRITICAL" | "FATAL" => Some("error"),
        "OFF" | "NONE" => Some("off"),
        _ => None,
    }
}

/// Applies the config's `enkrypt_log_level` unless the environment set the level.
pub fn apply_config_level(level: &str) {
    let Some(handle) = CONFIG_CONTROLLED.get() else {
        return;
    };
    match directive(level) {
        Some(directive) => {
            if let Err(error) = handle.reload(EnvFilter::new(directive)) {
                tracing::warn!(%error, "cannot change the log level");
            }
        }
        None => tracing::warn!(
            level,
            "unknown enkrypt_log_level (use DEBUG, INFO, WARNING, ERROR or CRITICAL); keeping the current level"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::directive;

    #[test]
    fn reference_level_names_map_to_tracing_levels() {
        assert_eq!(directive("INFO"), Some("info"));
        assert_eq!(directive("warning"), Some("warn"));
        assert_eq!(directive("CRITICAL"), Some("error"));
        assert_eq!(directive(" Debug "), Some("debug"));
        assert_eq!(directive("loud"), None);
    }
}
