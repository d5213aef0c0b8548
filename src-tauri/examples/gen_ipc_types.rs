//! Regenerates the UI's IPC types (`ui/src/generated/ipc.ts`) from the desktop app's Rust types:
//! `make schema`, or `cargo run -p enkrypt-desktop --example gen_ipc_types [-- REPO_ROOT]`.
//!
//! `ipc_types::tests` fails when the committed file differs from what this writes.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(enkrypt_desktop::ipc_types::repo_root);
    let path = enkrypt_desktop::ipc_types::write(&root)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
