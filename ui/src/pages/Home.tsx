// Home: an honest status at a glance — per app, whether it goes through the gateway and which of its
// servers do not; per server, which checks really run (detectors the provider cannot run do not count);
// calls and blocks today and the latest block (live from the audit log); what needs attention. All of it
// comes from the same snapshot the tray colours its icon by (src-tauri status::Summary).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { ProtectionSummary } from '../generated/ipc';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';
import { addEvent, appProtected, appSentence, blockSentence, checksSentence, emptyToday, errorsSentence, serverChecked, startOfToday, type Today } from '../logic/home';

type Props = { gateway: string | null; onGo: (page: 'clients' | 'guardrails' | 'log') => void };

const MOOD_WORDS = { on: 'Protected', off: 'Guardrails off', attention: 'Needs attention' } as const;

export function HomePage({ gateway, onGo }: Props) {
  const [summary, setSummary] = useState<ProtectionSummary | null>(null);
  const [today, setToday] = useState<Today>(emptyToday);
  const { error, run } = useAction();
  const since = useRef(startOfToday());
  const reloadSoon = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(async () => {
    const s = await run(() => api.protectionStatus(gateway));
    if (s) setSummary(s);
  }, [run, gateway]);

  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    void load();
    const sub = api.onConfigChanged(() => void load());
    const tick = setInterval(() => void load(), 5000);
    return () => {
      clearInterval(tick);
      void sub.then((u) => u()).catch(() => {});
    };
  }, [load]);

  useEffect(() => {
    let stop: (() => Promise<void>) | null = null;
    let cancelled = false;
    setToday(emptyToday());
    void api
      .logsFollow({ since: since.current }, 5000, (m) => {
        if (m.kind !== 'event') return;
        setToday((t) => addEvent(t, m.event, since.current));
        // A block or an error (a quarantined tool, a name collision) may change what needs attention.
        if (m.event.event === 'block' || m.event.event === 'error') {
          if (reloadSoon.current) clearTimeout(reloadSoon.current);
          reloadSoon.current = setTimeout(() => void loadRef.current(), 300);
        }
      })
      .then((f) => {
        if (cancelled) void f.stop().catch(() => {});
        else stop = f.stop;
      })
      .catch(() => {});
    return () => {
      cancelled = true;
      if (reloadSoon.current) clearTimeout(reloadSoon.current);
      if (stop) void stop().catch(() => {});
    };
  }, []);

  const apps = (summary?.clients ?? []).filter((c) => c.detected || c.installed);
  return (
    <section aria-labelledby="home-title">
      <header className="page-head">
        <h1 id="home-title">Home</h1>
        {summary ? (
          <p className={`mood ${summary.mood}`} id="home-mood" data-mood={summary.mood}>
            <strong>{MOOD_WORDS[summary.mood]}</strong>
            {summary.mood === 'off'
              ? ' — no call is checked. Turn guardrails on on the Guardrails page.'
              : ` — ${summary.headline.replace(/^Enkrypt: /, '')}`}
          </p>
        ) : null}
      </header>
      <ErrorNotice error={error} />
      <div className="stats" id="home-today">
        <div className="card stat">
          <span className="big" id="home-calls">{today.calls}</span> tool calls today
        </div>
        <div className="card stat">
          <span className="big" id="home-blocks">{today.blocks}</span> blocked today
        </div>
        <div className="card stat" title="Guardrail checks that could not run and calls a server failed. A tool's own error answer is not counted.">
          <span className="big" id="home-errors">{today.errors}</span> errors today
          <span className="muted small">checks that could not run, failed server calls</span>
        </div>
      </div>
      <div className="card" id="home-latest-block">
        <h2>Latest block</h2>
        {today.latestBlock ? (
          <p>
            {blockSentence(today.latestBlock)}{' '}
            <button type="button" className="link" onClick={() => onGo('log')}>
              Open the live log
            </button>
          </p>
        ) : (
          <p className="muted">Nothing blocked today.</p>
        )}
      </div>
      {summary && (summary.attention.length > 0 || today.errors > 0) ? (
        <div className="card attention" id="home-attention">
          <h2>Needs attention</h2>
          <ul>
            {summary.attention.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
            {today.errors > 0 ? (
              <li id="home-errors-detail">
                {errorsSentence(today)} today; the latest: {today.latestError?.message ?? 'see the live log'}
                {today.latestError?.server ? ` (${[today.latestError.server, today.latestError.tool].filter(Boolean).join('/')})` : ''}.
              </li>
            ) : null}
          </ul>
        </div>
      ) : null}
      <div className="card" id="home-apps">
        <h2>Apps</h2>
        {apps.length === 0 ? <p className="muted">No AI app found on this computer.</p> : null}
        <ul className="status-list">
          {apps.map((c) => (
            <li key={c.client} className="status-row" data-client={c.client}>
              <span className={`tag ${appProtected(c) ? 'on' : 'off'}`}>{appProtected(c) ? 'protected' : 'not protected'}</span>
              <strong>{c.client_name}</strong>
              <span className="muted">{appSentence(c)}</span>
            </li>
          ))}
        </ul>
        <button type="button" className="link" onClick={() => onGo('clients')}>
          Manage apps
        </button>
      </div>
      <div className="card" id="home-servers">
        <h2>Servers{summary?.gateway_id ? ` of gateway ${summary.gateway_id}` : ''}</h2>
        {summary && summary.servers.length === 0 ? <p className="muted">No server is behind the gateway yet.</p> : null}
        <ul className="status-list">
          {(summary?.servers ?? []).map((s) => (
            <li key={s.name} className="status-row" data-server={s.name}>
              <span className={`tag ${serverChecked(s) ? 'on' : 'off'}`}>{serverChecked(s) ? 'checked' : 'unchecked'}</span>
              <strong>{s.name}</strong>
              <span className="muted">{checksSentence(s)}</span>
            </li>
          ))}
        </ul>
        <button type="button" className="link" onClick={() => onGo('guardrails')}>
          Change checks
        </button>
      </div>
    </section>
  );
}
