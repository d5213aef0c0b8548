// Guardrails: the global switch, each server's input and output policy, and tools held in quarantine
// (changed or suspicious definitions) with their diff and approve/deny.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type {
  ConfigView,
  GuardrailPolicySpec,
  GuardrailSide,
  GuardrailsProviderSetting,
  ServerSpec,
} from '../generated/config';
import type { Pin } from '../ipc-types';
import {
  DETECTOR_LABELS,
  INPUT_DETECTORS,
  OUTPUT_DETECTORS,
  SIDE_OPTIONS,
  optionOn,
  policyOf,
  setOption,
  toggleDetector,
} from '../logic/policy';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

type Props = { view: ConfigView | null; onChanged: (v: ConfigView) => void };

function PolicyEditor({ server, side, onChanged }: { server: ServerSpec; side: GuardrailSide; onChanged: Props['onChanged'] }) {
  const [policy, setPolicy] = useState<GuardrailPolicySpec>(() => policyOf(server, side));
  const [dirty, setDirty] = useState(false);
  const { error, busy, run } = useAction();
  useEffect(() => {
    setPolicy(policyOf(server, side));
    setDirty(false);
  }, [server, side]);
  const change = (p: GuardrailPolicySpec) => {
    setPolicy(p);
    setDirty(true);
  };
  const save = async () => {
    const v = await run(() =>
      api.configEdit({ op: 'set_guardrail_policy', server_name: server.server_name, side, policy }),
    );
    if (v) {
      setDirty(false);
      onChanged(v);
    }
  };
  const id = `${server.server_name}-${side}`;
  const detectors = side === 'input' ? INPUT_DETECTORS : OUTPUT_DETECTORS;
  return (
    <fieldset className="policy" id={`policy-${id}`}>
      <legend>{side === 'input' ? 'Check what goes in (tool arguments)' : 'Check what comes out (results)'}</legend>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          id={`policy-${id}-enabled`}
          checked={policy.enabled}
          onChange={(e) => change({ ...policy, enabled: e.target.checked })}
        />
        {side === 'input' ? 'Input checks on' : 'Output checks on'}
      </label>
      <label>
        Policy name (Enkrypt)
        <input
          value={policy.policy_name ?? ''}
          onChange={(e) => change({ ...policy, policy_name: e.target.value || null })}
          placeholder="optional"
        />
      </label>
      <div className="detectors" role="group" aria-label={`Block these (${side})`}>
        {detectors.map((d) => (
          <label key={d}>
            <input
              type="checkbox"
              checked={(policy.block ?? []).includes(d)}
              onChange={(e) => change(toggleDetector(policy, d, e.target.checked))}
              data-detector={d}
            />
            {DETECTOR_LABELS[d] ?? d}
          </label>
        ))}
      </div>
      {SIDE_OPTIONS[side].map((o) => (
        <label key={o.key}>
          <input type="checkbox" checked={optionOn(policy, o.key)} onChange={(e) => change(setOption(policy, o.key, e.target.checked))} />
          {o.label}
        </label>
      ))}
      <ErrorNotice error={error} />
      <button type="button" className="primary" disabled={!dirty || busy} onClick={() => void save()} id={`policy-${id}-save`}>
        Save {side} policy
      </button>
    </fieldset>
  );
}

function Quarantine() {
  const [pins, setPins] = useState<Pin[] | null>(null);
  const { error, busy, run } = useAction();
  const load = useCallback(async () => {
    const list = await run(() => api.toolsList());
    if (list) setPins(list);
  }, [run]);
  useEffect(() => void load(), [load]);
  const waiting = (pins ?? []).filter((p) => p.status !== 'approved');
  const decide = async (pin: Pin, approve: boolean) => {
    if (await run(() => api.toolDecide(pin, approve))) await load();
  };
  return (
    <section aria-labelledby="quarantine-title" className="card">
      <h2 id="quarantine-title">Tools waiting for review</h2>
      <p className="muted">
        A tool whose description changed, or that looks like it tries to manipulate the AI, is held back until you
        decide.
      </p>
      <ErrorNotice error={error} />
      {pins !== null && waiting.length === 0 ? <p id="no-quarantine">Nothing is waiting for review.</p> : null}
      <ul className="list" id="quarantine-list">
        {waiting.map((p) => (
          <li key={`${p.gateway_id}/${p.server}/${p.tool}`} className="pin" data-tool={`${p.server}/${p.tool}`}>
            <h3>
              {p.server} / {p.tool} <span className={`tag ${p.status}`}>{p.status === 'denied' ? 'denied' : 'held back'}</span>
            </h3>
            {p.reasons && p.reasons.length > 0 ? (
              <ul>
                {p.reasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            ) : null}
            {p.diff ? (
              <details open>
                <summary>What changed</summary>
                <pre className="diff">{p.diff}</pre>
              </details>
            ) : null}
            <div className="actions">
              <button type="button" className="primary" disabled={busy} onClick={() => void decide(p, true)}>
                Approve {p.tool}
              </button>
              {p.status !== 'denied' ? (
                <button type="button" className="danger" disabled={busy} onClick={() => void decide(p, false)}>
                  Deny {p.tool}
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function GuardrailsPage({ view, onChanged }: Props) {
  const { error, busy, run } = useAction();
  const enabled = view?.guardrails_enabled ?? false;
  const toggle = async () => {
    const v = await run(() => api.setGuardrailsEnabled(!enabled));
    if (v) onChanged(v);
  };
  const setProvider = async (provider: GuardrailsProviderSetting) => {
    const v = await run(() => api.configEdit({ op: 'set_guardrails_provider', provider }));
    if (v) onChanged(v);
  };
  const servers = view?.gateways[0]?.servers ?? [];
  return (
    <section aria-labelledby="guardrails-title">
      <header className="page-head">
        <h1 id="guardrails-title">Guardrails</h1>
        <p className="muted">Checks on every tool call: blocked calls never reach the server or your AI app.</p>
      </header>
      <div className="card">
        <label className="switch big">
          <input
            type="checkbox"
            role="switch"
            id="guardrails-toggle"
            checked={enabled}
            disabled={busy || !view}
            onChange={() => void toggle()}
          />
          Guardrails are {enabled ? 'on' : 'off'}
        </label>
        <p className="muted">Running gateways pick this up on their own; no restart needed.</p>
        <label>
          Who checks the calls
          <select
            id="guardrails-provider"
            value={view?.guardrails_provider ?? (view?.enkrypt_api_key_set ? 'enkrypt' : 'local')}
            disabled={busy || !view}
            onChange={(e) => void setProvider(e.target.value as GuardrailsProviderSetting)}
          >
            <option value="local">This computer (local checks, offline)</option>
            <option value="enkrypt">Enkrypt AI guardrails service (needs an API key)</option>
          </select>
        </label>
        {view && (view.guardrails_provider ?? 'local') === 'enkrypt' && !view.enkrypt_api_key_set ? (
          <p className="field-error" id="provider-needs-key">
            No Enkrypt API key is set: add one in the guided setup, or switch back to local checks.
          </p>
        ) : null}
        <ErrorNotice error={error} />
      </div>
      {servers.map((s) => (
        <div className="card" key={s.server_name}>
          <h2>{s.server_name}</h2>
          <div className="two">
            <PolicyEditor server={s} side="input" onChanged={onChanged} />
            <PolicyEditor server={s} side="output" onChanged={onChanged} />
          </div>
        </div>
      ))}
      <Quarantine />
    </section>
  );
}
