// Servers: the upstream MCP servers of the chosen gateway (the app setting; the first by default) — list, add, edit, remove — and moving any
// env/header value into the keychain with one click.
import { useState } from 'react';
import { api } from '../api';
import type { ConfigView, ServerSpec } from '../generated/config';
import type { CheckReport } from '../generated/ipc';
import { describeTransport, emptyForm, formFromSpec } from '../logic/servers';
import { keyringName, maskValue, suggestSecretName, type SecretField } from '../logic/secrets';
import { ErrorNotice } from '../components/ErrorNotice';
import { SignInBox } from '../components/SignInBox';
import { useAction } from '../components/useAsync';
import { ServerFormView } from './ServerForm';

type Props = { view: ConfigView | null; gateway?: string | null; onChanged: (v: ConfigView) => void };

function secretFields(spec: ServerSpec): { field: SecretField; value: string }[] {
  const t = spec.transport;
  const map = t.type === 'stdio' ? t.env : t.headers;
  const kind = t.type === 'stdio' ? 'env' : 'headers';
  return Object.entries(map ?? {}).map(([key, value]) => ({ field: { kind, key }, value }));
}

function ServerRow({ spec, gateway, onChanged, onEdit }: { spec: ServerSpec; gateway: string | null; onChanged: Props['onChanged']; onEdit: () => void }) {
  const { error, busy, run } = useAction();
  const [confirm, setConfirm] = useState(false);
  const fields = secretFields(spec);
  const remove = async () => {
    const v = await run(() => api.configEdit({ op: 'remove_server', gateway: gateway ? { id: gateway } : null, server_name: spec.server_name }));
    if (v) onChanged(v);
  };
  const move = async (field: SecretField) => {
    const v = await run(() => api.moveToKeychain(spec, field, suggestSecretName(spec.server_name, field.key), gateway));
    if (v) onChanged(v);
  };
  return (
    <li className="card server" data-server={spec.server_name}>
      <div className="row">
        <div>
          <h3>{spec.server_name}</h3>
          {spec.description ? <p className="muted">{spec.description}</p> : null}
          <p>
            <span className="tag">{spec.transport.type === 'stdio' ? 'program' : 'web'}</span>{' '}
            <code>{describeTransport(spec)}</code>
          </p>
        </div>
        <div className="actions">
          <button type="button" onClick={onEdit} aria-label={`Edit ${spec.server_name}`}>
            Edit
          </button>
          {confirm ? (
            <>
              <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
                Yes, remove {spec.server_name}
              </button>
              <button type="button" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirm(true)} aria-label={`Remove ${spec.server_name}`}>
              Remove
            </button>
          )}
        </div>
      </div>
      {spec.transport.type === 'http' ? <SignInBox server={spec.server_name} /> : null}
      {fields.length > 0 ? (
        <table className="values">
          <caption>{spec.transport.type === 'stdio' ? 'Environment variables' : 'Request headers'}</caption>
          <tbody>
            {fields.map(({ field, value }) => (
              <tr key={field.key}>
                <th scope="row">{field.key}</th>
                <td className="masked">{maskValue(value)}</td>
                <td>
                  {keyringName(value) ? (
                    <span className="muted">in keychain</span>
                  ) : (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => void move(field)}
                      aria-label={`Move ${field.key} of ${spec.server_name} to the keychain`}
                    >
                      Move to keychain
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ErrorNotice error={error} />
    </li>
  );
}

/** "Check settings": the bundled gateway-core's own `check-config` verdict on the file. */
function CheckSettings() {
  const [report, setReport] = useState<CheckReport | null>(null);
  const { error, busy, run } = useAction();
  const check = async () => {
    const r = await run(() => api.configCheck());
    if (r) setReport(r);
  };
  return (
    <div className="check">
      <button type="button" id="check-config" disabled={busy} onClick={() => void check()}>
        Check settings
      </button>
      {report ? (
        <div className={`notice ${report.valid ? 'ok' : 'error'}`} role="status" id="check-result">
          <p className="friendly">
            {report.valid ? 'The settings are valid.' : 'The gateway cannot use these settings as they are.'}
          </p>
          <details>
            <summary>Details</summary>
            <pre className="technical">{report.output}</pre>
          </details>
        </div>
      ) : null}
      <ErrorNotice error={error} />
    </div>
  );
}

export function ServersPage({ view, gateway: chosenId = null, onChanged }: Props) {
  const [editing, setEditing] = useState<ServerSpec | 'new' | null>(null);
  const gateway = view?.gateways.find((g) => g.id === chosenId) ?? view?.gateways[0];
  const gatewayId = gateway?.id ?? null;
  const servers = gateway?.servers ?? [];
  const several = (view?.gateways.length ?? 0) > 1;
  const reload = async () => onChanged(await api.configView());

  return (
    <section aria-labelledby="servers-title">
      <header className="page-head">
        <h1 id="servers-title">Servers</h1>
        <p className="muted">
          The MCP servers your AI apps reach through the gateway. Every call to them is checked and logged.
          {several && gateway ? (
            <>
              {' '}
              Gateway: <strong id="servers-gateway">{gateway.name ? `${gateway.name} (${gateway.id})` : gateway.id}</strong> (change it in the sidebar).
            </>
          ) : null}
        </p>
        <div className="actions">
          {editing === null ? (
            <button type="button" className="primary" id="add-server" onClick={() => setEditing('new')}>
              Add server
            </button>
          ) : null}
          <CheckSettings />
        </div>
      </header>
      {editing !== null ? (
        <ServerFormView
          key={editing === 'new' ? 'new' : editing.server_name}
          initial={editing === 'new' ? emptyForm() : formFromSpec(editing)}
          base={editing === 'new' ? undefined : editing}
          gateway={gatewayId}
          taken={servers.map((s) => s.server_name).filter((n) => editing === 'new' || n !== editing.server_name)}
          onSaved={() => {
            setEditing(null);
            void reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {servers.length === 0 ? (
        <p className="empty" id="no-servers">
          No servers yet. Add the first one with “Add server”.
        </p>
      ) : (
        <ul className="list" id="server-list">
          {servers.map((s) => (
            <ServerRow key={s.server_name} spec={s} gateway={gatewayId} onChanged={onChanged} onEdit={() => setEditing(s)} />
          ))}
        </ul>
      )}
    </section>
  );
}
