// An error as a sentence for people, with gateway-core's message, code and detail one click away.
import type { ApiError } from '../errors';

export function ErrorNotice({ error, onDismiss }: { error: ApiError | null; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="notice error" role="alert" data-code={error.code}>
      <p className="friendly">{error.friendly}</p>
      <details>
        <summary>Details</summary>
        <p className="technical">{error.message}</p>
        {error.detail ? <pre className="technical">{error.detail}</pre> : null}
        {error.diagnostics.length > 0 ? (
          <ul>
            {error.diagnostics.map((d, i) => (
              <li key={i}>
                {d.severity}: {d.message} <code>{d.location.json_path}</code>
                {d.location.line ? ` (line ${d.location.line})` : ''}
              </li>
            ))}
          </ul>
        ) : null}
        <p className="code">Error code: {error.code}</p>
      </details>
      {onDismiss ? (
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}
