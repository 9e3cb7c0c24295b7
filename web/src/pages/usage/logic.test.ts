import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../api/client';
import { UsageApi, type UsageReport } from './api';
import {
  buildQuota,
  buildThrottle,
  describeQuota,
  lastDays,
  parseMethodThrottles,
  parseTags,
  routeLimitsPatch,
  throttlePatch,
  stageRowsToApiStages,
  apiStagesToRows,
  usageSeries,
  validateKeyValue,
  validateQuota,
  validateStageRows,
  validateThrottle,
} from './logic';

describe('validateKeyValue', () => {
  it.each([
    ['', null],
    ['a'.repeat(20), null],
    ['a'.repeat(19), 'Must be 20 to 128 characters (leave empty to generate one).'],
    ['a'.repeat(129), 'Must be 20 to 128 characters (leave empty to generate one).'],
    ['a'.repeat(10) + ' ' + 'a'.repeat(10), 'Only printable ASCII characters, without spaces.'],
    ['é'.repeat(20), 'Only printable ASCII characters, without spaces.'],
  ])('%s', (v, want) => {
    expect(validateKeyValue(v)).toBe(want);
  });
});

describe('parseTags', () => {
  it('reads key=value lines and commas', () => {
    expect(parseTags('team=ios\nenv = prod, flag')).toEqual({
      tags: { team: 'ios', env: 'prod', flag: '' },
      error: null,
    });
  });
  it('refuses a missing key and duplicates', () => {
    expect(parseTags('=x').error).toMatch(/no key/);
    expect(parseTags('a=1\na=2').error).toMatch(/twice/);
  });
});

describe('throttle and quota', () => {
  it('allows a blank throttle unless required', () => {
    expect(validateThrottle('', '')).toEqual({ rate: null, burst: null });
    expect(validateThrottle('', '', true).rate).not.toBeNull();
    expect(validateThrottle('2', '2')).toEqual({ rate: null, burst: null });
    expect(validateThrottle('0', '1').rate).not.toBeNull();
    expect(validateThrottle('1', '1.5').burst).not.toBeNull();
    expect(buildThrottle('2.5', '4')).toEqual({ rateLimit: 2.5, burstLimit: 4 });
    expect(buildThrottle(' ', '')).toBeUndefined();
  });
  it('checks the quota as the API does', () => {
    expect(validateQuota('', 'DAY', '')).toEqual({ limit: null, period: null, offset: null });
    expect(validateQuota('1000', 'DAY', '')).toEqual({ limit: null, period: null, offset: null });
    expect(validateQuota('1000', 'WEEKLY', '').period).not.toBeNull();
    expect(validateQuota('1000', 'DAY', '1').offset).toBe('Must be 0 for a daily quota.');
    expect(validateQuota('1000', 'WEEK', '6').offset).toBeNull();
    expect(validateQuota('1000', 'MONTH', '28').offset).not.toBeNull();
    expect(validateQuota('0', 'DAY', '').limit).not.toBeNull();
    expect(buildQuota('1000', 'DAY', '')).toEqual({ limit: 1000, period: 'DAY' });
    expect(buildQuota('5', 'WEEK', '2')).toEqual({ limit: 5, period: 'WEEK', offset: 2 });
    expect(describeQuota({ limit: 1000, period: 'DAY' })).toBe('1,000 per day');
  });
});

describe('API stage rows', () => {
  it('parses method throttles', () => {
    expect(parseMethodThrottles('get /pets 10 20\n\nPOST /pets 1 1')).toEqual({
      value: { 'GET /pets': { rateLimit: 10, burstLimit: 20 }, 'POST /pets': { rateLimit: 1, burstLimit: 1 } },
      error: null,
    });
    expect(parseMethodThrottles('GET /pets 10').error).toMatch(/Line 1/);
    expect(parseMethodThrottles('FETCH /pets 1 1').error).toMatch(/not an HTTP method/);
    expect(parseMethodThrottles('GET pets 1 1').error).toMatch(/start with/);
  });
  it('round-trips rows and API stages', () => {
    const stages = [
      {
        apiId: 'a1',
        stage: 'prod',
        throttle: { rateLimit: 2, burstLimit: 2 },
        methodThrottles: { 'GET /pets': { rateLimit: 1, burstLimit: 1 } },
      },
      { apiId: 'a1', stage: 'dev' },
    ];
    expect(stageRowsToApiStages(apiStagesToRows(stages))).toEqual(stages);
  });
  it('reports the first bad row', () => {
    expect(validateStageRows([{ apiId: '', stage: '', rate: '', burst: '', methods: '' }])).toMatch(/choose an API/);
    const row = { apiId: 'a', stage: 'p', rate: '', burst: '', methods: '' };
    expect(validateStageRows([row, row])).toMatch(/twice/);
    expect(validateStageRows([{ ...row, rate: '1' }])).toMatch(/throttle/);
    expect(validateStageRows([row])).toBeNull();
  });
});

