//! `oauth-mcp-server`: the `test-mcp-server` tools over streamable HTTP behind OAuth 2.1, with the
//! authorization server in the same process (see `test_mcps::oauth`). Prints `listening on
//! http://ADDR/mcp` on stdout once it accepts connections.

use std::io::Write as _;
use std::time::Duration;

use clap::Parser;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tracing_subscriber::EnvFilter;

/// Flags of `oauth-mcp-server`.
#[derive(Debug, Parser)]
#[command(
    name = "oauth-mcp-server",
    about = "A protected MCP server with its own OAuth 2.1 authorization server, for tests"
)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Offered PKCE methods, comma-separated (`plain` alone makes a client refuse).
    #[arg(long, default_value = "S256", value_delimiter = ',')]
    pkce_methods: Vec<String>,
    /// Do not offer dynamic client registration.
    #[arg(long)]
    no_dcr: bool,
    /// A pre-registered client, as ID:SECRET.
    #[arg(long, value_name = "ID:SECRET")]
    client: Option<String>,
    /// Scopes supported and asked for, comma-separated.
    #[arg(long, default_value = "mcp:tools", value_delimiter = ',')]
    scopes: Vec<String>,
    /// The token endpoint answers 200 with HTML instead of tokens.
    #[arg(long)]
    garbage_tokens: bool,
    /// The token endpoint waits this many seconds before answering.
    #[arg(long, value_name = "SECS")]
    hang_token_secs: Option<u64>,
    /// The pretend user `/userinfo` names.
    #[arg(long, default_value = "test-user@example.test")]
    account: String,
    /// A scope `tools/call` needs on top of the others (403 `insufficient_scope` without it).
    #[arg(long, value_name = "SCOPE")]
    call_scope: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    let (_stdin, raw_stdout) = rmcp::transport::stdio_pipes();
    let pump = test_mcps::stdout::start(raw_stdout);
    let server = test_mcps::server::TestServer::new(
        test_mcps::server::Settings {
            name: "oauth-mcp-server".into(),
            era: test_mcps::era::Era::Both,
            tools_delay: Duration::ZERO,
        },
        pump.noise(),
        Vec::new(),
    )?;
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        std::sync::Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let client = match args.client.as_deref().map(|c| c.split_once(':')) {
        None => None,
        Some(Some((id, secret))) => Some((id.to_owned(), secret.to_owned())),
        Some(None) => anyhow::bail!("--client takes ID:SECRET"),
    };
    let options = test_mcps::oauth::Options {
        token_ttl: Duration::from_secs(args.token_ttl),
        pkce_methods: args.pkce_methods,
        dcr: !args.no_dcr,
        client,
        scopes: args.scopes.into_iter().filter(|s| !s.is_empty()).collect(),
        garbage_tokens: args.garbage_tokens,
        hang_token: args.hang_token_secs.map(Duration::from_secs),
        account: args.account,
        call_scope: args.call_scope,
    };
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on http://{}/mcp", listener.local_addr()?);
    std::io::stdout().flush()?;
    let mcp = axum::Router::new().route_service("/mcp", service);
    test_mcps::oauth::serve(listener, options, mcp).await
}
