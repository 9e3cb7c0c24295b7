import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../test/dom';
import { apiError, fakeFetch, json, renderPage } from './iam/fakeIam';
import { RoutesTab } from './RoutesTab';

afterEach(cleanup);

const route = (routeId: string, routeKey: string, authorizationType: string) => ({
  routeId,
  routeKey,
  integration: { type: 'MOCK', uri: '', mockStatusCode: 200, mockBody: 'ok', timeoutInMillis: 29000 },
  apiKeyRequired: false,
  authorizationType,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

const row = (key: string) => document.querySelector<HTMLElement>(`[data-testid="route-row"][data-route-key="${key}"]`);
const select = () => byTestId('route-authorization-type') as HTMLSelectElement;
const hint = () => text(select().closest('.field'));

describe('route authorization', () => {
  it('lists each route type, offers NONE / AWS_IAM with the caller hint and sends the type picked', async () => {
    const api = fakeFetch({
      'GET /v1/apis/a1/routes': () =>
        json(200, { items: [route('r1', 'GET /open', 'NONE'), route('r2', 'GET /pets', 'AWS_IAM')] }),
      'POST /v1/apis/a1/routes': (b: { routeKey: string; authorizationType: string }) =>
        b.routeKey === 'GET /bad'
          ? apiError(422, 'route.invalid', 'Invalid route.', {
              authorizationType: { code: 'not_supported', message: 'must be NONE or AWS_IAM' },
            })
          : json(201, route('r3', b.routeKey, b.authorizationType)),
      'PATCH /v1/apis/a1/routes/r2': (b: { authorizationType: string }) =>
        json(200, route('r2', 'GET /pets', b.authorizationType)),
    });
    await renderPage(<RoutesTab apiId="a1" onDeploy={() => {}} />, api.fetch);
    const iam = await waitFor(() => row('GET /pets'), 'AWS_IAM row');
    expect(text(iam.querySelector('[data-testid="route-authorization"]'))).toBe('AWS_IAM');
    expect(text(row('GET /open')!.querySelector('[data-testid="route-authorization"]'))).toBe('NONE');

    // A new route is NONE until AWS_IAM is picked, and the hint follows.
    await click(byTestId('add-route'));
    await findByTestId('route-authorization-type');
    expect([...select().options].map((o) => o.value)).toEqual(['NONE', 'AWS_IAM']);
    expect(select().value).toBe('NONE');
    expect(hint()).toContain('Anyone who can reach the stage may call the route.');
    await type(select(), 'AWS_IAM');
    expect(hint()).toContain('Callers send Authorization: Bearer <Turnpike access key>; their policies need');
    expect(hint()).toContain('execute-api:Invoke');
    await type(byTestId('route-key'), 'GET /secret');
    await type(byTestId('integration-type'), 'MOCK');
    await click(byTestId('route-submit'));
    await waitFor(() => row('GET /secret'), 'new row');
    const post = api.calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>;
    expect(post.authorizationType).toBe('AWS_IAM');
    expect(text(row('GET /secret')!.querySelector('[data-testid="route-authorization"]'))).toBe('AWS_IAM');

    // The API's 422 detail shows under the field.
    await click(byTestId('add-route'));
    await type(await findByTestId('route-key'), 'GET /bad');
    await type(byTestId('integration-type'), 'MOCK');
    await click(byTestId('route-submit'));
    await waitFor(() => hint().includes('must be NONE or AWS_IAM') || null, 'field error');
    await click(document.querySelector('.modal [aria-label="Close"]') as HTMLElement | null);

    // Editing an AWS_IAM route keeps AWS_IAM; switching it to NONE sends NONE.
    await waitFor(() => (select() ? null : true), 'dialog closed');
    await click(iam.querySelector<HTMLElement>('[data-testid="route-edit"]'));
    await findByTestId('route-authorization-type');
    expect(select().value).toBe('AWS_IAM');
    await click(byTestId('route-submit'));
    await waitFor(() => api.calls.find((c) => c.method === 'PATCH'), 'first PATCH');
    expect((api.calls.filter((c) => c.method === 'PATCH')[0].body as Record<string, unknown>).authorizationType).toBe(
      'AWS_IAM',
    );
    await waitFor(() => (select() ? null : true), 'dialog closed');
    await click(row('GET /pets')!.querySelector<HTMLElement>('[data-testid="route-edit"]'));
    await type(await findByTestId('route-authorization-type'), 'NONE');
    await click(byTestId('route-submit'));
    await waitFor(() => (api.calls.filter((c) => c.method === 'PATCH').length === 2 ? true : null), 'second PATCH');
    expect((api.calls.filter((c) => c.method === 'PATCH')[1].body as Record<string, unknown>).authorizationType).toBe(
      'NONE',
    );
    await waitFor(
      () =>
        text(row('GET /pets')?.querySelector('[data-testid="route-authorization"]') ?? null) === 'NONE' ? true : null,
      'row shows NONE',
    );
  });
});
