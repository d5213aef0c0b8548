// Words for a remote server's sign-in state (pure; tested): "Signed in as … · expires …",
// "Sign-in needed", "Refresh failed: …".
import type { ServerSignIn } from '../generated/ipc';

export type SignInView = {
  /** `signed-in` | `needed` | `failed` | `none` (the server asks for no sign-in). */
  kind: 'signed-in' | 'needed' | 'failed' | 'none';
  /** The headline the row shows. */
  text: string;
  /** Whether to offer "Sign in". */
  offerSignIn: boolean;
};

/** "in 55 min", "in 2 h", "expired" relative to `nowSecs`. */
export function expiresIn(expiresAt: number, nowSecs: number): string {
  const left = expiresAt - nowSecs;
  if (left <= 0) return 'expired (renewed on the next call)';
  if (left < 120) return `in ${Math.round(left)} s`;
  if (left < 7200) return `in ${Math.round(left / 60)} min`;
  return `in ${Math.round(left / 3600)} h`;
}

export function describeSignIn(s: ServerSignIn, nowSecs: number = Date.now() / 1000): SignInView {
  const st = s.status;
  switch (st.state) {
    case 'signed_in': {
      const who = st.account ? `Signed in as ${st.account}` : 'Signed in';
      const when = st.expires_at ? `, expires ${expiresIn(st.expires_at, nowSecs)}` : '';
      const renew = st.refreshable ? ' (renewed automatically)' : '';
      return { kind: 'signed-in', text: `${who}${when}${renew}`, offerSignIn: true };
    }
    case 'refresh_failed':
      return { kind: 'failed', text: `Refresh failed: ${st.reason}. Sign in again.`, offerSignIn: true };
    case 'sign_in_needed':
      if (s.asks_for_sign_in === false) {
        return { kind: 'none', text: 'No sign-in required', offerSignIn: false };
      }
      return {
        kind: 'needed',
        text: st.reason ? `Sign-in needed: ${st.reason}` : 'Sign-in needed',
        offerSignIn: true,
      };
  }
}
