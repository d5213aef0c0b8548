// "Sign in" for remote servers that need OAuth: the words for each state, and the button's round trip
// against the fake backend (the real window and a real authorization server: tests/desktop/e2e-oauth.sh).
import { afterEach, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { clearMocks } from '@tauri-apps/api/mocks';
import { SignInBox } from '../src/components/SignInBox';
import { describeSignIn, expiresIn } from '../src/logic/signin';
import type { ServerSignIn } from '../src/generated/ipc';
import { initialState, installMockBackend } from '../e2e/mock-backend';

afterEach(() => {
  cleanup();
  clearMocks();
});

const base = { server: 'linear', asks_for_sign_in: true, summary: '' } as const;

test('each sign-in state has clear words', () => {
  const signedIn: ServerSignIn = {
    ...base,
    status: { state: 'signed_in', client_id: 'c', scopes: [], expires_at: 1000 + 55 * 60, refreshable: true, issuer: null, account: 'ana' },
  };
  expect(describeSignIn(signedIn, 1000)).toEqual({
    kind: 'signed-in',
    text: 'Signed in as ana, expires in 55 min (renewed automatically)',
    offerSignIn: true,
  });
  const anonymous: ServerSignIn = {
    ...base,
    status: { state: 'signed_in', client_id: 'c', scopes: [], expires_at: null, refreshable: false, issuer: null, account: null },
  };
  expect(describeSignIn(anonymous, 1000).text).toBe('Signed in');
  expect(describeSignIn({ ...base, status: { state: 'sign_in_needed', reason: null } }).text).toBe('Sign-in needed');
  expect(describeSignIn({ ...base, status: { state: 'refresh_failed', reason: 'revoked' } })).toMatchObject({
    kind: 'failed',
    text: 'Refresh failed: revoked. Sign in again.',
  });
  const open = describeSignIn({ ...base, asks_for_sign_in: false, status: { state: 'sign_in_needed', reason: null } });
  expect(open).toMatchObject({ kind: 'none', offerSignIn: false });
  expect(expiresIn(100, 200)).toMatch(/^expired/);
  expect(expiresIn(200 + 30, 200)).toBe('in 30 s');
  expect(expiresIn(200 + 3 * 3600, 200)).toBe('in 3 h');
});

test('Sign in asks the app to sign in and shows who is signed in; Sign out goes back', async () => {
  const state = initialState();
  installMockBackend(state);
  render(<SignInBox server="linear" />);
  await screen.findByText('Sign-in needed');
  fireEvent.click(screen.getByRole('button', { name: 'Sign in to linear' }));
  await screen.findByText(/^Signed in as ana@example\.test, expires in 60 min/);
  expect(state.calls.filter((c) => c.cmd === 'oauth_sign_in').map((c) => c.args.server)).toEqual(['linear']);
  fireEvent.click(screen.getByRole('button', { name: 'Sign out of linear' }));
  await waitFor(() => expect(screen.getByTestId('signin-state').textContent).toBe('Sign-in needed'));
});
