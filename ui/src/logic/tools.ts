// The tool allow-list (`tools`: name → description) and `denied_tools` of a server as editable lines.
import type { DeniedToolSpec, ServerSpec } from '../generated/config';

/** Non-empty trimmed lines; `keepCase` false still keeps case (tool names are case-sensitive). */
export function parseLines(text: string, dedupe: boolean): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return dedupe ? [...new Set(lines)] : lines;
}

export const allowListOf = (s: ServerSpec): string[] => Object.keys(s.tools ?? {});

export const deniedOf = (s: ServerSpec): string[] => (s.denied_tools ?? []).map((d) => d.pattern);

/** The server with `names` as its allow-list (descriptions already written are kept). */
export function withAllowList(s: ServerSpec, names: string[]): ServerSpec {
  const old = s.tools ?? {};
  const tools: Record<string, unknown> = {};
  for (const n of names) tools[n] = n in old ? old[n] : '';
  // Policies stay as they are (None = unchanged).
  return { ...s, tools, input_guardrails: null, output_guardrails: null };
}

/** `denied_tools` from patterns, keeping the reason of a pattern that was already there. */
export function deniedSpecs(s: ServerSpec, patterns: string[]): DeniedToolSpec[] {
  const reasons = new Map((s.denied_tools ?? []).map((d) => [d.pattern, d.reason]));
  return patterns.map((pattern) => ({ pattern, reason: reasons.get(pattern) ?? null }));
}
