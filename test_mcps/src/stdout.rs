//! The one writer of the process's stdout.
//!
//! rmcp writes JSON-RPC lines; the `noise` tool and `--stdout-noise` write garbage lines. If
//! both wrote to stdout directly, a garbage line could land in the middle of a JSON-RPC message
//! (rmcp may flush one message in several `write` calls), and the test would be about our bug,
//! not the gateway's. So nothing writes stdout except the writer task started by [`start`]:
//!
//! - rmcp is handed [`StdoutPump::rmcp_sink`], one end of an in-memory pipe. A reader task cuts
//!   what rmcp writes into complete lines and queues each line whole.
//! - [`Noise::emit`] queues a batch of garbage lines and waits until they are written, so a tool
//!   that makes noise and then replies puts the noise on the wire before the reply.
//! - The writer task writes queued items one at a time. An item is always whole lines, so items
//!   never interleave.
//!
//! The queue and the pipe are bounded; a reader that stops reading our stdout stalls rmcp
//! instead of growing memory. Not handled here: stdin, and stderr logging.

use std::io;

use tokio::{
    io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream},
    sync::{mpsc, oneshot},
    task::JoinHandle,
};

/// Bytes rmcp may write ahead of the line-cutting reader.
const PIPE_CAPACITY: usize = 64 * 1024;
/// Items (messages or noise batches) waiting for the writer.
const QUEUE_CAPACITY: usize = 64;
/// Garbage lines written per `write_all` call.
const NOISE_BATCH: usize = 1024;

/// One unit the writer puts on stdout; always whole lines.
enum Item {
    /// One line (normally one JSON-RPC message) exactly as rmcp wrote it.
    Message(Vec<u8>),
    /// `lines` garbage lines; `written` is told once they are flushed.
    Noise {
        lines: u64,
        written: oneshot::Sender<()>,
    },
    /// rmcp closed its end of the pipe: nothing more will come from it.
    Closed,
}

/// The running stdout writer; see the module docs.
#[derive(Debug)]
pub struct StdoutPump {
    rmcp_sink: Option<DuplexStream>,
    noise: Noise,
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

/// A handle that writes garbage lines to stdout between whole JSON-RPC messages.
#[derive(Debug, Clone)]
pub struct Noise {
    queue: mpsc::Sender<Item>,
}

/// The writer stopped (stdout closed or rmcp finished) before the noise was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout writer has stopped")
    }
}

impl std::error::Error for StdoutClosed {}

/// Start the reader and writer tasks; everything written to stdout must go through the
/// returned pump from now on.
pub fn start<W>(stdout: W) -> StdoutPump
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (rmcp_sink, pump_end) = tokio::io::duplex(PIPE_CAPACITY);
    let (queue, items) = mpsc::channel(QUEUE_CAPACITY);
    let reader = tokio::spawn(cut_lines(pump_end, queue.clone()));
    let writer = tokio::spawn(write_items(stdout, items));
    StdoutPump {
        rmcp_sink: Some(rmcp_sink),
        noise: Noise { queue },
        reader,
        writer,
    }
}

impl StdoutPump {
    /// The writable end to give rmcp as its transport's write half. Only the first call
    /// returns it.
    pub fn rmcp_sink(&mut self) -> Option<DuplexStream> {
        self.rmcp_sink.take()
    }

    /// A handle for writing garbage lines.
    pub fn noise(&self) -> Noise {
        self.noise.clone()
    }

    /// Wait until everything rmcp wrote has reached stdout. Call after rmcp has dropped its
    /// sink (the service ended); returns the writer's I/O error, if any.
    pub async fn finish(mut self) -> io::Result<()> {
        // If rmcp never took the sink, close it here so the reader sees the end.
        drop(self.rmcp_sink.take());
        let writer = self.writer.await.map_err(io::Error::other)?;
        self.reader.abort();
        writer
    }
}

impl Noise {
    /// Write `lines` garbage lines to stdout and return once they are flushed.
    pub async fn emit(&self, lines: u64) -> Result<(), StdoutClosed> {
        if lines == 0 {
            return Ok(());
        }
        let (written, done) = oneshot::channel();
        self.queue
            .send(Item::Noise { lines, written })
            .await
            .map_err(|_| StdoutClosed)?;
        done.await.map_err(|_| StdoutClosed)
    }
}

/// Read what rmcp writes and queue it one whole line at a time.
async fn cut_lines(pump_end: DuplexStream, queue: mpsc::Sender<Item>) {
    let mut reader = BufReader::new(pump_end);
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) => break,
            Ok(_) => {
                if queue.send(Item::Message(line)).await.is_err() {
                    return;
                }
            }
            Err(error) => {
                tracing::error!(%error, "reading rmcp output failed");
                break;
            }
        }
    }
    // A send error here only means the writer is already gone.
    let _ = queue.send(Item::Closed).await;
}

/// Write queued items to stdout until rmcp's output ends.
async fn write_items<W>(mut stdout: W, mut items: mpsc::Receiver<Item>) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
{
    while let Some(item) = items.recv().await {
        match item {
            Item::Message(line) => {
                stdout.write_all(&line).await?;
                stdout.flush().await?;
            }
            Item::Noise { lines, written } => {
                write_noise(&mut stdout, lines).await?;
                // The tool that asked may have been cancelled meanwhile; that is fine.
                let _ = written.send(());
            }
            Item::Closed => break,
        }
    }
    stdout.flush().await
}

async fn write_noise<W>(stdout: &mut W, lines: u64) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
{
    for first in (1..=lines).step_by(NOISE_BATCH) {
        let last = lines.min(first.saturating_add(NOISE_BATCH as u64 - 1));
        let mut batch = String::new();
        for index in first..=last {
            batch.push_str(&noise_line(index, lines));
            batch.push('\n');
        }
        stdout.write_all(batch.as_bytes()).await?;
    }
    stdout.flush().await
}

/// One garbage line. It starts with `~`, so no JSON parser can take it for a value: rmcp's
/// reader classifies it as a syntax error and skips it.
pub fn noise_line(index: u64, total: u64) -> String {
    format!("~~ stdout noise {index}/{total}: this line is not JSON-RPC ~~")
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test]
    async fn noise_and_messages_come_out_as_whole_lines() -> anyhow::Result<()> {
        let (stdout, mut captured) = tokio::io::duplex(1024 * 1024);
        let mut pump = start(stdout);
        let mut sink = pump.rmcp_sink().expect("first call returns the sink");
        let noise = pump.noise();

        // A message written in two pieces, with noise requested in between.
        sink.write_all(b"{\"jsonrpc\":").await?;
        sink.flush().await?;
        let noisy = tokio::spawn(async move { noise.emit(3).await });
        sink.write_all(b"\"2.0\"}\n").await?;
        tokio::time::timeout(std::time::Duration::from_secs(5), noisy).await???;
        drop(sink);
        tokio::time::timeout(std::time::Duration::from_secs(5), pump.finish()).await??;

        let mut out = String::new();
        captured.read_to_string(&mut out).await?;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines.contains(&"{\"jsonrpc\":\"2.0\"}"), "{out}");
        assert_eq!(
            lines.iter().filter(|line| line.starts_with("~~")).count(),
            3
        );
        Ok(())
    }
}
