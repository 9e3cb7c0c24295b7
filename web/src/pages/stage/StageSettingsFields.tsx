// Cache and access log fields of the stage editor.
import { Field } from '../../components/ui';
import {
  CACHE_CONTROL_STRATEGIES,
  LOG_PRESETS,
  MAX_CACHE_MB,
  MAX_CACHE_TTL,
  MIN_CACHE_MB,
  type StageSettingsValues,
} from './settings';

export function StageSettingsFields({
  values: v,
  error,
  set,
}: {
  values: StageSettingsValues;
  error: (k: string) => string | null;
  set: <K extends keyof StageSettingsValues>(k: K, x: StageSettingsValues[K]) => void;
}) {
  return (
    <>
      <fieldset className="stack">
        <legend>Cache</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="stage-cache-enabled"
            checked={v.cacheEnabled}
            onChange={(e) => set('cacheEnabled', e.target.checked)}
          />{' '}
          Cache GET answers (shared by the fleet; a deployed stage gets changes at once)
        </label>
        <div className="grid-2-1">
          <Field
            label="Size (MB)"
            optional
            error={error('cacheSize')}
            hint={`${MIN_CACHE_MB}–${MAX_CACHE_MB}, default 0.5`}
          >
            {(p) => (
              <input
                {...p}
                inputMode="decimal"
                data-testid="stage-cache-size"
                placeholder="0.5"
                disabled={!v.cacheEnabled}
                value={v.cacheSize}
                onChange={(e) => set('cacheSize', e.target.value)}
              />
            )}
          </Field>
          <Field label="Default TTL (s)" optional error={error('cacheTtl')} hint={`0–${MAX_CACHE_TTL}, default 300`}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                data-testid="stage-cache-ttl"
                placeholder="300"
                disabled={!v.cacheEnabled}
                value={v.cacheTtl}
                onChange={(e) => set('cacheTtl', e.target.value)}
              />
            )}
          </Field>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="stage-cache-x-cache"
            disabled={!v.cacheEnabled}
            checked={v.xCacheHeader}
            onChange={(e) => set('xCacheHeader', e.target.checked)}
          />{' '}
          Add an <code>X-Cache: Hit</code> or <code>Miss</code> header to cacheable answers
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="stage-cache-require-auth"
            disabled={!v.cacheEnabled}
            checked={v.requireAuth}
            onChange={(e) => set('requireAuth', e.target.checked)}
          />{' '}
          Require authorization for <code>Cache-Control: max-age=0</code> (callers need{' '}
          <code>execute-api:InvalidateCache</code> to refresh an entry)
        </label>
        {v.requireAuth ? (
          <Field
            label="Unauthorized cache refresh"
            error={error('cacheControlStrategy')}
            hint="What a caller without the permission gets when it sends Cache-Control: max-age=0."
          >
            {(p) => (
              <select
                {...p}
                data-testid="stage-cache-strategy"
                disabled={!v.cacheEnabled}
                value={v.cacheControlStrategy}
                onChange={(e) => set('cacheControlStrategy', e.target.value)}
              >
                {CACHE_CONTROL_STRATEGIES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
      </fieldset>
      <fieldset className="stack">
        <legend>
          Access log <span className="optional">optional</span>
        </legend>
        <div className="grid-2-1">
          <Field label="Format" error={v.logPreset === 'custom' ? null : error('logFormat')}>
            {(p) => (
              <select
                {...p}
                data-testid="stage-access-log-format"
                value={v.logPreset}
                onChange={(e) => set('logPreset', e.target.value)}
              >
                <option value="">Off</option>
                {LOG_PRESETS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
                <option value="custom">Custom</option>
              </select>
            )}
          </Field>
          <Field label="Destination" optional error={error('logDestination')} hint="stdout, redis or file:NAME">
            {(p) => (
              <input
                {...p}
                className="mono"
                data-testid="stage-access-log-destination"
                placeholder="stdout"
                disabled={!v.logPreset}
                value={v.logDestination}
                onChange={(e) => set('logDestination', e.target.value)}
              />
            )}
          </Field>
        </div>
        {v.logPreset === 'custom' ? (
          <Field label="Custom format" error={error('logFormat')} hint="$context variables, e.g. $context.requestId">
            {(p) => (
              <textarea
                {...p}
                rows={2}
                className="mono"
                data-testid="stage-access-log-custom"
                placeholder="$context.requestId $context.status"
                value={v.logFormat}
                onChange={(e) => set('logFormat', e.target.value)}
              />
            )}
          </Field>
        ) : null}
      </fieldset>
    </>
  );
}
