import { describe, expect, it } from 'vitest';
import { settingsField, settingsPatch, settingsValues, validateSettings, type CachedStage } from './settings';

const base = settingsValues(null);

describe('stage settings', () => {
  it.each([
    ['valid cache', { cacheEnabled: true, cacheSize: '1.6', cacheTtl: '60' }, {}],
    ['TTL over 3600', { cacheTtl: '4000' }, { cacheTtl: 'Whole seconds, 0 to 3600.' }],
    ['fractional TTL', { cacheTtl: '1.5' }, { cacheTtl: 'Whole seconds, 0 to 3600.' }],
    ['size too small', { cacheSize: '0.1' }, { cacheSize: 'A size of 0.5 to 237 MB.' }],
    ['custom format empty', { logPreset: 'custom' }, { logFormat: 'Enter a format of $context variables.' }],
    [
      'absolute file',
      { logPreset: 'CLF', logDestination: 'file:/etc/passwd' },
      { logDestination: 'file:NAME needs a relative path without "..".' },
    ],
    [
      'unknown destination',
      { logPreset: 'CLF', logDestination: 's3://x' },
      { logDestination: 'stdout, redis or file:NAME.' },
    ],
    ['file destination', { logPreset: 'JSON', logDestination: 'file:access/prod.log' }, {}],
  ])('%s', (_desc, edit, want) => {
    const errs = validateSettings({ ...base, ...edit });
    expect(Object.fromEntries(Object.entries(errs).filter(([, e]) => e))).toEqual(want);
  });

  it('builds the PATCH fields and reads them back', () => {
    const patch = settingsPatch({
      ...base,
      cacheEnabled: true,
      cacheTtl: '60',
      logPreset: 'custom',
      logFormat: '$context.requestId',
    });
    expect(patch).toEqual({
      cacheClusterEnabled: true,
      cacheTtlInSeconds: 60,
      requireAuthorizationForCacheControl: false,
      xCacheHeader: false,
      accessLogSettings: { format: '$context.requestId', destinationArn: 'stdout' },
    });
    expect(settingsPatch(base).accessLogSettings).toBeNull();
    expect(settingsPatch({ ...base, requireAuth: true })).toMatchObject({
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
    });
    const stage = {
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
      cacheTtlInSeconds: 60,
      accessLogSettings: { format: 'JSON', destinationArn: 'redis' },
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
      xCacheHeader: true,
    } as CachedStage;
    expect(settingsValues(stage)).toEqual({
      cacheEnabled: true,
      cacheSize: '0.5',
      cacheTtl: '60',
      requireAuth: true,
      cacheControlStrategy: 'FAIL_WITH_403',
      xCacheHeader: true,
      logPreset: 'JSON',
      logFormat: '',
      logDestination: 'redis',
    });
    expect(settingsField('cacheTtlInSeconds')).toBe('cacheTtl');
    expect(settingsField('unauthorizedCacheControlHeaderStrategy')).toBe('cacheControlStrategy');
    expect(settingsField('description')).toBeNull();
  });
});
