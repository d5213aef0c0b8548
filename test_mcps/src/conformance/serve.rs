//! Transports of `conformance-server`: stdio (how a gateway launches an upstream) or
//! streamable HTTP at `http://ADDR/mcp` (how the conformance suite reaches a server).
//!
//! Over HTTP each session gets a fresh [`ConformanceServer`] (its own log level and
//! subscriptions) and rmcp's default server configuration: loopback-only `Host` validation
//! against DNS rebinding, SSE priming events with a `retry` field, legacy sessions for
//! pre-2026 clients and stateless serving for 2026-07-28 ones. The server runs until its input
//! ends (stdio) or SIGINT/SIGTERM (HTTP).

use std::{io::Write as _, net::SocketAddr, sync::Arc};

use rmcp::{
    ServiceExt as _,
    service::ServerInitializeError,
    transport::{StreamableHttpServerConfig, StreamableHttpService},
};

use super::{ConformanceServer, Shared, sse_streams::TrackingSessions};

/// How the server is reached.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Serve streamable HTTP on this address instead of stdio.
    pub http: Option<SocketAddr>,
    /// Which lifecycle to speak on stdio (HTTP always serves both).
    pub era: crate::Era,
}

/// Serve until the input ends (stdio) or a termination signal arrives (HTTP).
pub async fn run(options: Options) -> anyhow::Result<()> {
    match options.http {
        Some(addr) => serve_http(addr).await,
        None => serve_stdio(options.era).await,
    }
}

/// One MCP peer on stdin/stdout, in `era`'s lifecycle; stdout carries nothing but JSON-RPC.
async fn serve_stdio(era: crate::Era) -> anyhow::Result<()> {
    let server = crate::era::EraGate::new(era, ConformanceServer::new(Shared::default()));
    match server.serve(rmcp::transport::stdio_pipes()).await {
        Ok(running) => {
            let reason = running.waiting().await?;
            tracing::info!(?reason, "MCP service ended");
            Ok(())
        }
        // A client that hangs up before any lifecycle started (a probe) is a normal end.
        Err(ServerInitializeError::ConnectionClosed(context)) => {
            tracing::info!(%context, "input closed before an MCP lifecycle started");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Streamable HTTP at `http://addr/mcp`; prints `listening on http://<bound>/mcp` once bound.
async fn serve_http(addr: SocketAddr) -> anyhow::Result<()> {
    let (sessions, streams) = TrackingSessions::new();
    let shared = Shared {
        streams,
        ..Shared::default()
    };
    let config = StreamableHttpServerConfig::default();
    let shutdown = config.cancellation_token.clone();
    let service = StreamableHttpService::new(
        move || Ok(ConformanceServer::new(shared.clone())),
        Arc::new(sessions),
        config,
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{local}/mcp")?;
        stdout.flush()?;
    }
    let app = axum::Router::new().route_service("/mcp", service);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            termination().await;
            // Ends open SSE streams, which would otherwise hold the graceful shutdown open.
            shutdown.cancel();
        })
        .await?;
    Ok(())
}

/// Resolves on SIGINT, or SIGTERM on Unix.
async fn termination() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
