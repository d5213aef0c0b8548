//! A faithful local stand-in of the Enkrypt guardrails HTTP API (the endpoints, headers and JSON shapes
//! of REFERENCE.md §4), for tests: real HTTP on 127.0.0.1, deterministic verdicts, switchable failures.
//!
//! Verdicts are driven by markers in the checked text: `INJECT` → `injection_attack: 1`, `TOXIC` →
//! `toxicity: ["insult"]`, `KEYWORD` → `keyword_detected: 1`, `OFFTOPIC` → `on_topic: 0`, `NSFW`,
//! `POLICY` (policy_violation), `BIAS`, `SPONGE`; an e-mail address → `pii: 1`. Relevancy/adherence
//! scores drop to 0.2 when the answer contains `IRRELEVANT` / `NONADHERENT`; `HALLUCINATE` sets
//! `is_hallucination: 1`. PII redaction replaces e-mail addresses with `<EMAIL_n>` and restores them by key.
//!
//! Control: `POST /__control {"mode": "ok"|"status500"|"garbage"|"error_body"|"no_summary"|"hang"}`;
//! `GET /__requests` returns every request seen (path, headers except the API key's value, body);
//! `DELETE /__requests` clears them. The `apikey` header must equal `--api-key` (else 401).
//! Prints `listening on 127.0.0.1:<port>` on stdout once ready.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "test-enkrypt-api-key")]
    api_key: String,
    #[arg(long, default_value_t = 0)]
    port: u16,
}

#[derive(Default)]
struct Shared {
    api_key: String,
    mode: String,
    requests: Vec<Value>,
    vault: HashMap<String, Vec<(String, String)>>,
}

type AppState = Arc<Mutex<Shared>>;

fn email_regex() -> regex::Regex {
    regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("static regex")
}

fn summary_for(text: &str) -> Value {
    let has = |marker: &str| text.contains(marker);
    json!({
        "injection_attack": i32::from(has("INJECT")),
        "toxicity": if has("TOXIC") { json!(["insult"]) } else { json!([]) },
        "keyword_detected": i32::from(has("KEYWORD")),
        "on_topic": i32::from(!has("OFFTOPIC")),
        "nsfw": i32::from(has("NSFW")),
        "policy_violation": i32::from(has("POLICY")),
        "bias": i32::from(has("BIAS")),
        "sponge_attack": i32::from(has("SPONGE")),
        "pii": i32::from(email_regex().is_match(text)),
    })
}

/// Applies the failure mode, if any, before a normal answer.
async fn failure(state: &AppState) -> Option<Response> {
    let mode = state.lock().map(|s| s.mode.clone()).unwrap_or_default();
    match mode.as_str() {
        "status500" => Some((StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()),
        "garbage" => Some((StatusCode::OK, "<html>not json</html>").into_response()),
        "error_body" => Some(Json(json!({"error": "Policy not found"})).into_response()),
        "no_summary" => Some(Json(json!({"details": {}})).into_response()),
        "hang" => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            None
        }
        _ => None,
    }
}

fn record(state: &AppState, uri: &Uri, headers: &HeaderMap, body: &Value) -> bool {
    let Ok(mut shared) = state.lock() else {
        return false;
    };
    let authorised =
        headers.get("apikey").and_then(|v| v.to_str().ok()) == Some(shared.api_key.as_str());
    let shown: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            let value = if k.as_str() == "apikey" {
                if authorised { "<valid>" } else { "<invalid>" }
            } else {
                v.to_str().unwrap_or("")
            };
            (k.as_str().to_string(), json!(value))
        })
        .collect();
    shared
        .requests
        .push(json!({"path": uri.path(), "headers": shown, "body": body}));
    authorised
}

async fn guarded(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Value,
) -> Option<Response> {
    if !record(state, uri, headers, body) {
        return Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "Unauthorized"})),
            )
                .into_response(),
        );
    }
    failure(state).await
}

async fn detect(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(early) = guarded(&state, &uri, &headers, &body).await {
        return early;
    }
    let text = body.get("text").and_then(Value::as_str).unwrap_or_default();
    Json(json!({"summary": summary_for(text), "details": {"injection_attack": {"safe": "0.01", "attack": "0.99"}}})).into_response()
}

async fn pii(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(early) = guarded(&state, &uri, &headers, &body).await {
        return early;
    }
    let text = body
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mode = body
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("request");
    let Ok(mut shared) = state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if mode == "request" {
        let key = uuid::Uuid::new_v4().to_string();
        let mut pairs = Vec::new();
        let redacted = email_regex()
            .replace_all(&text, |caps: &regex::Captures<'_>| {
                let placeholder = format!("<EMAIL_{}>", pairs.len());
                pairs.push((placeholder.clone(), caps[0].to_string()));
                placeholder
            })
            .into_owned();
        shared.vault.insert(key.clone(), pairs);
        Json(json!({"text": redacted, "key": key})).into_response()
    } else {
        let key = body.get("key").and_then(Value::as_str).unwrap_or_default();
        let mut restored = text;
        for (placeholder, original) in shared.vault.get(key).cloned().unwrap_or_default() {
            restored = restored.replace(&placeholder, &original);
        }
        Json(json!({"text": restored})).into_response()
    }
}

async fn score(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(early) = guarded(&state, &uri, &headers, &body).await {
        return early;
    }
    let answer = body
        .get("llm_answer")
        .or_else(|| body.get("response_text"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    match uri.path() {
        "/guardrails/relevancy" => Json(json!({"summary": {"relevancy_score": if answer.contains("IRRELEVANT") { 0.2 } else { 0.9 }}})).into_response(),
        "/guardrails/adherence" => Json(json!({"summary": {"adherence_score": if answer.contains("NONADHERENT") { 0.2 } else { 0.95 }}})).into_response(),
        _ => Json(json!({"summary": {"is_hallucination": i32::from(answer.contains("HALLUCINATE"))}})).into_response(),
    }
}

async fn control(State(state): State<AppState>, Json(body): Json<Value>) -> Response {
    if let Ok(mut shared) = state.lock() {
        shared.mode = body
            .get("mode")
            .and_then(Value::as_str)
            .unwrap_or("ok")
            .to_string();
    }
    Json(json!({"ok": true})).into_response()
}

async fn requests(State(state): State<AppState>) -> Response {
    let seen = state.lock().map(|s| s.requests.clone()).unwrap_or_default();
    Json(Value::Array(seen)).into_response()
}

async fn clear(State(state): State<AppState>) -> Response {
    if let Ok(mut shared) = state.lock() {
        shared.requests.clear();
    }
    Json(json!({"ok": true})).into_response()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let state: AppState = Arc::new(Mutex::new(Shared {
        api_key: args.api_key,
        mode: "ok".into(),
        ..Shared::default()
    }));
    let app = Router::new()
        .route("/guardrails/policy/detect", post(detect))
        .route("/guardrails/guardrail/detect", post(detect))
        .route("/guardrails/pii", post(pii))
        .route("/guardrails/relevancy", post(score))
        .route("/guardrails/adherence", post(score))
        .route("/guardrails/hallucination", post(score))
        .route("/__control", post(control))
        .route("/__requests", get(requests).delete(clear))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    println!("listening on {}", listener.local_addr()?);
    use std::io::Write;
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}
