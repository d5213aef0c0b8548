//! `enkrypt-desktop`: the Enkrypt Secure MCP Gateway tray app. Everything lives in the library
//! ([`enkrypt_desktop::run`]); this file only keeps Windows from opening a console in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    enkrypt_desktop::run();
}
