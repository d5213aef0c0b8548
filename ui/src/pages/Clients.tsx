// Apps (MCP clients): each supported client, whether it is on this computer, whether the gateway is
// added and current, install/uninstall buttons, and what a change did (file, backup).
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { ChangeReport, ClientStatus } from '../ipc-types';
import { changeSentence, staleWords, stateLabel } from '../logic/clients';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

function ClientCard({ status, onChanged }: { status: ClientStatus; onChanged: () => void }) {
  const { error, busy, run } = useAction();
  const [report, setReport] = useState<ChangeReport | null>(null);
  const act = async (install: boolean) => {
    const r = await run(() => (install ? api.clientInstall(status.client) : api.clientUninstall(status.client)));
    if (r) {
      setReport(r);
      onChanged();
    }
  };
  const s = status;
  return (
    <li className="card client" data-client={s.client}>
      <div className="row">
        <div>
          <h3>{s.client_name}</h3>
          <p>
            <span className={`tag ${s.detected ? 'on' : 'off'}`}>{s.detected ? 'on this computer' : 'not found'}</span>{' '}
            <span className={`tag state-${s.state}`} data-state={s.state}>
              {stateLabel(s)}
            </span>
          </p>
          {s.path ? (
            <p className="muted">
              Settings file: <code>{s.path}</code>
            </p>
          ) : null}
          {s.stale.length > 0 ? (
            <ul className="stale">
              {s.stale.map((r, i) => (
                <li key={i}>{staleWords(r)}</li>
              ))}
            </ul>
          ) : null}
          {s.error ? <p className="field-error">{s.error.message}</p> : null}
        </div>
        <div className="actions">
          <button
            type="button"
            className="primary"
            id={`install-${s.client}`}
            disabled={busy || s.state === 'up_to_date'}
            onClick={() => void act(true)}
          >
            {s.state === 'stale' ? `Update ${s.client_name}` : `Add to ${s.client_name}`}
          </button>
          {s.installed ? (
            <button type="button" id={`uninstall-${s.client}`} disabled={busy} onClick={() => void act(false)}>
              Remove from {s.client_name}
            </button>
          ) : null}
        </div>
      </div>
      {report ? (
        <div className="notice ok" role="status" id={`report-${s.client}`}>
          <p>{changeSentence(report)}</p>
          {report.backup ? (
            <p className="muted">
              The previous version was saved as <code>{report.backup}</code>.
            </p>
          ) : null}
        </div>
      ) : null}
      <ErrorNotice error={error} />
    </li>
  );
}

export function ClientsPage() {
  const [statuses, setStatuses] = useState<ClientStatus[] | null>(null);
  const { error, run } = useAction();
  const load = useCallback(async () => {
    const s = await run(() => api.clientsStatus());
    if (s) setStatuses(s);
  }, [run]);
  useEffect(() => void load(), [load]);
  return (
    <section aria-labelledby="clients-title">
      <header className="page-head">
        <h1 id="clients-title">Apps</h1>
        <p className="muted">Add the gateway to the AI apps you use. Each app keeps its other settings untouched.</p>
      </header>
      <ErrorNotice error={error} />
      <ul className="list" id="client-list">
        {(statuses ?? []).map((s) => (
          <ClientCard key={s.client} status={s} onChanged={() => void load()} />
        ))}
      </ul>
    </section>
  );
}
