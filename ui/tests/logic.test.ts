import { describe, expect, test } from 'vitest';
import { friendlyMessage, toApiError, ApiError } from '../src/errors';
import { isValidSecretName, keyringName, maskValue, suggestSecretName, withSecretRef } from '../src/logic/secrets';
import { emptyForm, errorsFromDiagnostics, formFromSpec, specFromForm, validateForm } from '../src/logic/servers';
import { applyFilters, MAX_EVENTS, noFilters, prepend, shortTime, type LogEntry } from '../src/logic/log';
import { optionOn, policyOf, setOption, toggleDetector } from '../src/logic/policy';
import { changeSentence, staleWords, stateLabel } from '../src/logic/clients';
import { echoServer, event } from '../e2e/mock-backend';

describe('errors', () => {
  test('an IPC error body becomes an ApiError with code, detail and diagnostics', () => {
    const e = toApiError({ code: 'invalid_config', message: 'bad', detail: 'x', diagnostics: [] });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('invalid_config');
    expect(e.detail).toBe('x');
    expect(e.friendly).toMatch(/not saved/);
  });
  test('anything else is an unexpected error, never a crash', () => {
    expect(toApiError('boom').code).toBe('unexpected');
    expect(toApiError(new Error('bang')).message).toBe('bang');
    expect(toApiError(null).code).toBe('unexpected');
  });
  test('every message is a plain sentence; unknown codes get a generic one', () => {
    expect(friendlyMessage('keychain_locked')).toMatch(/locked/);
    expect(friendlyMessage('no_such_code')).toMatch(/Something went wrong/);
  });
});

describe('secrets', () => {
  test('keyring references are recognised exactly', () => {
    expect(keyringName('${keyring:GITHUB_TOKEN}')).toBe('GITHUB_TOKEN');
    expect(keyringName('prefix ${keyring:X}')).toBeNull();
    expect(keyringName('${env:HOME}')).toBeNull();
  });
  test('values are never shown in full', () => {
    expect(maskValue('sk-verysecretvalue')).not.toContain('verysecret');
    expect(maskValue('abc')).toBe('••••');
    expect(maskValue('${keyring:TOKEN}')).toContain('in keychain: TOKEN');
  });
  test('suggested names are valid keychain names', () => {
    const name = suggestSecretName('my server', 'api-key');
    expect(name).toBe('MY_SERVER_API-KEY');
    expect(isValidSecretName(name)).toBe(true);
    expect(isValidSecretName('__index__')).toBe(false);
    expect(isValidSecretName('a b')).toBe(false);
  });
  test('moving a value replaces it by a reference and keeps everything else', () => {
    const { spec, value } = withSecretRef(echoServer(), { kind: 'env', key: 'API_TOKEN' }, 'ECHO_TOKEN');
    expect(value).toBe('tok-123456');
    expect(spec.transport).toMatchObject({ type: 'stdio', env: { API_TOKEN: '${keyring:ECHO_TOKEN}' } });
    expect(spec.input_guardrails).toEqual(echoServer().input_guardrails);
    expect(() => withSecretRef(spec, { kind: 'env', key: 'API_TOKEN' }, 'X')).toThrow(/already/);
    expect(() => withSecretRef(spec, { kind: 'headers', key: 'API_TOKEN' }, 'X')).toThrow();
  });
});

