//! Secret commands over gateway-core's [`Keychain`] (service `enkrypt-secure-mcp-gateway`): names,
//! set/replace, delete. Values go in, never come back out: there is deliberately no "get" command.

use gateway_core::secrets::Keychain;

use crate::error::{IpcError, blocking};

/// Names of the stored secrets, sorted.
#[tauri::command]
pub async fn secrets_list() -> Result<Vec<String>, IpcError> {
    blocking(|| Ok(Keychain::new().list()?)).await
}

/// Store (or replace) `value` under `name`.
#[tauri::command]
pub async fn secret_set(name: String, value: String) -> Result<(), IpcError> {
    blocking(move || Ok(Keychain::new().set(&name, &value)?)).await
}

/// Delete `name`; returns whether it existed.
#[tauri::command]
pub async fn secret_delete(name: String) -> Result<bool, IpcError> {
    blocking(move || Ok(Keychain::new().delete(&name)?)).await
}
