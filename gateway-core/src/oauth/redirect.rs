//! The loopback end of the sign-in (RFC 8252 §7.3): a listener on `127.0.0.1` with a random port that
//! waits for the browser's redirect to `/callback`, checks its `state`, and answers the browser with a
//! short page. Only the first request to `/callback` counts; other paths (a favicon) get a 404.
//!
//! Not here: the token exchange (the caller does it before [`Callback::reply`]).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::OAuthError;

/// The path the redirect URI names.
pub const CALLBACK_PATH: &str = "/callback";
/// The most a browser's request head may take.
const MAX_HEAD: usize = 16 * 1024;

/// A bound loopback listener.
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

/// A redirect that carried a code with the expected state; answer it with [`Callback::reply`].
pub struct Callback {
    pub code: String,
    pub issuer: Option<String>,
    stream: TcpStream,
}

impl Loopback {
    /// Binds `127.0.0.1:0`.
    pub async fn bind() -> Result<Self, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(OAuthError::Loopback)?;
        let port = listener.local_addr().map_err(OAuthError::Loopback)?.port();
        Ok(Self { listener, port })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits up to `timeout` for the redirect. A redirect with another `state`, or one carrying an
    /// `error`, ends the wait with [`OAuthError::Redirect`] (the browser is told why).
    pub async fn wait(
        &self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<Callback, OAuthError> {
        tokio::time::timeout(timeout, self.accept_callback(expected_state))
            .await
            .map_err(|_| OAuthError::Timeout(timeout))?
    }

    async fn accept_callback(&self, expected_state: &str) -> Result<Callback, OAuthError> {
        loop {
            let (mut stream, _) = self.listener.accept().await.map_err(OAuthError::Loopback)?;
            let Some(target) = read_target(&mut stream).await else {
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            if path != CALLBACK_PATH {
                respond(&mut stream, 404, "Not found.").await;
                continue;
            }
            let mut code = None;
            let mut state = None;
            let mut issuer = None;
            let mut error = None;
            let mut description = None;
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                match key.as_ref() {
                    "code" => code = Some(value.into_owned()),
                    "state" => state = Some(value.into_owned()),
                    "iss" => issuer = Some(value.into_owned()),
                    "error" => error = Some(value.into_owned()),
                    "error_description" => description = Some(value.into_owned()),
                    _ => {}
                }
            }
            let state_ok = state.as_deref().is_some_and(|s| {
                subtle::ConstantTimeEq::ct_eq(s.as_bytes(), expected_state.as_bytes()).into()
            });
            if !state_ok {
                respond(
                    &mut stream,
                    400,
                    "Sign-in refused: the redirect's state does not match this sign-in.",
                )
                .await;
                return Err(OAuthError::Redirect(
                    "its `state` does not match the one this sign-in sent (a stale or forged redirect); nothing was stored".into(),
                ));
            }
            if let Some(error) = error {
                let detail = match description {
                    Some(d) => format!("{error}: {}", d.chars().take(200).collect::<String>()),
                    None => error,
                };
                respond(
                    &mut stream,
                    400,
                    "Sign-in was not completed. You can close this tab.",
                )
                .await;
                return Err(OAuthError::Redirect(format!(
                    "the authorization server answered `{detail}`"
                )));
            }
            let Some(code) = code.filter(|c| !c.is_empty()) else {
                respond(&mut stream, 400, "Sign-in refused: no authorization code.").await;
                return Err(OAuthError::Redirect(
                    "it carries no authorization code".into(),
                ));
            };
            return Ok(Callback {
                code,
                issuer,
                stream,
            });
        }
    }
}

impl Callback {
    /// Tells the browser how the sign-in ended.
    pub async fn reply(mut self, ok: bool, text: &str) {
        respond(&mut self.stream, if ok { 200 } else { 400 }, text).await;
    }
}

/// The request target of a `GET` request head, or `None` for anything else.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buf[..read]);
    }
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.split(' ');
    if parts.next()? != "GET" {
        respond(stream, 405, "Method not allowed.").await;
        return None;
    }
    parts.next().map(str::to_owned)
}

async fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Enkrypt Secure MCP Gateway</title><p>{}</p>",
        text.replace('&', "&amp;").replace('<', "&lt;")
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
