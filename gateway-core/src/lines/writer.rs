//! The write half of a line transport: whole lines only, and lines queued by concurrent senders go out
//! in one `write` when the pipe is busy (at 64 calls in flight, one syscall carries several answers).
//!
//! A sender appends its line to the queue, then takes the pipe and writes everything queued; a sender
//! whose line another one already wrote finds the queue empty and is done. Lines keep the order in
//! which they were queued, and a line is never split by another.

use std::io;
use std::sync::{Mutex, MutexGuard};

use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A batch buffer larger than this is released after it is written.
const KEEP_BUFFER: usize = 64 * 1024;

#[derive(Default)]
struct Queue {
    lines: Vec<u8>,
    /// The last written batch's buffer, kept for reuse.
    spare: Vec<u8>,
}

/// Lines to a pipe, shared by every sender of one transport.
pub struct Writer<W> {
    queue: Mutex<Queue>,
    pipe: tokio::sync::Mutex<Option<W>>,
}

impl<W: AsyncWrite + Unpin + Send> Writer<W> {
    pub fn new(pipe: W) -> Self {
        Self {
            queue: Mutex::new(Queue::default()),
            pipe: tokio::sync::Mutex::new(Some(pipe)),
        }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `line` (newline-terminated) and writes what is queued.
    pub async fn send(&self, line: &[u8]) -> io::Result<()> {
        self.push(line);
        self.write_queued().await
    }

    /// Queues `line` (newline-terminated) without writing; [`Writer::write_queued`] writes it.
    pub fn push(&self, line: &[u8]) {
        self.queue().lines.extend_from_slice(line);
    }

    /// Writes everything queued, unless another sender is writing it already.
    pub async fn write_queued(&self) -> io::Result<()> {
        let mut pipe = self.pipe.lock().await;
        let Some(pipe) = pipe.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the transport is closed",
            ));
        };
        let mut batch = {
            let mut queue = self.queue();
            if queue.lines.is_empty() {
                return Ok(());
            }
            let spare = std::mem::take(&mut queue.spare);
            std::mem::replace(&mut queue.lines, spare)
        };
        let written = match pipe.write_all(&batch).await {
            Ok(()) => pipe.flush().await,
            Err(error) => Err(error),
        };
        batch.clear();
        if batch.capacity() <= KEEP_BUFFER {
            self.queue().spare = batch;
        }
        written
    }

    /// Shuts the pipe down; later sends fail with `NotConnected`.
    pub async fn close(&self) -> io::Result<()> {
        let pipe = self.pipe.lock().await.take();
        match pipe {
            Some(mut pipe) => pipe.shutdown().await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_lines_arrive_whole_and_each_once() {
        let (pipe, mut reader) = tokio::io::duplex(1 << 10);
        let writer = Arc::new(Writer::new(pipe));
        let mut tasks = Vec::new();
        for sender in 0..16 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..50 {
                    let line = format!(
                        "{{\"s\":{sender},\"n\":{n},\"pad\":\"{}\"}}\n",
                        "x".repeat(n * 7)
                    );
                    writer.send(line.as_bytes()).await.expect("send");
                }
            }));
        }
        let read = tokio::spawn(async move {
            let mut text = String::new();
            reader.read_to_string(&mut text).await.expect("read");
            text
        });
        for task in tasks {
            task.await.expect("sender");
        }
        writer.close().await.expect("close");
        drop(writer);
        let text = read.await.expect("reader");
        let mut last = [None::<u64>; 16];
        let mut count = 0;
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line).expect("whole lines");
            let sender = value["s"].as_u64().expect("s") as usize;
            let n = value["n"].as_u64().expect("n");
            assert_eq!(
                last[sender].map_or(0, |l| l + 1),
                n,
                "each sender's lines in order"
            );
            last[sender] = Some(n);
            count += 1;
        }
        assert_eq!(count, 16 * 50);
        assert!(
            writer_closed_fails().await,
            "a send after close fails instead of vanishing"
        );
    }

    async fn writer_closed_fails() -> bool {
        let (pipe, _reader) = tokio::io::duplex(64);
        let writer = Writer::new(pipe);
        writer.close().await.expect("close");
        writer.send(b"{}\n").await.is_err()
    }
}
