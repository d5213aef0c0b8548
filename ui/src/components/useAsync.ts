// A small hook for "run an API call, remember the error": every page reports failures the same way.
import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from '../errors';

export function useAction() {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (raw) {
      setError(toApiError(raw));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, setError, busy, run };
}
