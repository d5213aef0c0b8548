// The home page's arithmetic and wording.
import { expect, test } from 'vitest';
import { addEvent, appProtected, appSentence, checksSentence, emptyToday, errorsSentence, startOfToday } from '../src/logic/home';
import { event } from '../e2e/mock-backend';
import type { ClientProtection } from '../src/generated/ipc';

test('today counts tool calls, blocks and errors since midnight, keeping the latest block', () => {
  const since = startOfToday(new Date('2026-03-04T15:00:00'));
  let t = emptyToday();
  t = addEvent(t, event({ event: 'block', ts: '2000-01-01T00:00:00.000Z' }), since);
  t = addEvent(t, event({ event: 'request', tool: 'echo' }), since);
  t = addEvent(t, event({ event: 'request', tool: null }), since);
  const late = event({ event: 'block', decision: 'blocked', tool: 'x' });
  t = addEvent(t, late, since);
  const failed = event({ event: 'error', decision: 'error', server: 'notes', tool: 'echo', message: "server 'notes' did not answer tools/call within 30s" });
  t = addEvent(t, failed, since);
  expect(t.calls).toBe(1);
  expect(t.blocks).toBe(1);
  expect(t.errors).toBe(1);
  expect(t.upstreamErrors).toBe(1);
  expect(t.latestBlock).toBe(late);
  expect(t.latestError).toBe(failed);
});

test('errors today are only checks that could not run and failed server calls, not the noise', () => {
  const since = startOfToday(new Date('2026-03-04T15:00:00'));
  let t = emptyToday();
  // Noise as gateway-core writes it: a discovery note for every same-named tool (each start), a tool's
  // own error answer, a client asking for a tool that does not exist, a refused config reload.
  for (const server of ['weather', 'todo', 'weather', 'todo'])
    t = addEvent(t, event({ event: 'error', server, tool: 'echo', decision: undefined, detectors: ['tool_name_collision'], message: 'tool name also offered by another server' }), since);
  t = addEvent(t, event({ event: 'response', decision: 'error', tool: 'fail' }), since);
  t = addEvent(t, event({ event: 'error', decision: 'error', server: 'notes', tool: 'nope', message: "tool 'nope' not found on server 'notes'" }), since);
  t = addEvent(t, event({ event: 'error', decision: 'error', server: undefined, tool: 'zzz', message: 'unknown tool' }), since);
  t = addEvent(t, event({ event: 'error', decision: 'error', server: undefined, tool: undefined, message: 'config reload refused, previous config kept: …' }), since);
  expect(t.errors).toBe(0);
  expect(t.latestError).toBeNull();
  // Real ones: a check that could not run (fail closed: a block) and a server that crashed.
  t = addEvent(t, event({ event: 'block', decision: 'blocked', detectors: ['guardrail_unavailable'], message: 'the input guardrail check could not run' }), since);
  t = addEvent(t, event({ event: 'error', decision: 'error', server: 'notes', tool: 'crash', message: "server 'notes' closed the connection" }), since);
  expect(t.errors).toBe(2);
  expect(t.checkErrors).toBe(1);
  expect(t.upstreamErrors).toBe(1);
  expect(t.blocks).toBe(1);
  expect(errorsSentence(t)).toBe('1 check could not run (the call was blocked), 1 server call failed');
});

test('a server with one side off is not checked; apps are protected only with no server bypassing', () => {
  expect(checksSentence({ name: 's', input: [], output: [], ignored: [] })).toBe('No checks run on this server');
  expect(checksSentence({ name: 's', input: ['pii'], output: ['secrets'], ignored: [] })).toBe(
    'In: Personal data (PII) · Out: Secrets (keys, tokens, passwords)',
  );
  const c = { client: 'cursor', client_name: 'Cursor', installed: true, direct_servers: ['notes'] } as ClientProtection;
  expect(appProtected(c)).toBe(false);
  expect(appSentence(c)).toBe('Goes through the gateway; 1 server bypasses it (notes)');
  expect(appProtected({ ...c, direct_servers: [] })).toBe(true);
  expect(appProtected({ ...c, installed: false, direct_servers: [] })).toBe(false);
});
