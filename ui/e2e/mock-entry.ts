// Test-only entry: installs the fake backend (state selectable by ?scenario=), exposes it to the
// page test as window.__mock, then starts the real UI.
import { initialState, installMockBackend, pushEvent, event, type MockState } from './mock-backend';

const scenario = new URLSearchParams(location.search).get('scenario');
const state = initialState();
if (scenario === 'first-run') state.info.config_exists = false;
if (scenario === 'keychain-locked')
  state.failures.secrets_list = {
    code: 'keychain_locked',
    message: 'the OS keychain is locked or refused access: Prompt. Unlock your keyring…',
  };
installMockBackend(state);

declare global {
  interface Window {
    __mock: { state: MockState; push: (e: Partial<import('../src/generated/config').AuditEvent>) => boolean };
  }
}
window.__mock = { state, push: (e) => pushEvent(state, event(e)) };

await import('../src/main');
