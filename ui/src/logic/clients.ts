// Wording for the Apps page: a client's state and what an install/uninstall changed, in plain words.
import type { ChangeReport, ClientProtection, StaleReason } from '../generated/ipc';

export function stateLabel(s: ClientProtection): string {
  switch (s.state) {
    case 'up_to_date':
      return 'Added';
    case 'stale':
      return 'Needs an update';
    case 'not_installed':
      return 'Not added';
    case 'unknown':
      return 'Cannot be read';
  }
}

const FIELD_WORDS: Record<StaleReason['field'], string> = {
  entry: 'the entry is damaged',
  type: 'the connection type is wrong',
  command: 'it points at another copy of the gateway program',
  args: 'its start options differ',
  config_path: 'it uses other gateway settings',
  gateway_key: 'its gateway key is out of date',
  plain_key: 'its gateway key is written in plain text although the keychain can hold it',
};

export const staleWords = (r: StaleReason): string => FIELD_WORDS[r.field] ?? r.field;

export function changeSentence(r: ChangeReport): string {
  const where = r.path;
  switch (r.change) {
    case 'created_file':
      return `Created ${where} with the gateway in it. Restart ${r.client_name} to use it.`;
    case 'added_entry':
      return `Added the gateway to ${where}. Restart ${r.client_name} to use it.`;
    case 'updated_entry':
      return `Updated the gateway's entry in ${where}. Restart ${r.client_name} to use it.`;
    case 'unchanged':
      return `${r.client_name} already uses the gateway; nothing changed.`;
    case 'removed_entry':
      return `Removed the gateway from ${where}. Restart ${r.client_name} to apply it.`;
    case 'not_installed':
      return `The gateway was not in ${r.client_name}; nothing changed.`;
  }
}
