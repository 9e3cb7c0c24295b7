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
