// Shapes of the desktop app's own IPC values (src-tauri/src/**) and of gateway-core reports that have
// no JSON Schema yet (clients::ops, guardrails::pins, audit::follow::AuditFilter). Config and audit
// types come from ./generated/config.ts (generated from the Rust types by `make schema`) and are
// imported, never re-declared. Each type names the Rust type it mirrors.
import type { Decision, Diagnostic, EventKind, AuditEvent } from './generated/config';

/** src-tauri error::IpcError — every command's error. */
export type IpcErrorBody = {
  code: string;
  message: string;
  detail?: string;
  diagnostics?: Diagnostic[];
};

/** src-tauri commands::app::AppInfo */
export type AppInfo = {
  version: string;
  config_path: string;
  config_exists: boolean;
  audit_log_path: string;
  sidecar_path: string;
  sidecar_present: boolean;
  tray_available: boolean;
};

/** src-tauri commands::app::InitSummary */
export type InitSummary = {
  config_path: string;
  gateway_id: string;
  gateway_key_masked: string;
  audit_log_path: string;
  echo_server: string | null;
};

/** src-tauri commands::config::CheckReport */
export type CheckReport = { valid: boolean; output: string };

/** gateway_core::clients::StaleReason */
export type StaleReason = {
  field: 'entry' | 'type' | 'command' | 'args' | 'config_path' | 'gateway_key';
  found: string | null;
  expected: string | null;
};

/** gateway_core::clients::EntryState */
export type EntryState = 'not_installed' | 'up_to_date' | 'stale' | 'unknown';

/** gateway_core::clients::ClientStatus */
export type ClientStatus = {
  client: string;
  client_name: string;
  path: string | null;
  detected: boolean;
  file_exists: boolean;
  installed: boolean;
  state: EntryState;
  stale: StaleReason[];
  error: { code: string; message: string } | null;
  /** Whether the entry carries the gateway key in plain text (null: no entry). */
  key_in_plain_text?: boolean | null;
  /** Servers the client still runs directly, not through the gateway. */
  direct_servers?: string[];
  /** src-tauri status::ClientProtection: the newest import record (Undo possible). */
  import_record?: string | null;
  /** The client file differs from what the import wrote. */
  changed_since_import?: boolean;
};

/** gateway_core::clients::Change */
export type Change =
  | 'created_file'
  | 'added_entry'
  | 'updated_entry'
  | 'unchanged'
  | 'removed_entry'
  | 'not_installed';

/** gateway_core::clients::ChangeReport (as `client install --json` prints it) */
export type ChangeReport = {
  client: string;
  client_name: string;
  path: string;
  change: Change;
  written: boolean;
  dry_run: boolean;
  backup: string | null;
  detected: boolean;
  entry: unknown;
  stale_before: StaleReason[];
};

/** gateway_core::guardrails::pins::PinStatus */
export type PinStatus = 'approved' | 'quarantined' | 'denied';

/** gateway_core::guardrails::pins::Pin */
export type Pin = {
  gateway_id: string;
  server: string;
  tool: string;
  hash: string;
  status: PinStatus;
  reasons?: string[];
  diff?: string;
  definition: unknown;
  previous_definition?: unknown;
  updated_at: string;
};

/** gateway_core::audit::AuditFilter (every set field must match). */
export type AuditFilter = {
  server?: string;
  tool?: string;
  decision?: Decision;
  events?: EventKind[];
  since?: string;
  gateway_id?: string;
};

/** src-tauri commands::logs::LogMessage — one live-log channel message. */
export type LogMessage =
  | { kind: 'event'; event: AuditEvent }
  | { kind: 'error'; error: IpcErrorBody };

/** src-tauri tray::TrayAction — payload of the `tray-action` event. */
export type TrayAction = {
  action: string;
  ok: boolean;
  message: string;
  error?: IpcErrorBody;
};

/** gateway_core::clients::import::ImportedServer */
export type ImportedServer = {
  name: string;
  gateway_name: string;
  added: boolean;
  target: string;
  secrets: { field: string; keychain: string }[];
};

/** gateway_core::clients::import::ClientImport */
export type ClientImport = {
  client: string;
  client_name: string;
  path: string | null;
  outcome: 'imported' | 'nothing_to_import' | 'no_file' | 'failed';
  servers: ImportedServer[];
  skipped: { name: string; reason: string; detail: string }[];
  written: boolean;
  record: string | null;
  error: { code: string; message: string } | null;
};

/** gateway_core::clients::import::ImportReport (as `client import --json` prints it) */
export type ImportReport = {
  dry_run: boolean;
  gateway_config: string;
  gateway_id: string;
  added: string[];
  default_checks: string[];
  clients: ClientImport[];
  key_delivery: { kind: 'plain' } | { kind: 'keychain'; name: string };
};

/** gateway_core::clients::import::RestoreReport */
export type RestoreReport = {
  client: string;
  client_name: string;
  path: string;
  outcome: 'restored' | 'already_restored';
  dry_run: boolean;
  record: string;
  byte_identical: boolean;
  backup: string | null;
  removed_servers: string[];
  kept_servers: string[];
};

/** src-tauri status::ServerChecks */
export type ServerChecks = { name: string; input: string[]; output: string[]; ignored: string[] };

/** src-tauri status::Mood */
export type Mood = 'on' | 'off' | 'attention';

/** src-tauri status::Summary — the home page and the tray. */
export type ProtectionSummary = {
  guardrails_enabled: boolean | null;
  provider: 'local' | 'enkrypt' | null;
  gateway_id: string | null;
  gateways: string[];
  servers: ServerChecks[];
  quarantined: number;
  /** Tool names the gateway found offered by more than one server of this gateway (last day). */
  collisions: { tool: string; servers: string[] }[];
  clients: ClientStatus[];
  attention: string[];
  mood: Mood;
  headline: string;
};

/** src-tauri commands::config::DetectorInfo */
export type DetectorInfo = { name: string; available: boolean; reason: string | null };

/** gateway_core::oauth::SignInStatus — what the keychain holds for one remote server (never a token). */
export type SignInStatus =
  | {
      state: 'signed_in';
      client_id: string;
      scopes: string[];
      /** Unix seconds. */
      expires_at: number | null;
      refreshable: boolean;
      issuer: string | null;
      /** Who signed in (display only). */
      account: string | null;
    }
  | { state: 'sign_in_needed'; reason: string | null }
  | { state: 'refresh_failed'; reason: string };

/** src-tauri commands::oauth::ServerSignIn */
export type ServerSignIn = {
  server: string;
  /** The server answered an unauthenticated request with 401/403 (null: unknown, e.g. offline). */
  asks_for_sign_in: boolean | null;
  status: SignInStatus;
  summary: string;
};
