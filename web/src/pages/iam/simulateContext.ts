// The policy simulator's context rows: condition keys the simulation sets
// ("at this time, from this address"), turned into the API's context map.
import { ApiError } from '../../api/client';

/** A key/value row as typed. */
export interface ContextRow {
  id: number;
  key: string;
  value: string;
}

/** The condition keys the API knows (backend/authz ContextKeys). */
export const CONTEXT_KEYS = [
  'aws:SourceIp',
  'aws:CurrentTime',
  'aws:EpochTime',
  'aws:SecureTransport',
  'turnpike:PrincipalGroups',
  'turnpike:PrincipalId',
  'turnpike:PrincipalType',
  'turnpike:AccessKeyId',
  'turnpike:Email',
  'turnpike:TenantId',
  'apigw:StageName',
];

/** Keys holding a set of values: their value is a comma-separated list. */
export const MULTI_VALUED_KEYS = ['turnpike:PrincipalGroups'];

export const isMultiValued = (key: string) =>
  MULTI_VALUED_KEYS.some((k) => k.toLowerCase() === key.trim().toLowerCase());

/** Example values, shown as placeholders. */
export function placeholderFor(key: string): string {
  switch (key.trim().toLowerCase()) {
    case 'aws:sourceip':
      return '10.0.0.1';
    case 'aws:currenttime':
      return '2026-12-24T09:00:00Z';
    case 'aws:securetransport':
      return 'true';
    case 'turnpike:principalgroups':
      return 'ops, devs';
    default:
      return isMultiValued(key) ? 'a, b' : 'value';
  }
}

/**
 * The API's context map from the rows: a multi-valued key's value is split
 * on commas; an empty value sends an empty list (the key is removed). Rows
 * with neither key nor value are skipped. Returns the problems by row id
 * when a row has no key or repeats one.
 */
export function contextFromRows(rows: ContextRow[]): {
  context?: Record<string, string | string[]>;
  errors: Record<number, string>;
} {
  const context: Record<string, string | string[]> = {};
  const errors: Record<number, string> = {};
  const seen = new Set<string>();
  for (const r of rows) {
    const key = r.key.trim();
    const value = r.value.trim();
    if (!key && !value) continue;
    if (!key) {
      errors[r.id] = 'Give a condition key.';
      continue;
    }
    if (seen.has(key.toLowerCase())) {
      errors[r.id] = `${key} is set twice.`;
      continue;
    }
    seen.add(key.toLowerCase());
    if (isMultiValued(key)) {
      context[key] = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
    } else {
      context[key] = value ? value : [];
    }
  }
  return { context: Object.keys(context).length ? context : undefined, errors };
}

/** The API's problems with context keys (details "context.<key>"), by key. */
export function contextDetails(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiError)) return out;
  for (const [k, d] of Object.entries(e.details)) {
    if (k.startsWith('context.')) out[k.slice('context.'.length)] = d.message;
  }
  return out;
}
