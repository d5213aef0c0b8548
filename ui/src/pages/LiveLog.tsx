// Live log: requests, responses and blocks from the audit log, streamed over a Tauri Channel, newest
// first, with filters and a detail pane.
import { useEffect, useRef, useState } from 'react';
import { api, type LogFollow } from '../api';
import type { AuditEvent, Decision, EventKind } from '../generated/config';
import { applyFilters, noFilters, prepend, shortTime, type LogEntry, type LogFilters } from '../logic/log';
import { ErrorNotice } from '../components/ErrorNotice';
import { toApiError, type ApiError } from '../errors';

const DECISIONS: Decision[] = ['allowed', 'blocked', 'redacted', 'error'];
const KINDS: EventKind[] = ['request', 'response', 'block', 'error', 'config'];

function Detail({ event }: { event: AuditEvent }) {
  const rows = Object.entries(event).filter(([, v]) => v !== null && v !== undefined);
  return (
    <aside className="card detail" aria-label="Event details" id="log-detail">
      <h2>
        {event.event} {event.server ? `· ${event.server}` : ''} {event.tool ? `/ ${event.tool}` : ''}
      </h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{Array.isArray(v) ? v.join(', ') || '—' : String(v)}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

export function LiveLogPage() {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [filters, setFilters] = useState<LogFilters>(noFilters);
  const [selected, setSelected] = useState<number | null>(null);
  const [path, setPath] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    let follow: LogFollow | null = null;
    let cancelled = false;
    // Each tail starts from its own backlog.
    setEntries([]);
    api
      .logsFollow({}, 200, (m) => {
        // A tail being torn down (React re-running the effect) may still deliver its backlog.
        if (cancelled) return;
        if (m.kind === 'event') {
          seq.current += 1;
          const entry = { seq: seq.current, event: m.event };
          setEntries((list) => prepend(list, entry));
        } else {
          setError(toApiError(m.error));
        }
      })
      .then((f) => {
        if (cancelled) void f.stop();
        else {
          follow = f;
          setPath(f.path);
        }
      })
      .catch((raw: unknown) => setError(toApiError(raw)));
    return () => {
      cancelled = true;
      if (follow) void follow.stop();
    };
  }, []);

  const shown = applyFilters(entries, filters);
  const current = entries.find((e) => e.seq === selected)?.event;
  const set = (patch: Partial<LogFilters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <section aria-labelledby="log-title">
      <header className="page-head">
        <h1 id="log-title">Live log</h1>
        <p className="muted" id="log-path">
          {path ? `Following ${path}` : 'Connecting…'}
        </p>
      </header>
      <ErrorNotice error={error} onDismiss={() => setError(null)} />
      <div className="filters" role="search" aria-label="Filter the log">
        <label>
          Decision
          <select id="filter-decision" value={filters.decision} onChange={(e) => set({ decision: e.target.value as Decision | '' })}>
            <option value="">All</option>
            {DECISIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event
          <select id="filter-event" value={filters.event} onChange={(e) => set({ event: e.target.value as EventKind | '' })}>
            <option value="">All</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Server or tool
          <input id="filter-text" value={filters.text} onChange={(e) => set({ text: e.target.value })} />
        </label>
        <span className="muted" id="log-count" aria-live="polite">
          {shown.length} of {entries.length} events
        </span>
      </div>
      <div className="log-layout">
        <table className="log" id="log-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Server</th>
              <th scope="col">Tool</th>
              <th scope="col">Decision</th>
              <th scope="col">Detectors</th>
              <th scope="col">ms</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ seq: key, event: e }) => (
              <tr
                key={key}
                tabIndex={0}
                className={`${e.decision ?? ''} ${selected === key ? 'selected' : ''}`}
                data-event={e.event}
                data-decision={e.decision ?? ''}
                data-tool={e.tool ?? ''}
                aria-selected={selected === key}
                onClick={() => setSelected(key)}
                onKeyDown={(k) => {
                  if (k.key === 'Enter' || k.key === ' ') {
                    k.preventDefault();
                    setSelected(key);
                  }
                }}
              >
                <td>{shortTime(e.ts)}</td>
                <td>{e.event}</td>
                <td>{e.server ?? ''}</td>
                <td>{e.tool ?? ''}</td>
                <td>{e.decision ?? ''}</td>
                <td>{(e.detectors ?? []).join(', ')}</td>
                <td>{e.duration_ms ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {current ? <Detail event={current} /> : <p className="muted detail-hint">Select an event to see its details.</p>}
      </div>
      {entries.length === 0 ? <p className="empty" id="log-empty">No activity yet. Use a tool from your AI app and it appears here.</p> : null}
    </section>
  );
}
