//! The tray icon and its menu: state at a glance (icon colour, guardrails on/off, number of servers,
//! latest block) and the everyday actions (toggle guardrails, open the window, add the gateway to Claude
//! Desktop or Cursor, start at login, quit).
//!
//! This module never touches a file: toggles go through [`crate::actions`], which the window's commands
//! use too, and which call gateway-core. It re-reads its state on [`actions::STATE_CHANGED_EVENT`]. Creating the tray may fail (no tray host, the
//! appindicator library missing: that one panics inside `TrayIconBuilder::build`); the app then runs
//! without it and closing the window quits instead of hiding.

use std::sync::Mutex;
use std::time::Duration;

use gateway_core::audit::{AuditFilter, EventKind};
use gateway_core::platform::tray::TrayIconStyle;
use schemars::JsonSchema;
use serde::Serialize;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Listener, Manager, Wry};

use crate::actions::{self, TRAY_ACTION_EVENT};
use crate::error::IpcError;
use crate::paths::AppPaths;
use crate::settings::ChosenGateway;
use crate::status::{Mood, Summary, block_label};

/// How often the tray re-reads the config and pins to notice edits made elsewhere.
const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The menu items whose text or check mark changes.
struct Handles {
    icon: TrayIcon<Wry>,
    guardrails: CheckMenuItem<Wry>,
    servers: MenuItem<Wry>,
    block: MenuItem<Wry>,
    autostart: CheckMenuItem<Wry>,
}

/// Tray state, managed by Tauri. `handles` is `None` when there is no tray.
#[derive(Default)]
pub struct TrayState {
    handles: Mutex<Option<Handles>>,
    latest_block: Mutex<Option<String>>,
}

/// What a tray action reports to the webview (`tray-action` event).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrayAction {
    /// Which menu item.
    pub action: String,
    /// Whether it worked.
    pub ok: bool,
    /// One sentence about what happened.
    pub message: String,
    /// The error, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<IpcError>,
}

/// Whether a tray icon exists.
pub fn is_available(app: &AppHandle) -> bool {
    app.try_state::<TrayState>()
        .and_then(|s| s.handles.lock().ok().map(|h| h.is_some()))
        .unwrap_or(false)
}

/// The tray icon for `mood`, drawn here (no extra files ship) in the style of this OS
/// ([`gateway_core::platform::tray`]): a coloured disc, or on macOS a template image (black on
/// transparency, tinted by the menu bar) where the shape tells the mood: filled (on), ring (off),
/// ring with a dot (attention).
pub fn icon(mood: Mood, style: TrayIconStyle) -> Image<'static> {
    let size = style.size;
    let (r, g, b) = match mood {
        Mood::On => (0x1f, 0xa8, 0x5a),
        Mood::Off => (0x8a, 0x8f, 0x98),
        Mood::Attention => (0xe8, 0x8b, 0x00),
    };
    let center = (size as f32 - 1.0) / 2.0;
    let outer = size as f32 * 0.485;
    let inner = outer * 0.58;
    let dot = outer * 0.3;
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let d = ((x as f32 - center).powi(2) + (y as f32 - center).powi(2)).sqrt();
            let pixel = if style.template {
                let ink = match mood {
                    Mood::On => d <= outer,
                    Mood::Off => d <= outer && d > inner,
                    Mood::Attention => (d <= outer && d > inner) || d <= dot,
                };
                if ink { [0, 0, 0, 0xff] } else { [0, 0, 0, 0] }
            } else if d <= inner {
                [0xff, 0xff, 0xff, 0xff]
            } else if d <= outer {
                [r, g, b, 0xff]
            } else {
                [0, 0, 0, 0]
            };
            rgba.extend_from_slice(&pixel);
        }
    }
    Image::new_owned(rgba, size, size)
}

/// This OS's tray icon style.
fn style() -> TrayIconStyle {
    gateway_core::platform::tray::icon_style(gateway_core::platform::Os::current())
}

