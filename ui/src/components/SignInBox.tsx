// The sign-in part of a remote server's card: its state ("Signed in as … · expires …", "Sign-in
// needed", "Refresh failed: …") and "Sign in" / "Sign out". Signing in opens the system browser; the
// app waits for the redirect and stores the tokens in the keychain (gateway-core's OAuth code).
import { useEffect, useState } from 'react';
import { api } from '../api';
import type { ServerSignIn } from '../generated/ipc';
import { describeSignIn } from '../logic/signin';
import { ErrorNotice } from './ErrorNotice';
import { useAction } from './useAsync';

/** The shared tag colours: green, amber, red (styles.css). */
const TONE = { 'signed-in': 'on', needed: 'quarantined', failed: 'denied', none: '' } as const;

export function SignInBox({ server, gateway }: { server: string; gateway?: string | null }) {
  const [state, setState] = useState<ServerSignIn | null>(null);
  const [waiting, setWaiting] = useState(false);
  const { error, setError, busy, run } = useAction();
  const load = useAction();

  useEffect(() => {
    let live = true;
    void load.run(() => api.oauthStatus(server, gateway)).then((s) => {
      if (live && s) setState(s);
    });
    return () => {
      live = false;
    };
  }, [server, gateway]);

  const signIn = async () => {
    setWaiting(true);
    const s = await run(() => api.oauthSignIn(server, gateway));
    setWaiting(false);
    if (s) setState(s);
  };
  const cancel = async () => {
    await api.oauthSignInCancel(server, gateway).catch(() => false);
  };
  // A cancelled sign-in is what the user asked for, not an error.
  useEffect(() => {
    if (error?.code === 'oauth_cancelled') setError(null);
  }, [error, setError]);
  const signOut = async () => {
    const s = await run(() => api.oauthSignOut(server, gateway));
    if (s) setState(s);
  };

  const view = state ? describeSignIn(state) : null;
  return (
    <div className="signin" data-signin={server} data-state={view?.kind ?? 'loading'}>
      <p>
        <span className={`tag ${view ? TONE[view.kind] : ''}`} data-testid="signin-state">
          {view ? view.text : load.busy ? 'Checking sign-in…' : 'Sign-in state unknown'}
        </span>
      </p>
      {waiting ? (
        <div className="row">
          <p className="muted" role="status">
            Finish signing in in your browser. This page updates when you are done.
          </p>
          <button type="button" onClick={() => void cancel()} aria-label={`Cancel sign-in to ${server}`}>
            Cancel
          </button>
        </div>
      ) : null}
      {view?.offerSignIn ? (
        <div className="actions">
          <button
            type="button"
            className={view.kind === 'signed-in' ? '' : 'primary'}
            disabled={busy}
            onClick={() => void signIn()}
            aria-label={`Sign in to ${server}`}
          >
            {view.kind === 'signed-in' ? 'Sign in again' : 'Sign in'}
          </button>
          {view.kind === 'signed-in' || view.kind === 'failed' ? (
            <button type="button" disabled={busy} onClick={() => void signOut()} aria-label={`Sign out of ${server}`}>
              Sign out
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorNotice error={error ?? load.error} />
    </div>
  );
}
