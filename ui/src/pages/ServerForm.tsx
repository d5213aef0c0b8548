// Add or edit one upstream server: command/args/env (stdio) or URL/headers (HTTP), with inline checks
// while typing and the backend's own validation before saving.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import type { ConfigEdit, ServerSpec } from '../generated/config';
import {
  errorsFromDiagnostics,
  hasErrors,
  specFromForm,
  validateForm,
  type FormErrors,
  type KeyValue,
  type ServerForm,
} from '../logic/servers';
import { keyringName, maskValue } from '../logic/secrets';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

type Props = {
  initial: ServerForm;
  /** The saved server when editing, absent when adding. */
  base?: ServerSpec;
  taken: string[];
  /** The gateway the server belongs to (null: the config's first). */
  gateway?: string | null;
  onSaved: () => void;
  onCancel: () => void;
};

function Pairs({
  id,
  label,
  pairs,
  onChange,
  error,
  keyLabel,
}: {
  id: string;
  label: string;
  pairs: KeyValue[];
  onChange: (p: KeyValue[]) => void;
  error?: string;
  keyLabel: string;
}) {
  const set = (i: number, patch: Partial<KeyValue>) =>
    onChange(pairs.map((p, j) => (i === j ? { ...p, ...patch } : p)));
  return (
    <fieldset className="pairs" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{label}</legend>
      {pairs.map((p, i) => {
        const ref = keyringName(p.value);
        return (
          <div className="pair" key={i}>
            <input
              aria-label={`${keyLabel} ${i + 1} name`}
              value={p.key}
              placeholder={keyLabel}
              onChange={(e) => set(i, { key: e.target.value })}
            />
            {ref ? (
              <span className="masked" aria-label={`${keyLabel} ${i + 1} value`}>
                {maskValue(p.value)}
              </span>
            ) : (
              <input
                aria-label={`${keyLabel} ${i + 1} value`}
                value={p.value}
                placeholder="value"
                onChange={(e) => set(i, { value: e.target.value })}
              />
            )}
            <button type="button" className="link" onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" id={`${id}-add`} onClick={() => onChange([...pairs, { key: '', value: '' }])}>
        Add {keyLabel.toLowerCase()}
      </button>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function ServerFormView({ initial, base, taken, gateway = null, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<ServerForm>(initial);
  const [touched, setTouched] = useState(false);
  const [serverErrors, setServerErrors] = useState<FormErrors>({});
  const { error, busy, run } = useAction();
  const local = useMemo(() => validateForm(form, taken), [form, taken]);
  const errors: FormErrors = touched ? { ...serverErrors, ...local } : serverErrors;
  useEffect(() => setServerErrors({}), [form]);

  const edit = (): ConfigEdit => {
    const server = specFromForm(form, base);
    const ref = gateway ? { id: gateway } : null;
    return base
      ? { op: 'update_server', gateway: ref, server_name: base.server_name, server }
      : { op: 'add_server', gateway: ref, server };
  };

  const save = async () => {
    setTouched(true);
    if (hasErrors(local)) return;
    const diagnostics = await run(() => api.configCheckEdit(edit()));
    if (diagnostics === undefined) return;
    const found = errorsFromDiagnostics(diagnostics);
    if (hasErrors(found)) {
      setServerErrors(found);
      return;
    }
    const saved = await run(() => api.configEdit(edit()));
    if (saved) onSaved();
  };

  const set = (patch: Partial<ServerForm>) => setForm((f) => ({ ...f, ...patch }));
  const field = (name: keyof FormErrors) =>
    errors[name] ? (
      <p className="field-error" id={`server-${name}-error`} role="alert">
        {errors[name]}
      </p>
    ) : null;

  return (
    <form
      className="card server-form"
      aria-label={base ? `Edit ${base.server_name}` : 'Add a server'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{base ? `Edit ${base.server_name}` : 'Add a server'}</h2>
      <label>
        Name
        <input
          id="server-name"
          value={form.name}
          onChange={(e) => set({ name: e.target.value })}
          onBlur={() => setTouched(true)}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? 'server-name-error' : undefined}
        />
      </label>
      {field('name')}
      <label>
        Description (optional)
        <input id="server-description" value={form.description} onChange={(e) => set({ description: e.target.value })} />
      </label>
      <fieldset className="radios">
        <legend>How to reach it</legend>
        <label>
          <input type="radio" name="type" checked={form.type === 'stdio'} onChange={() => set({ type: 'stdio' })} />
          Run a program on this computer
        </label>
        <label>
          <input type="radio" name="type" checked={form.type === 'http'} onChange={() => set({ type: 'http' })} />
          Connect to a web address
        </label>
      </fieldset>
      {form.type === 'stdio' ? (
        <>
          <label>
            Program
            <input
              id="server-command"
              value={form.command}
              onChange={(e) => set({ command: e.target.value })}
              aria-invalid={errors.command ? true : undefined}
              aria-describedby={errors.command ? 'server-command-error' : undefined}
            />
          </label>
          {field('command')}
          <label>
            Arguments (one per line)
            <textarea id="server-args" rows={3} value={form.args} onChange={(e) => set({ args: e.target.value })} />
          </label>
          <Pairs
            id="server-env"
            label="Environment variables"
            keyLabel="Variable"
            pairs={form.env}
            onChange={(env) => set({ env })}
            error={errors.env}
          />
        </>
      ) : (
        <>
          <label>
            Address (URL)
            <input
              id="server-url"
              value={form.url}
              onChange={(e) => set({ url: e.target.value })}
              aria-invalid={errors.url ? true : undefined}
              aria-describedby={errors.url ? 'server-url-error' : undefined}
            />
          </label>
          {field('url')}
          <Pairs
            id="server-headers"
            label="Request headers"
            keyLabel="Header"
            pairs={form.headers}
            onChange={(headers) => set({ headers })}
            error={errors.headers}
          />
          <fieldset className="oauth-fields">
            <legend>Sign-in (OAuth), only if the server needs it</legend>
            <p className="muted">
              Most servers that ask you to sign in register the gateway by themselves: leave these empty and use
              "Sign in" once the server is saved. Fill them in only when the server's documentation gives you a
              client ID.
            </p>
            <label>
              Client ID
              <input
                id="server-oauth-client-id"
                value={form.oauthClientId}
                onChange={(e) => set({ oauthClientId: e.target.value })}
                aria-invalid={errors.oauth ? true : undefined}
                aria-describedby={errors.oauth ? 'server-oauth-error' : undefined}
              />
            </label>
            <label>
              Scopes (separated by spaces)
              <input id="server-oauth-scopes" value={form.oauthScopes} onChange={(e) => set({ oauthScopes: e.target.value })} />
            </label>
            {field('oauth')}
          </fieldset>
        </>
      )}
      {field('form')}
      <ErrorNotice error={error} />
      <div className="actions">
        <button type="submit" id="server-save" className="primary" disabled={busy}>
          {base ? 'Save changes' : 'Add server'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
