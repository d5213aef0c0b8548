//! OpenTelemetry export of tool calls: the reference's `enkrypt_telemetry {enabled, endpoint, insecure}`.
//!
//! When enabled, every tool call becomes one span (`tools/call <tool>`) carrying the server, the tool, the
//! decision (`allowed` | `blocked` | `error`) and the duration, and feeds three metrics:
//! `enkrypt_tool_calls_total` and `enkrypt_tool_calls_blocked_total` (counters, by server, tool and
//! decision) and `enkrypt_tool_call_duration_seconds` (histogram). Nothing else is recorded: never tool
//! arguments, results, messages or secrets.
//!
//! Transport, as the reference (Python OTLP gRPC exporter): OTLP over gRPC, default endpoint
//! `http://localhost:4317`. Per the OTLP exporter spec, an `https://` endpoint means TLS (verified with the
//! OS roots) and an `http://` one plaintext; `insecure` decides only for an endpoint without a scheme
//! (`collector:4317`): `true` (the reference's default) is plaintext, `false` TLS.
//!
//! Cost: with telemetry off (or the key absent) the hot path pays one atomic load ([`enabled`]). With it
//! on, export runs on its own one-thread runtime, so the gateway's runtime never waits for a collector. An
//! endpoint that does not accept a connection at start gets one warning; the gateway keeps serving and
//! exports are dropped (the OTLP client reconnects when the collector comes up). [`init`] is called once
//! at start-up; its [`TelemetryGuard`] flushes spans and metrics when dropped.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, MeterProvider as _};
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::tonic_types::transport::ClientTlsConfig;
use opentelemetry_otlp::{RetryPolicy, WithExportConfig as _, WithTonicConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use serde_json::{Map, Value};

use crate::audit::Decision;

/// The reference's default endpoint (OTLP/gRPC on the collector's standard port).
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4317";
/// `service.name` of the exported resource, as the reference's, so existing dashboards keep working.
const SERVICE_NAME: &str = "secure-mcp-gateway";
/// Per-export deadline; also bounds how long shutdown waits for an unresponsive collector.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the start-up reachability probe waits for a TCP connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

static INSTRUMENTS: OnceLock<Instruments> = OnceLock::new();

struct Instruments {
    tracer: SdkTracer,
    calls: Counter<u64>,
    blocked: Counter<u64>,
    duration: Histogram<f64>,
}

/// `enkrypt_telemetry` as read from the common section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub enabled: bool,
    pub endpoint: String,
    pub insecure: bool,
}

impl Settings {
    /// Reads `enkrypt_telemetry` from the common section's extra keys; `None` when the key is absent.
    /// Missing fields take the reference's defaults (`enabled: false`, `insecure: true`, the default
    /// endpoint); a value of the wrong type is reported and treated as missing.
    pub fn from_common_extra(extra: &Map<String, Value>) -> Option<Settings> {
        let section = extra.get("enkrypt_telemetry")?;
        let Some(section) = section.as_object() else {
            tracing::warn!("enkrypt_telemetry is not an object; telemetry stays off");
            return None;
        };
        let flag = |key: &str, default: bool| match section.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(value)) => *value,
            Some(_) => {
                tracing::warn!(
                    key,
                    "enkrypt_telemetry.{key} is not a boolean; using {default}"
                );
                default
            }
        };
        let endpoint = match section.get("endpoint") {
            Some(Value::String(url)) if !url.trim().is_empty() => url.trim().to_string(),
            _ => DEFAULT_ENDPOINT.to_string(),
        };
        Some(Settings {
            enabled: flag("enabled", false),
            endpoint,
            insecure: flag("insecure", true),
        })
    }

    /// The endpoint with its scheme made explicit (the OTLP spec's `insecure` rule).
    pub fn resolved_endpoint(&self) -> String {
        let has_scheme = self
            .endpoint
            .split_once("://")
            .is_some_and(|(scheme, _)| !scheme.contains(['/', '?', '#']));
        match (has_scheme, self.insecure) {
            (true, _) => self.endpoint.clone(),
            (false, true) => format!("http://{}", self.endpoint),
            (false, false) => format!("https://{}", self.endpoint),
        }
    }
}

/// Why telemetry could not start (the gateway then runs without it).
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot start the export runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("telemetry was already started in this process")]
    AlreadyStarted,
}

/// Keeps export running; dropping it flushes the last spans and metrics (bounded by the export
/// timeout) and stops the export runtime.
#[must_use = "telemetry stops when the guard is dropped"]
pub struct TelemetryGuard {
    live: Option<Live>,
}

