// Keychain references in server settings: recognising `${keyring:NAME}`, masking values for display,
// suggesting a secret name, and replacing one env/header value by a reference.
import type { ServerSpec } from '../generated/config';

/** Which value of a server: an `env` variable (stdio) or a `headers` entry (HTTP). */
export type SecretField = { kind: 'env' | 'headers'; key: string };

const KEYRING_REF = /^\$\{keyring:([A-Za-z0-9_.-]{1,128})\}$/;

/** The secret name when `value` is exactly a `${keyring:NAME}` reference. */
export function keyringName(value: string): string | null {
  return KEYRING_REF.exec(value)?.[1] ?? null;
}

/** `${keyring:NAME}` for a name. */
export function keyringRef(name: string): string {
  return `\${keyring:${name}}`;
}

/** What the UI shows for a value: references by name, everything else masked (never in full). */
export function maskValue(value: string): string {
  const name = keyringName(value);
  if (name) return `•••••••• (in keychain: ${name})`;
  if (value.startsWith('${env:')) return value;
  if (value.length <= 4) return '••••';
  return `${value.slice(0, 2)}••••••${value.slice(-2)}`;
}

/** A keychain-safe name for a server's value: `SERVER_KEY`, upper case, invalid characters as `_`. */
export function suggestSecretName(serverName: string, key: string): string {
  const raw = `${serverName}_${key}`.toUpperCase().replace(/[^A-Z0-9_.-]/g, '_');
  const trimmed = raw.replace(/^_+/, '').slice(0, 128);
  return trimmed.length > 0 ? trimmed : 'SECRET';
}

/** Whether a secret name is acceptable to the keychain store (gateway-core `is_valid_name`). */
export function isValidSecretName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,128}$/.test(name) && !name.startsWith('__');
}

/** The server with `field` replaced by a reference to `secretName`, and the value it had. */
export function withSecretRef(
  server: ServerSpec,
  field: SecretField,
  secretName: string,
): { spec: ServerSpec; value: string } {
  if (!isValidSecretName(secretName)) throw new Error(`invalid secret name: ${secretName}`);
  const t = server.transport;
  const map = field.kind === 'env' ? (t.type === 'stdio' ? t.env : undefined) : t.type === 'http' ? t.headers : undefined;
  const value = map?.[field.key];
  if (value === undefined) throw new Error(`no ${field.kind} value named ${field.key}`);
  if (keyringName(value)) throw new Error(`${field.key} is already in the keychain`);
  const replaced = { ...map, [field.key]: keyringRef(secretName) };
  const transport = t.type === 'stdio' ? { ...t, env: replaced } : { ...t, headers: replaced };
  return { spec: { ...server, transport }, value };
}
