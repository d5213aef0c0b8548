// The home page's arithmetic and wording.
import { expect, test } from 'vitest';
import { addEvent, appProtected, appSentence, checksSentence, emptyToday, startOfToday } from '../src/logic/home';
import { event } from '../e2e/mock-backend';
import type { ClientStatus } from '../src/ipc-types';

test('today counts tool calls, blocks and errors since midnight, keeping the latest block', () => {
  const since = startOfToday(new Date('2026-03-04T15:00:00'));
  let t = emptyToday();
  t = addEvent(t, event({ event: 'block', ts: '2000-01-01T00:00:00.000Z' }), since);
  t = addEvent(t, event({ event: 'request', tool: 'echo' }), since);
  t = addEvent(t, event({ event: 'request', tool: null }), since);
  const late = event({ event: 'block', decision: 'blocked', tool: 'x' });
  t = addEvent(t, late, since);
  t = addEvent(t, event({ event: 'error', decision: 'error', message: 'guardrail provider unreachable' }), since);
  expect(t.calls).toBe(1);
  expect(t.blocks).toBe(1);
  expect(t.errors).toBe(1);
  expect(t.latestBlock).toBe(late);
});

test('a server with one side off is not checked; apps are protected only with no server bypassing', () => {
  expect(checksSentence({ name: 's', input: [], output: [], ignored: [] })).toBe('No checks run on this server');
  expect(checksSentence({ name: 's', input: ['pii'], output: ['secrets'], ignored: [] })).toBe(
    'In: Personal data (PII) · Out: Secrets (keys, tokens, passwords)',
  );
  const c = { client: 'cursor', client_name: 'Cursor', installed: true, direct_servers: ['notes'] } as ClientStatus;
  expect(appProtected(c)).toBe(false);
  expect(appSentence(c)).toBe('Goes through the gateway; 1 server bypasses it (notes)');
  expect(appProtected({ ...c, direct_servers: [] })).toBe(true);
  expect(appProtected({ ...c, installed: false, direct_servers: [] })).toBe(false);
});
