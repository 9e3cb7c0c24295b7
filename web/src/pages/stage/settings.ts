// Stage cache and access log settings: form values, checks (the same bounds
// the gateway applies) and the REST fields they become.
import type { AccessLogSettings, Stage, StageCacheSettings } from '../../api/types';

export const MIN_CACHE_MB = 0.5;
export const MAX_CACHE_MB = 237;
export const MAX_CACHE_TTL = 3600;
export const LOG_PRESETS = ['CLF', 'JSON', 'XML', 'CSV'] as const;

/** What the gateway does with a Cache-Control: max-age=0 it may not honour. */
export const CACHE_CONTROL_STRATEGIES = [
  ['FAIL_WITH_403', 'Refuse with 403'],
  ['SUCCEED_WITH_RESPONSE_HEADER', 'Serve from cache, say so in a response header'],
  ['SUCCEED_WITHOUT_RESPONSE_HEADER', 'Serve from cache silently'],
] as const;
export const DEFAULT_CACHE_CONTROL_STRATEGY = 'SUCCEED_WITH_RESPONSE_HEADER';

/** The cache fields a stage has beyond api/types' Stage (docs/rest-contract.md). */
export interface StageCacheControl {
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?: string;
  xCacheHeader?: boolean;
}

/** A stage as GET answers it, with every cache field. */
export type CachedStage = Stage & StageCacheControl;

export interface StageSettingsValues {
  cacheEnabled: boolean;
  cacheSize: string;
  cacheTtl: string;
  requireAuth: boolean;
  cacheControlStrategy: string;
  xCacheHeader: boolean;
  /** '' (no access log), a preset name or 'custom'. */
  logPreset: string;
  logFormat: string;
  logDestination: string;
}

export function settingsValues(stage: CachedStage | null): StageSettingsValues {
  const log = stage?.accessLogSettings;
  const preset = !log
    ? ''
    : (LOG_PRESETS as readonly string[]).includes(log.format.toUpperCase())
      ? log.format.toUpperCase()
      : 'custom';
  return {
    cacheEnabled: stage?.cacheClusterEnabled ?? false,
    cacheSize: stage?.cacheClusterSize ?? '',
    cacheTtl: stage?.cacheTtlInSeconds != null ? String(stage.cacheTtlInSeconds) : '',
    requireAuth: stage?.requireAuthorizationForCacheControl ?? false,
    cacheControlStrategy: stage?.unauthorizedCacheControlHeaderStrategy || DEFAULT_CACHE_CONTROL_STRATEGY,
    xCacheHeader: stage?.xCacheHeader ?? false,
    logPreset: preset,
    logFormat: preset === 'custom' ? (log?.format ?? '') : '',
    logDestination: log?.destinationArn ?? '',
  };
}

export function validateSettings(v: StageSettingsValues): Record<string, string | null> {
  const out: Record<string, string | null> = { cacheSize: null, cacheTtl: null, logFormat: null, logDestination: null };
  if (v.cacheSize.trim() !== '') {
    const n = Number(v.cacheSize);
    if (!Number.isFinite(n) || n < MIN_CACHE_MB || n > MAX_CACHE_MB) {
      out.cacheSize = `A size of ${MIN_CACHE_MB} to ${MAX_CACHE_MB} MB.`;
    }
  }
  if (v.cacheTtl.trim() !== '') {
    const n = Number(v.cacheTtl);
    if (!Number.isInteger(n) || n < 0 || n > MAX_CACHE_TTL) {
      out.cacheTtl = `Whole seconds, 0 to ${MAX_CACHE_TTL}.`;
    }
  }
  if (v.logPreset === 'custom' && v.logFormat.trim() === '') {
    out.logFormat = 'Enter a format of $context variables.';
  }
  const d = v.logDestination.trim();
  if (v.logPreset && d && !['stdout', 'redis', 'redis-stream'].includes(d)) {
    const name = d.startsWith('file:') ? d.slice(5) : null;
    if (name === null) {
      out.logDestination = 'stdout, redis or file:NAME.';
    } else if (!name || name.startsWith('/') || name.split('/').includes('..') || name.includes('\\')) {
      out.logDestination = 'file:NAME needs a relative path without "..".';
    }
  }
  return out;
}

/** Maps a server field to the form's. */
export function settingsField(k: string): string | null {
  switch (k) {
    case 'cacheClusterSize':
      return 'cacheSize';
    case 'cacheTtlInSeconds':
      return 'cacheTtl';
    case 'unauthorizedCacheControlHeaderStrategy':
      return 'cacheControlStrategy';
    case 'accessLogSettings.format':
      return 'logFormat';
    case 'accessLogSettings.destinationArn':
      return 'logDestination';
  }
  return null;
}

/** The REST fields of the values; an empty access log is null (removed). */
export function settingsPatch(
  v: StageSettingsValues,
): StageCacheSettings & StageCacheControl & { accessLogSettings: AccessLogSettings | null } {
  const out: StageCacheSettings & StageCacheControl & { accessLogSettings: AccessLogSettings | null } = {
    cacheClusterEnabled: v.cacheEnabled,
    requireAuthorizationForCacheControl: v.requireAuth,
    xCacheHeader: v.xCacheHeader,
    accessLogSettings: null,
  };
  // The strategy only matters when authorization is required; leaving it
  // out otherwise keeps a stage without a cache free of cache settings.
  if (v.requireAuth) {
    out.unauthorizedCacheControlHeaderStrategy = v.cacheControlStrategy || DEFAULT_CACHE_CONTROL_STRATEGY;
  }
  if (v.cacheSize.trim() !== '') out.cacheClusterSize = v.cacheSize.trim();
  if (v.cacheTtl.trim() !== '') out.cacheTtlInSeconds = Number(v.cacheTtl);
  if (v.logPreset) {
    out.accessLogSettings = {
      format: v.logPreset === 'custom' ? v.logFormat : v.logPreset,
      destinationArn: v.logDestination.trim() || 'stdout',
    };
  }
  return out;
}
