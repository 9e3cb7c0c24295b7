import { describe, expect, it, vi } from 'vitest';
import { createFakeApi, CSRF, PASSWORD, USER } from '../test/fakeApi';
import { ApiClient, ApiError, parseError } from './client';

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('parseError', () => {
  it('reads the contract error shape with per-field details', async () => {
    const e = await parseError(
      jsonResponse(422, {
        error: {
          code: 'route.invalid',
          message: 'Invalid route.',
          details: { routeKey: { code: 'syntax', message: 'Bad route key.' } },
          requestId: 'req-9',
        },
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('route.invalid');
    expect(e.message).toBe('Invalid route.');
    expect(e.field('routeKey')).toBe('Bad route key.');
    expect(e.field('other')).toBeUndefined();
    expect(e.requestId).toBe('req-9');
  });

  it('accepts string details', async () => {
    const e = await parseError(
      jsonResponse(422, { error: { code: 'x', message: 'm', details: { name: 'Too long.' } } }),
    );
    expect(e.details.name).toEqual({ code: 'invalid', message: 'Too long.' });
  });

  it('falls back for non-JSON bodies', async () => {
    const e = await parseError(new Response('<html>Bad Gateway</html>', { status: 502 }));
    expect(e.status).toBe(502);
    expect(e.code).toBe('http.502');
    expect(e.message).toMatch(/bad gateway/i);
    expect(e.details).toEqual({});
  });

  it('falls back for JSON without an error object and for empty bodies', async () => {
    expect((await parseError(jsonResponse(500, { oops: true }))).code).toBe('http.500');
    const e = await parseError(new Response(null, { status: 418 }));
    expect(e.code).toBe('http.418');
    expect(e.message).toBe('Request failed (418).');
  });

  it('uses a default message when the error has none', async () => {
    const e = await parseError(jsonResponse(403, { error: { code: 'auth.forbidden' } }));
    expect(e.code).toBe('auth.forbidden');
    expect(e.message).toMatch(/permission/);
  });
});

describe('ApiClient', () => {
  it('logs in, keeps the CSRF token and sends it on writes only', async () => {
    const fake = createFakeApi();
    const client = new ApiClient({ fetch: fake.fetch });
    const s = await client.login(USER.email, PASSWORD);
    expect(s.tenant.name).toBe('Acme Corp');
    expect(client.csrfToken).toBe(CSRF);

    await client.listApis();
    const api = await client.createApi({ name: 'pets', protocolType: 'HTTP' });
    await client.deleteApi(api.apiId);

    const [login, list, create, del] = fake.calls;
    expect(login.headers['x-csrf-token']).toBeUndefined();
    expect(list.method).toBe('GET');
    expect(list.headers['x-csrf-token']).toBeUndefined();
    expect(create.headers['x-csrf-token']).toBe(CSRF);
    expect(create.headers['content-type']).toBe('application/json');
    expect(create.body).toEqual({ name: 'pets', protocolType: 'HTTP' });
    expect(del.method).toBe('DELETE');
    expect(del.headers['x-csrf-token']).toBe(CSRF);
  });

  it('sends same-origin credentials', async () => {
    const f = vi.fn(async () => jsonResponse(200, { items: [] }));
    await new ApiClient({ fetch: f }).listApis();
    expect(f).toHaveBeenCalledWith('/v1/apis', expect.objectContaining({ credentials: 'same-origin', method: 'GET' }));
  });

  it('restores the session from /v1/auth/me and returns null when signed out', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const client = new ApiClient({ fetch: fake.fetch, onUnauthorized: vi.fn() });
    expect((await client.me())?.user.email).toBe(USER.email);
    expect(client.csrfToken).toBe(CSRF);

    fake.expireSession();
    expect(await client.me()).toBeNull();
    expect(client.onUnauthorized).not.toHaveBeenCalled();
  });

  it('calls onUnauthorized on a 401 from any other request and clears the token', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const onUnauthorized = vi.fn();
    const client = new ApiClient({ fetch: fake.fetch, onUnauthorized });
    await client.me();
    fake.expireSession();
    await expect(client.listApis()).rejects.toMatchObject({ status: 401, code: 'auth.required' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(client.csrfToken).toBeNull();
  });

  it('does not end the session when login itself answers 401', async () => {
    const onUnauthorized = vi.fn();
    const client = new ApiClient({ fetch: createFakeApi().fetch, onUnauthorized });
    await expect(client.login(USER.email, 'wrong')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('gets 403 auth.csrf without the token (the fake enforces the rule)', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const client = new ApiClient({ fetch: fake.fetch });
    await expect(client.createApi({ name: 'x', protocolType: 'HTTP' })).rejects.toMatchObject({
      status: 403,
      code: 'auth.csrf',
    });
  });

  it('turns network failures into ApiError with status 0', async () => {
    const client = new ApiClient({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const e = await client.listApis().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 0, code: 'network' });
  });

  it('returns undefined for 204 and exposes field errors from 422', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const client = new ApiClient({ fetch: fake.fetch });
    await client.me();
    const api = await client.createApi({ name: 'pets', protocolType: 'HTTP' });
    const e = (await client
      .createRoute(api.apiId, { routeKey: 'GET /x', integration: { type: 'HTTP_PROXY', uri: 'ftp://nope' } })
      .catch((x: unknown) => x)) as ApiError;
    expect(e.status).toBe(422);
    expect(e.field('integration.uri')).toBe('Must be an http(s) URL.');
    const r = await client.createRoute(api.apiId, {
      routeKey: 'GET /x',
      integration: { type: 'HTTP_PROXY', uri: 'https://example.com' },
    });
    await expect(client.deleteRoute(api.apiId, r.routeId)).resolves.toBeUndefined();
  });

  it('encodes path segments and builds the events URL', () => {
    const client = new ApiClient({ baseUrl: 'http://h' });
    expect(client.deploymentEventsUrl('a/b', 'd 1')).toBe('http://h/v1/apis/a%2Fb/deployments/d%201/events');
  });

  it('clears the CSRF token on logout even if the call fails', async () => {
    const client = new ApiClient({ fetch: async () => jsonResponse(500, {}) });
    client.setCsrfToken('t');
    await expect(client.logout()).rejects.toBeInstanceOf(ApiError);
    expect(client.csrfToken).toBeNull();
  });
});
