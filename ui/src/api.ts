// The one typed seam between the UI and the desktop app: every Tauri command, the live-log Channel and
// the app's events. Components import `api` from here and never call `invoke` themselves, so tests
// mock IPC in exactly one place. Failures are thrown as ApiError (stable `code` + message).
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AuditEvent, ConfigEdit, ConfigView, Diagnostic, ServerSpec } from './generated/config';
import type {
  AppInfo,
  AuditFilter,
  ChangeReport,
  CheckReport,
  ClientProtection,
  DetectorInfo,
  FollowStarted,
  ImportReport,
  InitSummary,
  LogMessage,
  Pin,
  ProtectionSummary,
  RestoreReport,
  ServerSignIn,
  TrayAction,
} from './generated/ipc';
import { toApiError } from './errors';
import { keyringRef, withSecretRef, type SecretField } from './logic/secrets';

/** The keychain name the first-run setup stores the Enkrypt API key under. */
export const ENKRYPT_API_KEY_SECRET = 'ENKRYPT_API_KEY';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toApiError(raw);
  }
}

/** A running live-log tail. */
export type LogFollow = {
  /** The audit log file being followed. */
  path: string;
  /** Stop receiving events. */
  stop: () => Promise<void>;
};

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  setupInit: () => call<InitSummary>('setup_init'),
  autostartGet: () => call<boolean>('autostart_get'),
  autostartSet: (enabled: boolean) => call<boolean>('autostart_set', { enabled }),

  configView: () => call<ConfigView>('config_view'),
  configEdit: (edit: ConfigEdit) => call<ConfigView>('config_edit', { edit }),
  configCheckEdit: (edit: ConfigEdit) => call<Diagnostic[]>('config_check_edit', { edit }),
  configCheck: () => call<CheckReport>('config_check'),
  setGuardrailsEnabled: (enabled: boolean) =>
    call<ConfigView>('config_edit', { edit: { op: 'set_guardrails_enabled', enabled } satisfies ConfigEdit }),

  /** Every client, judged against `gateway`'s key (default: the chosen gateway). */
  clientsStatus: (gateway?: string | null) => call<ClientProtection[]>('clients_status', { gateway: gateway ?? null }),
  clientInstall: (client: string, gateway?: string | null) =>
    call<ChangeReport>('client_install', { client, gateway: gateway ?? null }),
  /** Moves a client's servers (every client's when `client` is null) behind the gateway. */
  clientImport: (client: string | null, dryRun: boolean, gateway?: string | null) =>
    call<ImportReport>('client_import', { client, dryRun, gateway: gateway ?? null }),
  /** Puts a client's file back as it was before its import. */
  clientRestore: (client: string, removeServers: boolean, force = false) =>
    call<RestoreReport>('client_restore', { client, removeServers, force }),
  protectionStatus: (gateway?: string | null) => call<ProtectionSummary>('protection_status', { gateway: gateway ?? null }),
  /** The gateway the app works on, from the app settings (null: the config's first). */
  gatewayChosen: () => call<string | null>('gateway_chosen'),
  /** Saves the chosen gateway in the app settings; returns the choice now in force. */
  gatewayChoose: (gateway: string | null) => call<string | null>('gateway_choose', { gateway }),
  guardrailDetectors: (provider: 'local' | 'enkrypt') => call<DetectorInfo[]>('guardrail_detectors', { provider }),
  clientUninstall: (client: string) => call<ChangeReport>('client_uninstall', { client }),

  secretsList: () => call<string[]>('secrets_list'),
  secretSet: (name: string, value: string) => call<void>('secret_set', { name, value }),
  secretDelete: (name: string) => call<boolean>('secret_delete', { name }),

  /**
   * Moves one env/header value of a saved server (of `gateway`, default the first) into the keychain
   * under `secretName` and saves the server with a `${keyring:NAME}` reference in its place.
   */
  async moveToKeychain(server: ServerSpec, field: SecretField, secretName: string, gateway: string | null = null): Promise<ConfigView> {
    const { spec, value } = withSecretRef(server, field, secretName);
    await api.secretSet(secretName, value);
    return api.configEdit({ op: 'update_server', gateway: gateway ? { id: gateway } : null, server_name: server.server_name, server: spec });
  },

  /** Stores the Enkrypt API key in the keychain and points the config at it (provider: enkrypt). */
  async saveEnkryptApiKey(value: string): Promise<ConfigView> {
    await api.secretSet(ENKRYPT_API_KEY_SECRET, value);
    await api.configEdit({ op: 'set_enkrypt_api_key', api_key: keyringRef(ENKRYPT_API_KEY_SECRET) });
    return api.configEdit({ op: 'set_guardrails_provider', provider: 'enkrypt' });
  },

  /** Remote servers' sign-in state (no tokens cross IPC). */
  oauthStatus: (server: string, gateway?: string | null) =>
    call<ServerSignIn>('oauth_status', { server, gateway: gateway ?? null }),
  /** Opens the system browser to sign in to `server`; resolves once the app received the redirect. */
  oauthSignIn: (server: string, gateway?: string | null) =>
    call<ServerSignIn>('oauth_sign_in', { server, gateway: gateway ?? null }),
  /** Stops waiting for the browser step of a sign-in (nothing is stored); true when one was waiting. */
  oauthSignInCancel: (server: string, gateway?: string | null) =>
    call<boolean>('oauth_sign_in_cancel', { server, gateway: gateway ?? null }),
  oauthSignOut: (server: string, gateway?: string | null) =>
    call<ServerSignIn>('oauth_sign_out', { server, gateway: gateway ?? null }),

  toolsList: () => call<Pin[]>('tools_list'),
  toolDecide: (pin: Pin, approve: boolean) =>
    call<Pin>('tool_decide', { gatewayId: pin.gateway_id, server: pin.server, tool: pin.tool, approve }),

  logsRecent: (filter: AuditFilter, limit: number) => call<AuditEvent[]>('logs_recent', { filter, limit }),
  /** Streams up to `backlog` existing events, then each new one, to `onMessage`. */
  async logsFollow(
    filter: AuditFilter,
    backlog: number,
    onMessage: (message: LogMessage) => void,
  ): Promise<LogFollow> {
    const channel = new Channel<LogMessage>();
    channel.onmessage = onMessage;
    const started = await call<FollowStarted>('logs_follow', { filter, backlog, onEvent: channel });
    return {
      path: started.path,
      stop: async () => {
        channel.onmessage = () => {};
        await call<void>('logs_stop', { id: started.id });
      },
    };
  },

  /** The config file was changed by the app (a page or the tray). */
  onConfigChanged: (handler: () => void): Promise<UnlistenFn> => listen('config-changed', () => handler()),
  /** A tray menu action finished. */
  onTrayAction: (handler: (action: TrayAction) => void): Promise<UnlistenFn> =>
    listen<TrayAction>('tray-action', (e) => handler(e.payload)),
};

export type Api = typeof api;
