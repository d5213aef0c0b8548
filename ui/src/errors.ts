// Errors as the UI shows them: one sentence a non-technical user understands (chosen by the stable
// `code`, never by matching English text), with gateway-core's own message and detail one click away.
import type { IpcError } from './generated/ipc';
import type { Diagnostic } from './generated/config';

/** An IPC failure with its stable code. */
export class ApiError extends Error {
  readonly code: string;
  readonly detail?: string;
  readonly diagnostics: Diagnostic[];

  constructor(body: IpcError) {
    super(body.message);
    this.name = 'ApiError';
    this.code = body.code;
    this.detail = body.detail;
    this.diagnostics = body.diagnostics ?? [];
  }

  /** The sentence for people. */
  get friendly(): string {
    return friendlyMessage(this.code);
  }
}

/** Whatever `invoke` rejected with, as an ApiError. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === 'object' && 'code' in raw && 'message' in raw) {
    const body = raw as { code: unknown; message: unknown; detail?: unknown; diagnostics?: unknown };
    return new ApiError({
      code: String(body.code),
      message: String(body.message),
      detail: typeof body.detail === 'string' ? body.detail : undefined,
      diagnostics: Array.isArray(body.diagnostics) ? (body.diagnostics as Diagnostic[]) : [],
    });
  }
  const message = raw instanceof Error ? raw.message : String(raw);
  return new ApiError({ code: 'unexpected', message });
}

const MESSAGES: Record<string, string> = {
  config_not_found: 'The gateway has not been set up yet. Run the guided setup to create its settings.',
  malformed_config: 'The gateway settings file is damaged and cannot be read. Open the details to see where.',
  invalid_config: 'That change would make the gateway settings invalid, so it was not saved.',
  conflict: 'The settings were changed by another program in the meantime. Reload and try again.',
  io: 'The settings file could not be read or written. Check that your disk is not full or read-only.',
  server_not_found: 'That server is no longer in the settings. Reload the list.',
  duplicate_server: 'A server with that name already exists. Choose another name.',
  gateway_not_found: 'The gateway this change is for no longer exists in the settings.',
  no_gateway: 'The settings contain no gateway. Run the guided setup again.',
  invalid_edit: 'That change is not valid. Check the highlighted fields.',
  unexpected_shape: 'Part of the settings file has an unexpected shape, so the change was not made.',
  client_config_malformed:
    "That app's own settings file is damaged, so it was left untouched. Fix or remove it, then try again.",
  client_config_read_only: "That app's settings file is read-only, so the gateway could not be added.",
  client_config_unreadable: "That app's settings file could not be read.",
  client_config_write_failed: "That app's settings file could not be written.",
  client_config_busy: 'Another program is changing that app\'s settings right now. Try again in a moment.',
  client_config_lock_failed: "That app's settings file could not be locked for a safe change.",
  client_path_unknown: "The settings location of that app could not be found on this computer.",
  client_unknown: 'That app is not supported.',
  gateway_key_unknown: 'The gateway settings could not be read, so the gateway cannot be added to apps yet.',
  gateway_config_no_gateway: 'The gateway settings contain no gateway, so it cannot be added to apps.',
  keychain_unavailable:
    "Your computer's password store (keychain) is not available. Unlock or start it, then try again.",
  keychain_locked: "Your computer's password store (keychain) is locked. Unlock it, then try again.",
  keychain_error: "Your computer's password store (keychain) reported a problem.",
  keychain_index_corrupt: "The list of saved secrets is damaged; save any secret again to repair it.",
  secret_invalid_name: 'Secret names may use letters, digits, dots, dashes and underscores only.',
  secret_empty_value: 'A secret cannot be empty.',
  sidecar_missing: 'Part of the app (the gateway program) is missing. Reinstall the app.',
  sidecar_failed: 'The gateway program did not finish its job. Open the details to see what it said.',
  pins_unreadable: 'The list of reviewed tools could not be read.',
  pins_unwritable: 'Your decision about that tool could not be saved.',
  tool_not_pinned: 'That tool is no longer waiting for review. Reload the list.',
  audit_unreadable: 'The activity log could not be read. It appears once the gateway has handled a request.',
  autostart_failed: 'Starting at login could not be changed on this computer.',
  config_exists: 'Gateway settings already exist, so nothing was overwritten.',
  config_write_failed: 'The gateway settings could not be saved.',
  config_dir_failed: 'The folder for the gateway settings could not be created.',
  task_failed: 'The operation stopped unexpectedly. Try again.',
};

/** One sentence for people for an error code (a generic one for unknown codes). */
export function friendlyMessage(code: string): string {
  return MESSAGES[code] ?? 'Something went wrong. Open the details to see what happened.';
}