fn build(app: &AppHandle) -> tauri::Result<Handles> {
    let guardrails = CheckMenuItem::with_id(
        app,
        "guardrails",
        "Guardrails on",
        true,
        false,
        None::<&str>,
    )?;
    let servers = MenuItem::with_id(app, "servers", "0 servers", false, None::<&str>)?;
    let block = MenuItem::with_id(app, "block", "No blocks yet", false, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", "Open", true, None::<&str>)?;
    let claude = MenuItem::with_id(
        app,
        "install:claude-desktop",
        "Add to Claude Desktop",
        true,
        None::<&str>,
    )?;
    let cursor = MenuItem::with_id(app, "install:cursor", "Add to Cursor", true, None::<&str>)?;
    let autostart = CheckMenuItem::with_id(
        app,
        "autostart",
        "Start at login",
        true,
        false,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &guardrails,
            &servers,
            &block,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &claude,
            &cursor,
            &PredefinedMenuItem::separator(app)?,
            &autostart,
            &quit,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("main")
        .icon(icon(Mood::Off, style()))
        .icon_as_template(style().template)
        .tooltip("Enkrypt Secure MCP Gateway")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    Ok(Handles {
        icon,
        guardrails,
        servers,
        block,
        autostart,
    })
}

/// Creates the tray; never fails the app. Returns whether a tray exists.
pub fn install(app: &AppHandle) -> bool {
    app.manage(TrayState::default());
    if std::env::var_os("ENKRYPT_NO_TRAY").is_some() {
        tracing::info!("tray disabled by ENKRYPT_NO_TRAY");
        return false;
    }
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app)));
    let handles = match built {
        Ok(Ok(handles)) => handles,
        Ok(Err(error)) => {
            tracing::warn!(%error, "no tray icon: continuing without one");
            return false;
        }
        Err(_) => {
            tracing::warn!(
                "creating the tray icon panicked (no appindicator?): continuing without one"
            );
            return false;
        }
    };
    if let Ok(mut slot) = app.state::<TrayState>().handles.lock() {
        *slot = Some(handles);
    }
    refresh(app);
    let handle = app.clone();
    app.listen_any(actions::STATE_CHANGED_EVENT, move |_| refresh(&handle));
    spawn_watchers(app.clone());
    true
}

/// Re-reads the state and updates icon, tooltip and menu texts (off the main thread).
pub fn refresh(app: &AppHandle) {
    if !is_available(app) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let paths = app.state::<AppPaths>().inner().clone();
        let handle = app.clone();
        let Ok(summary) = tauri::async_runtime::spawn_blocking(move || {
            let chosen = handle.state::<ChosenGateway>().resolve(&paths.config, None);
            Summary::collect(&paths.config, &paths.sidecar, chosen.as_deref())
        })
        .await
        else {
            return;
        };
        let autostart = tauri::async_runtime::spawn_blocking(crate::autostart::is_enabled)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(false);
        let state = app.state::<TrayState>();
        let block = state.latest_block.lock().ok().and_then(|b| b.clone());
        let Ok(guard) = state.handles.lock() else {
            return;
        };
        let Some(h) = guard.as_ref() else { return };
        let results = [
            h.icon.set_icon(Some(icon(summary.mood, style()))),
            h.icon.set_icon_as_template(style().template),
            h.icon.set_tooltip(Some(summary.headline.clone())),
            h.guardrails
                .set_checked(summary.guardrails_enabled.unwrap_or(false)),
            // Amber says why on the menu itself (tooltips are not shown by every tray host).
            h.servers.set_text(match summary.attention.first() {
                Some(reason) if summary.mood == Mood::Attention => reason.clone(),
                _ => summary.servers_label(),
            }),
            h.block
                .set_text(block.unwrap_or_else(|| "No blocks yet".to_owned())),
            h.autostart.set_checked(autostart),
        ];
        for error in results.into_iter().filter_map(Result::err) {
            tracing::debug!(%error, "tray update failed");
        }
    });
}

