//! Newline-delimited JSON-RPC on a pair of pipes, for both stdio sides of the gateway: the MCP client's
//! stdin and stdout, and each stdio upstream's stdout and stdin. It stands in for rmcp's own stdio
//! transport for two reasons:
//! - A line that is not JSON gets a JSON-RPC parse error (-32700, id null) when the gateway is the
//!   server, and serving goes on. rmcp skips such lines silently, so the client would wait for an
//!   answer that never comes. Well-formed JSON that is not a message gets -32600, as rmcp does.
//! - The messages the gateway relays most, `tools/call` requests and their results, are decoded
//!   straight into their types ([`fast`]). rmcp's generic decoding buffers each message several times
//!   and tries every request or result type in turn (about 5 µs a message against under 1 µs);
//!   everything else still goes through rmcp's decoding, unchanged.
//!
//! Lines are bounded ([`MAX_LINE`] by default): a longer one is dropped without being buffered and,
//! on the server side, answered with a parse error. Writes go through [`writer`]: whole lines, and
//! lines queued while the pipe is busy leave together.

mod fast;
mod writer;

use std::io;
use std::sync::Arc;

use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};

pub use fast::{PendingCalls, Side};

/// The largest line accepted by default (rmcp's `DEFAULT_MAX_LINE_LENGTH`).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// A line buffer larger than this is released once its line is decoded or queued.
const KEEP_BUFFER: usize = 64 * 1024;

thread_local! {
    /// Where a message is serialized before its line is queued (one buffer per worker thread).
    static ENCODED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// JSON-RPC messages, one per line, read from `R` and written to `W`, for the rmcp role `Role`.
pub struct LineTransport<Role: Side, R, W> {
    read: BufReader<R>,
    line: Vec<u8>,
    max_line: usize,
    /// Dropping the rest of a line that was too long, up to its newline.
    discarding: bool,
    out: Arc<writer::Writer<W>>,
    calls: Arc<Role::Calls>,
}

/// What one bounded line read found.
enum LineRead {
    Line,
    Oversized,
    Eof,
    Io(io::Error),
}

impl<Role: Side, R, W> LineTransport<Role, R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    /// Reads messages from `read` and writes them to `write`, lines up to [`MAX_LINE`] bytes.
    pub fn new(read: R, write: W) -> Self {
        Self {
            read: BufReader::new(read),
            line: Vec::new(),
            max_line: MAX_LINE,
            discarding: false,
            out: Arc::new(writer::Writer::new(write)),
            calls: Arc::default(),
        }
    }

    /// The same with lines up to `max_line` bytes.
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// Reads one `\n`-terminated line into `self.line`, never letting it grow past `max_line`.
    ///
    /// Cancel-safe (`receive` is polled inside rmcp's `select!`): `fill_buf` consumes nothing when
    /// dropped, and the copy and its `consume` happen with no await between them, so a cancelled read
    /// leaves its partial line in `self.line` for the next call.
    async fn read_line(&mut self) -> LineRead {
        loop {
            let (consumed, done) = {
                let available = match self.read.fill_buf().await {
                    Ok(available) => available,
                    Err(error) => return LineRead::Io(error),
                };
                if available.is_empty() {
                    return LineRead::Eof;
                }
                let newline = available.iter().position(|b| *b == b'\n');
                let take = newline.map_or(available.len(), |at| at + 1);
                let done = if self.discarding {
                    if newline.is_some() {
                        self.discarding = false;
                    }
                    None
                } else if self.line.len().saturating_add(take) > self.max_line {
                    self.line.clear();
                    self.discarding = newline.is_none();
                    Some(LineRead::Oversized)
                } else {
                    self.line.extend_from_slice(&available[..take]);
                    newline.map(|_| LineRead::Line)
                };
                (take, done)
            };
            self.read.consume(consumed);
            if let Some(done) = done {
                return done;
            }
        }
    }

    /// Writes an error line on its own task, so a cancelled `receive` never leaves half a line.
    fn reply(&self, line: Vec<u8>) {
        let out = self.out.clone();
        tokio::spawn(async move {
            if let Err(error) = out.send(&line).await {
                tracing::debug!(%error, "could not write an error reply");
            }
        });
    }

    /// Decodes one line, or answers it and returns `None`.
    fn decode(&self, line: &[u8]) -> Option<RxJsonRpcMessage<Role>> {
        if let Some(message) = Role::decode_fast(&self.calls, line) {
            return Some(message);
        }
        match serde_json::from_slice::<RxJsonRpcMessage<Role>>(line) {
            Ok(message) => {
                Role::received(&self.calls, &message);
                Some(message)
            }
            Err(error) => {
                match error.classify() {
                    serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                        tracing::debug!(%error, "a line that is not JSON");
                        if Role::ANSWERS_PARSE_ERRORS {
                            self.reply(parse_error_line(&error.to_string()));
                        }
                    }
                    _ if fast::ignorable_notification(line) => {
                        tracing::trace!("ignoring a non-standard notification");
                    }
                    _ => {
                        tracing::debug!(%error, "JSON that is not a JSON-RPC message");
                        self.reply(invalid_request_line());
                    }
                }
                None
            }
        }
    }
}

/// The reply to a line that is not JSON: a parse error with a null id, newline-terminated.
pub fn parse_error_line(detail: &str) -> Vec<u8> {
    error_line(-32700, &format!("Parse error: {detail}"))
}

/// The reply to well-formed JSON that is not a JSON-RPC message: invalid request, null id.
pub fn invalid_request_line() -> Vec<u8> {
    error_line(-32600, "Invalid request")
}

fn error_line(code: i64, message: &str) -> Vec<u8> {
    let reply = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message}
    });
    let mut line = reply.to_string().into_bytes();
    line.push(b'\n');
    line
}

/// A line without its `\r\n` or `\n`, and without a UTF-8 byte order mark.
fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line)
}

impl<Role: Side, R, W> Transport<Role> for LineTransport<Role, R, W>
where
    R: AsyncRead + Send + Unpin,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Error = io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<Role>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        Role::sent(&self.calls, &item);
        let out = self.out.clone();
        async move {
            ENCODED.with_borrow_mut(|line| {
                line.clear();
                serde_json::to_writer(&mut *line, &item)?;
                line.push(b'\n');
                out.push(line);
                if line.capacity() > KEEP_BUFFER {
                    *line = Vec::new();
                }
                Ok::<_, io::Error>(())
            })?;
            out.write_queued().await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<Role>> {
        loop {
            match self.read_line().await {
                LineRead::Line => {}
                LineRead::Oversized => {
                    tracing::warn!(
                        limit = self.max_line,
                        "a message longer than the line limit was dropped"
                    );
                    if Role::ANSWERS_PARSE_ERRORS {
                        self.reply(parse_error_line(&format!(
                            "the message is larger than the {} MiB limit and was dropped",
                            self.max_line / (1024 * 1024)
                        )));
                    }
                    continue;
                }
                LineRead::Eof => return None,
                LineRead::Io(error) => {
                    tracing::debug!(%error, "reading the pipe failed");
                    return None;
                }
            }
            let line = std::mem::take(&mut self.line);
            let trimmed = trim(&line);
            let message = if trimmed.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                self.decode(trimmed)
            };
            self.line = line;
            self.line.clear();
            if self.line.capacity() > KEEP_BUFFER {
                self.line = Vec::new();
            }
            if message.is_some() {
                return message;
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.out.close().await
    }
}

#[cfg(test)]
mod tests;
