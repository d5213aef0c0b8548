// Component tests in jsdom against the fake backend: the shell, a page, inline validation.
import { afterEach, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { clearMocks } from '@tauri-apps/api/mocks';
import { App } from '../src/App';
import { initialState, installMockBackend } from '../e2e/mock-backend';

afterEach(() => {
  cleanup();
  clearMocks();
});

test('the servers page lists the configured servers with values masked', async () => {
  installMockBackend();
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Servers' }));
  expect(await screen.findByRole('heading', { name: 'echo_server' })).toBeTruthy();
  expect(document.body.textContent).not.toContain('tok-123456');
});

test('adding a server without a name or program shows inline messages and saves nothing', async () => {
  const state = installMockBackend();
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Servers' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
  fireEvent.click(screen.getByRole('button', { name: 'Add server' }));
  expect(await screen.findByText('Give the server a name.')).toBeTruthy();
  expect(screen.getByText(/Enter the program to start/)).toBeTruthy();
  expect(state.calls.some((c) => c.cmd === 'config_edit')).toBe(false);
});

test('without a config the guided setup is shown', async () => {
  const state = initialState();
  state.info.config_exists = false;
  installMockBackend(state);
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Create settings' }));
  await waitFor(() => expect(screen.getByText(/Enkrypt API key \(optional\)/, { selector: 'h2' })).toBeTruthy());
});

test('settings: "Start at login" shows the entry’s real state and changes it; the page says how reopening works', async () => {
  const state = initialState();
  state.autostart = true;
  installMockBackend(state);
  render(<App />);
  fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
  const toggle = (await screen.findByRole('switch', { name: 'Start at login' })) as HTMLInputElement;
  await waitFor(() => expect(toggle.checked).toBe(true));
  fireEvent.click(toggle);
  await waitFor(() => expect(state.autostart).toBe(false));
  await waitFor(() => expect(toggle.checked).toBe(false));
  expect(state.calls.filter((c) => c.cmd === 'autostart_set').map((c) => c.args)).toEqual([{ enabled: false }]);
  expect(document.querySelector('#settings-instance')?.textContent).toContain('opening it again from your launcher or menu brings this window forward');
});
