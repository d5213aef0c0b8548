//! JSON-RPC parse errors on stdio: a line that is not JSON gets `{"jsonrpc":"2.0","id":null,"error":
//! {"code":-32700,…}}` and the gateway goes on serving.
//!
//! rmcp's stdio transport skips unparsable lines silently (it answers only well-formed JSON that is not a
//! message, with -32600). JSON-RPC 2.0 asks for a parse error, so the client learns its line was lost
//! instead of waiting for an answer that never comes. Two thin wrappers do it without touching rmcp:
//! - [`LineCheck`] passes stdin through unchanged to rmcp while it checks each complete line's JSON
//!   syntax (a validation pass, no tree is built) and queues an error reply for a line that fails;
//! - [`Replies`] owns stdout: rmcp writes through [`ReplyWriter`] directly (no extra task or copy on the
//!   hot path), and queued error replies are written only between two of rmcp's lines, by whichever
//!   comes first, rmcp's next write or the [`Replies::run`] task woken when one is queued.
//!
//! Lines longer than the transport's limit get the same error (rmcp drops them). Nothing here decides
//! what a message means.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use crate::wire::parse_error_line;

/// The largest line rmcp accepts on stdio (its `DEFAULT_MAX_LINE_LENGTH`).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

struct State<W> {
    out: W,
    /// rmcp's output is between two lines (nothing of a message half-written).
    at_boundary: bool,
    /// Error replies waiting for a boundary.
    queue: VecDeque<Vec<u8>>,
    /// An error reply being written, and how much of it is out.
    current: Option<(Vec<u8>, usize)>,
}

impl<W: AsyncWrite + Unpin> State<W> {
    /// Writes queued replies while rmcp is at a line boundary; `Ready` when nothing more can go now.
    fn poll_replies(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if self.current.is_none() {
                if !self.at_boundary {
                    return Poll::Ready(Ok(()));
                }
                match self.queue.pop_front() {
                    Some(line) => self.current = Some((line, 0)),
                    None => return Poll::Ready(Ok(())),
                }
            }
            let Some((line, at)) = self.current.as_mut() else {
                continue;
            };
            let n = ready!(Pin::new(&mut self.out).poll_write(cx, &line[*at..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *at += n;
            if *at >= line.len() {
                self.current = None;
            }
        }
    }
}

/// Stdout shared by rmcp and the error replies.
pub struct Replies<W> {
    state: Mutex<State<W>>,
    queued: Notify,
}

impl<W: AsyncWrite + Unpin> Replies<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                out,
                at_boundary: true,
                queue: VecDeque::new(),
                current: None,
            }),
            queued: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<W>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a parse error reply.
    pub fn parse_error(&self, detail: &str) {
        self.lock().queue.push_back(parse_error_line(detail));
        self.queued.notify_one();
    }

    /// Writes queued replies whenever rmcp is between lines; runs until the output fails.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.queued.notified().await;
            let done = std::future::poll_fn(|cx| {
                let mut state = self.lock();
                ready!(state.poll_replies(cx))?;
                Pin::new(&mut state.out).poll_flush(cx)
            })
            .await;
            if let Err(error) = done {
                tracing::debug!(%error, "stdout closed; parse error replies stop");
                return;
            }
        }
    }

    /// The writer rmcp uses.
    pub fn writer(self: &Arc<Self>) -> ReplyWriter<W> {
        ReplyWriter(self.clone())
    }
}

/// rmcp's handle on stdout.
pub struct ReplyWriter<W>(Arc<Replies<W>>);

impl<W: AsyncWrite + Unpin> AsyncWrite for ReplyWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let replies = &self.0;
        let mut state = replies.lock();
        ready!(state.poll_replies(cx))?;
        let n = ready!(Pin::new(&mut state.out).poll_write(cx, buf))?;
        if n > 0 {
            state.at_boundary = buf[n - 1] == b'\n';
            if state.at_boundary && !state.queue.is_empty() {
                replies.queued.notify_one();
            }
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut state = self.0.lock();
        ready!(state.poll_replies(cx))?;
        Pin::new(&mut state.out).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut state = self.0.lock();
        ready!(state.poll_replies(cx))?;
        Pin::new(&mut state.out).poll_shutdown(cx)
    }
}

