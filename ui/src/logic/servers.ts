// The server form: its editable model, conversion to and from gateway-core's ServerSpec, and the
// checks that can be made before asking the backend (which validates the whole config on save).
import type { Diagnostic, OAuthSpec, ServerSpec } from '../generated/config';

export type KeyValue = { key: string; value: string };

/** What the form edits. */
export type ServerForm = {
  name: string;
  description: string;
  type: 'stdio' | 'http';
  command: string;
  /** One argument per line. */
  args: string;
  env: KeyValue[];
  url: string;
  headers: KeyValue[];
  /** OAuth sign-in (HTTP): a client id registered with the server beforehand; empty: the gateway registers itself. */
  oauthClientId: string;
  /** OAuth scopes to ask for, separated by spaces; empty: what the server asks for. */
  oauthScopes: string;
};

/** Field → message. */
export type FormErrors = Partial<Record<'name' | 'command' | 'url' | 'env' | 'headers' | 'oauth' | 'form', string>>;

export function emptyForm(): ServerForm {
  return {
    name: '',
    description: '',
    type: 'stdio',
    command: '',
    args: '',
    env: [],
    url: '',
    headers: [],
    oauthClientId: '',
    oauthScopes: '',
  };
}

const toPairs = (map: { [key: string]: string } | undefined): KeyValue[] =>
  Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));

const toMap = (pairs: KeyValue[]): { [key: string]: string } =>
  Object.fromEntries(pairs.filter((p) => p.key.trim() !== '').map((p) => [p.key.trim(), p.value]));

export function formFromSpec(spec: ServerSpec): ServerForm {
  const form = { ...emptyForm(), name: spec.server_name, description: spec.description ?? '' };
  const t = spec.transport;
  if (t.type === 'stdio') {
    return { ...form, type: 'stdio', command: t.command, args: (t.args ?? []).join('\n'), env: toPairs(t.env) };
  }
  return {
    ...form,
    type: 'http',
    url: t.url,
    headers: toPairs(t.headers),
    oauthClientId: t.oauth?.client_id ?? '',
    oauthScopes: (t.oauth?.scopes ?? []).join(' '),
  };
}

/** The spec to save. `base` (the saved server, when editing) keeps what the form does not show. */
export function specFromForm(form: ServerForm, base?: ServerSpec): ServerSpec {
  const transport: ServerSpec['transport'] =
    form.type === 'stdio'
      ? {
          type: 'stdio',
          command: form.command.trim(),
          args: form.args
            .split('\n')
            .map((a) => a.trim())
            .filter((a) => a !== ''),
          env: toMap(form.env),
        }
      : { type: 'http', url: form.url.trim(), headers: toMap(form.headers), ...oauthFromForm(form, base) };
  const spec: ServerSpec = { ...(base ?? {}), server_name: form.name.trim(), transport };
  const description = form.description.trim();
  if (description) spec.description = description;
  else delete spec.description;
  return spec;
}

/**
 * The `oauth` part of an HTTP server's spec: absent when the form's sign-in fields say what the saved
 * server already has (the file's `oauth` is then left as it is, keys the form does not show included);
 * otherwise the client id and scopes from the form with the saved secret and metadata URL kept. An
 * empty spec removes the file's `oauth`.
 */
function oauthFromForm(form: ServerForm, base?: ServerSpec): { oauth?: OAuthSpec } {
  const saved = base?.transport.type === 'http' ? (base.transport.oauth ?? undefined) : undefined;
  const clientId = form.oauthClientId.trim();
  const scopes = form.oauthScopes.split(/\s+/).filter((s) => s !== '');
  const same = clientId === (saved?.client_id ?? '') && scopes.join(' ') === (saved?.scopes ?? []).join(' ');
  if (same) return {};
  const oauth: OAuthSpec = {};
  if (clientId) oauth.client_id = clientId;
  if (scopes.length > 0) oauth.scopes = scopes;
  if (saved?.client_secret) oauth.client_secret = saved.client_secret;
  if (saved?.client_metadata_url) oauth.client_metadata_url = saved.client_metadata_url;
  return { oauth };
}

function duplicateKey(pairs: KeyValue[]): string | null {
  const seen = new Set<string>();
  for (const p of pairs) {
    const k = p.key.trim();
    if (k === '') continue;
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return null;
}

/** Checks made while typing. `taken` are the other servers' names. */
export function validateForm(form: ServerForm, taken: string[]): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Give the server a name.';
  else if (!/^[A-Za-z0-9_-]+$/.test(name))
    errors.name = 'Use only letters, digits, "-" and "_" (the name becomes part of tool names).';
  else if (taken.includes(name)) errors.name = 'Another server already has this name.';
  if (form.type === 'stdio') {
    if (form.command.trim() === '') errors.command = 'Enter the program to start, e.g. npx or /usr/bin/my-server.';
    const dup = duplicateKey(form.env);
    if (dup) errors.env = `The variable ${dup} is listed twice.`;
    else if (form.env.some((p) => p.key.trim() === '' && p.value !== '')) errors.env = 'Every value needs a variable name.';
  } else {
    const url = form.url.trim();
    if (url === '') errors.url = 'Enter the server address, e.g. https://example.com/mcp.';
    else if (!/^https?:\/\/[^\s/]+/.test(url) && !url.startsWith('${')) errors.url = 'The address must start with http:// or https://.';
    const dup = duplicateKey(form.headers);
    if (dup) errors.headers = `The header ${dup} is listed twice.`;
    if (/\s/.test(form.oauthClientId.trim())) errors.oauth = 'A client ID has no spaces.';
  }
  return errors;
}

export const hasErrors = (errors: FormErrors): boolean => Object.keys(errors).length > 0;

/** Backend findings about the server being edited, mapped to form fields where the path says so. */
export function errorsFromDiagnostics(diagnostics: Diagnostic[]): FormErrors {
  const errors: FormErrors = {};
  const messages: string[] = [];
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    const path = d.location.json_path;
    if (/\.config\.command|\.command$/.test(path)) errors.command ??= d.message;
    else if (/\.config\.url|\.url$/.test(path)) errors.url ??= d.message;
    else if (/\.env\b/.test(path)) errors.env ??= d.message;
    else if (/\.headers\b/.test(path)) errors.headers ??= d.message;
    else if (/server_name/.test(path)) errors.name ??= d.message;
    else messages.push(d.message);
  }
  if (messages.length > 0) errors.form = messages.join(' ');
  return errors;
}

/** "stdio: npx -y @x/server" / "http: https://…" for lists. */
export function describeTransport(spec: ServerSpec): string {
  const t = spec.transport;
  return t.type === 'stdio' ? [t.command, ...(t.args ?? [])].join(' ') : t.url;
}
