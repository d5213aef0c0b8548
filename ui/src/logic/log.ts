// The live log's view model: newest first, bounded, filtered on the client so a filter change is
// instant and never restarts the tail.
import type { AuditEvent, Decision, EventKind } from '../generated/config';

/** Events kept on screen at most. */
export const MAX_EVENTS = 1000;

export type LogFilters = {
  decision: Decision | '';
  event: EventKind | '';
  /** Substring of server or tool, case-insensitive. */
  text: string;
};

export const noFilters: LogFilters = { decision: '', event: '', text: '' };

/** An event as received, numbered in arrival order (a stable list key). */
export type LogEntry = { seq: number; event: AuditEvent };

/** Adds `entry` at the top, dropping the oldest beyond MAX_EVENTS. */
export function prepend(entries: LogEntry[], entry: LogEntry): LogEntry[] {
  const next = [entry, ...entries];
  return next.length > MAX_EVENTS ? next.slice(0, MAX_EVENTS) : next;
}

export function matches(event: AuditEvent, f: LogFilters): boolean {
  if (f.decision && event.decision !== f.decision) return false;
  if (f.event && event.event !== f.event) return false;
  const text = f.text.trim().toLowerCase();
  if (text) {
    const hay = `${event.server ?? ''} ${event.tool ?? ''}`.toLowerCase();
    if (!hay.includes(text)) return false;
  }
  return true;
}

export const applyFilters = (entries: LogEntry[], f: LogFilters): LogEntry[] =>
  entries.filter((e) => matches(e.event, f));

/** `12:00:01.123` from an RFC 3339 timestamp. */
export function shortTime(ts: string): string {
  const m = /T(\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(ts);
  return m?.[1] ?? ts;
}
