import { describe, expect, it } from 'vitest';
import { matchPath, queryParam } from './router';
import { formatDuration, formatRelative, initials, parseTime } from './format';

describe('matchPath', () => {
  it('matches literals and params', () => {
    expect(matchPath('/apis', '/apis')).toEqual({});
    expect(matchPath('/apis', '/apis/')).toEqual({});
    expect(matchPath('/apis', '/apis?x=1')).toEqual({});
    expect(matchPath('/apis/:apiId/:tab?', '/apis/a1')).toEqual({ apiId: 'a1' });
    expect(matchPath('/apis/:apiId/:tab?', '/apis/a%2F1/stages')).toEqual({ apiId: 'a/1', tab: 'stages' });
  });

  it('rejects mismatches', () => {
    expect(matchPath('/apis', '/apis/a1')).toBeNull();
    expect(matchPath('/apis/:apiId', '/apis')).toBeNull();
    expect(matchPath('/apis/:apiId/:tab?', '/apis/a/b/c')).toBeNull();
    expect(matchPath('/gateways', '/')).toBeNull();
  });

  it('reads query parameters', () => {
    expect(queryParam('/login?next=%2Fapis%2Fx', 'next')).toBe('/apis/x');
    expect(queryParam('/login', 'next')).toBeNull();
  });
});

describe('format', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  it('formats relative times', () => {
    expect(formatRelative('2026-01-10T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-01-10T11:59:30Z', now)).toBe('30 s ago');
    expect(formatRelative('2026-01-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-01-10T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2026-01-08T12:00:00Z', now)).toBe('2 d ago');
    expect(formatRelative(undefined, now)).toBe('—');
  });

  it('treats Go zero time as absent', () => {
    expect(parseTime('0001-01-01T00:00:00Z')).toBeNull();
    expect(formatRelative('0001-01-01T00:00:00Z', now)).toBe('—');
  });

  it('formats durations and initials', () => {
    expect(formatDuration('2026-01-10T12:00:00Z', '2026-01-10T12:00:00.350Z')).toBe('350 ms');
    expect(formatDuration('2026-01-10T12:00:00Z', '2026-01-10T12:00:02.5Z')).toBe('2.5 s');
    expect(formatDuration('2026-01-10T12:00:00Z', undefined)).toBe('');
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('ada.lovelace@example.com')).toBe('AL');
    expect(initials('root@example.com')).toBe('RO');
  });
});
