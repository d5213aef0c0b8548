// Guardrails: the global switch and provider, each server's input and output policy (detectors the
// chosen provider cannot run are shown disabled with the engine's one-line reason, from
// gateway-core's config::detectors via `guardrail_detectors`), keyword lists, the tool allow-list and
// denied tools, and tools held in quarantine (changed or suspicious definitions) with diff and approve/deny.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type {
  ConfigView,
  GuardrailPolicySpec,
  GuardrailSide,
  GuardrailsProviderSetting,
  ServerSpec,
} from '../generated/config';
import type { DetectorInfo, Pin } from '../generated/ipc';
import {
  DETECTOR_LABELS,
  SIDE_OPTIONS,
  detectorsForSide,
  keywordsOf,
  optionOn,
  policyOf,
  setKeywords,
  setOption,
  toggleDetector,
} from '../logic/policy';
import { allowListOf, deniedOf, deniedSpecs, parseLines, withAllowList } from '../logic/tools';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction } from '../components/useAsync';

type Props = { view: ConfigView | null; gateway?: string | null; onChanged: (v: ConfigView) => void };

type EditorProps = {
  server: ServerSpec;
  side: GuardrailSide;
  gateway: string | null;
  /** Who runs the checks: the policy name means something only to the Enkrypt service. */
  provider: 'local' | 'enkrypt';
  detectors: DetectorInfo[];
  onChanged: Props['onChanged'];
};