describe('usage series', () => {
  const report: UsageReport = {
    usagePlanId: 'p1',
    startDate: '2026-11-25',
    endDate: '2026-11-26',
    items: {
      k1: [
        [3, 997],
        [5, 992],
      ],
      k2: [
        [1, 999],
        [0, 999],
      ],
    },
    days: [
      { date: '2026-11-25', used: 4 },
      { date: '2026-11-26', used: 5 },
    ],
    remaining: { k1: 992, k2: 999 },
    quota: { limit: 1000, period: 'DAY' },
  };
  it('plots one key', () => {
    const s = usageSeries(report, 'k1');
    expect(s.used).toEqual([3, 5]);
    expect(s.total).toBe(8);
    expect(s.remaining).toBe(992);
    expect(s.xs).toEqual([Date.UTC(2026, 10, 25) / 1000, Date.UTC(2026, 10, 26) / 1000]);
  });
  it('plots every key', () => {
    const s = usageSeries(report);
    expect(s.used).toEqual([4, 5]);
    expect(s.total).toBe(9);
  });
  it('has no remaining without a quota', () => {
    expect(usageSeries({ ...report, quota: undefined, remaining: undefined }, 'k1').remaining).toBeNull();
  });
  it('takes the last days in UTC', () => {
    expect(lastDays(7, new Date('2026-11-26T23:30:00Z'))).toEqual({ startDate: '2026-11-20', endDate: '2026-11-26' });
  });
});

describe('UsageApi', () => {
  it('imports CSV as text/csv with the CSRF token', async () => {
    const seen: { headers?: HeadersInit; body?: BodyInit | null } = {};
    const fetchImpl: typeof fetch = async (_url, init) => {
      seen.headers = init?.headers;
      seen.body = init?.body;
      return new Response(JSON.stringify({ ids: ['k1'], errors: [{ line: 3, message: 'bad' }] }), { status: 201 });
    };
    const client = new ApiClient({ fetch: fetchImpl });
    client.setCsrfToken('tok');
    const r = await new UsageApi(client, fetchImpl).importKeys('Name,key\na,b\n');
    expect(r).toEqual({ ids: ['k1'], errors: [{ line: 3, message: 'bad' }] });
    expect(seen.body).toBe('Name,key\na,b\n');
    expect(seen.headers).toMatchObject({ 'Content-Type': 'text/csv', 'X-CSRF-Token': 'tok' });
  });
  it('turns an import refusal into an ApiError', async () => {
    const fetchImpl: typeof fetch = async () =>
      new Response(JSON.stringify({ error: { code: 'apikey.import-invalid', message: 'No key column.' } }), {
        status: 422,
      });
    const err = await new UsageApi(new ApiClient({ fetch: fetchImpl }), fetchImpl).importKeys('x').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('apikey.import-invalid');
  });
  it('asks for usage with the dates and key', async () => {
    let url = '';
    const fetchImpl: typeof fetch = async (u) => {
      url = String(u);
      return new Response(JSON.stringify({ usagePlanId: 'p', startDate: 'a', endDate: 'b', items: {}, days: [] }));
    };
    await new UsageApi(new ApiClient({ fetch: fetchImpl })).usage('p 1', '2026-11-20', '2026-11-26', 'k1');
    expect(url).toBe('/v1/usageplans/p%201/usage?startDate=2026-11-20&endDate=2026-11-26&keyId=k1');
  });
});

describe('route and stage limit patches', () => {
  it('sends only what changed', () => {
    expect(routeLimitsPatch(null, false, undefined)).toEqual({});
    expect(routeLimitsPatch(null, true, { rateLimit: 1, burstLimit: 1 })).toEqual({
      apiKeyRequired: true,
      throttle: { rateLimit: 1, burstLimit: 1 },
    });
    const route = { apiKeyRequired: true, throttle: { rateLimit: 1, burstLimit: 1 } };
    expect(routeLimitsPatch(route, true, { rateLimit: 1, burstLimit: 1 })).toEqual({});
    expect(routeLimitsPatch(route, false, undefined)).toEqual({ apiKeyRequired: false, throttle: null });
    expect(throttlePatch(undefined, { rateLimit: 2, burstLimit: 3 })).toEqual({
      throttle: { rateLimit: 2, burstLimit: 3 },
    });
  });
});
