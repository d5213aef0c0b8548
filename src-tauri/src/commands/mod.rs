//! The `#[tauri::command]`s the UI calls (through `ui/src/api.ts`, never directly). Each is thin: typed
//! arguments in, one gateway-core call (library, or the sidecar where the binary itself must act), the
//! error mapped to [`crate::error::IpcError`]. No business rules live here; what the tray does too is in
//! [`crate::actions`].
//!
//! One file per page: [`config`] (servers, guardrails), [`clients`], [`secrets`], [`tools`]
//! (quarantine), [`logs`] (live audit tail over a Channel), [`app`] (first run, paths, autostart),
//! [`oauth`] (sign-in to remote servers).

pub mod app;
pub mod clients;
pub mod config;
pub mod logs;
pub mod oauth;
pub mod secrets;
pub mod tools;

pub use crate::actions::{CONFIG_CHANGED_EVENT, TRAY_ACTION_EVENT};
