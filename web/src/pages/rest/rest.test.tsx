import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { App } from '../../App';
import { allByTestId, byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from '../../test/dom';
import {
  formatMappings,
  formatParams,
  parseMappings,
  parseParams,
  responseBody,
  responseRows,
  validateCidr,
  validateCidrs,
  validatePathPart,
  validateResponseRows,
} from './api';

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

  it.each([
    ['10.0.0.0/8', true],
    ['192.168.1.7/32', true],
    ['fd00::/8', true],
    ['2001:db8:0:0:0:0:0:1/128', true],
    ['10.0.0.0', false],
    ['10.0.0.256/8', false],
    ['10.0.0.0/33', false],
    ['fd00::/129', false],
    ['1::2::3/64', false],
    ['example.com/8', false],
  ])('reads CIDR %j', (c, want) => {
    expect(validateCidr(c)).toBe(want);
  });

  it('requires CIDRs only of a private API', () => {
    expect(validateCidrs('REGIONAL', '')).toBeNull();
    expect(validateCidrs('PRIVATE', '')).toBe('A private API needs at least one allowed CIDR.');
    expect(validateCidrs('PRIVATE', '10.0.0.0/8\nnope')).toBe('"nope" is not a CIDR such as 10.0.0.0/8.');
    expect(validateCidrs('PRIVATE', '10.0.0.0/8, fd00::/8')).toBeNull();
  });

  it('round-trips method responses and checks their rows', () => {
    const stored = {
      '404': { statusCode: '404' },
      '200': {
        statusCode: '200',
        responseParameters: { 'method.response.header.X-Version': false },
        responseModels: { 'application/json': 'Pet' },
      },
    };
    const rows = responseRows(stored);
    expect(rows).toEqual([
      { statusCode: '200', headers: 'X-Version', model: 'Pet' },
      { statusCode: '404', headers: '', model: '' },
    ]);
    expect(responseBody(rows[0])).toEqual({
      responseParameters: stored['200'].responseParameters,
      responseModels: stored['200'].responseModels,
    });
    expect(responseBody(rows[1])).toEqual({ responseParameters: undefined, responseModels: undefined });
    expect(validateResponseRows(rows)).toBeNull();
    expect(validateResponseRows([{ statusCode: '99', headers: '', model: '' }])).toBe(
      '"99" is not a status code 100-599.',
    );
    expect(validateResponseRows([rows[0], rows[0]])).toBe('Status 200 is listed twice.');
    expect(validateResponseRows([{ statusCode: '200', headers: 'Bad Header', model: '' }])).toBe(
      '"Bad Header" is not a header name.',
    );
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
function restFetch(
  seed: {
    resources?: {
      id: string;
      apiId: string;
      parentId?: string;
      pathPart: string;
      path: string;
      resourceMethods?: object;
    }[];
    validators?: { id: string; name: string; validateRequestBody: boolean; validateRequestParameters: boolean }[];
    models?: { id: string; name: string; contentType: string; schema: unknown }[];
    inUse?: string[];
  } = {},
) {
  const resources: {
    id: string;
    apiId: string;
    parentId?: string;
    pathPart: string;
    path: string;
    resourceMethods?: object;
  }[] = seed.resources ?? [{ id: 'root', apiId: 'a1', pathPart: '', path: '/' }];
  const validators = seed.validators ?? [];
  const models = seed.models ?? [];
  const api: Record<string, unknown> = {
    apiId: 'a1',
    name: 'petstore',
    description: '',
    protocolType: 'REST',
    endpointConfiguration: { types: ['REGIONAL'] },
    apiEndpoint: 'http://a1.execute-api.localhost:8081',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
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
    if (p === '/v1/apis/a1' && method === 'PATCH') return json(200, Object.assign(api, body));
    if (p === '/v1/apis/a1') return json(200, api);
    const inUse = (what: string) =>
      json(409, {
        error: {
          code: `${what}.in-use`,
          message:
            what === 'model'
              ? 'A method uses this model; change the method first.'
              : 'A method uses this request validator; change the method first.',
        },
      });
    if (p === '/v1/apis/a1/requestvalidators' && method === 'GET') return json(200, { items: validators });
    if (p === '/v1/apis/a1/models' && method === 'GET') return json(200, { items: models });
    if (p === '/v1/apis/a1/models' && method === 'POST') {
      if (JSON.stringify(body.schema).includes('"bogus"'))
        return json(422, {
          error: {
            code: 'model.invalid',
            message: 'Invalid model.',
            details: { schema: { code: 'invalid', message: 'does not compile: unknown type "bogus"' } },
          },
        });
      const m = { id: `m${models.length}`, ...body };
      models.push(m);
      return json(201, m);
    }
    const del = p.match(/^\/v1\/apis\/a1\/(requestvalidators|models)\/(\w+)$/);
    if (del && method === 'DELETE') {
      if (seed.inUse?.includes(del[2])) return inUse(del[1] === 'models' ? 'model' : 'validator');
      const list = del[1] === 'models' ? models : validators;
      list.splice(
        list.findIndex((x) => x.id === del[2] || x.name === del[2]),
        1,
      );
      return new Response(null, { status: 204 });
    }
    if (/\/responses\/\w+$/.test(p) && method === 'PUT') return json(200, body);
    if (/\/responses\/\w+$/.test(p) && method === 'DELETE') return new Response(null, { status: 204 });
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

describe('method responses', () => {
  it('adds, checks and removes status codes with headers and models', async () => {
    window.history.replaceState(null, '', '/apis/a1/resources');
    const { f, calls } = restFetch({
      resources: [
        {
          id: 'root',
          apiId: 'a1',
          pathPart: '',
          path: '/',
          resourceMethods: {
            GET: {
              httpMethod: 'GET',
              resourceId: 'root',
              authorizationType: 'NONE',
              apiKeyRequired: false,
              methodIntegration: { type: 'MOCK', mockStatusCode: 200 },
              methodResponses: { '404': { statusCode: '404' } },
            },
          },
        },
      ],
      models: [{ id: 'm0', name: 'Pet', contentType: 'application/json', schema: { type: 'object' } }],
    });
    await render(<App client={new ApiClient({ fetch: f })} />);
    await click(await findByTestId('edit-method-GET'));
    await findByTestId('method-responses');
    expect((byTestId('method-response-status') as HTMLInputElement).value).toBe('404');

    await click(byTestId('method-response-add'));
    const status = allByTestId('method-response-status');
    await type(status[1], '2000');
    await click(byTestId('method-save'));
    await waitFor(() => text(document.body).includes('"2000" is not a status code'), 'inline status error');
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    await type(status[1], '200');
    await type(allByTestId('method-response-headers')[1], 'X-Version, X-Request-Id');
    await type(allByTestId('method-response-model')[1], 'Pet');
    await click(allByTestId('method-response-remove')[0]);
    await click(byTestId('method-save'));
    await waitFor(() => !byTestId('method-dialog'), 'dialog closed');

    expect(calls.filter((c) => c.path.includes('/responses/')).map((c) => `${c.method} ${c.path}`)).toEqual([
      'PUT /v1/apis/a1/resources/root/methods/GET/responses/200',
      'DELETE /v1/apis/a1/resources/root/methods/GET/responses/404',
    ]);
    expect(calls.find((c) => c.path.endsWith('/responses/200'))?.body).toEqual({
      responseParameters: { 'method.response.header.X-Version': false, 'method.response.header.X-Request-Id': false },
      responseModels: { 'application/json': 'Pet' },
    });
  });
});

describe('validators and models', () => {
  it('shows why a validator in use cannot be deleted, deletes a free model and shows a schema error', async () => {
    window.history.replaceState(null, '', '/apis/a1/resources');
    const { f, calls } = restFetch({
      validators: [{ id: 'v1', name: 'body-only', validateRequestBody: true, validateRequestParameters: false }],
      models: [{ id: 'm0', name: 'Old', contentType: 'application/json', schema: { type: 'object' } }],
      inUse: ['v1'],
    });
    await render(<App client={new ApiClient({ fetch: f })} />);

    await click(await findByTestId('delete-validator-body-only'));
    await click(byTestId('confirm-submit'));
    await waitFor(() => text(document.body).includes('A method uses this request validator'), '409 message');
    expect(byTestId('validator-body-only')).not.toBeNull();
    await click(document.querySelector('[aria-label="Close"]') as HTMLElement);

    await click(byTestId('delete-model-Old'));
    await click(byTestId('confirm-submit'));
    await waitFor(() => !byTestId('model-Old'), 'model gone');
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/v1/apis/a1/models/Old')).toBe(true);

    await click(byTestId('add-model'));
    await type(byTestId('model-name'), 'Pet');
    await type(byTestId('model-schema'), '{"type": "bogus"}');
    await click(byTestId('model-submit'));
    await waitFor(() => text(document.body).includes('does not compile'), '422 detail');
    expect(byTestId('model-Pet')).toBeNull();
  });
});

describe('endpoint configuration', () => {
  it('needs CIDRs for PRIVATE, explains EDGE and saves the configuration', async () => {
    window.history.replaceState(null, '', '/apis/a1/resources');
    const { f, calls } = restFetch();
    await render(<App client={new ApiClient({ fetch: f })} />);
    await waitFor(() => text(byTestId('api-endpoint-type')) === 'REGIONAL', 'regional badge');

    await click(byTestId('api-endpoint-settings'));
    await type(await findByTestId('endpoint-type'), 'EDGE');
    expect(text(byTestId('endpoint-dialog'))).toContain('EDGE behaves exactly as REGIONAL');
    await type(byTestId('endpoint-type'), 'PRIVATE');
    await click(byTestId('endpoint-submit'));
    await waitFor(() => text(document.body).includes('needs at least one allowed CIDR'), 'CIDR required');
    await type(byTestId('endpoint-cidrs'), '10.0.0.0/8\n300.1.1.1/8');
    await waitFor(() => text(document.body).includes('"300.1.1.1/8" is not a CIDR'), 'bad CIDR');
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

    await type(byTestId('endpoint-cidrs'), '10.0.0.0/8\nfd00::/8');
    await click(byTestId('endpoint-submit'));
    await waitFor(() => text(byTestId('api-endpoint-type')).startsWith('PRIVATE'), 'private badge');
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      endpointConfiguration: { types: ['PRIVATE'], allowedSourceCidrs: ['10.0.0.0/8', 'fd00::/8'] },
    });
    expect(text(byTestId('api-endpoint-type'))).toBe('PRIVATE 2 CIDRs');
  });
});
