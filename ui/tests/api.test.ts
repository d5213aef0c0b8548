import { afterEach, expect, test } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { api } from '../src/api';
import { ApiError } from '../src/errors';
import type { LogMessage } from '../src/generated/ipc';
import { echoServer, event, initialState, installMockBackend, pushEvent } from '../e2e/mock-backend';

afterEach(() => clearMocks());

test('config edits go through the config_edit command with the typed edit', async () => {
  const state = installMockBackend();
  const view = await api.setGuardrailsEnabled(true);
  expect(view.guardrails_enabled).toBe(true);
  expect(state.calls.at(-1)).toEqual({ cmd: 'config_edit', args: { edit: { op: 'set_guardrails_enabled', enabled: true } } });
});

test('a failing command rejects with an ApiError carrying the stable code', async () => {
  const state = initialState();
  state.failures.secrets_list = { code: 'keychain_unavailable', message: 'no secret service' };
  installMockBackend(state);
  const error = await api.secretsList().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe('keychain_unavailable');
});

test('moving a value to the keychain stores the secret first, then saves the reference', async () => {
  const state = installMockBackend();
  await api.moveToKeychain(echoServer(), { kind: 'env', key: 'API_TOKEN' }, 'ECHO_API_TOKEN');
  const cmds = state.calls.map((c) => c.cmd);
  expect(cmds).toEqual(['secret_set', 'config_edit']);
  expect(state.calls[0]?.args).toEqual({ name: 'ECHO_API_TOKEN', value: 'tok-123456' });
  const saved = state.view.gateways[0]?.servers[0];
  expect(saved?.transport).toMatchObject({ env: { API_TOKEN: '${keyring:ECHO_API_TOKEN}' } });
});

test('tool decisions name the tool with camelCase command arguments', async () => {
  const state = installMockBackend();
  const [pin] = await api.toolsList();
  if (!pin) throw new Error('no pin');
  await api.toolDecide(pin, true);
  expect(state.calls.at(-1)?.args).toEqual({ gatewayId: 'gw-1', server: 'echo_server', tool: 'echo', approve: true });
});

test('the live log channel delivers the backlog and then each new event', async () => {
  const state = installMockBackend();
  const seen: LogMessage[] = [];
  const follow = await api.logsFollow({}, 200, (m) => seen.push(m));
  expect(follow.path).toBe(state.info.audit_log_path);
  expect(seen).toHaveLength(2);
  pushEvent(state, event({ event: 'block', decision: 'blocked' }));
  expect(seen.at(-1)).toMatchObject({ kind: 'event', event: { decision: 'blocked' } });
  await follow.stop();
  expect(state.calls.at(-1)?.cmd).toBe('logs_stop');
});
