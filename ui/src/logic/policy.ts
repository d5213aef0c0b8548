// Guardrail policy editing: which detectors a side offers (the names and whether the provider can run
// them come from gateway-core through `guardrail_detectors`), their plain-language labels, toggling one
// in a policy spec, keyword lists.
import type { GuardrailPolicySpec, GuardrailSide, ServerSpec } from '../generated/config';
import type { DetectorInfo } from '../generated/ipc';

/** Detectors that judge an answer, so only the output side offers them. */
export const OUTPUT_ONLY = ['relevancy', 'adherence', 'hallucination'];

/** Plain-language names for detectors. */
export const DETECTOR_LABELS: Record<string, string> = {
  injection_attack: 'Prompt injection',
  pii: 'Personal data (PII)',
  secrets: 'Secrets (keys, tokens, passwords)',
  toxicity: 'Toxic language',
  nsfw: 'Adult content',
  keyword_detector: 'Banned keywords',
  topic_detector: 'Off-limit topics',
  policy_violation: 'Policy violations',
  bias: 'Bias',
  sponge_attack: 'Resource-draining input',
  relevancy: 'Irrelevant answers',
  adherence: 'Answers that ignore the context',
  hallucination: 'Hallucinations',
};

/** The switches kept in `additional_config` per side. */
export const SIDE_OPTIONS: Record<GuardrailSide, { key: string; label: string }[]> = {
  input: [{ key: 'pii_redaction', label: 'Hide personal data before it reaches the server (redaction)' }],
  output: [
    { key: 'relevancy', label: 'Check that answers are relevant' },
    { key: 'adherence', label: 'Check that answers stick to the context' },
    { key: 'hallucination', label: 'Check for hallucinations' },
  ],
};

export const disabledPolicy = (): GuardrailPolicySpec => ({ enabled: false, block: [], additional_config: {} });

export function policyOf(server: ServerSpec, side: GuardrailSide): GuardrailPolicySpec {
  const p = side === 'input' ? server.input_guardrails : server.output_guardrails;
  return { ...disabledPolicy(), ...(p ?? {}) };
}

export function toggleDetector(p: GuardrailPolicySpec, detector: string, on: boolean): GuardrailPolicySpec {
  const block = new Set(p.block ?? []);
  if (on) block.add(detector);
  else block.delete(detector);
  return { ...p, block: [...block] };
}

export function setOption(p: GuardrailPolicySpec, key: string, on: boolean): GuardrailPolicySpec {
  return { ...p, additional_config: { ...(p.additional_config ?? {}), [key]: on } };
}

export const optionOn = (p: GuardrailPolicySpec, key: string): boolean => p.additional_config?.[key] === true;

/**
 * The detectors a side offers, in the backend's order (gateway-core's table): output-only ones only on
 * the output side; names a policy lists that the backend does not know are shown too (as unavailable)
 * so they can be removed.
 */
export function detectorsForSide(known: DetectorInfo[], side: GuardrailSide, listed: string[]): DetectorInfo[] {
  const shown = known.filter((d) => side === 'output' || !OUTPUT_ONLY.includes(d.name));
  for (const name of listed) {
    if (!shown.some((d) => d.name === name))
      shown.push({ name, available: false, reason: 'is not a detector this gateway knows, so it never blocks' });
  }
  return shown;
}

/** `additional_config.keywords` (the local engine also reads `keyword_list`, `blocked_keywords`). */
export function keywordsOf(p: GuardrailPolicySpec): string[] {
  const c = p.additional_config ?? {};
  for (const key of ['keywords', 'keyword_list', 'blocked_keywords']) {
    const v = c[key];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  }
  return [];
}

export function setKeywords(p: GuardrailPolicySpec, keywords: string[]): GuardrailPolicySpec {
  const rest = { ...(p.additional_config ?? {}) };
  delete rest.keyword_list;
  delete rest.blocked_keywords;
  return { ...p, additional_config: { ...rest, keywords } };
}
