// Page tests for "protected by default" (issue 11) in jsdom against the fake backend: the home page's
// honest status, first run ending on "Protect my apps", Import/Undo on the Apps page, and a Guardrails
// page that never offers a check the engine silently ignores (per provider, from the engine's table).
import { afterEach, expect, test } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { clearMocks } from '@tauri-apps/api/mocks';
import { App } from '../src/App';
import { event, initialState, installMockBackend, pushEvent } from '../e2e/mock-backend';
import DETECTORS from '../e2e/detectors.json';

afterEach(() => {
  cleanup();
  clearMocks();
  localStorage.clear();
});

test('home: apps bypassing the gateway, unchecked servers and today’s blocks, live', async () => {
  const state = initialState();
  state.view.guardrails_enabled = true;
  installMockBackend(state);
  render(<App />);
  const apps = await screen.findByText('Apps', { selector: '#home-apps h2' });
  const appList = apps.parentElement as HTMLElement;
  await waitFor(() => expect(appList.textContent).toContain('2 servers bypass it (github, files)'));
  expect(within(appList).getAllByText('not protected').length).toBe(2);
  // echo_server's output side is off in the fixture: unchecked, and said so.
  const servers = document.querySelector('#home-servers') as HTMLElement;
  expect(servers.textContent).toContain('unchecked');
  const attention = document.querySelector('#home-attention') as HTMLElement;
  expect(attention.textContent).toContain('Server echo_server has no output checks.');
  expect(attention.textContent).toContain('1 tool(s) wait for review in quarantine.');
  expect(document.querySelector('#home-mood')?.getAttribute('data-mood')).toBe('attention');
  // Old events are not "today"; a new block shows at once.
  expect(document.querySelector('#home-blocks')?.textContent).toBe('0');
  await waitFor(() => expect(state.channel).not.toBeNull());
  act(() => {
    pushEvent(state, event({ event: 'request', tool: 'echo' }));
    pushEvent(state, event({ event: 'block', decision: 'blocked', tool: 'echo', detectors: ['injection_attack'] }));
  });
  expect(document.querySelector('#home-blocks')?.textContent).toBe('1');
  expect(document.querySelector('#home-calls')?.textContent).toBe('1');
  expect(document.querySelector('#home-latest-block')?.textContent).toContain('echo_server/echo (Prompt injection)');
});

test('first run ends on "Protect my apps": servers found per app, one click imports them all', async () => {
  const state = initialState();
  state.info.config_exists = false;
  installMockBackend(state);
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Create settings' }));
  fireEvent.click(await screen.findByRole('button', { name: /Skip/ }));
  const list = await screen.findByText('github', { selector: 'strong' });
  expect(list).toBeTruthy();
  expect(screen.getByText('notes', { selector: 'strong' })).toBeTruthy();
  expect(document.querySelector('[data-client="claude-desktop"]')?.textContent).toContain('2 servers found');
  const preview = state.calls.filter((c) => c.cmd === 'client_import');
  expect(preview).toEqual([{ cmd: 'client_import', args: { client: null, dryRun: true, gateway: null } }]);
  fireEvent.click(screen.getByRole('button', { name: 'Protect my apps' }));
  await screen.findByRole('button', { name: 'Finish' });
  expect(state.calls.filter((c) => c.cmd === 'client_import').at(-1)?.args).toEqual({ client: null, dryRun: false, gateway: null });
  expect(state.view.gateways[0]?.servers.map((s) => s.server_name)).toEqual(['echo_server', 'github', 'files', 'notes']);
  fireEvent.click(screen.getByRole('button', { name: 'Finish' }));
  // The first page after setup is the home page, and every app now goes through the gateway.
  await waitFor(() => expect(document.querySelector('#home-apps')?.textContent).not.toContain('not protected'));
});

