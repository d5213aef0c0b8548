// First run: three short steps for a non-technical user — create the gateway settings, optionally
// store the Enkrypt API key in the keychain (local guardrails work without it), add the gateway to the
// AI apps found on this computer with one click each.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { AppInfo, ChangeReport, ClientStatus, InitSummary } from '../ipc-types';
import { changeSentence } from '../logic/clients';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

type Step = 'welcome' | 'key' | 'apps';

function AppsStep({ onDone }: { onDone: () => void }) {
  const [statuses, setStatuses] = useState<ClientStatus[]>([]);
  const [reports, setReports] = useState<Record<string, ChangeReport>>({});
  const { error, busy, run } = useAction();
  const load = useCallback(async () => {
    const s = await run(() => api.clientsStatus());
    if (s) setStatuses(s);
  }, [run]);
  useEffect(() => void load(), [load]);
  const detected = statuses.filter((s) => s.detected);
  const shown = detected.length > 0 ? detected : statuses;
  const add = async (client: string) => {
    const r = await run(() => api.clientInstall(client));
    if (r) {
      setReports((all) => ({ ...all, [client]: r }));
      await load();
    }
  };
  return (
    <>
      <h2>3. Add the gateway to your AI apps</h2>
      <p>
        {detected.length > 0
          ? 'These apps were found on this computer. Add the gateway to each one you use.'
          : 'No AI apps were found yet. You can add the gateway now; the app uses it once installed.'}
      </p>
      <ErrorNotice error={error} />
      <ul className="list">
        {shown.map((s) => (
          <li key={s.client} className="row">
            <span>{s.client_name}</span>
            {s.state === 'up_to_date' ? (
              <span className="tag on">Added</span>
            ) : (
              <button type="button" className="primary" id={`setup-install-${s.client}`} disabled={busy} onClick={() => void add(s.client)}>
                Add to {s.client_name}
              </button>
            )}
            {reports[s.client] ? <p className="muted">{changeSentence(reports[s.client] as ChangeReport)}</p> : null}
          </li>
        ))}
      </ul>
      <button type="button" className="primary" id="setup-finish" onClick={onDone}>
        Finish
      </button>
    </>
  );
}

export function FirstRun({ info, onDone }: { info: AppInfo; onDone: () => void }) {
  const [step, setStep] = useState<Step>(info.config_exists ? 'key' : 'welcome');
  const [summary, setSummary] = useState<InitSummary | null>(null);
  const [key, setKey] = useState('');
  const { error, busy, run } = useAction();

  const create = async () => {
    const s = await run(() => api.setupInit());
    if (s) {
      setSummary(s);
      setStep('key');
    }
  };
  const saveKey = async () => {
    if (key.trim() === '') return;
    const done = await run(() => api.saveEnkryptApiKey(key.trim()));
    setKey('');
    if (done) setStep('apps');
  };

  return (
    <main className="first-run" aria-labelledby="setup-title">
      <div className="card wide">
        <img src="/logo.png" alt="" width={48} height={48} />
        <h1 id="setup-title">Welcome to the Enkrypt Secure MCP Gateway</h1>
        <p className="muted">
          The gateway sits between your AI apps and the tools they use, blocks harmful calls, and shows you what happens.
        </p>
        <ol className="steps" aria-label="Setup steps">
          <li aria-current={step === 'welcome' ? 'step' : undefined}>Create settings</li>
          <li aria-current={step === 'key' ? 'step' : undefined}>Enkrypt API key (optional)</li>
          <li aria-current={step === 'apps' ? 'step' : undefined}>Add to your apps</li>
        </ol>
        <ErrorNotice error={error} />
        {step === 'welcome' ? (
          <>
            <h2>1. Create the gateway settings</h2>
            <p>
              This creates <code>{info.config_path}</code> with a new private gateway key. Local guardrails work right
              away, offline.
            </p>
            <button type="button" className="primary" id="setup-create" disabled={busy} onClick={() => void create()}>
              Create settings
            </button>
          </>
        ) : null}
        {step === 'key' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void saveKey();
            }}
          >
            {summary ? (
              <p className="notice ok" role="status">
                Settings created. Gateway key {summary.gateway_key_masked}.
              </p>
            ) : null}
            <h2>2. Enkrypt API key (optional)</h2>
            <p>
              With a key from Enkrypt AI, calls are checked by Enkrypt's guardrails service. Without one, the built-in
              local checks are used. The key is kept in your computer's password store, not in a file.
            </p>
            <label>
              Enkrypt API key
              <input id="setup-api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
            </label>
            <div className="actions">
              <button type="submit" className="primary" id="setup-save-key" disabled={busy || key.trim() === ''}>
                Save key
              </button>
              <button type="button" id="setup-skip-key" onClick={() => setStep('apps')}>
                Skip — use local guardrails
              </button>
            </div>
          </form>
        ) : null}
        {step === 'apps' ? <AppsStep onDone={onDone} /> : null}
      </div>
    </main>
  );
}
