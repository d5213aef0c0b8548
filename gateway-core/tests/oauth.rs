//! OAuth 2.1 sign-in to a remote upstream, for real: `oauth-mcp-server` (test_mcps: its own authorization
//! server with dynamic registration, PKCE, short-lived tokens and rotating refresh tokens) behind
//! `gateway-core`, `gateway-core auth login --no-browser` with the browser step done here (an HTTP GET of
//! the printed URL, following the redirects to the loopback port), tool calls through the gateway, silent
//! refresh after expiry (one refresh for many calls in flight), "sign-in needed" after revocation, and
//! refusals of bad input (a hung token endpoint among them) with nothing stored, and step-up after a 403
//! `insufficient_scope`.
//! Tokens must be in the keychain only: every file under HOME and the test folder, and everything the
//! processes printed, is searched for them.
//!
//! Needs a Secret Service: run under `tests/keychain/with-keyring.sh` (`make test-rust` does). Without one
//! each test prints `SKIP` and passes, unless `ENKRYPT_REQUIRE_KEYCHAIN=1`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::{KEY, bin, text};
use gateway_core::secrets::Keychain;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt};
use tokio::process::{Child, Command};

fn keychain_available(test: &str) -> bool {
    let probe = (|| {
        if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return Err("DBUS_SESSION_BUS_ADDRESS is not set".to_owned());
        }
        let keychain = Keychain::with_service("enkrypt-secure-mcp-gateway-test-probe");
        let name = format!("probe-{}", uuid::Uuid::new_v4().simple());
        keychain.set(&name, "v").map_err(|e| e.to_string())?;
        keychain.delete(&name).map_err(|e| e.to_string())?;
        Ok(())
    })();
    match probe {
        Ok(()) => true,
        Err(why) => {
            let required =
                std::env::var("ENKRYPT_REQUIRE_KEYCHAIN").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(
                !required,
                "ENKRYPT_REQUIRE_KEYCHAIN is set but no keychain: {why}"
            );
            eprintln!(
                "SKIP {test}: no usable OS keychain ({why}); run under tests/keychain/with-keyring.sh"
            );
            false
        }
    }
}

/// A running `oauth-mcp-server`, killed on drop.
struct AuthServer {
    _child: Child,
    url: String,
    base: String,
}

