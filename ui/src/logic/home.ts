// The home page's arithmetic: today's calls, blocks and errors from audit events, and how a server's
// checks and an app's state read in plain words. Pure functions, tested in tests/home.test.ts.
import type { AuditEvent } from '../generated/config';
import type { ClientProtection, ServerChecks } from '../generated/ipc';
import { DETECTOR_LABELS } from './policy';

export type Today = {
  calls: number;
  blocks: number;
  /** Real failures: guardrail checks that could not run, and upstream calls that failed. */
  errors: number;
  /** Of `errors`: guardrail checks that could not run (the call was blocked, fail closed). */
  checkErrors: number;
  /** Of `errors`: calls an upstream server failed (could not start, crashed, timed out…). */
  upstreamErrors: number;
  latestBlock: AuditEvent | null;
  latestError: AuditEvent | null;
};

/** The detector gateway-core reports when a guardrail check could not run (pipeline.rs). */
export const GUARDRAIL_UNAVAILABLE = 'guardrail_unavailable';

/**
 * Which real error an audit event is, if any: `guardrail` when a check could not run (provider down,
 * timed out), `upstream` when a server failed a call. Not errors here: a tool's own error result (its
 * answer), a client asking for a tool that does not exist, discovery notes (name collisions: the home
 * page lists them under "Needs attention", from src-tauri status.rs), config reload notes and the audit
 * writer's own notes.
 */
export function errorKind(e: AuditEvent): 'guardrail' | 'upstream' | null {
  if ((e.detectors ?? []).includes(GUARDRAIL_UNAVAILABLE)) return 'guardrail';
  if (e.event !== 'error' || !e.server || !e.tool) return null;
  if ((e.detectors ?? []).length > 0) return null;
  if (/ not found on server /.test(e.message ?? '')) return null;
  return 'upstream';
}

/** Local midnight of `now`, as the RFC 3339 instant the audit filter's `since` takes. */
export function startOfToday(now: Date = new Date()): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export const emptyToday = (): Today => ({
  calls: 0,
  blocks: 0,
  errors: 0,
  checkErrors: 0,
  upstreamErrors: 0,
  latestBlock: null,
  latestError: null,
});

/** Adds one event to today's figures (events arrive oldest first). */
export function addEvent(t: Today, e: AuditEvent, since: string): Today {
  if (e.ts < since) return t;
  if (e.event === 'request' && e.tool) return { ...t, calls: t.calls + 1 };
  let next = t;
  if (e.event === 'block') next = { ...next, blocks: next.blocks + 1, latestBlock: e };
  const kind = errorKind(e);
  if (kind === 'guardrail') next = { ...next, errors: next.errors + 1, checkErrors: next.checkErrors + 1, latestError: e };
  if (kind === 'upstream') next = { ...next, errors: next.errors + 1, upstreamErrors: next.upstreamErrors + 1, latestError: e };
  return next;
}

/** "2 checks could not run, 1 server call failed" (what the errors figure counts). */
export function errorsSentence(t: Today): string {
  const parts: string[] = [];
  if (t.checkErrors > 0) parts.push(`${t.checkErrors} check${t.checkErrors === 1 ? '' : 's'} could not run (the call was blocked)`);
  if (t.upstreamErrors > 0) parts.push(`${t.upstreamErrors} server call${t.upstreamErrors === 1 ? '' : 's'} failed`);
  return parts.join(', ');
}

export const detectorWords = (ds: string[]): string =>
  ds.length === 0 ? 'nothing' : ds.map((d) => DETECTOR_LABELS[d] ?? d).join(', ');

/** "In: Prompt injection, … · Out: …" or "No checks". */
export function checksSentence(s: ServerChecks): string {
  if (s.input.length === 0 && s.output.length === 0) return 'No checks run on this server';
  return `In: ${detectorWords(s.input)} · Out: ${detectorWords(s.output)}`;
}

export const serverChecked = (s: ServerChecks): boolean => s.input.length > 0 && s.output.length > 0;

/** Whether an app's calls go through the gateway, and how many of its servers do not. */
export function appSentence(c: ClientProtection): string {
  const direct = c.direct_servers.length;
  const through = c.installed ? 'Goes through the gateway' : 'Does not use the gateway';
  if (direct === 0) return c.installed ? `${through}; no server bypasses it` : through;
  return `${through}; ${direct} server${direct === 1 ? '' : 's'} bypass${direct === 1 ? 'es' : ''} it (${c.direct_servers.join(', ')})`;
}

export const appProtected = (c: ClientProtection): boolean => c.installed && c.direct_servers.length === 0;

/** "10:11:12 echo_server/echo (Prompt injection)". */
export function blockSentence(e: AuditEvent): string {
  const time = new Date(e.ts).toLocaleTimeString();
  const place = [e.server, e.tool].filter(Boolean).join('/') || 'a call';
  const why = e.detectors && e.detectors.length > 0 ? ` (${detectorWords(e.detectors)})` : '';
  return `${time} ${place}${why}`;
}
