//! Regenerates the committed JSON Schemas (`schema/*.schema.json`) and the UI's TypeScript types
//! (`ui/src/generated/config.ts`) from the Rust types: `make schema`, or
//! `cargo run -p gateway-core --example gen_schema [-- REPO_ROOT]`.
//!
//! `config::schema::tests` fails when the committed files differ from what this writes.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(gateway_core::config::schema::repo_root);
    for path in gateway_core::config::schema::write_generated(&root)? {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