test('apps: Import into the chosen gateway, then Undo asks whether to keep the servers', async () => {
  const state = initialState();
  state.view.gateways.push({ id: 'gw-2', servers: [] });
  installMockBackend(state);
  render(<App />);
  fireEvent.change(await screen.findByLabelText('Gateway'), { target: { value: 'gw-2' } });
  fireEvent.click(screen.getByRole('button', { name: 'Apps' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Import and protect 2 servers' }));
  await screen.findByText(/2 servers now go through the gateway with checks on/);
  expect(state.calls.find((c) => c.cmd === 'client_import')?.args).toEqual({ client: 'claude-desktop', dryRun: false, gateway: 'gw-2' });
  expect(state.calls.some((c) => c.cmd === 'gateway_choose' && c.args.gateway === 'gw-2')).toBe(true);
  fireEvent.click(await screen.findByRole('button', { name: 'Undo import' }));
  fireEvent.click(screen.getByRole('button', { name: 'Undo, keep the servers' }));
  await screen.findByText(/is back exactly as it was\. Kept in the gateway: github, files/);
  expect(state.calls.find((c) => c.cmd === 'client_restore')?.args).toEqual({ client: 'claude-desktop', removeServers: false, force: false });
  // Cursor's install goes to the chosen gateway too.
  fireEvent.click(screen.getByRole('button', { name: 'Update Cursor' }));
  await waitFor(() => expect(state.calls.find((c) => c.cmd === 'client_install')?.args).toEqual({ client: 'cursor', gateway: 'gw-2' }));
});

test('the chosen gateway is an app setting: it survives a restart and the Servers page, imports and client status use it', async () => {
  const state = initialState();
  state.view.gateways.push({ id: 'gw-2', name: 'work', servers: [] });
  installMockBackend(state);
  const first = render(<App />);
  fireEvent.change(await screen.findByLabelText('Gateway'), { target: { value: 'gw-2' } });
  await waitFor(() => expect(state.chosen).toBe('gw-2'));
  first.unmount();
  // A new window (an app restart) reads the choice from the app, not from the browser's storage.
  localStorage.clear();
  state.calls = [];
  render(<App />);
  await waitFor(() => expect((screen.getByLabelText('Gateway') as HTMLSelectElement).value).toBe('gw-2'));
  fireEvent.click(screen.getByRole('button', { name: 'Servers' }));
  expect((await screen.findByText(/work \(gw-2\)/, { selector: '#servers-gateway' })).textContent).toBe('work (gw-2)');
  expect(screen.queryByRole('heading', { name: 'echo_server' })).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Add server' }));
  fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'second' } });
  fireEvent.change(screen.getByLabelText(/^Program/), { target: { value: '/usr/bin/true' } });
  fireEvent.click(screen.getByRole('button', { name: 'Add server' }));
  await waitFor(() => expect(state.view.gateways[1]?.servers.map((x) => x.server_name)).toEqual(['second']));
  expect(state.view.gateways[0]?.servers.map((x) => x.server_name)).toEqual(['echo_server']);
  expect(await screen.findByRole('heading', { name: 'second' })).toBeTruthy();
  // The Guardrails page shows that gateway's servers.
  fireEvent.click(screen.getByRole('button', { name: 'Guardrails' }));
  await waitFor(() => expect(document.querySelector('#policy-second-input')).not.toBeNull());
  expect(document.querySelector('#policy-echo_server-input')).toBeNull();
  // Client status is judged against it, and the Apps page says where installs go.
  fireEvent.click(screen.getByRole('button', { name: 'Apps' }));
  expect((await screen.findByText('gw-2', { selector: '#clients-gateway' })).textContent).toBe('gw-2');
  expect(state.calls.filter((c) => c.cmd === 'clients_status').at(-1)?.args).toEqual({ gateway: 'gw-2' });
  // An import that names no gateway (the first run's) goes into the chosen one, as the app resolves it.
  await act(async () => {
    const { api } = await import('../src/api');
    await api.clientImport('cursor', false);
  });
  expect(state.view.gateways[1]?.servers.map((x) => x.server_name)).toEqual(['second', 'notes']);
});

