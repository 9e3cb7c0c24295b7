// A stage's per-route cache and throttle settings (methodSettings, keyed by
// route key): the routes an API has and the parameters each can key its
// cache on, the editor's rows, their checks (the gateway's bounds) and the
// PATCH map.
import type { MethodSetting, Route, Throttle } from '../../api/types';
import type { Resource } from '../rest/api';
import { MAX_CACHE_TTL } from './settings';

/**
 * A stage's setting for one route: the cache fields and the method
 * throttle (API Gateway's throttlingRateLimit/BurstLimit, both or neither),
 * which overrides the stage default and the route's own throttle.
 */
export interface StageMethodSetting extends MethodSetting {
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
}

/** The gateway's cap on cache key parameters per route. */
export const MAX_CACHE_KEY_PARAMETERS = 16;

const KEY_PARAM_RE = /^method\.request\.(header|querystring|path)\.[^\s.][^\s]*$/;

/** A route of the API as the method settings editor offers it. */
export interface RouteOption {
  routeKey: string;
  /** method.request.* parameters the cache may be keyed on. */
  params: string[];
  /** The route's own throttle (HTTP APIs), shown beside its cache settings. */
  throttle?: Throttle;
}

/** '' takes the gateway's default: only GET answers are cached. */
export type Caching = '' | 'on' | 'off';

export interface MethodSettingRow {
  routeKey: string;
  caching: Caching;
  ttl: string;
  keyParameters: string[];
  /** Parameters typed by hand, comma-separated (headers an HTTP route does not declare). */
  extra: string;
  /** The method throttle: requests per second and burst; both empty keeps the stage default. */
  rate: string;
  burst: string;
  /** A setting for a route the API no longer has. */
  stale?: boolean;
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^{}+]+)\+?\}/g)].map((m) => `method.request.path.${m[1]}`);
}

function byRoute(a: RouteOption, b: RouteOption) {
  const [ma, pa] = a.routeKey.split(' ');
  const [mb, pb] = b.routeKey.split(' ');
  return (pa ?? '').localeCompare(pb ?? '') || ma.localeCompare(mb);
}

/** A REST API's methods: METHOD /path, keyed on their declared request parameters and path variables. */
export function routeOptionsFromResources(resources: Resource[]): RouteOption[] {
  const out: RouteOption[] = [];
  for (const r of resources) {
    for (const m of Object.values(r.resourceMethods ?? {})) {
      const params = new Set([...pathParams(r.path), ...Object.keys(m.requestParameters ?? {})]);
      out.push({ routeKey: `${m.httpMethod} ${r.path}`, params: [...params].sort() });
    }
  }
  return out.sort(byRoute);
}

/** An HTTP API's routes, keyed on their path variables. */
export function routeOptionsFromRoutes(routes: Route[]): RouteOption[] {
  return routes
    .map((r) => ({
      routeKey: r.routeKey,
      params: r.routeKey === '$default' ? [] : pathParams(r.routeKey.split(' ')[1] ?? ''),
      throttle: r.throttle,
    }))
    .sort(byRoute);
}

/** One row per route, then rows for settings of routes that are gone. */
export function rowsFromSettings(
  options: RouteOption[],
  settings: Record<string, StageMethodSetting> | undefined,
): MethodSettingRow[] {
  const rows: MethodSettingRow[] = options.map((o) => {
    const s = settings?.[o.routeKey];
    const keys = s?.cacheKeyParameters ?? [];
    return {
      routeKey: o.routeKey,
      caching: s?.cachingEnabled === undefined ? '' : s.cachingEnabled ? 'on' : 'off',
      ttl: s?.cacheTtlInSeconds != null ? String(s.cacheTtlInSeconds) : '',
      keyParameters: keys.filter((k) => o.params.includes(k)),
      extra: keys.filter((k) => !o.params.includes(k)).join(', '),
      ...throttleFields(s),
    };
  });
  for (const [routeKey, s] of Object.entries(settings ?? {})) {
    if (options.some((o) => o.routeKey === routeKey)) continue;
    rows.push({
      routeKey,
      caching: s.cachingEnabled === undefined ? '' : s.cachingEnabled ? 'on' : 'off',
      ttl: s.cacheTtlInSeconds != null ? String(s.cacheTtlInSeconds) : '',
      keyParameters: [],
      extra: (s.cacheKeyParameters ?? []).join(', '),
      ...throttleFields(s),
      stale: true,
    });
  }
  return rows;
}

