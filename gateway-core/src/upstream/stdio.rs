//! The stdio transport: spawns the server's process (`process.rs`) and runs the MCP handshake over
//! its stdin and stdout, in whichever protocol era the server speaks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rmcp::model::ProtocolVersion;
use rmcp::{ClientLifecycleMode, ClientServiceExt};

use super::UpstreamError;
use super::connection::{Connection, Dial};
use super::process::spawn;
use crate::secret::Sensitive;

/// Starts the server `command args` with `env` and connects to it.
pub(super) async fn connect(
    dial: &Dial<'_>,
    command: &str,
    args: &[String],
    env: &BTreeMap<String, Sensitive<String>>,
) -> Result<Connection, UpstreamError> {
    let started = Instant::now();
    let spawned =
        spawn(dial.name, command, args, env, dial.limits.max_message_bytes).map_err(|source| {
            UpstreamError::Spawn {
                server: dial.name.to_string(),
                command: command.to_string(),
                source,
            }
        })?;
    let pid = spawned.guard.pid();
    let mut guard = spawned.guard;
    let client = dial.client.clone();
    let lifecycle = ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        legacy_version: None,
    };
    let service = match client
        .serve_with_lifecycle(
            crate::lines::LineTransport::<rmcp::RoleClient, _, _>::new(
                spawned.stdout,
                spawned.stdin,
            ),
            lifecycle,
        )
        .await
    {
        Ok(service) => service,
        Err(error) => {
            guard.terminate(Duration::from_millis(100)).await;
            return Err(UpstreamError::Handshake {
                server: dial.name.to_string(),
                reason: error.to_string(),
            });
        }
    };
    tracing::info!(server = %dial.name, pid, elapsed_ms = started.elapsed().as_millis() as u64, "upstream started");
    Ok(Connection::new(
        service,
        Some(guard),
        spawned.oversized,
        pid,
        None,
        dial.name,
        dial.events,
    ))
}
