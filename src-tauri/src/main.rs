//! `enkrypt-desktop`: the Enkrypt Secure MCP Gateway tray app. Everything lives in the library
//! ([`enkrypt_desktop::run`]); this file keeps Windows from opening a console in release builds, and
//! hands `enkrypt-desktop --gateway-core ARGS…` over to the bundled gateway-core (what MCP client
//! entries written from an AppImage run: `gateway_core::platform::appimage`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(rest) = gateway_core::platform::appimage::gateway_core_args(&args) {
        enkrypt_desktop::paths::exec_sidecar(rest);
    }
    enkrypt_desktop::run();
}
