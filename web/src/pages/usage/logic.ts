// Pure helpers of the API keys and usage plans pages: validation as the API
// does it, form ↔ request mapping, and the usage chart's series.
import type { PlanApiStage, Quota, Throttle, UsageReport } from './api';

export const MIN_KEY_VALUE = 20;
export const MAX_KEY_VALUE = 128;
export const MAX_RATE = 1_000_000;
export const QUOTA_PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;
export const CSV_HEADER = 'Name,key,description,Enabled,usageplanIds';

/** An API key value: empty (generated) or 20-128 printable ASCII characters without spaces. */
export function validateKeyValue(v: string): string | null {
  if (v === '') return null;
  if (v.length < MIN_KEY_VALUE || v.length > MAX_KEY_VALUE)
    return `Must be ${MIN_KEY_VALUE} to ${MAX_KEY_VALUE} characters (leave empty to generate one).`;
  if (!/^[\x21-\x7e]+$/.test(v)) return 'Only printable ASCII characters, without spaces.';
  return null;
}

/** Parses tags written one per line (or comma-separated) as key=value. */
export function parseTags(text: string): { tags: Record<string, string>; error: string | null } {
  const tags: Record<string, string> = {};
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const k = (eq < 0 ? line : line.slice(0, eq)).trim();
    const v = eq < 0 ? '' : line.slice(eq + 1).trim();
    if (!k) return { tags, error: `"${line}" has no key; write key=value.` };
    if (k.length > 128) return { tags, error: `Tag key "${k.slice(0, 20)}…" is longer than 128 characters.` };
    if (v.length > 256) return { tags, error: `The value of tag "${k}" is longer than 256 characters.` };
    if (k in tags) return { tags, error: `Tag "${k}" appears twice.` };
    tags[k] = v;
  }
  if (Object.keys(tags).length > 50) return { tags, error: 'At most 50 tags.' };
  return { tags, error: null };
}

