// Guardrail policy editing: which detectors exist per side, and toggling one in a policy spec.
import type { GuardrailPolicySpec, GuardrailSide, ServerSpec } from '../generated/config';

export const INPUT_DETECTORS = [
  'injection_attack',
  'pii',
  'toxicity',
  'nsfw',
  'keyword_detector',
  'topic_detector',
  'policy_violation',
  'bias',
  'sponge_attack',
] as const;

export const OUTPUT_DETECTORS = [...INPUT_DETECTORS, 'relevancy', 'adherence', 'hallucination'] as const;

/** Plain-language names for detectors. */
export const DETECTOR_LABELS: Record<string, string> = {
  injection_attack: 'Prompt injection',
  pii: 'Personal data (PII)',
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
