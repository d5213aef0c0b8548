//! The rules that differ between macOS, Windows and Linux, as pure functions of the OS (and its
//! environment), so all three are unit-tested on any host.
//!
//! `#[cfg]` never hides a rule here: every function takes the [`Os`] it applies to, and callers pass
//! [`Os::current()`] at run time.
//! - [`paths`]: the [`Os`], its environment ([`PathEnv`]), home and per-user config folders, and how
//!   a client's config location rule resolves (the client table itself is `crate::clients`);
//! - [`sidecar`]: the `gateway-core` file name per target triple (bundle input) and once installed;
//! - [`appimage`]: what a client entry launches when gateway-core runs from an AppImage;
//! - [`autostart`]: "start at login" as a LaunchAgent, a registry `Run` value or an XDG autostart file;
//! - [`command_line`]: how Windows splits a command line, and quoting that survives it;
//! - [`keychain`]: where a named secret lives in each OS's credential store;
//! - [`text`]: how client files written on Windows keep their BOM and CRLF line endings;
//! - [`tray`]: how the tray icon is drawn (a template image on macOS).

pub mod appimage;
pub mod autostart;
pub mod command_line;
pub mod keychain;
pub mod paths;
pub mod sidecar;
pub mod text;
pub mod tray;

pub use paths::{Os, PathEnv};