export function tagsToText(tags: Record<string, string> | undefined): string {
  return Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

function num(s: string): number | null {
  const t = s.trim();
  if (t === '' || !/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

/** Errors of a pair of throttle fields; both blank is valid unless required. */
export function validateThrottle(
  rate: string,
  burst: string,
  required = false,
): { rate: string | null; burst: string | null } {
  if (!required && rate.trim() === '' && burst.trim() === '') return { rate: null, burst: null };
  const r = num(rate);
  const b = num(burst);
  return {
    rate:
      r === null || r <= 0 || r > MAX_RATE
        ? `A number of requests per second, more than 0 and at most ${MAX_RATE}.`
        : null,
    burst:
      b === null || !Number.isInteger(b) || b < 1 || b > MAX_RATE
        ? `A whole number of requests, 1 to ${MAX_RATE}.`
        : null,
  };
}

/** The throttle of valid fields, or undefined when both are blank. */
export function buildThrottle(rate: string, burst: string): Throttle | undefined {
  if (rate.trim() === '' && burst.trim() === '') return undefined;
  return { rateLimit: Number(rate.trim()), burstLimit: Number(burst.trim()) };
}

export function maxOffset(period: string): number {
  return period === 'WEEK' ? 6 : period === 'MONTH' ? 27 : 0;
}

/** Errors of the quota fields; a blank limit means no quota. */
export function validateQuota(
  limit: string,
  period: string,
  offset: string,
): { limit: string | null; period: string | null; offset: string | null } {
  if (limit.trim() === '') return { limit: null, period: null, offset: null };
  const l = num(limit);
  const o = offset.trim() === '' ? 0 : num(offset);
  const max = maxOffset(period);
  return {
    limit: l === null || !Number.isInteger(l) || l < 1 ? 'A whole number of requests, at least 1.' : null,
    period: (QUOTA_PERIODS as readonly string[]).includes(period) ? null : 'DAY, WEEK or MONTH.',
    offset:
      o === null || !Number.isInteger(o) || o < 0 || o > max
        ? max === 0
          ? 'Must be 0 for a daily quota.'
          : `0 to ${max} days into the ${period === 'WEEK' ? 'week (0 = Monday)' : 'month'}.`
        : null,
  };
}

export function buildQuota(limit: string, period: string, offset: string): Quota | undefined {
  if (limit.trim() === '') return undefined;
  const o = offset.trim() === '' ? 0 : Number(offset.trim());
  return { limit: Number(limit.trim()), period, ...(o ? { offset: o } : {}) };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

/**
 * Parses method throttles written one per line as "GET /pets 10 20"
 * (route key, requests per second, burst).
 */
export function parseMethodThrottles(text: string): { value: Record<string, Throttle>; error: string | null } {
  const value: Record<string, Throttle> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const parts = line.split(/\s+/);
    const where = `Line ${i + 1}`;
    if (parts.length !== 4) return { value, error: `${where}: write "METHOD /path rate burst", e.g. GET /pets 10 20.` };
    const [method, path, rate, burst] = parts;
    if (!METHODS.includes(method.toUpperCase())) return { value, error: `${where}: ${method} is not an HTTP method.` };
    if (!path.startsWith('/')) return { value, error: `${where}: the path must start with /.` };
    const e = validateThrottle(rate, burst, true);
    if (e.rate || e.burst) return { value, error: `${where}: ${e.rate ?? e.burst}` };
    const key = `${method.toUpperCase()} ${path}`;
    if (key in value) return { value, error: `${where}: ${key} appears twice.` };
    value[key] = { rateLimit: Number(rate), burstLimit: Number(burst) };
  }
  return { value, error: null };
}

export function methodThrottlesToText(mt: Record<string, Throttle> | undefined): string {
  return Object.entries(mt ?? {})
    .map(([k, t]) => `${k} ${t.rateLimit} ${t.burstLimit}`)
    .join('\n');
}

/** One API stage row of the plan form. */
export interface StageRow {
  apiId: string;
  stage: string;
  rate: string;
  burst: string;
  methods: string;
}

export function stageRowsToApiStages(rows: StageRow[]): PlanApiStage[] {
  return rows
    .filter((r) => r.apiId && r.stage)
    .map((r) => {
      const s: PlanApiStage = { apiId: r.apiId, stage: r.stage };
      const t = buildThrottle(r.rate, r.burst);
      if (t) s.throttle = t;
      const mt = parseMethodThrottles(r.methods).value;
      if (Object.keys(mt).length) s.methodThrottles = mt;
      return s;
    });
}

export function apiStagesToRows(stages: PlanApiStage[]): StageRow[] {
  return stages.map((s) => ({
    apiId: s.apiId,
    stage: s.stage,
    rate: s.throttle ? String(s.throttle.rateLimit) : '',
    burst: s.throttle ? String(s.throttle.burstLimit) : '',
    methods: methodThrottlesToText(s.methodThrottles),
  }));
}

/** The first error among the stage rows, with the row it is in. */
export function validateStageRows(rows: StageRow[]): string | null {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const n = `API stage ${i + 1}`;
    if (!r.apiId || !r.stage) return `${n}: choose an API and a stage.`;
    const k = `${r.apiId}/${r.stage}`;
    if (seen.has(k)) return `${n}: ${k} is listed twice.`;
    seen.add(k);
    const t = validateThrottle(r.rate, r.burst);
    if (t.rate || t.burst) return `${n} throttle: ${t.rate ?? t.burst}`;
    const m = parseMethodThrottles(r.methods);
    if (m.error) return `${n} method throttles: ${m.error}`;
  }
  return null;
}

/** UTC day, YYYY-MM-DD. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The last `days` UTC days up to and including now's. */
export function lastDays(days: number, now: Date): { startDate: string; endDate: string } {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return { startDate: isoDay(start), endDate: isoDay(end) };
}

export interface UsageSeries {
  dates: string[];
  /** Seconds since the epoch of each date (uPlot's x values). */
  xs: number[];
  used: number[];
  total: number;
  /** What is left of the quota now (one key), if the plan has a quota. */
  remaining: number | null;
}

/** The chart's series: one key's use per day, or the sum over every key. */
export function usageSeries(r: UsageReport, keyId?: string): UsageSeries {
  const dates = r.days.map((d) => d.date);
  let used: number[];
  if (keyId) {
    const pairs = r.items[keyId] ?? [];
    used = dates.map((_, i) => pairs[i]?.[0] ?? 0);
  } else {
    used = r.days.map((d) => d.used);
  }
  const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const total = used.reduce((a, b) => a + b, 0);
  let remaining: number | null = null;
  if (r.quota && r.remaining) {
    if (keyId) remaining = r.remaining[keyId] ?? null;
    else {
      const vals = Object.values(r.remaining);
      remaining = vals.length ? vals.reduce((a, b) => a + b, 0) : null;
    }
  }
  return { dates, xs, used, total, remaining };
}

export function describeThrottle(t: Throttle | undefined): string {
  return t ? `${t.rateLimit} req/s, burst ${t.burstLimit}` : 'None';
}

export function describeQuota(q: Quota | undefined): string {
  if (!q) return 'None';
  const per = q.period === 'DAY' ? 'day' : q.period === 'WEEK' ? 'week' : 'month';
  return `${q.limit.toLocaleString('en-US')} per ${per}${q.offset ? ` (offset ${q.offset})` : ''}`;
}

/** {throttle} when it changed from `was` (null removes it), else {}. */
export function throttlePatch(was: Throttle | undefined, now: Throttle | undefined): { throttle?: Throttle | null } {
  const same = JSON.stringify(was ?? null) === JSON.stringify(now ?? null);
  return same ? {} : { throttle: now ?? null };
}

/** The route editor's usage settings that differ from the route's (all set ones for a new route). */
export function routeLimitsPatch(
  route: { apiKeyRequired?: boolean; throttle?: Throttle } | null,
  apiKeyRequired: boolean,
  throttle: Throttle | undefined,
): { apiKeyRequired?: boolean; throttle?: Throttle | null } {
  return {
    ...(apiKeyRequired !== (route?.apiKeyRequired ?? false) ? { apiKeyRequired } : {}),
    ...throttlePatch(route?.throttle, throttle),
  };
}
