//! `make bench`: gateway-core against a direct connection to the same upstream, in one run.
//!
//! Measures (1) process start to `initialize` answered, (2) per-call latency of `echo` sequentially,
//! (3) idle RSS of the gateway process, (4) throughput with 64 calls in flight and the CPU time each
//! relayed call costs the gateway and its upstream (from `/proc`), (5) the same per-call
//! latency over streamable HTTP (`gateway-core serve` vs the upstream serving HTTP itself), (6) start
//! to first `tools/list` with the on-disk tool snapshot warm while an upstream takes 3 s to list, and
//! (7) the local guardrails on a 10 KB payload. Every figure is printed beside its baseline with the
//! ratio. Guardrails are off except in (7); the audit log is on (it is part of every real call).

mod payload;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;
use tokio::process::{Child, Command};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    gateway: PathBuf,
    #[arg(long)]
    upstream: PathBuf,
    #[arg(long, default_value_t = 2000)]
    calls: usize,
    #[arg(long, default_value_t = 20)]
    starts: usize,
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    #[arg(long, default_value_t = 10000)]
    throughput_calls: usize,
    /// Point the audit log at an unwritable path (measures the audit log's share).
    #[arg(long)]
    no_audit: bool,
}

const KEY: &str = "bench-gateway-key-0123456789abcdef";

struct Target {
    client: RunningService<RoleClient, ClientConfig>,
    child: Child,
    tool: &'static str,
}

fn client_info() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("gateway-bench", "0"),
    )
}

fn write_config(dir: &Path, upstream: &Path, no_audit: bool) -> Result<PathBuf> {
    write_config_named(dir, upstream, no_audit, false, "bench_config.json")
}

fn write_config_named(
    dir: &Path,
    upstream: &Path,
    no_audit: bool,
    guardrails: bool,
    name: &str,
) -> Result<PathBuf> {
    let policy = json!({
        "enabled": guardrails,
        "policy_name": "bench",
        "additional_config": {"pii_redaction": false},
        "block": ["injection_attack", "pii", "secrets", "toxicity", "nsfw"]
    });
    let audit = if no_audit {
        PathBuf::from("/proc/no-audit/audit.jsonl")
    } else {
        dir.join("audit.jsonl")
    };
    let config = json!({
        "common_mcp_gateway_config": {
            "enkrypt_guardrails_enabled": guardrails,
            "enkrypt_guardrails_provider": "local",
            "enkrypt_audit_log_path": audit,
        },
        "gateways": {KEY: {"id": "bench", "mcp_config": [{
            "server_name": "echo_server",
            "description": "bench upstream",
            "config": {"command": upstream, "args": ["--name", "echo_server"]},
            "tools": {},
            "input_guardrails_policy": policy,
            "output_guardrails_policy": policy
        }]}}
    });
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    Ok(path)
}

fn command_for(args: &Args, config: &Path, via_gateway: bool) -> Command {
    let mut cmd = if via_gateway {
        let mut c = Command::new(&args.gateway);
        c.arg("--config")
            .arg(config)
            .env("ENKRYPT_GATEWAY_KEY", KEY)
            .env("ENKRYPT_LOG_LEVEL", "warn");
        c
    } else {
        let mut c = Command::new(&args.upstream);
        c.args(["--name", "echo_server"]);
        c
    };
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd
}

async fn connect(args: &Args, config: &Path, via_gateway: bool) -> Result<(Target, Duration)> {
    let started = Instant::now();
    let mut child = command_for(args, config, via_gateway)
        .spawn()
        .context("spawn")?;
    let stdout = child.stdout.take().context("stdout")?;
    let stdin = child.stdin.take().context("stdin")?;
    let client = client_info()
        .serve((stdout, stdin))
        .await
        .context("initialize")?;
    let elapsed = started.elapsed();
    let tool = if via_gateway {
        "echo_server__echo"
    } else {
        "echo"
    };
    Ok((
        Target {
            client,
            child,
            tool,
        },
        elapsed,
    ))
}

async fn call(target: &Target, i: usize) -> Result<()> {
    call_with(target, format!("m{i}")).await
}