struct Live {
    tracers: SdkTracerProvider,
    meters: SdkMeterProvider,
    runtime: tokio::runtime::Runtime,
}

impl TelemetryGuard {
    /// Whether this guard exports anything.
    pub fn is_active(&self) -> bool {
        self.live.is_some()
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        let Some(live) = self.live.take() else { return };
        // Blocking is fine here: the exporters' I/O runs on `live.runtime`, not on the caller's runtime.
        if let Err(error) = live.tracers.shutdown_with_timeout(EXPORT_TIMEOUT) {
            tracing::debug!(%error, "telemetry: final span export failed");
        }
        if let Err(error) = live.meters.shutdown() {
            tracing::debug!(%error, "telemetry: final metric export failed");
        }
        live.runtime.shutdown_background();
    }
}

/// Whether spans and metrics are being recorded (one atomic load: the hot path's only cost when off).
#[inline]
pub fn enabled() -> bool {
    INSTRUMENTS.get().is_some()
}

/// Starts export if `enkrypt_telemetry.enabled` is true; call once at start-up and keep the guard until
/// shutdown. Never fails the gateway: a problem is one warning and telemetry stays off.
pub fn init(extra: &Map<String, Value>) -> TelemetryGuard {
    let off = TelemetryGuard { live: None };
    let Some(settings) = Settings::from_common_extra(extra) else {
        return off;
    };
    if !settings.enabled {
        return off;
    }
    match start(&settings) {
        Ok(live) => {
            tracing::info!(endpoint = %settings.resolved_endpoint(), "telemetry: exporting tool-call spans and metrics over OTLP/gRPC");
            TelemetryGuard { live: Some(live) }
        }
        Err(error) => {
            tracing::warn!(%error, "telemetry disabled");
            off
        }
    }
}

fn start(settings: &Settings) -> Result<Live, TelemetryError> {
    if INSTRUMENTS.get().is_some() {
        return Err(TelemetryError::AlreadyStarted);
    }
    let endpoint = settings.resolved_endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otel-export")
        .enable_all()
        .build()?;
    // The gRPC channel spawns its connection task on the runtime current while it is built.
    let entered = runtime.enter();
    let tls = endpoint
        .starts_with("https://")
        .then(|| ClientTlsConfig::new().with_native_roots());

    let mut spans = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .with_retry_policy(RetryPolicy::disabled());
    if let Some(tls) = tls.clone() {
        spans = spans.with_tls_config(tls);
    }
    let spans = spans.build()?;
    let mut metrics = opentelemetry_otlp::MetricExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint.clone())
        .with_timeout(EXPORT_TIMEOUT)
        .with_retry_policy(RetryPolicy::disabled());
    if let Some(tls) = tls {
        metrics = metrics.with_tls_config(tls);
    }
    let metrics = metrics.build()?;

    let resource = Resource::builder()
        .with_service_name(SERVICE_NAME)
        .with_attributes([
            KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
            KeyValue::new("job", "enkryptai"),
        ])
        .build();
    let tracers = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource.clone())
        .build();
    let meters = SdkMeterProvider::builder()
        .with_periodic_exporter(metrics)
        .with_resource(resource)
        .build();
    let meter = meters.meter("gateway-core");
    let instruments = Instruments {
        tracer: tracers.tracer("gateway-core"),
        calls: meter
            .u64_counter("enkrypt_tool_calls_total")
            .with_description("Tool calls handled by the gateway, by server, tool and decision")
            .build(),
        blocked: meter
            .u64_counter("enkrypt_tool_calls_blocked_total")
            .with_description("Tool calls blocked by guardrails or access rules")
            .build(),
        duration: meter
            .f64_histogram("enkrypt_tool_call_duration_seconds")
            .with_unit("s")
            .with_description("Wall time of a tool call through the gateway")
            .build(),
    };
    if INSTRUMENTS.set(instruments).is_err() {
        return Err(TelemetryError::AlreadyStarted);
    }
    runtime.spawn(probe(endpoint));
    drop(entered);
    Ok(Live {
        tracers,
        meters,
        runtime,
    })
}

/// One TCP connection attempt to the collector at start; a refusal or timeout is the single warning.
async fn probe(endpoint: String) {
    let Some(address) = host_port(&endpoint) else {
        tracing::warn!(
            endpoint,
            "telemetry: cannot read host and port from the endpoint"
        );
        return;
    };
    let attempt =
        tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(&address)).await;
    let problem = match attempt {
        Ok(Ok(_)) => return,
        Ok(Err(error)) => error.to_string(),
        Err(_) => format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
    };
    tracing::warn!(
        endpoint,
        problem,
        "telemetry: the OTLP collector is unreachable; the gateway keeps serving and spans and metrics are dropped until it answers"
    );
}