for (const provider of ['local', 'enkrypt'] as const) {
  test(`guardrails (${provider}): the UI never offers a check that the engine silently ignores`, async () => {
    const state = initialState();
    state.view.guardrails_provider = provider;
    state.view.enkrypt_api_key_set = provider === 'enkrypt';
    installMockBackend(state);
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Guardrails' }));
    // The policy name means something only to the Enkrypt service: not shown for local checks.
    await screen.findByRole('group', { name: 'Block these (input)' });
    expect(document.querySelector('#policy-echo_server-input-name') !== null).toBe(provider === 'enkrypt');
    const table = (DETECTORS as Record<string, { name: string; available: boolean; reason: string | null }[]>)[provider] ?? [];
    const runs = new Set(table.filter((d) => d.available).map((d) => d.name));
    for (const side of ['input', 'output']) {
      const group = await screen.findByRole('group', { name: `Block these (${side})` });
      await waitFor(() => expect(group.querySelectorAll('input[data-detector]').length).toBeGreaterThan(3));
      const boxes = [...group.querySelectorAll<HTMLInputElement>('input[data-detector]')];
      for (const box of boxes) {
        const name = box.dataset.detector ?? '';
        if (!runs.has(name)) {
          // Not offered: disabled unless already listed (then it can only be removed), with the reason.
          expect(box.disabled || box.checked, `${side} ${name}`).toBe(true);
          expect(box.closest('label')?.textContent).toMatch(/never blocks/);
        } else {
          expect(box.disabled, `${side} ${name}`).toBe(false);
        }
      }
      // "Secrets" is a checkbox and it can be ticked.
      expect(boxes.some((b) => b.dataset.detector === 'secrets' && !b.disabled)).toBe(true);
      // Every check the engine can run is offered (output-only ones on the output side).
      const offered = new Set(boxes.filter((b) => !b.disabled).map((b) => b.dataset.detector));
      for (const d of runs) if (side === 'output' || !['relevancy', 'adherence', 'hallucination'].includes(d)) expect(offered.has(d), d).toBe(true);
    }
    if (provider === 'local') {
      const hallucination = document.querySelector<HTMLInputElement>('#policy-echo_server-output [data-detector="hallucination"]');
      expect(hallucination?.disabled).toBe(true);
      expect(document.body.textContent).toContain('needs the Enkrypt AI API; the offline engine cannot run it');
    }
  });
}

test('guardrails: keyword list, allow-list and denied tools are saved', async () => {
  const state = installMockBackend();
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Guardrails' }));
  const keyword = await waitFor(() => {
    const el = document.querySelector<HTMLInputElement>('#policy-echo_server-input [data-detector="keyword_detector"]');
    expect(el).not.toBeNull();
    return el as HTMLInputElement;
  });
  fireEvent.click(keyword);
  fireEvent.change(document.querySelector('#policy-echo_server-input-keywords') as Element, { target: { value: 'Project Falcon\n\nsalary' } });
  fireEvent.click(document.querySelector('#policy-echo_server-input-save') as Element);
  await waitFor(() =>
    expect(state.view.gateways[0]?.servers[0]?.input_guardrails?.additional_config?.keywords).toEqual(['Project Falcon', 'salary']),
  );
  await waitFor(() => expect((document.querySelector('#policy-echo_server-input-save') as HTMLButtonElement).disabled).toBe(true));
  fireEvent.change(document.querySelector('#tools-echo_server-allow') as Element, { target: { value: 'echo\nadd' } });
  fireEvent.change(document.querySelector('#tools-echo_server-denied') as Element, { target: { value: 'delete_*' } });
  fireEvent.click(document.querySelector('#tools-echo_server-save') as Element);
  await waitFor(() => expect(state.view.gateways[0]?.servers[0]?.denied_tools).toEqual([{ pattern: 'delete_*', reason: null }]));
  const server = state.view.gateways[0]?.servers[0];
  expect(Object.keys(server?.tools ?? {})).toEqual(['echo', 'add']);
  // The allow-list edit left the policies alone.
  expect(server?.input_guardrails?.block).toContain('keyword_detector');
});

test('guardrails: fail-open and time limits are saved', async () => {
  const state = installMockBackend();
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Guardrails' }));
  fireEvent.click(await screen.findByLabelText(/Let calls through when a check fails/));
  fireEvent.change(screen.getByLabelText(/Time limit for one check/), { target: { value: '5' } });
  fireEvent.click(document.querySelector('#runtime-save') as Element);
  await waitFor(() => expect(state.view.guardrails_fail_open).toBe(true));
  expect(state.view.guardrail_timeout_seconds).toBe(5);
  expect(state.calls.find((c) => c.cmd === 'config_edit')?.args.edit).toEqual({
    op: 'set_guardrail_runtime',
    fail_open: true,
    guardrail_timeout_seconds: 5,
    upstream_timeout_seconds: null,
  });
});