async fn call_with(target: &Target, message: String) -> Result<()> {
    let mut args = serde_json::Map::new();
    args.insert("message".into(), json!(message));
    let result = target
        .client
        .peer()
        .call_tool(CallToolRequestParams::new(target.tool).with_arguments(args))
        .await?;
    if result.is_error == Some(true) {
        bail!("call failed: {result:?}");
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`, in microseconds
/// (Linux reports clock ticks of 1/100 s to user space on every architecture it runs on).
fn cpu_us(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 1e6 / 100.0)
}

/// The child processes of `pid` (the upstream a gateway started).
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// CPU time of `pids` together.
fn cpu_of(pids: &[u32]) -> f64 {
    pids.iter().filter_map(|&p| cpu_us(p)).sum()
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn startup(args: &Args, config: &Path, via_gateway: bool) -> Result<Duration> {
    let mut samples = Vec::new();
    for _ in 0..args.starts {
        let (target, elapsed) = connect(args, config, via_gateway).await?;
        samples.push(elapsed);
        let _ = target.client.cancel().await;
    }
    samples.sort();
    Ok(percentile(&samples, 0.5))
}

/// Sequential latency of both targets, interleaved in blocks of 100 calls so machine noise hits both
/// alike. Returns sorted samples (direct, gateway).
async fn latency(
    args: &Args,
    direct: &Target,
    gateway: &Target,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    for i in 0..200 {
        call(direct, i).await?;
        call(gateway, i).await?;
    }
    let mut d = Vec::with_capacity(args.calls);
    let mut g = Vec::with_capacity(args.calls);
    let mut i = 0;
    while d.len() < args.calls {
        for (target, samples) in [(direct, &mut d), (gateway, &mut g)] {
            for _ in 0..100 {
                let t = Instant::now();
                call(target, i).await?;
                samples.push(t.elapsed());
                i += 1;
            }
        }
    }
    d.sort();
    g.sort();
    Ok((d, g))
}

async fn throughput(args: &Args, target: Arc<Target>) -> Result<f64> {
    let started = Instant::now();
    let per_worker = args.throughput_calls / args.concurrency;
    let workers = (0..args.concurrency).map(|w| {
        let target = target.clone();
        async move {
            for i in 0..per_worker {
                call(&target, w * per_worker + i).await?;
            }
            anyhow::Ok(())
        }
    });
    for r in futures::future::join_all(workers).await {
        r?;
    }
    Ok((per_worker * args.concurrency) as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = Args::parse();
    args.gateway = std::fs::canonicalize(&args.gateway).context("--gateway path")?;
    args.upstream = std::fs::canonicalize(&args.upstream).context("--upstream path")?;
    let dir = std::env::temp_dir().join(format!("gateway-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = write_config(&dir, &args.upstream, args.no_audit)?;

    println!(
        "gateway-core benchmark (guardrails off, audit log on) — side by side with a direct connection"
    );
    let start_direct = startup(&args, &config, false).await?;
    let start_gateway = startup(&args, &config, true).await?;
    println!(
        "start → initialize answered (p50 of {}): gateway {:.2} ms | direct upstream {:.2} ms | ratio {:.2}x",
        args.starts,
        start_gateway.as_secs_f64() * 1e3,
        start_direct.as_secs_f64() * 1e3,
        start_gateway.as_secs_f64() / start_direct.as_secs_f64()
    );

    let (direct, _) = connect(&args, &config, false).await?;
    let (gateway, _) = connect(&args, &config, true).await?;
    let (d1, g1) = latency(&args, &direct, &gateway).await?;
    let (dp50, dp99) = (percentile(&d1, 0.5), percentile(&d1, 0.99));
    let (gp50, gp99) = (percentile(&g1, 0.5), percentile(&g1, 0.99));
    println!(
        "per-call latency ({} sequential echo calls): gateway p50 {:.0} µs p99 {:.0} µs | direct p50 {:.0} µs p99 {:.0} µs",
        args.calls,
        us(gp50),
        us(gp99),
        us(dp50),
        us(dp99)
    );
    println!(
        "per-call overhead: p50 {:.0} µs, p99 {:.0} µs (ratio p50 {:.2}x)",
        us(gp50) - us(dp50),
        us(gp99) - us(dp99),
        us(gp50) / us(dp50)
    );
    let gateway_pid = gateway.child.id().context("gateway pid")?;
    let direct_pid = direct.child.id().context("direct pid")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!(
        "RSS after {} calls: gateway process {} KiB | upstream process (direct) {} KiB",
        args.calls + 200,
        rss_kib(gateway_pid).unwrap_or(0),
        rss_kib(direct_pid).unwrap_or(0)
    );
    let (idle, _) = connect(&args, &config, true).await?;
    let idle_pid = idle.child.id().context("idle pid")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!(
        "idle RSS (gateway after initialize, no upstream yet): {} KiB",
        rss_kib(idle_pid).unwrap_or(0)
    );
    let _ = idle.client.cancel().await;

    let gateway_upstreams = children(gateway_pid);
    let direct = Arc::new(direct);
    let gateway = Arc::new(gateway);
    let direct_before = cpu_of(&[direct_pid]);
    let tdirect = throughput(&args, direct.clone()).await?;
    let direct_cpu = cpu_of(&[direct_pid]) - direct_before;
    let (gateway_before, upstream_before) = (cpu_of(&[gateway_pid]), cpu_of(&gateway_upstreams));
    let tgateway = throughput(&args, gateway.clone()).await?;
    let gateway_cpu = cpu_of(&[gateway_pid]) - gateway_before;
    let upstream_cpu = cpu_of(&gateway_upstreams) - upstream_before;
    println!(
        "throughput ({} calls, {} in flight): gateway {:.0} calls/s | direct {:.0} calls/s | gateway/direct {:.1}%",
        args.throughput_calls,
        args.concurrency,
        tgateway,
        tdirect,
        100.0 * tgateway / tdirect
    );
    let calls = (args.throughput_calls / args.concurrency * args.concurrency) as f64;
    println!(
        "CPU per relayed call (same throughput runs, /proc utime+stime, 10 ms ticks): gateway {:.1} µs | its upstream {:.1} µs | direct upstream {:.1} µs",
        gateway_cpu / calls,
        upstream_cpu / calls,
        direct_cpu / calls
    );
    http_overhead(&args, &config).await?;
    warm_first_list(&args, &dir).await?;
    guardrail_overhead(&args, &dir).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Spawns `cmd`, waits for a stderr/stdout line containing `marker` and returns the URL after it.
async fn url_from(mut child: Child, marker: &str, stdout: bool) -> Result<(Child, String)> {
    use tokio::io::AsyncBufReadExt;
    let url = if stdout {
        let out = child.stdout.take().context("stdout")?;
        let mut lines = tokio::io::BufReader::new(out).lines();
        find_url(&mut lines, marker).await?
    } else {
        let err = child.stderr.take().context("stderr")?;
        let mut lines = tokio::io::BufReader::new(err).lines();
        let url = find_url(&mut lines, marker).await?;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        url
    };
    Ok((child, url))
}

async fn find_url<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
    marker: &str,
) -> Result<String> {
    let found = tokio::time::timeout(Duration::from_secs(15), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split(marker).nth(1) {
                return rest.split_whitespace().next().map(str::to_string);
            }
        }
        None
    })
    .await
    .context("server start timed out")?;
    found.context("no listen address printed")
}

async fn http_client(
    url: &str,
    bearer: Option<&str>,
) -> Result<RunningService<RoleClient, ClientConfig>> {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    if let Some(key) = bearer {
        config = config.auth_header(key.to_string());
    }
    client_info()
        .serve(StreamableHttpClientTransport::from_config(config))
        .await
        .context("HTTP initialize")
}

/// Per-call latency over streamable HTTP: `gateway-core serve` (stdio upstream behind it) against the
/// same upstream serving HTTP itself, interleaved like the stdio figures.
async fn http_overhead(args: &Args, config: &Path) -> Result<()> {
    let upstream = Command::new(&args.upstream)
        .args(["--name", "echo_server", "--http", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("spawn HTTP upstream")?;
    let (upstream, direct_url) = url_from(upstream, "listening on ", true).await?;
    let gateway = Command::new(&args.gateway)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .env("ENKRYPT_LOG_LEVEL", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("spawn gateway serve")?;
    let (gateway, gateway_url) = url_from(gateway, "serving MCP on ", false).await?;
    let direct = Target {
        client: http_client(&direct_url, None).await?,
        child: upstream,
        tool: "echo",
    };
    let via = Target {
        client: http_client(&gateway_url, Some(KEY)).await?,
        child: gateway,
        tool: "echo_server__echo",
    };
    let (d, g) = latency(args, &direct, &via).await?;
    println!(
        "HTTP per-call latency ({} sequential calls over streamable HTTP): gateway serve p50 {:.0} µs p99 {:.0} µs | upstream serving HTTP itself p50 {:.0} µs p99 {:.0} µs | overhead p50 {:.0} µs (ratio {:.2}x)",
        args.calls,
        us(percentile(&g, 0.5)),
        us(percentile(&g, 0.99)),
        us(percentile(&d, 0.5)),
        us(percentile(&d, 0.99)),
        us(percentile(&g, 0.5)) - us(percentile(&d, 0.5)),
        us(percentile(&g, 0.5)) / us(percentile(&d, 0.5))
    );
    let _ = direct.client.cancel().await;
    let _ = via.client.cancel().await;
    Ok(())
}

/// Start to first `tools/list` answered, with an upstream that takes 3 s to list: cold (nothing saved)
/// against warm (the tool snapshot of the previous run next to the config).
async fn warm_first_list(args: &Args, dir: &Path) -> Result<()> {
    let sub = dir.join("warm");
    std::fs::create_dir_all(&sub)?;
    let path = sub.join("enkrypt_mcp_config.json");
    let server = |name: &str, extra: &[&str]| {
        let mut a = vec!["--name", name];
        a.extend_from_slice(extra);
        json!({"server_name": name, "description": "bench", "tools": {},
            "config": {"command": args.upstream, "args": a}})
    };
    let config = json!({
        "common_mcp_gateway_config": {"enkrypt_guardrails_enabled": false,
            "enkrypt_audit_log_path": sub.join("audit.jsonl")},
        "gateways": {KEY: {"id": "bench-warm", "mcp_config": [
            server("echo_server", &[]),
            server("slow_lister", &["--tools-delay-ms", "3000"])
        ]}}
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
    let first_list = |path: PathBuf| async move {
        let started = Instant::now();
        let (target, _) = connect(args, &path, true).await?;
        let tools = target.client.peer().list_all_tools().await?;
        let elapsed = started.elapsed();
        let _ = target.client.cancel().await;
        anyhow::Ok((elapsed, tools.len()))
    };
    let (cold, cold_tools) = first_list(path.clone()).await?;
    let mut warm = Vec::new();
    let mut warm_tools = 0;
    for _ in 0..10 {
        let (elapsed, n) = first_list(path.clone()).await?;
        warm.push(elapsed);
        warm_tools = n;
    }
    warm.sort();
    println!(
        "start → first tools/list, one upstream taking 3 s to list: warm tool snapshot p50 {:.2} ms ({} tools) | cold {:.0} ms ({} tools) | ratio {:.3}x",
        percentile(&warm, 0.5).as_secs_f64() * 1e3,
        warm_tools,
        cold.as_secs_f64() * 1e3,
        cold_tools,
        percentile(&warm, 0.5).as_secs_f64() / cold.as_secs_f64()
    );
    Ok(())
}

/// Per-call latency with a 10 KB payload (scanned on input and output) through two gateways on the same
/// upstream: guardrails off vs the local engine blocking injection, PII, secrets, toxicity and NSFW.
async fn guardrail_overhead(args: &Args, dir: &Path) -> Result<()> {
    let off_config = write_config_named(dir, &args.upstream, false, false, "bench_off.json")?;
    let on_config = write_config_named(dir, &args.upstream, false, true, "bench_on.json")?;
    let (off, _) = connect(args, &off_config, true).await?;
    let (on, _) = connect(args, &on_config, true).await?;
    let payload = payload::ten_kb_text();
    for _ in 0..50 {
        call_with(&off, payload.clone()).await?;
        call_with(&on, payload.clone()).await?;
    }
    let (mut d_off, mut d_on) = (Vec::new(), Vec::new());
    for _ in 0..(args.calls / 200).max(2) {
        for (target, samples) in [(&off, &mut d_off), (&on, &mut d_on)] {
            for _ in 0..100 {
                let t = Instant::now();
                call_with(target, payload.clone()).await?;
                samples.push(t.elapsed());
            }
        }
    }
    d_off.sort();
    d_on.sort();
    println!(
        "local guardrails on a {} B payload (input + output scanned): p50 {:.0} µs vs {:.0} µs off → added {:.0} µs p50, {:.0} µs p99",
        payload.len(),
        us(percentile(&d_on, 0.5)),
        us(percentile(&d_off, 0.5)),
        us(percentile(&d_on, 0.5)) - us(percentile(&d_off, 0.5)),
        us(percentile(&d_on, 0.99)) - us(percentile(&d_off, 0.99)),
    );
    let _ = off.client.cancel().await;
    let _ = on.client.cancel().await;
    Ok(())
}