/// `host:port` of an `http(s)://host[:port][/…]` endpoint (the scheme's port when none is given).
fn host_port(endpoint: &str) -> Option<String> {
    let url = url::Url::parse(endpoint).ok()?;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

/// The decision label of a call for telemetry: a redaction is an allowed call.
pub fn decision_label(decision: Decision) -> &'static str {
    match decision {
        Decision::Allowed | Decision::Redacted => "allowed",
        Decision::Blocked => "blocked",
        Decision::Error => "error",
    }
}

/// Records one finished tool call: a span and the metrics. Does nothing when telemetry is off.
pub fn record_call(server: &str, tool: &str, decision: Decision, elapsed: Duration) {
    let Some(instruments) = INSTRUMENTS.get() else {
        return;
    };
    let label = decision_label(decision);
    let end = SystemTime::now();
    let start = end.checked_sub(elapsed).unwrap_or(end);
    let attributes = [
        KeyValue::new("mcp.method.name", "tools/call"),
        KeyValue::new("enkrypt.server", server.to_owned()),
        KeyValue::new("enkrypt.tool", tool.to_owned()),
        KeyValue::new("enkrypt.decision", label),
    ];
    let mut span = instruments
        .tracer
        .span_builder(format!("tools/call {tool}"))
        .with_kind(SpanKind::Server)
        .with_start_time(start)
        .with_attributes(attributes.iter().cloned().chain([KeyValue::new(
            "enkrypt.duration_ms",
            elapsed.as_secs_f64() * 1000.0,
        )]))
        .start(&instruments.tracer);
    if decision == Decision::Error {
        span.set_status(Status::error("the tool call failed"));
    }
    span.end_with_timestamp(end);
    let metric_attributes = &attributes[1..];
    instruments.calls.add(1, metric_attributes);
    if decision == Decision::Blocked {
        instruments.blocked.add(1, &attributes[1..3]);
    }
    instruments
        .duration
        .record(elapsed.as_secs_f64(), metric_attributes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn extra(value: Value) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("enkrypt_telemetry".into(), value);
        map
    }

    #[test]
    fn absent_key_is_none_and_defaults_are_the_reference_s() {
        assert_eq!(Settings::from_common_extra(&Map::new()), None);
        let settings = Settings::from_common_extra(&extra(json!({}))).expect("settings");
        assert_eq!(
            settings,
            Settings {
                enabled: false,
                endpoint: DEFAULT_ENDPOINT.into(),
                insecure: true
            }
        );
    }

    #[test]
    fn insecure_decides_only_for_an_endpoint_without_scheme() {
        let with = |endpoint: &str, insecure: bool| Settings {
            enabled: true,
            endpoint: endpoint.into(),
            insecure,
        };
        assert_eq!(
            with("collector:4317", true).resolved_endpoint(),
            "http://collector:4317"
        );
        assert_eq!(
            with("collector:4317", false).resolved_endpoint(),
            "https://collector:4317"
        );
        assert_eq!(
            with("http://collector:4317", false).resolved_endpoint(),
            "http://collector:4317"
        );
        assert_eq!(
            with("https://collector:4317", true).resolved_endpoint(),
            "https://collector:4317"
        );
    }

    #[test]
    fn wrong_types_fall_back_to_defaults() {
        let settings =
            Settings::from_common_extra(&extra(json!({"enabled": "yes", "endpoint": 4317})))
                .expect("settings");
        assert!(!settings.enabled);
        assert_eq!(settings.endpoint, DEFAULT_ENDPOINT);
        assert!(Settings::from_common_extra(&extra(json!(true))).is_none());
    }

    #[test]
    fn host_port_uses_the_scheme_default() {
        assert_eq!(
            host_port("http://127.0.0.1:4317").as_deref(),
            Some("127.0.0.1:4317")
        );
        assert_eq!(
            host_port("https://collector.example").as_deref(),
            Some("collector.example:443")
        );
    }

    #[test]
    fn off_costs_nothing_and_records_nothing() {
        let guard = init(&extra(json!({"enabled": false})));
        assert!(!guard.is_active());
        assert!(!enabled());
        record_call("s", "t", Decision::Allowed, Duration::from_millis(1));
    }
}