function throttleFields(s: StageMethodSetting | undefined): { rate: string; burst: string } {
  return {
    rate: s?.throttlingRateLimit != null ? String(s.throttlingRateLimit) : '',
    burst: s?.throttlingBurstLimit != null ? String(s.throttlingBurstLimit) : '',
  };
}

function extraParams(extra: string): string[] {
  return extra
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A row's problems by column; null when fine. */
export interface RowErrors {
  ttl: string | null;
  keys: string | null;
  rate: string | null;
  burst: string | null;
}

/** The row's problems by column; null when fine. */
export function validateRow(row: MethodSettingRow): RowErrors {
  let ttl: string | null = null;
  if (row.ttl.trim() !== '') {
    const n = Number(row.ttl);
    if (!Number.isInteger(n) || n < 0 || n > MAX_CACHE_TTL) ttl = `Whole seconds, 0 to ${MAX_CACHE_TTL}.`;
  }
  let keys: string | null = null;
  const extra = extraParams(row.extra);
  const bad = extra.find((p) => !KEY_PARAM_RE.test(p));
  if (bad) keys = `"${bad}" is not method.request.{header|querystring|path}.NAME.`;
  else if (new Set([...row.keyParameters, ...extra]).size > MAX_CACHE_KEY_PARAMETERS)
    keys = `At most ${MAX_CACHE_KEY_PARAMETERS} parameters.`;
  return { ttl, keys, ...validateThrottle(row) };
}

// The method throttle's checks, as the gateway makes them: both or
// neither, a rate of 0 or more requests per second, a whole burst of 0 or
// more.
function validateThrottle(row: MethodSettingRow): { rate: string | null; burst: string | null } {
  const rate = row.rate.trim();
  const burst = row.burst.trim();
  let rateErr: string | null = null;
  let burstErr: string | null = null;
  if (rate !== '') {
    const n = Number(rate);
    if (!Number.isFinite(n) || n < 0) rateErr = 'Requests per second, 0 or more.';
  } else if (burst !== '') rateErr = 'Set a rate with the burst.';
  if (burst !== '') {
    const n = Number(burst);
    if (!Number.isInteger(n) || n < 0) burstErr = 'A whole number, 0 or more.';
  } else if (rate !== '') burstErr = 'Set a burst with the rate.';
  return { rate: rateErr, burst: burstErr };
}

export function rowsValid(rows: MethodSettingRow[]): boolean {
  return rows.every((r) => Object.values(validateRow(r)).every((e) => !e));
}

/**
 * The methodSettings map of a PATCH: rows left at every default are left
 * out, so the stage keeps only what was set; stale rows are dropped.
 */
export function methodSettingsPatch(rows: MethodSettingRow[]): Record<string, StageMethodSetting> {
  const out: Record<string, StageMethodSetting> = {};
  for (const r of rows) {
    if (r.stale) continue;
    const keys = [...new Set([...r.keyParameters, ...extraParams(r.extra)])].sort();
    const s: StageMethodSetting = {};
    if (r.caching) s.cachingEnabled = r.caching === 'on';
    if (r.ttl.trim() !== '') s.cacheTtlInSeconds = Number(r.ttl);
    if (keys.length) s.cacheKeyParameters = keys;
    if (r.rate.trim() !== '' && r.burst.trim() !== '') {
      s.throttlingRateLimit = Number(r.rate);
      s.throttlingBurstLimit = Number(r.burst);
    }
    if (Object.keys(s).length) out[r.routeKey] = s;
  }
  return out;
}
