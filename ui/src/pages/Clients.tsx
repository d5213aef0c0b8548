// Apps (MCP clients): each supported client, whether it is on this computer, whether the gateway is
// added and current, which servers it still runs directly; Import (move its servers behind the chosen
// gateway) and Undo (put its file back, asking whether to keep the imported servers), install/uninstall,
// and what a change did (file, backup).
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { ChangeReport, ClientProtection, ImportReport, RestoreReport } from '../generated/ipc';
import { changeSentence, staleWords, stateLabel } from '../logic/clients';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

function importSentence(r: ImportReport, client: string): string {
  const c = r.clients.find((x) => x.client === client);
  if (!c) return 'Nothing changed.';
  if (c.outcome === 'failed') return `Not imported: ${c.error?.message ?? 'the file cannot be used'} (left untouched).`;
  if (c.outcome === 'no_file') return `${c.client_name} has no settings file yet; nothing to import.`;
  const n = c.servers.length;
  const kept = c.skipped.length > 0 ? ` ${c.skipped.length} stay(s) as they are: ${c.skipped.map((k) => k.name).join(', ')}.` : '';
  return `${n} server${n === 1 ? '' : 's'} now go${n === 1 ? 'es' : ''} through the gateway with checks on; ${c.client_name} keeps only the gateway entry. Restart ${c.client_name} to use it.${kept}`;
}

function restoreSentence(r: RestoreReport): string {
  const how = r.outcome === 'already_restored' ? 'was already back' : r.byte_identical ? 'is back exactly as it was' : 'is back as it was before the import';
  const servers = r.removed_servers.length > 0 ? ` Removed from the gateway: ${r.removed_servers.join(', ')}.` : r.kept_servers.length > 0 ? ` Kept in the gateway: ${r.kept_servers.join(', ')}.` : '';
  return `${r.client_name}'s settings file ${how}.${servers} Restart ${r.client_name} to apply it.`;
}

function ClientCard({ status, gateway, onChanged }: { status: ClientProtection; gateway: string | null; onChanged: () => void }) {
  const { error, busy, run } = useAction();
  const [report, setReport] = useState<ChangeReport | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const act = async (install: boolean) => {
    const r = await run(() => (install ? api.clientInstall(status.client, gateway) : api.clientUninstall(status.client)));
    if (r) {
      setReport(r);
      setMessage(null);
      onChanged();
    }
  };
  const importNow = async () => {
    const r = await run(() => api.clientImport(status.client, false, gateway));
    if (r) {
      setReport(null);
      setMessage(importSentence(r, status.client));
      onChanged();
    }
  };
  const undo = async (removeServers: boolean) => {
    const r = await run(() => api.clientRestore(status.client, removeServers, Boolean(status.changed_since_import)));
    setAsking(false);
    if (r) {
      setReport(null);
      setMessage(restoreSentence(r));
      onChanged();
    }
  };
  const direct = status.direct_servers ?? [];
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
          {direct.length > 0 ? (
            <p className="field-error" data-direct={direct.length}>
              Runs {direct.length} server{direct.length === 1 ? '' : 's'} directly, unchecked: {direct.join(', ')}
            </p>
          ) : null}
          {s.key_in_plain_text ? <p className="muted">The gateway key is written in this app's file in plain text (no keychain was available).</p> : null}
          {s.changed_since_import ? (
            <p className="field-error">This file changed since the import. Undo keeps the changed version as a backup copy.</p>
          ) : null}
        </div>
        <div className="actions">
          {s.file_exists && direct.length > 0 ? (
            <button type="button" className="primary" id={`import-${s.client}`} disabled={busy} onClick={() => void importNow()}>
              Import and protect {direct.length} server{direct.length === 1 ? '' : 's'}
            </button>
          ) : null}
          {s.import_record ? (
            <button type="button" id={`undo-${s.client}`} disabled={busy} onClick={() => setAsking(true)}>
              Undo import
            </button>
          ) : null}
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
      {asking ? (
        <div className="notice" role="dialog" aria-label={`Undo the import into ${s.client_name}`} id={`undo-ask-${s.client}`}>
          <p>
            Put {s.client_name}'s settings file back as it was before the import. Keep the servers it brought in the gateway (other
            apps can use them), or remove them?
          </p>
          <div className="actions">
            <button type="button" className="primary" id={`undo-keep-${s.client}`} disabled={busy} onClick={() => void undo(false)}>
              Undo, keep the servers
            </button>
            <button type="button" className="danger" id={`undo-remove-${s.client}`} disabled={busy} onClick={() => void undo(true)}>
              Undo and remove the servers
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {message ? (
        <div className="notice ok" role="status" id={`report-${s.client}`}>
          <p>{message}</p>
        </div>
      ) : null}
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

export function ClientsPage({ gateway = null }: { gateway?: string | null }) {
  const [statuses, setStatuses] = useState<ClientProtection[] | null>(null);
  const { error, run } = useAction();
  const load = useCallback(async () => {
    const s = await run(() => api.clientsStatus(gateway));
    if (s) setStatuses(s);
  }, [run, gateway]);
  useEffect(() => void load(), [load]);
  return (
    <section aria-labelledby="clients-title">
      <header className="page-head">
        <h1 id="clients-title">Apps</h1>
        <p className="muted">
          Put the gateway in front of the AI apps you use: Import moves an app's servers behind the gateway (checked), Undo puts its
          file back. Each app keeps its other settings untouched.
          {gateway ? (
            <>
              {' '}
              Installs and imports use gateway <strong id="clients-gateway">{gateway}</strong>.
            </>
          ) : null}
        </p>
      </header>
      <ErrorNotice error={error} />
      <ul className="list" id="client-list">
        {(statuses ?? []).map((s) => (
          <ClientCard key={s.client} status={s} gateway={gateway} onChanged={() => void load()} />
        ))}
      </ul>
    </section>
  );
}
