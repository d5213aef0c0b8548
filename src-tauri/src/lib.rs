//! # enkrypt-desktop
//!
//! The desktop face of the Enkrypt Secure MCP Gateway: a Tauri 2 tray app whose window (the `ui/`
//! frontend) edits the gateway config, adds the gateway to MCP clients, manages keychain secrets,
//! reviews quarantined tools and shows the audit log live.
//!
//! It never proxies MCP traffic and holds no gateway logic: every rule lives in the `gateway-core`
//! library, and the bundled `gateway-core` binary ([`sidecar`]) does what must be done by the binary
//! itself (client installs, `check-config`). Tour:
//! - [`paths`]: which config, which sidecar, which audit log; [`settings`]: the app's own settings
//!   (the chosen gateway), persisted next to the config.
//! - [`commands`]: the thin `#[tauri::command]`s, one file per UI page; [`actions`]: what the window and
//!   the tray both do (config edits, client changes by the sidecar, toggles), used by both.
//! - [`tray`]: icon + menu (non-fatal when there is no tray host); [`status`]: what it shows.
//! - [`autostart`]: "Start at login" per OS; [`updater`]: update checks, off unless a release enables them.
//! - [`error`]: the `{code, message}` error every command returns; [`ipc_types`]: every IPC type as
//!   TypeScript for the UI (`ui/src/generated/ipc.ts`, generated, drift-tested).

pub mod actions;
pub mod autostart;
pub mod commands;
pub mod error;
pub mod ipc_types;
pub mod paths;
pub mod settings;
pub mod sidecar;
pub mod signin;
pub mod status;
pub mod tray;
pub mod updater;

use tauri::{Manager, WindowEvent};

use crate::paths::AppPaths;

/// Command-line flag the autostart entry passes: start with the window hidden (tray only).
pub const HIDDEN_FLAG: &str = "--hidden";

/// On Linux/BSD, a sentence saying what to do when there is no graphical display (GTK would panic).
fn missing_display() -> Option<&'static str> {
    if cfg!(any(target_os = "macos", windows)) {
        return None;
    }
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        return None;
    }
    Some(
        "error: the Enkrypt desktop app needs a graphical display, and none is set (DISPLAY and \
         WAYLAND_DISPLAY are empty).\n  - On a desktop: start it from your desktop session.\n  - Over \
         SSH: use `ssh -X`, or run it under a virtual display: `xvfb-run -a enkrypt-desktop`.\n  - To \
         run only the gateway (no window): `make gateway`, or `gateway-core --config <file>`.",
    )
}

/// Builds and runs the app until Quit.
pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENKRYPT_DESKTOP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().collect();
    if let Some(message) = missing_display() {
        eprintln!("{message}");
        std::process::exit(2);
    }
    let paths = AppPaths::from_process(&args);
    let start_hidden = args.iter().any(|a| a == HIDDEN_FLAG);
    tracing::info!(config = %paths.config.display(), sidecar = %paths.sidecar.display(), "starting");

    let context = tauri::generate_context!();
    let check_updates = updater::active(context.config());
    tracing::info!(updater = check_updates, "update checks");
    // First plugin, as it must be: a second launch hands over to the running app, which shows its
    // window (stock GNOME has no tray to click), and exits.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("launched again: showing the window");
            tray::show_window(app);
        }));
    #[cfg(feature = "updater")]
    let builder = if check_updates {
        builder.plugin(updater::plugin())
    } else {
        builder
    };
    let result = builder
        .plugin(tauri_plugin_shell::init())
        .manage(paths.clone())
        .manage(commands::logs::LogTail::default())
        .manage(settings::ChosenGateway::load_for(&paths.config))
        .setup(move |app| {
            #[cfg(feature = "updater")]
            if check_updates {
                updater::check_in_background(app.handle().clone());
            }
            let has_tray = tray::install(app.handle());
            tracing::info!(tray = has_tray, "tray");
            if let Some(window) = app.get_webview_window("main")
                && start_hidden
                && has_tray
            {
                let _ = window.hide();
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // With a tray, closing the window only hides it; without one that would strand the app.
            if let WindowEvent::CloseRequested { api, .. } = event
                && tray::is_available(window.app_handle())
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::setup_init,
            commands::app::autostart_get,
            commands::app::autostart_set,
            commands::config::config_view,
            commands::config::config_edit,
            commands::config::config_check_edit,
            commands::config::config_check,
            commands::clients::clients_status,
            commands::clients::client_install,
            commands::clients::client_uninstall,
            commands::clients::client_import,
            commands::clients::client_restore,
            commands::clients::protection_status,
            commands::clients::gateway_choose,
            commands::clients::gateway_chosen,
            commands::config::guardrail_detectors,
            commands::secrets::secrets_list,
            commands::secrets::secret_set,
            commands::secrets::secret_delete,
            commands::tools::tools_list,
            commands::tools::tool_decide,
            commands::logs::logs_recent,
            commands::logs::logs_follow,
            commands::logs::logs_stop,
            commands::oauth::oauth_statuses,
            commands::oauth::oauth_status,
            commands::oauth::oauth_sign_in,
            commands::oauth::oauth_sign_in_cancel,
            commands::oauth::oauth_sign_out,
        ])
        .run(context);
    if let Err(error) = result {
        eprintln!("error: the Enkrypt desktop app could not start: {error}");
        std::process::exit(1);
    }
}
