import { useCallback, useEffect, useState } from 'react';
import type { HandlerName, RequestOf, ResponseOf } from '../../../main/contract/index.ts';
import { call, errorMessage } from '../api/client.ts';

/** Loads one API call's result; `reload` fetches it again (e.g. after a change, or on a polling timer). */
export function useApi<K extends HandlerName>(name: K, args: RequestOf<K>, pollMs?: number) {
  const [data, setData] = useState<ResponseOf<K> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(args);
  const reload = useCallback(() => {
    call(name, JSON.parse(key) as RequestOf<K>).then(
      (value) => {
        setData(value);
        setError(null);
      },
      (e) => setError(errorMessage(e)),
    );
  }, [name, key]);
  useEffect(() => {
    reload();
    if (!pollMs) return;
    const timer = setInterval(reload, pollMs);
    return () => clearInterval(timer);
  }, [reload, pollMs]);
  return { data, error, reload, setData };
}
