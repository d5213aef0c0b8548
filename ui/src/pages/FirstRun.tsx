// First run: three short steps for a non-technical user — create the gateway settings, optionally
// store the Enkrypt API key in the keychain (local guardrails work without it), then "Protect my apps":
// the servers each detected AI app uses (a dry-run import) and one click to move them all behind the
// gateway with checks on.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { AppInfo, ClientImport, ImportReport, InitSummary } from '../generated/ipc';
import { DETECTOR_LABELS } from '../logic/policy';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

type Step = 'welcome' | 'key' | 'protect';

/** What a dry run found in one client, in words. */
function foundSentence(c: ClientImport): string {
  switch (c.outcome) {
    case 'imported':
      return `${c.servers.length} server${c.servers.length === 1 ? '' : 's'} found; they will run behind the gateway, checked.`;
    case 'nothing_to_import':
      return 'No server to move; the gateway will be added.';
    case 'no_file':
      return 'No settings file yet.';
    case 'failed':
      return `Its settings file cannot be used: ${c.error?.message ?? 'unknown error'} (left untouched).`;
  }
}

/** The last step: every detected app's servers, found by a dry run, and one button to import and wrap them. */
function ProtectStep({ onDone }: { onDone: () => void }) {
  const [plan, setPlan] = useState<ImportReport | null>(null);
  const [done, setDone] = useState<ImportReport | null>(null);
  const { error, busy, run } = useAction();
  const preview = useCallback(async () => {
    const r = await run(() => api.clientImport(null, true));
    if (r) setPlan(r);
  }, [run]);
  useEffect(() => void preview(), [preview]);
  const protect = async () => {
    const r = await run(() => api.clientImport(null, false));
    if (r) setDone(r);
  };
  const shown = (done ?? plan)?.clients.filter((c) => c.outcome !== 'no_file') ?? [];
  const checks = (plan?.default_checks ?? []).map((d) => DETECTOR_LABELS[d] ?? d).join(', ');
  return (
    <>
      <h2>3. Protect my apps</h2>
      <p>
        {shown.length > 0
          ? `The tools (MCP servers) your AI apps use will run behind the gateway, with these checks on what goes in and comes out: ${checks}. Secrets in their settings move to your password store. You can undo this per app on the Apps page.`
          : 'No AI app with settings was found on this computer. You can add the gateway to apps later on the Apps page.'}
      </p>
      <ErrorNotice error={error} />
      {plan === null && busy ? <p role="status">Looking for your apps…</p> : null}
      <ul className="list" id="protect-list">
        {shown.map((c) => (
          <li key={c.client} className="card client" data-client={c.client}>
            <h3>{c.client_name}</h3>
            {c.path ? (
              <p className="muted">
                <code>{c.path}</code>
              </p>
            ) : null}
            <p>{done ? (c.outcome === 'failed' ? foundSentence(c) : c.written || c.outcome === 'imported' ? `Protected: ${c.servers.length} server(s) now go through the gateway. Restart ${c.client_name} to use it.` : 'Nothing changed.') : foundSentence(c)}</p>
            {c.servers.length > 0 ? (
              <ul className="servers-found">
                {c.servers.map((s) => (
                  <li key={s.name} data-server={s.name}>
                    <strong>{s.name}</strong> <span className="muted">{s.target}</span>
                    {s.gateway_name !== s.name ? <span className="muted"> (as {s.gateway_name})</span> : null}
                    {s.secrets.length > 0 ? <span className="tag on">{s.secrets.length} secret(s) to the keychain</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            {c.skipped.length > 0 ? (
              <ul className="stale">
                {c.skipped.map((k) => (
                  <li key={k.name}>
                    {k.name} stays as it is: {k.detail}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <div className="actions">
        {!done && shown.length > 0 ? (
          <button type="button" className="primary" id="setup-protect" disabled={busy || plan === null} onClick={() => void protect()}>
            Protect my apps
          </button>
        ) : null}
        <button type="button" className={done || shown.length === 0 ? 'primary' : ''} id="setup-finish" onClick={onDone}>
          {done ? 'Finish' : 'Finish without importing'}
        </button>
      </div>
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
    if (done) setStep('protect');
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
          <li aria-current={step === 'protect' ? 'step' : undefined}>Protect my apps</li>
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
              <button type="button" id="setup-skip-key" onClick={() => setStep('protect')}>
                Skip — use local guardrails
              </button>
            </div>
          </form>
        ) : null}
        {step === 'protect' ? <ProtectStep onDone={onDone} /> : null}
      </div>
    </main>
  );
}
