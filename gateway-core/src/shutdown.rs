//! One shutdown trigger for the whole process: client EOF on stdin, Ctrl-C or SIGTERM.
//!
//! Owns only the signal plumbing; what each component does on shutdown (stop upstreams, flush the audit
//! log) is done by its owner after [`wait_for_signal`] or the serving future returns.

/// Resolves on the first SIGINT or SIGTERM (Ctrl-C only on non-unix platforms).
pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot install SIGTERM handler; only Ctrl-C stops the gateway");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// An `AsyncRead` that reports end-of-input on a watch channel the moment it reads EOF.
///
/// rmcp drains in-flight requests before its service future resolves; watching the raw input lets
/// the gateway stop upstreams at once when the client goes away, so no child outlives it by more than
/// a moment.
pub struct EofWatch<R> {
    inner: R,
    tx: tokio::sync::watch::Sender<bool>,
}

impl<R> EofWatch<R> {
    /// Wraps `inner`; the receiver turns `true` at EOF or on a read error.
    pub fn new(inner: R) -> (Self, tokio::sync::watch::Receiver<bool>) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (Self { inner, tx }, rx)
    }
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for EofWatch<R> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = std::pin::Pin::new(&mut this.inner).poll_read(cx, buf);
        match &poll {
            std::task::Poll::Ready(Ok(()))
                if buf.filled().len() == before && buf.remaining() > 0 =>
            {
                let _ = this.tx.send(true);
            }
            std::task::Poll::Ready(Err(_)) => {
                let _ = this.tx.send(true);
            }
            _ => {}
        }
        poll
    }
}

/// Resolves when `rx` reports end of input.
pub async fn wait_for_eof(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|eof| *eof).await;
}
