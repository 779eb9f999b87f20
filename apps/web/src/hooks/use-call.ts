/*
 * One RPC call whose answer a view shows: made when the view mounts, again when its params
 * change, when the connection (re)opens, on reload(), and every `refreshMs` if asked. An answer
 * that arrives after a newer call was made is dropped, so a slow old answer never overwrites a
 * fresh one.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useClient, useConnection } from "./client.js";

export interface CallState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useCall<T>(method: string, params?: unknown, options: { refreshMs?: number; enabled?: boolean } = {}): CallState<T> {
  const client = useClient();
  const connection = useConnection();
  const open = connection.status === "open";
  const enabled = options.enabled !== false;
  const paramsKey = params === undefined ? "" : JSON.stringify(params);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    if (!open || !enabled) return;
    const ticket = ++latest.current;
    setLoading(true);
    client.request<T>(method, paramsKey === "" ? undefined : JSON.parse(paramsKey)).then(
      (result) => {
        if (ticket !== latest.current) return;
        setData(result);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (ticket !== latest.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, [client, method, paramsKey, open, enabled, generation]);

  useEffect(() => {
    if (!options.refreshMs || !open || !enabled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") setGeneration((g) => g + 1);
    }, options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs, open, enabled]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
