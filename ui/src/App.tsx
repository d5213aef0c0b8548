// The window: first-run setup until a config exists, then a sidebar of pages. Holds the state that
// outlives a page (app info, the config view) and reloads it when the app says the config changed.
import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { ConfigView } from './generated/config';
import type { AppInfo, TrayAction } from './generated/ipc';
import { ErrorNotice } from './components/ErrorNotice';
import { toApiError, type ApiError } from './errors';
import { FirstRun } from './pages/FirstRun';
import { ServersPage } from './pages/Servers';
import { GuardrailsPage } from './pages/Guardrails';
import { ClientsPage } from './pages/Clients';
import { LiveLogPage } from './pages/LiveLog';
import { SecretsPage } from './pages/Secrets';
import { HomePage } from './pages/Home';
import { SettingsPage } from './pages/Settings';

export const PAGES = [
  { id: 'home', label: 'Home' },
  { id: 'servers', label: 'Servers' },
  { id: 'guardrails', label: 'Guardrails' },
  { id: 'clients', label: 'Apps' },
  { id: 'log', label: 'Live log' },
  { id: 'secrets', label: 'Secrets' },
  { id: 'settings', label: 'Settings' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [view, setView] = useState<ConfigView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [page, setPage] = useState<PageId>('home');
  // The gateway the pages, client installs/imports, client status and the tray work on (multi-gateway
  // configs). The app settings hold it (src-tauri settings.rs); this is the window's copy.
  const [gateway, setGateway] = useState<string | null>(null);
  const [toast, setToast] = useState<TrayAction | null>(null);
  // Decided once, at the first look: setup stays on screen until its last step, even though the config
  // exists (and config-changed fires) after its first step.
  const [inSetup, setInSetup] = useState<boolean | null>(null);

  const reload = useCallback(async () => {
    try {
      const i = await api.appInfo();
      setInfo(i);
      setInSetup((current) => current ?? (!i.config_exists || new URLSearchParams(location.search).has('setup')));
      if (i.config_exists) {
        setView(await api.configView());
        setGateway(await api.gatewayChosen());
        setError(null);
      }
    } catch (raw) {
      setError(toApiError(raw));
    }
  }, []);

  useEffect(() => {
    void reload();
    const subs = [
      api.onConfigChanged(() => void reload()),
      api.onTrayAction((a) => {
        setToast(a);
        if (a.action === 'install') setPage('clients');
      }),
    ];
    return () => {
      for (const s of subs) void s.then((unlisten) => unlisten()).catch(() => {});
    };
  }, [reload]);

  const gatewayIds = view?.gateways.map((g) => g.id) ?? [];
  const chosen = gateway && gatewayIds.includes(gateway) ? gateway : (gatewayIds[0] ?? null);
  const choose = async (id: string) => {
    try {
      await api.gatewayChoose(id);
      setGateway(id);
    } catch (raw) {
      setError(toApiError(raw));
    }
  };

  if (!info) {
    return (
      <main className="loading">
        {error ? <ErrorNotice error={error} /> : <p role="status">Loading…</p>}
      </main>
    );
  }

  if (inSetup || !info.config_exists) {
    return (
      <FirstRun
        info={info}
        onDone={() => {
          setInSetup(false);
          void reload();
        }}
      />
    );
  }

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">
          <img src="/logo.png" alt="" width={28} height={28} />
          <span>Enkrypt Gateway</span>
        </div>
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                id={`nav-${p.id}`}
                aria-current={page === p.id ? 'page' : undefined}
                onClick={() => setPage(p.id)}
              >
                {p.label}
              </button>
            </li>
          ))}
        </ul>
        <p className={`pill ${view?.guardrails_enabled ? 'on' : 'off'}`} id="guardrails-pill">
          Guardrails {view?.guardrails_enabled ? 'on' : 'off'}
        </p>
        {gatewayIds.length > 1 ? (
          <label className="gateway-pick">
            Gateway
            <select id="gateway-select" value={chosen ?? ''} onChange={(e) => void choose(e.target.value)}>
              {view?.gateways.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name ? `${g.name} (${g.id})` : g.id}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </nav>
      <main className="content" id="content">
        {toast ? (
          <div className={`notice ${toast.ok ? 'ok' : 'error'}`} role="status" id="toast">
            <p>{toast.ok ? toast.message : (toast.error ? toApiError(toast.error).friendly : toast.message)}</p>
            <button type="button" className="link" onClick={() => setToast(null)}>
              Dismiss
            </button>
          </div>
        ) : null}
        <ErrorNotice error={error} onDismiss={() => setError(null)} />
        {page === 'home' && <HomePage gateway={chosen} onGo={setPage} />}
        {page === 'servers' && <ServersPage view={view} gateway={chosen} onChanged={setView} />}
        {page === 'guardrails' && <GuardrailsPage view={view} gateway={chosen} onChanged={setView} />}
        {page === 'clients' && <ClientsPage gateway={chosen} />}
        {page === 'log' && <LiveLogPage />}
        {page === 'secrets' && <SecretsPage />}
        {page === 'settings' && <SettingsPage info={info} />}
      </main>
    </div>
  );
}
