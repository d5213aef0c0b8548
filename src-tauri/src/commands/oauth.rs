//! Sign-in commands for remote servers that need OAuth: each server's sign-in state, "Sign in" (the
//! system browser opens on the authorization URL; the app process waits for the loopback redirect and
//! stores the tokens in the keychain, all through [`gateway_core::oauth`]), and "Sign out". Whether a
//! server needs a sign-in, and the home page's lines about it, are `crate::signin`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use gateway_core::config::GatewayConfig;
use gateway_core::oauth::{self, OAuthError, OAuthTarget};
use tauri::{AppHandle, State};

use crate::error::{IpcError, blocking};
use crate::paths::AppPaths;
use crate::signin::{ServerSignIn, gateway_index, remember_probe, remote_targets, sign_in_of};

/// How long the app waits for the browser step of a sign-in.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

impl From<OAuthError> for IpcError {
    fn from(error: OAuthError) -> Self {
        Self::new(format!("oauth_{}", error.code()), error.to_string())
    }
}
async fn load(config: &Path) -> Result<GatewayConfig, IpcError> {
    let path = config.to_path_buf();
    blocking(move || {
        gateway_core::secrets::load_config(&path)
            .map_err(|e| IpcError::new(e.code(), e.to_string()))
    })
    .await
}

/// The sign-in state of every remote server of `gateway` (default: the first).
#[tauri::command]
pub async fn oauth_statuses(
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
) -> Result<Vec<ServerSignIn>, IpcError> {
    let config = load(&paths.config).await?;
    let index = gateway_index(&config, gateway.as_deref())?;
    let mut out = Vec::new();
    for target in remote_targets(&config, index) {
        out.push(sign_in_of(&target, true).await);
    }
    Ok(out)
}

/// The sign-in state of one remote server (probing it once when nothing is stored).
#[tauri::command]
pub async fn oauth_status(
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
    server: String,
) -> Result<ServerSignIn, IpcError> {
    let config = load(&paths.config).await?;
    let target = target_of(&config, gateway.as_deref(), &server)?;
    Ok(sign_in_of(&target, true).await)
}

fn target_of(
    config: &GatewayConfig,
    gateway: Option<&str>,
    server: &str,
) -> Result<OAuthTarget, IpcError> {
    let index = gateway_index(config, gateway)?;
    Ok(OAuthTarget::from_config(config, index, server)?)
}

/// Sign-ins waiting for the browser step, by (gateway, server): dropping the sender cancels one.
type Waiting = Mutex<HashMap<(Option<String>, String), tokio::sync::oneshot::Sender<()>>>;

fn waiting() -> &'static Waiting {
    static WAITING: std::sync::OnceLock<Waiting> = std::sync::OnceLock::new();
    WAITING.get_or_init(Default::default)
}

/// Signs in to `server`: opens the system browser on the authorization URL and waits (up to
/// [`SIGN_IN_TIMEOUT`], or until [`oauth_sign_in_cancel`]) for the redirect; the tokens go to the
/// keychain. Returns the new state.
#[tauri::command]
pub async fn oauth_sign_in(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
    server: String,
) -> Result<ServerSignIn, IpcError> {
    // Cancellable from the first moment (the UI offers "Cancel" as soon as the button is clicked).
    let (cancel, cancelled) = tokio::sync::oneshot::channel();
    let key = (gateway.clone(), server.clone());
    if let Ok(mut waiting) = waiting().lock() {
        // A second "Sign in" for the same server replaces (and so cancels) the first.
        waiting.insert(key.clone(), cancel);
    }
    let flow = async {
        let config = load(&paths.config).await?;
        let target = target_of(&config, gateway.as_deref(), &server)?;
        let pending = oauth::start_login(&target).await?;
        tracing::info!(server = %server, redirect = pending.redirect_uri(), "sign-in: opening the browser");
        open_browser(&app, pending.authorization_url())?;
        pending.complete(SIGN_IN_TIMEOUT).await?;
        Ok::<_, IpcError>(target)
    };
    let outcome = tokio::select! {
        done = flow => Some(done),
        _ = cancelled => None,
    };
    if let Ok(mut waiting) = waiting().lock()
        && waiting
            .get(&key)
            .is_some_and(tokio::sync::oneshot::Sender::is_closed)
    {
        waiting.remove(&key);
    }
    let Some(done) = outcome else {
        tracing::info!(server = %server, "sign-in cancelled; nothing stored");
        return Err(IpcError::new(
            "oauth_cancelled",
            "the sign-in was cancelled; nothing was stored",
        ));
    };
    let target = done?;
    remember_probe(&target.url, Some(true));
    crate::actions::state_changed(&app);
    Ok(sign_in_of(&target, false).await)
}

/// Stops waiting for the browser step of `server`'s sign-in (the loopback port closes; nothing is
/// stored). Returns whether a sign-in was waiting.
#[tauri::command]
pub async fn oauth_sign_in_cancel(
    gateway: Option<String>,
    server: String,
) -> Result<bool, IpcError> {
    let sender = waiting()
        .lock()
        .map_err(|_| IpcError::task("sign-in registry poisoned"))?
        .remove(&(gateway, server));
    Ok(sender.is_some_and(|s| s.send(()).is_ok()))
}

/// Forgets `server`'s tokens (its keychain entry). Returns the new state.
#[tauri::command]
pub async fn oauth_sign_out(
    app: AppHandle,
    paths: State<'_, AppPaths>,
    gateway: Option<String>,
    server: String,
) -> Result<ServerSignIn, IpcError> {
    let config = load(&paths.config).await?;
    let target = target_of(&config, gateway.as_deref(), &server)?;
    oauth::logout(&target).await?;
    crate::actions::state_changed(&app);
    Ok(sign_in_of(&target, false).await)
}

/// Opens `url` with the system's default browser (the shell plugin's opener; on Linux `xdg-open`).
fn open_browser(app: &AppHandle, url: &str) -> Result<(), IpcError> {
    use tauri_plugin_shell::ShellExt;
    // The shell plugin's opener is deprecated in favour of tauri-plugin-opener; the app already ships
    // the shell plugin, and this is the only place that opens a URL.
    #[allow(deprecated)]
    app.shell().open(url, None).map_err(|error| {
        IpcError::new(
            "browser_unavailable",
            format!("could not open the system browser: {error}"),
        )
    })
}
