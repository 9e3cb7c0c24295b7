import { useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Fetch again; keeps showing the old data meanwhile. */
  reload(): Promise<void>;
  /** Replace the data locally (optimistic updates after a write). */
  setData(update: T | ((prev: T | undefined) => T)): void;
}

/** Loads data with `load` when `key` changes; ignores answers for stale keys. */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async () => {
    const g = ++generation.current;
    setLoading(true);
    try {
      const d = await loadRef.current();
      if (g !== generation.current) return;
      setDataState(d);
      setError(null);
    } catch (e) {
      if (g !== generation.current) return;
      setError(e);
    } finally {
      if (g === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setDataState(undefined);
    setError(null);
    void run();
    return () => {
      generation.current++;
    };
  }, [key, run]);

  const setData = useCallback((update: T | ((prev: T | undefined) => T)) => {
    setDataState((prev) => (typeof update === 'function' ? (update as (p: T | undefined) => T)(prev) : update));
  }, []);

  return { data, error, loading, reload: run, setData };
}

/** Re-renders every `ms` so relative times ("5 s ago") stay fresh. */
export function useNow(ms = 15000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Turnpike` : 'Turnpike console';
  }, [title]);
}