describe('server form', () => {
  test('a spec survives the round trip through the form', () => {
    const spec = echoServer();
    expect(specFromForm(formFromSpec(spec), spec)).toEqual(spec);
  });
  test('the sign-in fields set, keep or remove the server\'s oauth', () => {
    const base = {
      server_name: 'linear',
      transport: {
        type: 'http' as const,
        url: 'https://mcp.example.com/mcp',
        headers: {},
        oauth: { client_id: 'gw-1', client_secret: '${keyring:LINEAR_SECRET}', scopes: ['read'] },
      },
    };
    const form = formFromSpec(base);
    expect(form.oauthClientId).toBe('gw-1');
    expect(form.oauthScopes).toBe('read');
    // Unchanged: the file's oauth is left as it is (no oauth in the spec).
    const unchanged = specFromForm(form, base);
    expect(unchanged.transport).not.toHaveProperty('oauth');
    // A new scope: client id and the saved secret are kept.
    const more = specFromForm({ ...form, oauthScopes: 'read  write' }, base);
    expect(more.transport).toMatchObject({
      oauth: { client_id: 'gw-1', client_secret: '${keyring:LINEAR_SECRET}', scopes: ['read', 'write'] },
    });
    // A new server with nothing filled in carries no oauth at all.
    const fresh = specFromForm({ ...emptyForm(), name: 'web', type: 'http', url: 'https://e.com/mcp' });
    expect(fresh.transport).not.toHaveProperty('oauth');
    expect(validateForm({ ...form, oauthClientId: 'a b' }, []).oauth).toMatch(/spaces/);
  });
  test('empty and bad fields get inline messages', () => {
    const errors = validateForm(emptyForm(), []);
    expect(errors.name).toMatch(/name/);
    expect(errors.command).toMatch(/program/);
    const http = { ...emptyForm(), name: 'web', type: 'http' as const, url: 'ftp://x' };
    expect(validateForm(http, []).url).toMatch(/http/);
    expect(validateForm({ ...http, url: 'https://example.com/mcp' }, [])).toEqual({});
    expect(validateForm({ ...http, url: 'https://e.com', name: 'web' }, ['web']).name).toMatch(/already/);
    const dup = { ...emptyForm(), name: 'a', command: 'x', env: [{ key: 'K', value: '1' }, { key: 'K', value: '2' }] };
    expect(validateForm(dup, []).env).toMatch(/twice/);
  });
  test('backend diagnostics land on the right field', () => {
    const errors = errorsFromDiagnostics([
      { severity: 'error', location: { json_path: '$.gateways["…"].mcp_config[0].config.command' }, message: 'not found' },
      { severity: 'warning', location: { json_path: '$.x' }, message: 'ignored' },
      { severity: 'error', location: { json_path: '$.common' }, message: 'other' },
    ]);
    expect(errors).toEqual({ command: 'not found', form: 'other' });
  });
});

describe('live log model', () => {
  const entry = (seq: number, partial = {}): LogEntry => ({ seq, event: event(partial) });
  test('newest first and bounded', () => {
    let list: LogEntry[] = [];
    for (let i = 0; i < MAX_EVENTS + 5; i++) list = prepend(list, entry(i));
    expect(list).toHaveLength(MAX_EVENTS);
    expect(list[0]?.seq).toBe(MAX_EVENTS + 4);
  });
  test('filters by decision, kind and text', () => {
    const list = [entry(1, { decision: 'blocked', event: 'block', server: 'files', tool: 'rm' }), entry(2, { tool: 'echo' })];
    expect(applyFilters(list, { ...noFilters, decision: 'blocked' }).map((e) => e.seq)).toEqual([1]);
    expect(applyFilters(list, { ...noFilters, event: 'request' }).map((e) => e.seq)).toEqual([2]);
    expect(applyFilters(list, { ...noFilters, text: 'ECH' }).map((e) => e.seq)).toEqual([2]);
    expect(shortTime('2026-01-01T10:11:12.345Z')).toBe('10:11:12.345');
  });
});

describe('policies and clients', () => {
  test('detectors and options toggle without touching the rest', () => {
    const p = policyOf(echoServer(), 'input');
    const q = toggleDetector(p, 'pii', true);
    expect(q.block).toEqual(['injection_attack', 'pii']);
    expect(toggleDetector(q, 'injection_attack', false).block).toEqual(['pii']);
    expect(optionOn(setOption(p, 'pii_redaction', true), 'pii_redaction')).toBe(true);
    expect(policyOf({ ...echoServer(), output_guardrails: null }, 'output').enabled).toBe(false);
  });
  test('client states and changes read as sentences', () => {
    const base = {
      client: 'cursor', client_name: 'Cursor', path: '/p', detected: true, file_exists: true, installed: true, stale: [], error: null,
      key_in_plain_text: false, direct_servers: [], import_record: null, changed_since_import: false,
    };
    expect(stateLabel({ ...base, state: 'stale' })).toBe('Needs an update');
    expect(
      changeSentence({ client: 'cursor', client_name: 'Cursor', path: '/p', change: 'added_entry', written: true, dry_run: false, backup: null, detected: true, entry: null, stale_before: [], key_delivery: { kind: 'plain' } }),
    ).toMatch(/Restart Cursor/);
    // Every reason gateway-core gives has words (plain_key was missing from the hand-written types).
    expect(staleWords({ field: 'plain_key', found: '…abcd', expected: '${keyring:k}' })).toMatch(/plain text/);
  });
});
