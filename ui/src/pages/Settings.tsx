// Settings: what the tray menu offers, for desktops without a tray (stock GNOME). "Start at login" shows
// the real state of the autostart entry (src-tauri autostart.rs reads it each time) and changes it; the
// page also says how the app behaves when opened again (one instance: the running window comes forward)
// and when its window is closed, and where its files are.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { AppInfo } from '../generated/ipc';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

export function SettingsPage({ info }: { info: AppInfo }) {
  const [autostart, setAutostart] = useState<boolean | null>(null);
  const { error, busy, run } = useAction();
  const load = useCallback(async () => {
    const on = await run(() => api.autostartGet());
    if (on !== undefined) setAutostart(on);
  }, [run]);
  useEffect(() => void load(), [load]);
  const toggle = async (enabled: boolean) => {
    const now = await run(() => api.autostartSet(enabled));
    if (now !== undefined) setAutostart(now);
  };
  return (
    <section aria-labelledby="settings-title">
      <header className="page-head">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">How the app starts and runs on this computer.</p>
      </header>
      <div className="card">
        <label className="switch big">
          <input
            type="checkbox"
            role="switch"
            id="autostart-toggle"
            checked={autostart ?? false}
            disabled={busy || autostart === null}
            onChange={(e) => void toggle(e.target.checked)}
          />
          Start at login
        </label>
        <p className="muted" id="autostart-state">
          {autostart === null
            ? 'Reading…'
            : autostart
              ? 'The app starts when you log in, in the background (its window opens when you open the app).'
              : 'The app does not start at login.'}
        </p>
        <ErrorNotice error={error} />
      </div>
      <div className="card" id="settings-instance">
        <h2>Opening and closing</h2>
        <p>The app runs once: opening it again from your launcher or menu brings this window forward.</p>
        <p>
          {info.tray_available
            ? 'Closing the window keeps the app running in the tray (the gateway icon); quit it from the tray menu.'
            : 'This desktop shows no tray icon, so closing the window quits the app. Your AI apps keep using the gateway either way: they start it themselves.'}
        </p>
      </div>
      <div className="card" id="settings-files">
        <h2>Files</h2>
        <dl className="facts">
          <dt>Gateway settings</dt>
          <dd>
            <code>{info.config_path}</code>
          </dd>
          <dt>Audit log</dt>
          <dd>
            <code>{info.audit_log_path}</code>
          </dd>
          <dt>Gateway program</dt>
          <dd>
            <code>{info.sidecar_path}</code>
            {info.sidecar_present ? '' : ' (missing)'}
          </dd>
          <dt>Version</dt>
          <dd>{info.version}</dd>
        </dl>
      </div>
    </section>
  );
}