/// Background: follow the audit log for blocks, and re-read the config every few seconds.
fn spawn_watchers(app: AppHandle) {
    let follower_app = app.clone();
    tauri::async_runtime::spawn(async move {
        let path = follower_app.state::<AppPaths>().audit_log();
        let filter = AuditFilter {
            events: vec![EventKind::Block],
            ..AuditFilter::default()
        };
        let mut follower = match gateway_core::audit::follow(path, filter) {
            Ok(f) => f,
            Err(error) => {
                tracing::warn!(%error, "tray: cannot follow the audit log");
                return;
            }
        };
        while let Some(item) = follower.recv().await {
            if let Ok(event) = item {
                if let Ok(mut slot) = follower_app.state::<TrayState>().latest_block.lock() {
                    *slot = Some(block_label(&event));
                }
                refresh(&follower_app);
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(REFRESH_EVERY);
        loop {
            tick.tick().await;
            refresh(&app);
        }
    });
}

/// Shows and focuses the main window.
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn report(app: &AppHandle, action: &str, result: Result<String, IpcError>) {
    let payload = match result {
        Ok(message) => TrayAction {
            action: action.to_owned(),
            ok: true,
            message,
            error: None,
        },
        Err(error) => TrayAction {
            action: action.to_owned(),
            ok: false,
            message: format!("{action} failed"),
            error: Some(error),
        },
    };
    tracing::info!(action, ok = payload.ok, message = %payload.message, "tray action");
    if let Err(error) = app.emit(TRAY_ACTION_EVENT, payload) {
        tracing::warn!(%error, "could not emit tray-action");
    }
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    let id = event.id.as_ref().to_owned();
    match id.as_str() {
        "open" => show_window(app),
        "quit" => app.exit(0),
        "guardrails" => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let result = toggle_guardrails(&app).await;
                report(&app, "guardrails", result);
            });
        }
        "autostart" => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let enabled = actions::autostart_enabled().await.unwrap_or(false);
                let result = actions::set_autostart(&app, !enabled).await.map(|on| {
                    if on {
                        "Starts at login"
                    } else {
                        "Does not start at login"
                    }
                    .to_owned()
                });
                report(&app, "autostart", result);
            });
        }
        other => {
            if let Some(client) = other.strip_prefix("install:") {
                let app = app.clone();
                let client = client.to_owned();
                tauri::async_runtime::spawn(async move {
                    let paths = app.state::<AppPaths>().inner().clone();
                    // `None`: the chosen gateway (actions resolves it).
                    let result = actions::change_client(&app, &paths, "install", &client, None)
                        .await
                        .map(|report| {
                            let name = report["client_name"].as_str().unwrap_or("the client");
                            format!("Added the gateway to {name}. Restart {name} to use it.")
                        });
                    report(&app, "install", result);
                    show_window(&app);
                });
            }
        }
    }
}

async fn toggle_guardrails(app: &AppHandle) -> Result<String, IpcError> {
    let enabled = actions::toggle_guardrails(app).await?;
    Ok(if enabled {
        "Guardrails are on"
    } else {
        "Guardrails are off"
    }
    .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    use gateway_core::platform::Os;
    use gateway_core::platform::tray::icon_style;

    #[test]
    fn icons_differ_by_mood_and_have_the_right_size() {
        for os in [Os::Linux, Os::Windows, Os::MacOs] {
            let style = icon_style(os);
            let on = icon(Mood::On, style);
            let off = icon(Mood::Off, style);
            let attention = icon(Mood::Attention, style);
            assert_eq!((on.width(), on.height()), (style.size, style.size));
            assert_eq!(on.rgba().len(), (style.size * style.size * 4) as usize);
            assert_ne!(on.rgba(), off.rgba(), "{os:?}");
            assert_ne!(off.rgba(), attention.rgba(), "{os:?}");
            assert_ne!(on.rgba(), attention.rgba(), "{os:?}");
        }
    }

    /// A macOS template image is black with alpha only: the menu bar tints it.
    #[test]
    fn the_macos_icon_is_a_template_image() {
        let style = icon_style(Os::MacOs);
        assert!(style.template);
        for mood in [Mood::On, Mood::Off, Mood::Attention] {
            let image = icon(mood, style);
            let mut inked = 0;
            for px in image.rgba().chunks(4) {
                assert_eq!(&px[..3], &[0, 0, 0], "{mood:?}: only black pixels");
                if px[3] != 0 {
                    inked += 1;
                }
            }
            assert!(inked > 0, "{mood:?}: something is drawn");
        }
    }
}
