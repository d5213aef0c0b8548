//! Starting one stdio upstream process: command, minimal environment, stderr to `tracing`, a size cap on
//! what it writes to stdout, and a guard that kills its whole process group.
//!
//! This module only spawns and tears down processes; the MCP handshake over the process's stdin and
//! stdout is the stdio transport (`stdio.rs`).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::secret::Sensitive;

/// Variables an upstream inherits from the gateway's environment; everything else (notably the gateway
/// key and any API keys) is withheld. The config entry's `env` is added on top.
const INHERITED_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "TERM",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SYSTEMROOT",
    "SystemRoot",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "PROGRAMDATA",
    "TEMP",
    "TMP",
];

/// A spawned upstream process with its pipes. Dropping it kills the process group.
pub struct SpawnedProcess {
    pub guard: ProcessGuard,
    pub stdout: CappedReader<ChildStdout>,
    pub stdin: ChildStdin,
    /// Set when the process wrote a message larger than the cap (the stream was cut).
    pub oversized: Arc<AtomicBool>,
}

/// Spawns `command args…` with a minimal environment plus `env`, stdio piped, in its own process group.
pub fn spawn(
    server: &str,
    command: &str,
    args: &[String],
    env: &BTreeMap<String, Sensitive<String>>,
    max_message_bytes: usize,
) -> std::io::Result<SpawnedProcess> {
    let mut cmd = Command::new(command);
    cmd.args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in INHERITED_ENV {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    for (name, value) in env {
        cmd.env(name, value.expose());
    }
    #[cfg(unix)]
    cmd.process_group(0);

    let mut child = cmd.spawn()?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("child stdin not captured"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("child stdout not captured"))?;
    if let Some(stderr) = child.stderr.take() {
        let server = server.to_string();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::info!(target: "upstream", server = %server, "{}", line.chars().take(4096).collect::<String>());
            }
        });
    }
    let oversized = Arc::new(AtomicBool::new(false));
    Ok(SpawnedProcess {
        guard: ProcessGuard::new(server, child),
        stdout: CappedReader::new(stdout, max_message_bytes, oversized.clone()),
        stdin,
        oversized,
    })
}

/// Owns the child; kills its whole process group on [`ProcessGuard::terminate`] or drop.
pub struct ProcessGuard {
    server: String,
    child: Option<Child>,
    pid: Option<u32>,
}

impl ProcessGuard {
    fn new(server: &str, child: Child) -> Self {
        let pid = child.id();
        Self {
            server: server.to_string(),
            child: Some(child),
            pid,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Stops the process: waits `grace` for it to exit by itself (its stdin is closed by then), then
    /// SIGKILLs the group and reaps it.
    pub async fn terminate(&mut self, grace: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Ok(status)) = tokio::time::timeout(grace, child.wait()).await {
            tracing::debug!(server = %self.server, %status, "upstream exited");
            kill_group(self.pid);
            return;
        }
        kill_group(self.pid);
        let _ = child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(1), child.wait()).await;
        tracing::debug!(server = %self.server, "upstream killed");
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(self.pid);
            let _ = child.start_kill();
        }
    }
}

#[cfg(unix)]
fn kill_group(pid: Option<u32>) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // The child leads its own group (process_group(0)), so this reaches its descendants too.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: Option<u32>) {}

/// An `AsyncRead` that ends the stream (EOF) when one line grows past `max` bytes, and flags it.
///
/// rmcp's transport would silently drop an over-long line and leave the request hanging until its
/// timeout; cutting the stream instead fails every pending request at once, and the flag lets the pool
/// report the real cause.
pub struct CappedReader<R> {
    inner: R,
    max: usize,
    current_line: usize,
    tripped: Arc<AtomicBool>,
}

impl<R> CappedReader<R> {
    pub fn new(inner: R, max: usize, tripped: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            max,
            current_line: 0,
            tripped,
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CappedReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.tripped.load(Ordering::Relaxed) {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let fresh = &buf.filled()[before..];
                for &byte in fresh {
                    if byte == b'\n' {
                        this.current_line = 0;
                    } else {
                        this.current_line += 1;
                    }
                }
                if this.current_line > this.max {
                    this.tripped.store(true, Ordering::Relaxed);
                    buf.set_filled(before);
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn capped_reader_cuts_an_overlong_line() {
        let data = format!("{}\n{}\n", "a".repeat(10), "b".repeat(100));
        let flag = Arc::new(AtomicBool::new(false));
        let mut reader = CappedReader::new(data.as_bytes(), 50, flag.clone());
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await.expect("read");
        assert!(flag.load(Ordering::Relaxed));
        assert!(out.len() < data.len());
        assert!(out.starts_with(b"aaaaaaaaaa\n"));
    }

    #[tokio::test]
    async fn capped_reader_passes_short_lines() {
        let data = "x\n".repeat(1000);
        let flag = Arc::new(AtomicBool::new(false));
        let mut reader = CappedReader::new(data.as_bytes(), 5, flag.clone());
        let mut out = Vec::new();
        reader.read_to_end(&mut out).await.expect("read");
        assert!(!flag.load(Ordering::Relaxed));
        assert_eq!(out.len(), data.len());
    }
}