async fn start_server(args: &[&str]) -> AuthServer {
    let mut child = Command::new(bin("oauth-mcp-server"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn oauth-mcp-server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("server reports its URL in time")
        .expect("read")
        .expect("a line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    let base = url.trim_end_matches("/mcp").to_owned();
    AuthServer {
        _child: child,
        url,
        base,
    }
}

impl AuthServer {
    async fn control(&self, what: &str) {
        let status = reqwest::Client::new()
            .post(format!("{}/control/{what}", self.base))
            .send()
            .await
            .expect("control request")
            .status();
        assert!(status.is_success(), "control/{what}: {status}");
    }

    async fn stats(&self) -> Value {
        reqwest::get(format!("{}/control/stats", self.base))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }
}

/// A config with the remote server `remote` (plus `oauth` settings) and a local stdio server `local`.
fn write_config(dir: &Path, gateway: &str, url: &str, oauth: Value) -> PathBuf {
    let servers = vec![
        json!({"server_name": "remote", "description": "protected remote server",
               "config": {"url": url, "oauth": oauth}, "tools": {}}),
        common::upstream_entry("local", &[]),
    ];
    let path = common::write_config(dir, servers, json!({}));
    // Same layout as common::write_config, with this test's own gateway id.
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read config")).expect("json");
    doc["gateways"][KEY]["id"] = json!(gateway);
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    path
}

fn entry(gateway: &str) -> String {
    gateway_core::oauth::entry_name(gateway, "remote")
}

/// The stored sign-in (parsed), if any.
fn stored(gateway: &str) -> Option<Value> {
    Keychain::new()
        .get(&entry(gateway))
        .expect("keychain read")
        .map(|text| serde_json::from_str(&text).expect("stored sign-in is JSON"))
}

/// Access and refresh tokens of the stored sign-in.
fn stored_tokens(gateway: &str) -> Vec<String> {
    let Some(saved) = stored(gateway) else {
        return Vec::new();
    };
    let token = &saved["credentials"]["token_response"];
    ["access_token", "refresh_token"]
        .iter()
        .filter_map(|k| token[*k].as_str().map(str::to_owned))
        .collect()
}

struct Cleanup(&'static str);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Keychain::new().delete(&entry(self.0));
    }
}

fn auth_command(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin("gateway-core"));
    cmd.arg("auth")
        .args(args)
        .arg("--config")
        .arg(config)
        .env("ENKRYPT_GATEWAY_KEY", KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// What a finished `auth login` printed.
struct Login {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// `auth login remote --no-browser`; the browser step is `browser(url)`.
async fn login_with<F, Fut>(config: &Path, browser: F) -> Login
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut child = auth_command(
        config,
        &["login", "remote", "--no-browser", "--timeout", "20"],
    )
    .spawn()
    .expect("spawn auth login");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("auth login prints in time")
        .expect("read");
    let mut printed = String::new();
    if let Some(url) = first {
        printed.push_str(&url);
        printed.push('\n');
        assert!(
            url.starts_with("http"),
            "first stdout line is the URL: {url}"
        );
        browser(url).await;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        printed.push_str(&line);
        printed.push('\n');
    }
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("auth login ends")
        .expect("wait");
    let mut err = String::new();
    let _ = stderr.read_to_string(&mut err).await;
    eprintln!("[auth login] {err}");
    Login {
        ok: status.success(),
        stdout: printed,
        stderr: err,
    }
}

/// The browser: GET the authorization URL and follow the redirects to the loopback port.
async fn browse(url: String) {
    let response = reqwest::get(&url).await.expect("browser step");
    let page = response.text().await.unwrap_or_default();
    assert!(page.contains("Signed in"), "redirect page: {page}");
}

async fn login(config: &Path) -> Login {
    login_with(config, browse).await
}

async fn status(config: &Path) -> (i32, String) {
    let out = auth_command(config, &["status", "remote"])
        .output()
        .await
        .expect("auth status");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `enkrypt_secure_call_tools` on one server: the whole JSON answer as text.
async fn call(session: &common::Session, server: &str, message: &str) -> String {
    let result = session
        .call(
            "enkrypt_secure_call_tools",
            json!({"server_name": server, "tool_calls": [{"name": "echo", "args": {"message": message}}]}),
        )
        .await;
    text(&result)
}

/// Every file below `root` whose bytes contain one of `secrets`.
fn files_containing(root: &Path, secrets: &[String]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                if secrets.iter().any(|s| text.contains(s.as_str())) {
                    found.push(path);
                }
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_call_refresh_revoke_with_tokens_only_in_the_keychain() {
    if !keychain_available("sign_in_call_refresh_revoke") {
        return;
    }
    let gw = "oauth-test-flow";
    let _cleanup = Cleanup(gw);
    let _ = Keychain::new().delete(&entry(gw));
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(&["--token-ttl", "3"]).await;
    let config = write_config(dir.path(), gw, &server.url, json!({}));
    let mut seen_tokens: Vec<String> = Vec::new();
    let mut printed = String::new();

    // Before any sign-in: a clear tool error for the remote server; the local one keeps working.
    let (code, out) = status(&config).await;
    assert_eq!(code, 3, "status before sign-in: {out}");
    assert!(out.contains("sign-in needed"), "{out}");
    let session = common::connect(&config, common::legacy()).await;
    let refused = call(&session, "remote", "before").await;
    assert!(
        refused.contains("sign in with `gateway-core auth login remote` or from the app"),
        "{refused}"
    );
    let local = call(&session, "local", "still-here").await;
    assert!(local.contains("still-here"), "{local}");
    session.close().await;

    // Sign in: DCR, PKCE, loopback redirect; tokens land in the keychain.
    let signed = login(&config).await;
    assert!(signed.ok, "auth login failed: {}", signed.stderr);
    assert_eq!(signed.stdout.lines().count(), 1, "{}", signed.stdout);
    printed.push_str(&signed.stdout);
    printed.push_str(&signed.stderr);
    let stats = server.stats().await;
    assert_eq!(stats["registrations"], 1, "{stats}");
    assert_eq!(stats["code_grants"], 1, "{stats}");
    seen_tokens.extend(stored_tokens(gw));
    assert_eq!(seen_tokens.len(), 2, "access and refresh token stored");
    let (code, out) = status(&config).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("signed in as test-user@example.test"),
        "the account comes from the AS's userinfo: {out}"
    );
    printed.push_str(&out);

    // Calls carry the token.
    let session = common::connect(&config, common::legacy()).await;
    let names = session.tool_names().await;
    assert!(names.iter().any(|n| n == "remote__echo"), "{names:?}");
    let first = call(&session, "remote", "first-call").await;
    assert!(first.contains("first-call"), "{first}");

    // The access token expires (3 s): the next call refreshes silently, and the rotated refresh token
    // is written back to the keychain.
    let before = stored_tokens(gw);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let second = call(&session, "remote", "after-expiry").await;
    assert!(second.contains("after-expiry"), "{second}");
    let stats = server.stats().await;
    assert!(stats["refresh_grants"].as_u64() >= Some(1), "{stats}");
    let after = stored_tokens(gw);
    assert_eq!(after.len(), 2);
    assert_ne!(before[1], after[1], "the rotated refresh token is stored");
    seen_tokens.extend(after);

    // Server-side expiry before the client's clock says so: a 401, one refresh, the call goes through.
    server.control("expire-access").await;
    let third = call(&session, "remote", "after-401").await;
    assert!(third.contains("after-401"), "{third}");
    seen_tokens.extend(stored_tokens(gw));

    // Revocation: the refresh is refused, the server turns into "sign-in needed" (no crash, no hang);
    // the local server is unaffected.
    server.control("revoke-all").await;
    let refused = call(&session, "remote", "after-revoke").await;
    assert!(
        refused.contains("needs sign-in") && refused.contains("gateway-core auth login remote"),
        "the first call after revocation says so: {refused}"
    );
    let again = call(&session, "remote", "after-revoke-again").await;
    assert!(again.contains("gateway-core auth login remote"), "{again}");
    let local = call(&session, "local", "unaffected").await;
    assert!(local.contains("unaffected"), "{local}");
    session.close().await;
    let (code, out) = status(&config).await;
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("refresh failed") && out.contains("rejected"),
        "{out}"
    );
    printed.push_str(&out);

    // Sign in again, then sign out: the entry is gone.
    let again = login(&config).await;
    assert!(again.ok, "{}", again.stderr);
    printed.push_str(&again.stdout);
    printed.push_str(&again.stderr);
    seen_tokens.extend(stored_tokens(gw));
    let out = auth_command(&config, &["logout", "remote"])
        .output()
        .await
        .expect("logout");
    assert!(out.status.success());
    assert!(stored(gw).is_none(), "logout removes the keychain entry");

    // No token anywhere but the keychain: not in any file under HOME or the test folder (config, audit
    // log, locks), not in anything the CLI printed.
    seen_tokens.sort();
    seen_tokens.dedup();
    assert!(seen_tokens.len() >= 6, "{} tokens seen", seen_tokens.len());
    let home = PathBuf::from(std::env::var("HOME").expect("HOME"));
    assert_eq!(files_containing(&home, &seen_tokens), Vec::<PathBuf>::new());
    assert_eq!(
        files_containing(dir.path(), &seen_tokens),
        Vec::<PathBuf>::new()
    );
    for token in &seen_tokens {
        assert!(!printed.contains(token.as_str()), "a token was printed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_nothing_is_stored() {
    if !keychain_available("bad_input_is_refused") {
        return;
    }
    let gw = "oauth-test-refusals";
    let _cleanup = Cleanup(gw);
    let _ = Keychain::new().delete(&entry(gw));
    let dir = tempfile::tempdir().expect("tempdir");

    // An authorization server offering only `plain` PKCE.
    let plain = start_server(&["--pkce-methods", "plain"]).await;
    let config = write_config(dir.path(), gw, &plain.url, json!({}));
    let out = login_with(&config, |_| async {}).await;
    assert!(!out.ok);
    assert!(out.stderr.contains("PKCE"), "{}", out.stderr);
    assert!(stored(gw).is_none());

    // A redirect with the wrong state.
    let server = start_server(&[]).await;
    let config = write_config(dir.path(), gw, &server.url, json!({}));
    let out = login_with(&config, |url| async move {
        let redirect = url::Url::parse(&url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .expect("redirect_uri");
        let forged = format!("{redirect}?code=stolen&state=not-the-state");
        let response = reqwest::get(&forged).await.expect("forged redirect");
        assert_eq!(response.status(), 400);
    })
    .await;
    assert!(!out.ok);
    assert!(out.stderr.contains("state"), "{}", out.stderr);
    assert!(stored(gw).is_none());

    // A token endpoint answering garbage.
    let garbage = start_server(&["--garbage-tokens"]).await;
    let config = write_config(dir.path(), gw, &garbage.url, json!({}));
    let out = login_with(&config, |url| async move {
        let _ = reqwest::get(&url).await;
    })
    .await;
    assert!(!out.ok);
    assert!(
        out.stderr.contains("did not issue tokens"),
        "{}",
        out.stderr
    );
    assert!(stored(gw).is_none());

    // No dynamic registration and no client id in the config: told what to set.
    let no_dcr = start_server(&["--no-dcr", "--client", "pre-id:pre-secret"]).await;
    let config = write_config(dir.path(), gw, &no_dcr.url, json!({}));
    let out = login_with(&config, |_| async {}).await;
    assert!(!out.ok);
    assert!(out.stderr.contains("oauth.client_id"), "{}", out.stderr);
    assert!(stored(gw).is_none());

    // ...and with the pre-registered confidential client (secret from the environment) it works.
    let config = write_config(
        dir.path(),
        gw,
        &no_dcr.url,
        json!({"client_id": "pre-id", "client_secret": "${env:OAUTH_TEST_CLIENT_SECRET}"}),
    );
    let mut child = auth_command(
        &config,
        &["login", "remote", "--no-browser", "--timeout", "20"],
    )
    .env("OAUTH_TEST_CLIENT_SECRET", "pre-secret")
    .spawn()
    .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let url = tokio::io::BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .expect("read")
        .expect("url line");
    browse(url).await;
    let status = child.wait().await.expect("wait");
    assert!(status.success());
    let saved = stored(gw).expect("stored");
    assert_eq!(saved["client_id"], "pre-id");
    assert_eq!(saved["registered"], false);
    assert_eq!(no_dcr.stats().await["registrations"], 0);
}

/// The sign-in target `remote` of the config at `config`, as the CLI and the app build it.
fn target(config: &Path) -> gateway_core::oauth::OAuthTarget {
    let loaded = gateway_core::secrets::load_config(config).expect("config loads");
    let index = gateway_core::oauth::select_gateway(&loaded, None, "remote").expect("gateway");
    gateway_core::oauth::OAuthTarget::from_config(&loaded, index, "remote").expect("target")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_token_endpoint_is_refused_in_bounded_time_and_nothing_is_stored() {
    if !keychain_available("hung_token_endpoint") {
        return;
    }
    let gw = "oauth-test-hung";
    let _cleanup = Cleanup(gw);
    let _ = Keychain::new().delete(&entry(gw));
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(&["--hang-token-secs", "120"]).await;
    let config = write_config(dir.path(), gw, &server.url, json!({}));
    let mut pending = gateway_core::oauth::start_login(&target(&config))
        .await
        .expect("sign-in starts");
    pending.set_token_timeout(Duration::from_secs(2));
    let url = pending.authorization_url().to_owned();
    // The browser: its request to the loopback redirect waits for the outcome of the exchange.
    let browser = tokio::spawn(async move {
        let response = reqwest::get(&url).await.expect("browser step");
        (response.status(), response.text().await.unwrap_or_default())
    });
    let started = std::time::Instant::now();
    let error = pending
        .complete(Duration::from_secs(20))
        .await
        .expect_err("a token endpoint that never answers fails the sign-in");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "gave up after {took:?}");
    assert_eq!(error.code(), "token_exchange", "{error}");
    assert!(
        error.to_string().contains("did not answer within 2s"),
        "{error}"
    );
    assert!(stored(gw).is_none(), "nothing half-written to the keychain");
    let (status, page) = tokio::time::timeout(Duration::from_secs(10), browser)
        .await
        .expect("the browser gets an answer")
        .expect("browser task");
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Sign-in failed"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_when_the_token_expires_share_one_refresh() {
    if !keychain_available("concurrent_refresh") {
        return;
    }
    let gw = "oauth-test-concurrent";
    let _cleanup = Cleanup(gw);
    let _ = Keychain::new().delete(&entry(gw));
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(&["--token-ttl", "3"]).await;
    let config = write_config(dir.path(), gw, &server.url, json!({}));
    let signed = login(&config).await;
    assert!(signed.ok, "auth login failed: {}", signed.stderr);
    let session = common::connect(&config, common::legacy()).await;
    let first = call(&session, "remote", "warm-up").await;
    assert!(first.contains("warm-up"), "{first}");
    let before = stored_tokens(gw);

    // The access token expires; then 8 calls at once: every one goes through, with ONE refresh (a
    // second refresh would present the rotated-away refresh token and be refused).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let messages: Vec<String> = (0..8).map(|i| format!("concurrent-{i}")).collect();
    let answers =
        futures::future::join_all(messages.iter().map(|m| call(&session, "remote", m))).await;
    for (message, answer) in messages.iter().zip(&answers) {
        assert!(answer.contains(message.as_str()), "{message}: {answer}");
    }
    let stats = server.stats().await;
    assert_eq!(stats["refresh_grants"], 1, "{stats}");
    assert_eq!(stats["refresh_rejected"], 0, "{stats}");
    let after = stored_tokens(gw);
    assert_eq!(after.len(), 2);
    assert_ne!(before[1], after[1], "the rotated refresh token is stored");

    // A second gateway process with the same sign-in keeps working on the rotated token.
    let other = common::connect(&config, common::legacy()).await;
    let answer = call(&other, "remote", "second-process").await;
    assert!(answer.contains("second-process"), "{answer}");
    other.close().await;
    session.close().await;
    assert_eq!(server.stats().await["refresh_rejected"], 0);
    let mut tokens = before;
    tokens.extend(after);
    let home = PathBuf::from(std::env::var("HOME").expect("HOME"));
    assert_eq!(files_containing(&home, &tokens), Vec::<PathBuf>::new());
    assert_eq!(files_containing(dir.path(), &tokens), Vec::<PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_needing_more_scope_names_it_and_the_next_sign_in_asks_for_the_union() {
    if !keychain_available("step_up") {
        return;
    }
    let gw = "oauth-test-step-up";
    let _cleanup = Cleanup(gw);
    let _ = Keychain::new().delete(&entry(gw));
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(&["--call-scope", "mcp:write"]).await;
    let config = write_config(dir.path(), gw, &server.url, json!({}));
    let signed = login(&config).await;
    assert!(signed.ok, "auth login failed: {}", signed.stderr);
    let granted = stored(gw).expect("stored")["credentials"]["granted_scopes"].clone();
    assert_eq!(
        granted,
        json!(["mcp:tools"]),
        "the first sign-in asks for the challenge's scope"
    );

    // The call needs `mcp:write`: a tool error naming it and saying to sign in again; noted for later.
    let session = common::connect(&config, common::legacy()).await;
    let refused = call(&session, "remote", "needs-write").await;
    assert!(
        refused.contains("needs scope `mcp:write`")
            && refused.contains("sign in with `gateway-core auth login remote` or from the app"),
        "{refused}"
    );
    session.close().await;
    let mut noted = Value::Null;
    for _ in 0..50 {
        noted = stored(gw).expect("stored")["step_up_scopes"].clone();
        if noted != Value::Null && noted != json!([]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(noted, json!(["mcp:write"]));

    // The next sign-in asks for the union of what was granted and what was missing; then the call works.
    let again = login_with(&config, |url| async move {
        let scope = url::Url::parse(&url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut asked: Vec<&str> = scope.split(' ').collect();
        asked.sort_unstable();
        assert_eq!(asked, ["mcp:tools", "mcp:write"], "{scope}");
        browse(url).await;
    })
    .await;
    assert!(again.ok, "{}", again.stderr);
    let session = common::connect(&config, common::legacy()).await;
    let answer = call(&session, "remote", "with-write").await;
    assert!(answer.contains("with-write"), "{answer}");
    session.close().await;
    assert_eq!(server.stats().await["insufficient_scope"], 1);
}
