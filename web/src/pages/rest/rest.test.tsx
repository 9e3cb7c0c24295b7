import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { App } from '../../App';
import { byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from '../../test/dom';
import { formatMappings, formatParams, parseMappings, parseParams, validatePathPart } from './api';

afterEach(cleanup);

describe('REST helpers', () => {
  it.each([
    ['pets', null],
    ['{petId}', null],
    ['{proxy+}', null],
    ['', 'Enter a path part'],
    ['a/b', 'Use a literal (letters, digits, ._-~), {name} or {name+}'],
    ['{a b}', 'Use a literal (letters, digits, ._-~), {name} or {name+}'],
  ])('validates path part %j', (part, want) => {
    expect(validatePathPart(part)).toBe(want);
  });

  it('round-trips mappings and flags bad lines', () => {
    const text =
      'integration.request.header.X-Owner = method.request.querystring.owner\n\nintegration.request.path.id=method.request.path.petId';
    const { map, error } = parseMappings(text);
    expect(error).toBeNull();
    expect(map).toEqual({
      'integration.request.header.X-Owner': 'method.request.querystring.owner',
      'integration.request.path.id': 'method.request.path.petId',
    });
    expect(parseMappings(formatMappings(map)).map).toEqual(map);
    expect(parseMappings('no equals sign').error).toBe('Line 1: write target = source');
  });

  it('reads required and optional parameters', () => {
    const { params, error } = parseParams('method.request.querystring.owner\nmethod.request.header.x-trace?');
    expect(error).toBeNull();
    expect(params).toEqual({ 'method.request.querystring.owner': true, 'method.request.header.x-trace': false });
    expect(parseParams(formatParams(params)).params).toEqual(params);
    expect(parseParams('querystring.x').error).toMatch(/Line 1/);
  });
});

// A small fake of the endpoints the target-group page uses.
function fakeFetch() {
  const groups: unknown[] = [];
  const posted: unknown[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const f: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://console.test');
    const method = init?.method ?? 'GET';
    if (url.pathname === '/v1/auth/me')
      return json(200, {
        user: { userId: 'u', email: 'a@b.c', name: 'A' },
        tenant: { tenantId: 't', name: 'T' },
        csrfToken: 'x',
      });
    if (url.pathname === '/v1/targetgroups' && method === 'GET') return json(200, { items: groups });
    if (url.pathname === '/v1/targetgroups' && method === 'POST') {
      const body = JSON.parse(String(init?.body));
      posted.push(body);
      const g = { id: 'tg-1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...body };
      groups.push(g);
      return json(201, g);
    }
    return json(404, { error: { code: 'not-found', message: 'Not found.' } });
  };
  return { f, posted };
}

describe('target groups page', () => {
  it('shows the empty state, checks targets inline and creates a group', async () => {
    window.history.replaceState(null, '', '/target-groups');
    const { f, posted } = fakeFetch();
    await render(<App client={new ApiClient({ fetch: f })} />);
    await waitFor(() => document.body.textContent?.includes('No target groups yet'), 'empty state');

    await click(await findByTestId('add-target-group'));
    await type(byTestId('tg-name'), 'pets');
    await type(byTestId('tg-targets'), 'not an address');
    await click(byTestId('tg-submit'));
    await waitFor(() => text(document.body).includes('"not an address" is not host:port'), 'inline error');
    expect(posted).toHaveLength(0);

    await type(byTestId('tg-targets'), '10.0.0.5:8080\n10.0.0.6:8080');
    await click(byTestId('tg-submit'));
    await findByTestId('target-group-pets');
    expect(posted).toEqual([
      {
        name: 'pets',
        targets: [{ address: '10.0.0.5:8080' }, { address: '10.0.0.6:8080' }],
        healthCheck: {
          path: '/health',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        loadBalancing: 'ROUND_ROBIN',
      },
    ]);
    expect(text(byTestId('target-group-pets'))).toContain('10.0.0.5:8080, 10.0.0.6:8080');
  });
});

// A fake of the endpoints the Resources tab uses, for one REST API.
function restFetch() {
  const resources: {
    id: string;
    apiId: string;
    parentId?: string;
    pathPart: string;
    path: string;
    resourceMethods?: object;
  }[] = [{ id: 'root', apiId: 'a1', pathPart: '', path: '/' }];
  const calls: { method: string; path: string; body: unknown }[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const f: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://console.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, body });
    const p = url.pathname;
    if (p === '/v1/auth/me')
      return json(200, {
        user: { userId: 'u', email: 'a@b.c', name: 'A' },
        tenant: { tenantId: 't', name: 'T' },
        csrfToken: 'x',
      });
    if (p === '/v1/apis/a1')
      return json(200, {
        apiId: 'a1',
        name: 'petstore',
        description: '',
        protocolType: 'REST',
        endpointConfiguration: { types: ['REGIONAL'] },
        apiEndpoint: 'http://a1.execute-api.localhost:8081',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      });
    if (p === '/v1/apis/a1/resources' && method === 'GET') return json(200, { items: resources });
    if (p === '/v1/apis/a1/resources' && method === 'POST') {
      const parent = resources.find((r) => r.id === body.parentId)!;
      if (resources.some((r) => r.parentId === parent.id && r.pathPart === body.pathPart))
        return json(409, {
          error: { code: 'resource.duplicate', message: 'The parent already has a child with this path part.' },
        });
      const r = {
        id: `r${resources.length}`,
        apiId: 'a1',
        parentId: parent.id,
        pathPart: body.pathPart,
        path: (parent.path === '/' ? '' : parent.path) + '/' + body.pathPart,
      };
      resources.push(r);
      return json(201, r);
    }
    const m = p.match(/^\/v1\/apis\/a1\/resources\/(\w+)\/methods\/(\w+)$/);
    if (m && method === 'PUT') {
      const r = resources.find((x) => x.id === m[1])!;
      const method = { httpMethod: m[2], resourceId: r.id, ...body };
      r.resourceMethods = { ...(r.resourceMethods ?? {}), [m[2]]: method };
      return json(200, method);
    }
    if (p.endsWith('/integration') && method === 'PUT') return json(200, body);
    if (
      p.endsWith('/stages') ||
      p.endsWith('/deployments') ||
      p.endsWith('/requestvalidators') ||
      p.endsWith('/models') ||
      p === '/v1/targetgroups'
    )
      return json(200, { items: [] });
    return json(404, { error: { code: 'not-found', message: 'Not found.' } });
  };
  return { f, calls };
}

describe('resources tab', () => {
  it('adds a resource, refuses a duplicate, and adds a method with its integration and mappings', async () => {
    window.history.replaceState(null, '', '/apis/a1/resources');
    const { f, calls } = restFetch();
    await render(<App client={new ApiClient({ fetch: f })} />);
    await findByTestId('resource-/');
    expect(byTestId('tab-routes')).toBeNull();

    await click(byTestId('add-resource'));
    await type(byTestId('resource-path-part'), 'a/b');
    await click(byTestId('resource-submit'));
    await waitFor(() => text(document.body).includes('Use a literal'), 'inline path error');
    await type(byTestId('resource-path-part'), 'pets');
    await click(byTestId('resource-submit'));
    await findByTestId('resource-/pets');
    expect(text(byTestId('resource-path'))).toBe('/pets');

    await click(byTestId('resource-/'));
    await click(byTestId('add-resource'));
    await type(byTestId('resource-path-part'), 'pets');
    await click(byTestId('resource-submit'));
    await waitFor(() => text(document.body).includes('already has a child'), 'conflict banner');
    await click(document.querySelector('[aria-label="Close"]') as HTMLElement);

    await click(byTestId('resource-/pets'));
    await click(byTestId('add-method'));
    await type(byTestId('method-select'), 'POST');
    await click(byTestId('method-submit'));
    await findByTestId('method-dialog');
    await type(byTestId('method-params'), 'method.request.querystring.owner');
    await type(byTestId('rest-integration-uri'), 'http://pets.internal/pets');
    await type(
      byTestId('rest-request-mappings'),
      'integration.request.header.X-Owner = method.request.querystring.owner',
    );
    await click(byTestId('method-save'));
    await findByTestId('method-row-POST');

    const put = calls.filter((c) => c.method === 'PUT');
    expect(put.map((c) => c.path)).toEqual([
      '/v1/apis/a1/resources/r1/methods/POST',
      '/v1/apis/a1/resources/r1/methods/POST',
      '/v1/apis/a1/resources/r1/methods/POST/integration',
    ]);
    expect(put[1].body).toMatchObject({ requestParameters: { 'method.request.querystring.owner': true } });
    expect(put[2].body).toMatchObject({
      type: 'HTTP_PROXY',
      uri: 'http://pets.internal/pets',
      connectionType: 'INTERNET',
      requestParameters: { 'integration.request.header.X-Owner': 'method.request.querystring.owner' },
    });
  });
});
