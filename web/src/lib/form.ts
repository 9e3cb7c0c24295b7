// Form state with validation as you type and the API's per-field errors.
import { useCallback, useState } from 'react';
import { ApiError } from '../api/client';

export type Errors<K extends string> = Partial<Record<K, string | null>>;

export interface FormState<V extends Record<string, unknown>> {
  values: V;
  set<K extends keyof V>(name: K, value: V[K]): void;
  /** The error to show for a field: client-side once touched or submitted, else the server's. */
  error(name: keyof V & string): string | null;
  /** True when client-side validation passes. */
  valid: boolean;
  busy: boolean;
  /** A form-level error (not tied to a field), shown in a banner. */
  formError: unknown;
  setFormError(e: unknown): void;
  /** Runs `action` if valid; maps ApiError details onto fields. */
  submit(action: (values: V) => Promise<void>): Promise<void>;
}

export function useForm<V extends Record<string, unknown>>(
  initial: V,
  validate: (values: V) => Errors<keyof V & string>,
  /** Maps API detail keys (e.g. "integration.uri") to form field names. */
  fieldForDetail: (key: string) => string = (k) => k,
): FormState<V> {
  const [values, setValues] = useState<V>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [server, setServer] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<unknown>(null);

  const clientErrors = validate(values);
  const valid = Object.values(clientErrors).every((e) => !e);

  const set = useCallback(<K extends keyof V>(name: K, value: V[K]) => {
    setValues((v) => ({ ...v, [name]: value }));
    setTouched((t) => ({ ...t, [name as string]: true }));
    setServer((s) => {
      if (!(name in s)) return s;
      const rest = { ...s };
      delete rest[name as string];
      return rest;
    });
  }, []);

  const error = (name: keyof V & string): string | null => {
    const c = clientErrors[name];
    if (c && (touched[name] || submitted)) return c;
    return server[name] ?? null;
  };

  const submit = async (action: (values: V) => Promise<void>) => {
    setSubmitted(true);
    if (!valid || busy) return;
    setBusy(true);
    setFormError(null);
    setServer({});
    try {
      await action(values);
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.details).length) {
        const mapped: Record<string, string> = {};
        const unmapped: string[] = [];
        for (const [k, d] of Object.entries(e.details)) {
          const f = fieldForDetail(k);
          if (f in values) mapped[f] = d.message;
          else unmapped.push(`${k}: ${d.message}`);
        }
        setServer(mapped);
        // Keep the banner when some details did not map to a field.
        if (unmapped.length || !Object.keys(mapped).length) setFormError(e);
      } else {
        setFormError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  return { values, set, error, valid, busy, formError, setFormError, submit };
}