/// Stdin as rmcp reads it, with each line's JSON syntax checked on the way.
pub struct LineCheck<R, W> {
    inner: R,
    replies: Arc<Replies<W>>,
    line: Vec<u8>,
    oversized: bool,
}

impl<R, W: AsyncWrite + Unpin> LineCheck<R, W> {
    /// Wraps `inner`; bad lines are answered through `replies`.
    pub fn new(inner: R, replies: Arc<Replies<W>>) -> Self {
        Self {
            inner,
            replies,
            line: Vec::new(),
            oversized: false,
        }
    }

    fn take(&mut self, mut bytes: &[u8]) {
        while let Some(end) = memchr(b'\n', bytes) {
            self.push(&bytes[..end]);
            self.finish_line();
            bytes = &bytes[end + 1..];
        }
        self.push(bytes);
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.oversized {
            return;
        }
        if self.line.len() + bytes.len() > MAX_LINE {
            self.oversized = true;
            self.line = Vec::new();
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn finish_line(&mut self) {
        if std::mem::take(&mut self.oversized) {
            self.replies
                .parse_error("the message is larger than the 16 MiB limit and was dropped");
        } else {
            check(&self.line, &self.replies);
        }
        self.line.clear();
        if self.line.capacity() > 64 * 1024 {
            self.line.shrink_to(64 * 1024);
        }
    }
}

/// Queues a parse error when `line` is not blank and not JSON.
fn check<W: AsyncWrite + Unpin>(line: &[u8], replies: &Replies<W>) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(line) {
        tracing::debug!(%error, "unparsable line on stdin");
        replies.parse_error(&error.to_string());
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> AsyncRead for LineCheck<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let filled = buf.filled();
        if filled.len() > before {
            this.take(&filled[before..]);
        } else if !this.line.is_empty() {
            // EOF with an unterminated line: rmcp drops it; say so.
            this.finish_line();
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn bad_lines_get_a_parse_error_and_good_ones_pass_through_unchanged() {
        let (out_w, mut out_r) = tokio::io::duplex(1 << 16);
        let replies = Replies::new(out_w);
        tokio::spawn(replies.clone().run());
        let input: &[u8] =
            b"{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}\nnot json\n\n{\"a\":\n";
        let mut reader = LineCheck::new(input, replies.clone());
        let mut passed = Vec::new();
        reader.read_to_end(&mut passed).await.expect("read");
        assert_eq!(passed, input, "stdin reaches rmcp unchanged");
        let mut writer = replies.writer();
        writer.write_all(b"{\"rmcp\":1}\n").await.expect("write");
        writer.flush().await.expect("flush");
        drop(writer);
        let mut got = vec![0u8; 4096];
        let mut text = String::new();
        while text.matches('\n').count() < 3 {
            let n = tokio::time::timeout(std::time::Duration::from_secs(2), out_r.read(&mut got))
                .await
                .expect("output in time")
                .expect("read");
            text.push_str(&String::from_utf8_lossy(&got[..n]));
        }
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
            .collect();
        let errors: Vec<_> = lines
            .iter()
            .filter(|l| l["error"]["code"] == -32700)
            .collect();
        assert_eq!(errors.len(), 2, "{text}");
        assert!(errors.iter().all(|e| e["id"].is_null()));
        assert!(lines.iter().any(|l| l["rmcp"] == 1));
    }

    #[tokio::test]
    async fn replies_never_split_a_line_rmcp_is_writing() {
        let (out_w, mut out_r) = tokio::io::duplex(1 << 16);
        let replies = Replies::new(out_w);
        let mut writer = replies.writer();
        writer.write_all(b"{\"half\":").await.expect("write");
        replies.parse_error("x");
        // Not at a boundary: the reply waits.
        let pending = std::future::poll_fn(|cx| {
            let mut s = replies.lock();
            let r = s.poll_replies(cx);
            Poll::Ready((r.is_ready(), s.queue.len()))
        })
        .await;
        assert_eq!(pending, (true, 1));
        writer.write_all(b"1}\n").await.expect("write");
        writer.write_all(b"{\"next\":2}\n").await.expect("write");
        writer.flush().await.expect("flush");
        drop(writer);
        drop(replies);
        let mut text = String::new();
        out_r.read_to_string(&mut text).await.expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[0], "{\"half\":1}");
        assert!(lines[1].contains("-32700"), "{text}");
        assert_eq!(lines[2], "{\"next\":2}");
    }
}
