//! Start-up sequence and serve loop of `test-mcp-server`.
//!
//! Order of events, each driven by a flag of [`Cli`]:
//!
//! 1. arm the `--exit-after-ms` timer (it counts from process start);
//! 2. write `--stderr-lines` log lines to stderr;
//! 3. load `--tools-file` (a bad file fails before stdin is read);
//! 4. sleep `--startup-delay-ms`, without reading stdin;
//! 5. write `--stdout-noise` garbage lines to stdout;
//! 6. serve MCP over stdin/stdout until stdin closes, then flush stdout.
//!
//! The process exits with status 0 when its input ends (even before any lifecycle started) and
//! 1 when the lifecycle failed to start (for example `--era modern` refusing `initialize`); the
//! `crash` tool and the exit timer exit with status 1 on the spot.

use std::{io::Write as _, process::ExitCode, time::Duration};

use rmcp::{ServiceExt as _, service::ServerInitializeError};

use crate::{
    cli::Cli,
    era::EraGate,
    server::{Settings, TestServer},
    stdout, tools_file,
};

/// How long stdout may take to drain once the MCP service has ended.
const STDOUT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Run the server described by `cli` until its input ends.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let exit_timer = cli.exit_after_ms.map(|ms| tokio::spawn(exit_after(ms)));

    write_stderr_lines(&cli.name, cli.stderr_lines)?;

    let extra_tools = match &cli.tools_file {
        Some(path) => tools_file::load(path)?,
        None => Vec::new(),
    };

    if cli.startup_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(cli.startup_delay_ms)).await;
    }
    if let Some(addr) = cli.http {
        return serve_http(&cli, addr, extra_tools).await;
    }
    if let Some(addr) = cli.sse {
        return serve_sse(&cli, addr, extra_tools).await;
    }

    let (stdin, raw_stdout) = rmcp::transport::stdio_pipes();
    let mut pump = stdout::start(raw_stdout);
    let rmcp_sink = pump
        .rmcp_sink()
        .ok_or_else(|| anyhow::anyhow!("stdout sink already taken"))?;
    pump.noise().emit(cli.stdout_noise).await?;

    let server = test_server(&cli, pump.noise(), extra_tools)?;

    let exit_code = match EraGate::new(cli.era, server)
        .serve((stdin, rmcp_sink))
        .await
    {
        Ok(running) => {
            let reason = running.waiting().await?;
            tracing::info!(?reason, "MCP service ended");
            ExitCode::SUCCESS
        }
        // A client that hangs up before choosing a lifecycle (a probe, or a client that gave
        // up after a refused `server/discover`) is a normal end, not a failure.
        Err(ServerInitializeError::ConnectionClosed(context)) => {
            tracing::info!(%context, "input closed before an MCP lifecycle started");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "MCP lifecycle did not start");
            ExitCode::FAILURE
        }
    };

    // Whatever rmcp wrote last (a final response, an initialize refusal) must reach stdout.
    tokio::time::timeout(STDOUT_DRAIN_TIMEOUT, pump.finish()).await??;
    if let Some(timer) = exit_timer {
        timer.abort();
    }
    Ok(exit_code)
}

/// The tool handler `cli` describes, writing its garbage lines through `noise`.
fn test_server(
    cli: &Cli,
    noise: stdout::Noise,
    extra_tools: Vec<tools_file::ExtraTool>,
) -> anyhow::Result<TestServer> {
    TestServer::new(
        Settings {
            name: cli.name.clone(),
            era: cli.era,
            tools_delay: Duration::from_millis(cli.tools_delay_ms),
        },
        noise,
        extra_tools,
    )
}

/// Serve the same tools over streamable HTTP until SIGINT/SIGTERM or the process is killed.
async fn serve_http(
    cli: &Cli,
    addr: std::net::SocketAddr,
    extra_tools: Vec<tools_file::ExtraTool>,
) -> anyhow::Result<ExitCode> {
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
    let (_stdin, raw_stdout) = rmcp::transport::stdio_pipes();
    let pump = stdout::start(raw_stdout);
    let server = test_server(cli, pump.noise(), extra_tools)?;
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        std::sync::Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("listening on http://{local}/mcp");
    std::io::stdout().flush()?;
    let app = axum::Router::new().route_service("/mcp", service);
    axum::serve(listener, app).await?;
    Ok(ExitCode::SUCCESS)
}

/// Serve the same tools over the legacy HTTP+SSE transport until the process is killed.
async fn serve_sse(
    cli: &Cli,
    addr: std::net::SocketAddr,
    extra_tools: Vec<tools_file::ExtraTool>,
) -> anyhow::Result<ExitCode> {
    let (_stdin, raw_stdout) = rmcp::transport::stdio_pipes();
    let pump = stdout::start(raw_stdout);
    let server = test_server(cli, pump.noise(), extra_tools)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("listening on http://{local}/sse");
    std::io::stdout().flush()?;
    axum::serve(listener, crate::sse::router(server)).await?;
    Ok(ExitCode::SUCCESS)
}

/// Sleep `ms` milliseconds, then end the process with status 1 whatever it is doing.
async fn exit_after(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    tracing::warn!(ms, "--exit-after-ms elapsed: exiting with status 1");
    std::process::exit(1);
}

/// Write `count` plain log lines to stderr, naming the server so tests can find them.
fn write_stderr_lines(name: &str, count: u64) -> std::io::Result<()> {
    let mut stderr = std::io::stderr().lock();
    for index in 1..=count {
        writeln!(stderr, "{name}: stderr line {index}/{count}")?;
    }
    stderr.flush()
}
