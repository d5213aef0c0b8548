//! "Start at login" for this app: the entry [`gateway_core::platform::autostart`] describes for the OS
//! it runs on (a LaunchAgent, a registry `Run` value or an XDG autostart file), launching this binary
//! (or its AppImage) with [`crate::HIDDEN_FLAG`]. Blocking; commands call it through
//! [`crate::error::blocking`].

use gateway_core::platform::autostart::{self, AutostartEntry, AutostartError};
use gateway_core::platform::{Os, PathEnv};

use crate::error::IpcError;

/// The entry for this process: current OS, environment and executable.
pub fn current_entry() -> Result<AutostartEntry, IpcError> {
    let exe =
        std::env::current_exe().map_err(|e| failed(format!("cannot find this program: {e}")))?;
    let appimage = std::env::var_os("APPIMAGE");
    let program = autostart::launch_path(Os::current(), appimage.as_deref(), &exe);
    let program = program.to_string_lossy();
    autostart::entry(
        Os::current(),
        &PathEnv::from_process(),
        &program,
        &[crate::HIDDEN_FLAG],
    )
    .map_err(|e| failed(e.to_string()))
}

/// Whether the app starts at login.
pub fn is_enabled() -> Result<bool, IpcError> {
    autostart::is_enabled(&current_entry()?).map_err(from)
}

/// Turns starting at login on or off; returns the new state.
pub fn set(enabled: bool) -> Result<bool, IpcError> {
    let entry = current_entry()?;
    if enabled {
        autostart::enable(&entry).map_err(from)?;
    } else {
        autostart::disable(&entry).map_err(from)?;
    }
    tracing::info!(enabled, location = ?entry.location, "start at login changed");
    autostart::is_enabled(&entry).map_err(from)
}

fn failed(message: String) -> IpcError {
    IpcError::new("autostart_failed", message)
}

fn from(error: AutostartError) -> IpcError {
    failed(error.to_string())
}