function PolicyEditor({ server, side, gateway, provider, detectors: known, onChanged }: EditorProps) {
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
      api.configEdit({
        op: 'set_guardrail_policy',
        gateway: gateway ? { id: gateway } : null,
        server_name: server.server_name,
        side,
        policy,
      }),
    );
    if (v) {
      setDirty(false);
      onChanged(v);
    }
  };
  const id = `${server.server_name}-${side}`;
  const detectors = detectorsForSide(known, side, policy.block ?? []);
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
      {provider === 'enkrypt' ? (
        <label>
          Enkrypt policy name
          <input
            id={`policy-${id}-name`}
            value={policy.policy_name ?? ''}
            onChange={(e) => change({ ...policy, policy_name: e.target.value || null })}
            placeholder="optional"
          />
          <span className="muted">The guardrail policy in your Enkrypt account that checks this side (sent with every check).</span>
        </label>
      ) : null}
      <div className="detectors" role="group" aria-label={`Block these (${side})`}>
        {detectors.map((d) => {
          const listed = (policy.block ?? []).includes(d.name);
          return (
            <label key={d.name} className={d.available ? '' : 'unavailable'}>
              <input
                type="checkbox"
                checked={listed}
                // A check the provider cannot run is never offered; one already listed can only be removed.
                disabled={!d.available && !listed}
                onChange={(e) => change(toggleDetector(policy, d.name, e.target.checked))}
                data-detector={d.name}
                data-available={d.available}
              />
              {DETECTOR_LABELS[d.name] ?? d.name}
              {d.reason ? (
                <span className="why" data-why={d.name}>
                  {listed ? 'Listed but ignored: ' : 'Unavailable: '}
                  {d.reason}
                </span>
              ) : null}
            </label>
          );
        })}
      </div>
      {(policy.block ?? []).includes('keyword_detector') ? (
        <label>
          Banned keywords (one per line)
          <textarea
            id={`policy-${id}-keywords`}
            rows={3}
            value={keywordsOf(policy).join('\n')}
            onChange={(e) => change(setKeywords(policy, parseLines(e.target.value, true)))}
          />
        </label>
      ) : null}
      {SIDE_OPTIONS[side].filter((o) => known.find((d) => d.name === o.key)?.available ?? true).map((o) => (
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

/** The tool allow-list (`tools`) and `denied_tools` of one server. */
function ToolsEditor({ server, gateway, onChanged }: { server: ServerSpec; gateway: string | null; onChanged: Props['onChanged'] }) {
  const [allow, setAllow] = useState(() => allowListOf(server).join('\n'));
  const [denied, setDenied] = useState(() => deniedOf(server).join('\n'));
  const [dirty, setDirty] = useState(false);
  const { error, busy, run } = useAction();
  useEffect(() => {
    setAllow(allowListOf(server).join('\n'));
    setDenied(deniedOf(server).join('\n'));
    setDirty(false);
  }, [server]);
  const ref = gateway ? { id: gateway } : null;
  const save = async () => {
    const v = await run(async () => {
      await api.configEdit({
        op: 'update_server',
        gateway: ref,
        server_name: server.server_name,
        server: withAllowList(server, parseLines(allow, false)),
      });
      return api.configEdit({ op: 'set_denied_tools', gateway: ref, server_name: server.server_name, denied: deniedSpecs(server, parseLines(denied, true)) });
    });
    if (v) {
      setDirty(false);
      onChanged(v);
    }
  };
  const id = server.server_name;
  return (
    <fieldset className="policy" id={`tools-${id}`}>
      <legend>Which tools the AI may use</legend>
      <label>
        Allowed tools (one per line; empty = every tool the server offers)
        <textarea id={`tools-${id}-allow`} rows={3} value={allow} onChange={(e) => { setAllow(e.target.value); setDirty(true); }} />
      </label>
      <label>
        Denied tools (one name or pattern like <code>delete_*</code> per line)
        <textarea id={`tools-${id}-denied`} rows={3} value={denied} onChange={(e) => { setDenied(e.target.value); setDirty(true); }} />
      </label>
      <ErrorNotice error={error} />
      <button type="button" className="primary" disabled={!dirty || busy} onClick={() => void save()} id={`tools-${id}-save`}>
        Save tools
      </button>
    </fieldset>
  );
}

/** Fail-open and the time limits (common section). */
function RuntimeSettings({ view, onChanged }: { view: ConfigView; onChanged: Props['onChanged'] }) {
  const [failOpen, setFailOpen] = useState(view.guardrails_fail_open);
  const [checkTimeout, setCheckTimeout] = useState(view.guardrail_timeout_seconds?.toString() ?? '');
  const [callTimeout, setCallTimeout] = useState(view.upstream_timeout_seconds?.toString() ?? '');
  const { error, busy, run } = useAction();
  useEffect(() => {
    setFailOpen(view.guardrails_fail_open);
    setCheckTimeout(view.guardrail_timeout_seconds?.toString() ?? '');
    setCallTimeout(view.upstream_timeout_seconds?.toString() ?? '');
  }, [view]);
  const seconds = (text: string): number | null => (text.trim() === '' ? null : Number(text));
  const save = async () => {
    const v = await run(() =>
      api.configEdit({
        op: 'set_guardrail_runtime',
        fail_open: failOpen,
        guardrail_timeout_seconds: seconds(checkTimeout),
        upstream_timeout_seconds: seconds(callTimeout),
      }),
    );
    if (v) onChanged(v);
  };
  return (
    <fieldset className="policy" id="runtime">
      <legend>When a check cannot decide, and time limits</legend>
      <label className="switch">
        <input type="checkbox" id="runtime-fail-open" checked={failOpen} onChange={(e) => setFailOpen(e.target.checked)} />
        Let calls through when a check fails or times out (fail open; off = block them)
      </label>
      <label>
        Time limit for one check, seconds (empty = the gateway's default)
        <input id="runtime-check-timeout" inputMode="decimal" value={checkTimeout} onChange={(e) => setCheckTimeout(e.target.value)} />
      </label>
      <label>
        Time limit for one tool call, seconds (empty = the gateway's default)
        <input id="runtime-call-timeout" inputMode="decimal" value={callTimeout} onChange={(e) => setCallTimeout(e.target.value)} />
      </label>
      <ErrorNotice error={error} />
      <button type="button" className="primary" id="runtime-save" disabled={busy} onClick={() => void save()}>
        Save
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

export function GuardrailsPage({ view, gateway = null, onChanged }: Props) {
  const { error, busy, run } = useAction();
  const provider = view?.guardrails_provider ?? (view?.enkrypt_api_key_set ? 'enkrypt' : 'local');
  const [detectors, setDetectors] = useState<DetectorInfo[]>([]);
  useEffect(() => {
    let live = true;
    void api
      .guardrailDetectors(provider)
      .then((d) => live && setDetectors(d))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [provider]);
  const enabled = view?.guardrails_enabled ?? false;
  const toggle = async () => {
    const v = await run(() => api.setGuardrailsEnabled(!enabled));
    if (v) onChanged(v);
  };
  const setProvider = async (provider: GuardrailsProviderSetting) => {
    const v = await run(() => api.configEdit({ op: 'set_guardrails_provider', provider }));
    if (v) onChanged(v);
  };
  const chosen = view?.gateways.find((g) => g.id === gateway) ?? view?.gateways[0];
  const servers = chosen?.servers ?? [];
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
            value={provider}
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
        {view ? <RuntimeSettings view={view} onChanged={onChanged} /> : null}
      </div>
      {servers.map((s) => (
        <div className="card" key={s.server_name}>
          <h2>{s.server_name}</h2>
          <div className="two">
            <PolicyEditor server={s} side="input" gateway={chosen?.id ?? null} provider={provider} detectors={detectors} onChanged={onChanged} />
            <PolicyEditor server={s} side="output" gateway={chosen?.id ?? null} provider={provider} detectors={detectors} onChanged={onChanged} />
          </div>
          <ToolsEditor server={s} gateway={chosen?.id ?? null} onChanged={onChanged} />
        </div>
      ))}
      <Quarantine />
    </section>
  );
}
