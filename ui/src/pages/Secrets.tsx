// Secrets: names stored in the OS keychain (service enkrypt-secure-mcp-gateway); set, replace, delete.
// Values go in only and are never shown.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { isValidSecretName } from '../logic/secrets';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

function SecretForm({ name: fixed, onSaved, onCancel }: { name?: string; onSaved: () => void; onCancel?: () => void }) {
  const [name, setName] = useState(fixed ?? '');
  const [value, setValue] = useState('');
  const [touched, setTouched] = useState(false);
  const { error, busy, run } = useAction();
  const nameError = touched && !isValidSecretName(name) ? 'Use 1–128 letters, digits, ".", "-" or "_".' : null;
  const valueError = touched && value === '' ? 'Enter the secret value.' : null;
  const idp = fixed ? `secret-${fixed}` : 'secret-new';
  const save = async () => {
    setTouched(true);
    if (!isValidSecretName(name) || value === '') return;
    const done = await run(() => api.secretSet(name, value));
    setValue('');
    if (done !== undefined) onSaved();
  };
  return (
    <form
      className="secret-form"
      aria-label={fixed ? `Replace ${fixed}` : 'Add a secret'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {fixed ? null : (
        <label>
          Name
          <input id={`${idp}-name`} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={nameError ? true : undefined} />
        </label>
      )}
      {nameError ? <p className="field-error" role="alert">{nameError}</p> : null}
      <label>
        {fixed ? `New value for ${fixed}` : 'Value'}
        <input
          id={`${idp}-value`}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={valueError ? true : undefined}
        />
      </label>
      {valueError ? <p className="field-error" role="alert">{valueError}</p> : null}
      <ErrorNotice error={error} />
      <div className="actions">
        <button type="submit" className="primary" id={`${idp}-save`} disabled={busy}>
          {fixed ? 'Replace' : 'Save to keychain'}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

export function SecretsPage() {
  const [names, setNames] = useState<string[] | null>(null);
  const [replacing, setReplacing] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const { error, busy, run } = useAction();
  const load = useCallback(async () => {
    const n = await run(() => api.secretsList());
    if (n) setNames(n);
  }, [run]);
  useEffect(() => void load(), [load]);
  const remove = async (name: string) => {
    if ((await run(() => api.secretDelete(name))) !== undefined) {
      setConfirm(null);
      await load();
    }
  };
  return (
    <section aria-labelledby="secrets-title">
      <header className="page-head">
        <h1 id="secrets-title">Secrets</h1>
        <p className="muted">
          API keys and tokens kept in your computer's password store. Settings refer to them as{' '}
          <code>{'${keyring:NAME}'}</code>; their values are never shown here.
        </p>
      </header>
      <ErrorNotice error={error} />
      <div className="card">
        <h2>Add a secret</h2>
        <SecretForm onSaved={() => void load()} />
      </div>
      {names !== null && names.length === 0 ? <p className="empty" id="no-secrets">No secrets stored yet.</p> : null}
      <ul className="list" id="secret-list">
        {(names ?? []).map((n) => (
          <li key={n} className="card secret" data-secret={n}>
            <div className="row">
              <div>
                <h3>{n}</h3>
                <p className="masked">••••••••••••</p>
              </div>
              <div className="actions">
                <button type="button" onClick={() => setReplacing(n)} aria-label={`Replace ${n}`}>
                  Replace
                </button>
                {confirm === n ? (
                  <button type="button" className="danger" disabled={busy} onClick={() => void remove(n)}>
                    Yes, delete {n}
                  </button>
                ) : (
                  <button type="button" onClick={() => setConfirm(n)} aria-label={`Delete ${n}`}>
                    Delete
                  </button>
                )}
              </div>
            </div>
            {replacing === n ? (
              <SecretForm
                name={n}
                onSaved={() => {
                  setReplacing(null);
                  void load();
                }}
                onCancel={() => setReplacing(null)}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
