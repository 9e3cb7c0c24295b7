import { describe, expect, it } from 'vitest';
import type { Route } from '../../api/types';
import type { Resource } from '../rest/api';
import {
  methodSettingsPatch,
  routeOptionsFromResources,
  routeOptionsFromRoutes,
  rowsFromSettings,
  rowsValid,
  validateRow,
  type MethodSettingRow,
} from './methodSettings';

const row = (edit: Partial<MethodSettingRow>): MethodSettingRow => ({
  routeKey: 'GET /pets',
  caching: '',
  ttl: '',
  keyParameters: [],
  extra: '',
  rate: '',
  burst: '',
  ...edit,
});

const ok = { ttl: null, keys: null, rate: null, burst: null };

describe('method settings', () => {
  it('offers a REST method its declared parameters and path variables', () => {
    const resources = [
      { id: 'root', apiId: 'a', pathPart: '', path: '/' },
      {
        id: 'r1',
        apiId: 'a',
        pathPart: '{petId}',
        path: '/pets/{petId}',
        resourceMethods: {
          GET: {
            httpMethod: 'GET',
            resourceId: 'r1',
            authorizationType: 'NONE',
            apiKeyRequired: false,
            requestParameters: { 'method.request.querystring.fields': false, 'method.request.header.Accept': true },
          },
          DELETE: { httpMethod: 'DELETE', resourceId: 'r1', authorizationType: 'NONE', apiKeyRequired: false },
        },
      },
      {
        id: 'r2',
        apiId: 'a',
        pathPart: 'pets',
        path: '/pets',
        resourceMethods: {
          GET: { httpMethod: 'GET', resourceId: 'r2', authorizationType: 'NONE', apiKeyRequired: false },
        },
      },
    ] as Resource[];
    expect(routeOptionsFromResources(resources)).toEqual([
      { routeKey: 'GET /pets', params: [] },
      { routeKey: 'DELETE /pets/{petId}', params: ['method.request.path.petId'] },
      {
        routeKey: 'GET /pets/{petId}',
        params: ['method.request.header.Accept', 'method.request.path.petId', 'method.request.querystring.fields'],
      },
    ]);
  });

  it('offers an HTTP route its path variables and throttle', () => {
    const routes = [
      { routeKey: '$default' },
      { routeKey: 'ANY /files/{proxy+}' },
      { routeKey: 'GET /items/{id}', throttle: { rateLimit: 5, burstLimit: 10 } },
    ] as Route[];
    expect(routeOptionsFromRoutes(routes)).toEqual([
      { routeKey: '$default', params: [], throttle: undefined },
      { routeKey: 'ANY /files/{proxy+}', params: ['method.request.path.proxy'], throttle: undefined },
      { routeKey: 'GET /items/{id}', params: ['method.request.path.id'], throttle: { rateLimit: 5, burstLimit: 10 } },
    ]);
  });

  it('reads settings into rows, keeping unknown keys and settings of gone routes', () => {
    const rows = rowsFromSettings([{ routeKey: 'GET /items/{id}', params: ['method.request.path.id'] }], {
      'GET /items/{id}': {
        cachingEnabled: false,
        cacheTtlInSeconds: 30,
        cacheKeyParameters: ['method.request.path.id', 'method.request.header.Accept'],
        throttlingRateLimit: 2.5,
        throttlingBurstLimit: 4,
      },
      'GET /old': { cachingEnabled: true },
    });
    expect(rows).toEqual([
      {
        routeKey: 'GET /items/{id}',
        caching: 'off',
        ttl: '30',
        keyParameters: ['method.request.path.id'],
        extra: 'method.request.header.Accept',
        rate: '2.5',
        burst: '4',
      },
      { routeKey: 'GET /old', caching: 'on', ttl: '', keyParameters: [], extra: '', rate: '', burst: '', stale: true },
    ]);
    // Saving drops the gone route's setting and keeps the rest as they were.
    expect(methodSettingsPatch(rows)).toEqual({
      'GET /items/{id}': {
        cachingEnabled: false,
        cacheTtlInSeconds: 30,
        cacheKeyParameters: ['method.request.header.Accept', 'method.request.path.id'],
        throttlingRateLimit: 2.5,
        throttlingBurstLimit: 4,
      },
    });
  });

  it.each([
    ['defaults', row({}), ok],
    ['TTL 0 turns caching off', row({ ttl: '0' }), ok],
    ['TTL 3600', row({ ttl: '3600' }), ok],
    ['TTL over 3600', row({ ttl: '3601' }), { ...ok, ttl: 'Whole seconds, 0 to 3600.' }],
    ['negative TTL', row({ ttl: '-1' }), { ...ok, ttl: 'Whole seconds, 0 to 3600.' }],
    ['fractional TTL', row({ ttl: '2.5' }), { ...ok, ttl: 'Whole seconds, 0 to 3600.' }],
    ['typed header', row({ extra: 'method.request.header.Accept, method.request.querystring.q' }), ok],
    [
      'bad source',
      row({ extra: 'method.request.body.x' }),
      { ...ok, keys: '"method.request.body.x" is not method.request.{header|querystring|path}.NAME.' },
    ],
    [
      'too many',
      row({ extra: Array.from({ length: 17 }, (_, i) => `method.request.header.h${i}`).join(',') }),
      { ...ok, keys: 'At most 16 parameters.' },
    ],
    ['a throttle', row({ rate: '2.5', burst: '4' }), ok],
    ['a throttle refusing all', row({ rate: '0', burst: '0' }), ok],
    ['rate without burst', row({ rate: '2' }), { ...ok, burst: 'Set a burst with the rate.' }],
    ['burst without rate', row({ burst: '2' }), { ...ok, rate: 'Set a rate with the burst.' }],
    ['negative rate', row({ rate: '-1', burst: '2' }), { ...ok, rate: 'Requests per second, 0 or more.' }],
    ['rate not a number', row({ rate: 'fast', burst: '2' }), { ...ok, rate: 'Requests per second, 0 or more.' }],
    ['fractional burst', row({ rate: '1', burst: '1.5' }), { ...ok, burst: 'A whole number, 0 or more.' }],
    ['negative burst', row({ rate: '1', burst: '-3' }), { ...ok, burst: 'A whole number, 0 or more.' }],
  ])('checks %s', (_desc, r, want) => {
    expect(validateRow(r)).toEqual(want);
    expect(rowsValid([r])).toBe(Object.values(want).every((e) => !e));
  });

  it('leaves rows at their defaults out of the PATCH', () => {
    expect(
      methodSettingsPatch([
        row({}),
        row({ routeKey: 'POST /pets', caching: 'on', ttl: '60', keyParameters: ['method.request.path.id'] }),
        row({ routeKey: 'GET /x', caching: 'off' }),
        row({ routeKey: 'GET /t', rate: '0.5', burst: '0' }),
      ]),
    ).toEqual({
      'POST /pets': { cachingEnabled: true, cacheTtlInSeconds: 60, cacheKeyParameters: ['method.request.path.id'] },
      'GET /x': { cachingEnabled: false },
      'GET /t': { throttlingRateLimit: 0.5, throttlingBurstLimit: 0 },
    });
  });
});
