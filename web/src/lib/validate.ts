// Client-side validators for forms. Each returns an error message, or null when
// the value is fine. The backend validates again (gwconfig.Validate); these only
// give feedback while typing.

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

// The same rules as gwconfig.ParseRouteKey (gateway/gwconfig/validate.go).
const LITERAL_SEGMENT = /^[A-Za-z0-9._~!$&'()*,;=:@%-]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z0-9_.-]+\}$/;
const GREEDY_SEGMENT = /^\{[A-Za-z0-9_.-]+\+\}$/;

/** Integration timeout bounds (gwconfig.MinTimeoutMillis / MaxTimeoutMillis). */
export const MIN_TIMEOUT_MS = 50;
export const MAX_TIMEOUT_MS = 29000;

/** Route key: `$default` or `METHOD /path/{param}` with an optional final `{proxy+}`. */
export function validateRouteKey(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter a route key, e.g. GET /pets/{id} or $default.';
  if (v === '$default') return null;
  if (v !== value) return 'Remove leading or trailing spaces.';
  const m = /^(\S+) (\S*)$/.exec(v);
  if (!m) return 'Use the form METHOD /path, e.g. GET /pets/{id}.';
  const [, method, path] = m;
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    return `Unknown method "${method}". Use one of ${HTTP_METHODS.join(', ')}.`;
  }
  if (!path.startsWith('/')) return 'The path must start with /.';
  if (path === '/') return null;
  const segments = path.slice(1).split('/');
  const seen = new Set<string>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const last = i === segments.length - 1;
    if (s === '') {
      if (last) return 'Remove the trailing /.';
      return 'The path has an empty segment (//).';
    }
    if (s.includes('{') || s.includes('}')) {
      if (GREEDY_SEGMENT.test(s)) {
        if (!last) return `Greedy parameter ${s} must be the last segment.`;
      } else if (!PARAM_SEGMENT.test(s)) {
        return `Invalid path parameter "${s}"; use {name} or {name+} with letters, digits, _ . and -.`;
      }
      const name = s.slice(1, s.endsWith('+}') ? -2 : -1);
      if (seen.has(name)) return `Path parameter {${name}} is used twice.`;
      seen.add(name);
      continue;
    }
    if (!LITERAL_SEGMENT.test(s)) return `Invalid characters in path segment "${s}".`;
  }
  return null;
}

/** Splits a route key into method and path for display; `$default` has neither. */
export function splitRouteKey(key: string): { method: string; path: string } {
  if (key === '$default') return { method: '', path: '$default' };
  const i = key.indexOf(' ');
  return i < 0 ? { method: '', path: key } : { method: key.slice(0, i), path: key.slice(i + 1) };
}

/** An absolute http(s) URL with a host. Stage variables like ${stageVariables.host} are allowed. */
export function validateHttpUri(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter the integration URL, e.g. https://backend.example.com/{proxy}.';
  if (!/^https?:\/\//i.test(v)) return 'The URL must start with http:// or https://.';
  // Stage variables and path parameters are substituted at request time; give them
  // a placeholder so URL parsing checks everything else.
  const probe = v.replace(/\$\{[^}]*\}/g, 'x').replace(/\{[^}]*\}/g, 'x');
  let u: URL;
  try {
    u = new URL(probe);
  } catch {
    return 'This is not a valid URL.';
  }
  if (!u.hostname) return 'The URL needs a host.';
  if (/\s/.test(v)) return 'The URL must not contain spaces.';
  return null;
}

export function validateStageName(value: string): string | null {
  if (!value) return 'Enter a stage name, e.g. prod.';
  if (value.length > 128) return 'At most 128 characters.';
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return 'Use only letters, digits, - and _.';
  return null;
}

export function validateStageVariableName(value: string): string | null {
  if (!value) return 'Enter a name.';
  if (value.length > 64) return 'At most 64 characters.';
  if (!/^[A-Za-z0-9_]+$/.test(value)) return 'Use only letters, digits and _.';
  return null;
}

export function validateStageVariableValue(value: string): string | null {
  if (value.length > 2048) return 'At most 2048 characters.';
  return null;
}

export function validateName(value: string, what = 'a name', max = 128): string | null {
  if (!value.trim()) return `Enter ${what}.`;
  if (value.length > max) return `At most ${max} characters.`;
  return null;
}

export function validateEmail(value: string): string | null {
  if (!value.trim()) return 'Enter your email.';
  if (!/^[^\s@]+@[^\s@]+$/.test(value.trim())) return 'Enter a valid email address.';
  return null;
}

export function validateIntRange(value: string, min: number, max: number, what: string): string | null {
  if (value.trim() === '') return null;
  if (!/^\d+$/.test(value.trim())) return `${what} must be a whole number.`;
  const n = Number(value);
  if (n < min || n > max) return `${what} must be between ${min} and ${max}.`;
  return null;
}

/** Errors for a list of key/value rows: per-row messages and duplicate names. */
export function validateVariableRows(
  rows: { key: string; value: string }[],
): { key: string | null; value: string | null }[] {
  const counts = new Map<string, number>();
  for (const r of rows) if (r.key) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  return rows.map((r) => {
    const empty = !r.key && !r.value;
    let key = empty ? null : validateStageVariableName(r.key);
    if (!key && r.key && (counts.get(r.key) ?? 0) > 1) key = `"${r.key}" is defined twice.`;
    return { key, value: validateStageVariableValue(r.value) };
  });
}

/** Rows → the stageVariables object the API expects (empty rows are dropped). */
export function rowsToVariables(rows: { key: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key) out[r.key] = r.value;
  return out;
}

export function variablesToRows(vars: Record<string, string> | null | undefined): { key: string; value: string }[] {
  return Object.entries(vars ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value }));
}
