import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './api/client';
import { App } from './App';
import { advanceDeployment, createFakeApi, FakeEventSource, PASSWORD, USER, type FakeApi } from './test/fakeApi';
import { allByTestId, byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from './test/dom';

let fake: FakeApi;

async function start(path: string, loggedIn: boolean) {
  window.history.replaceState(null, '', path);
  fake = createFakeApi({ loggedIn });
  const client = new ApiClient({ fetch: fake.fetch });
  await render(<App client={client} />);
  return client;
}

const bodyText = () => document.body.textContent ?? '';

beforeEach(() => {
  FakeEventSource.reset();
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
});
afterEach(cleanup);

describe('console', () => {
  it('signs in, showing inline errors first, and returns to the page asked for', async () => {
    await start('/gateways', false);
    await findByTestId('login-email');
    expect(window.location.pathname + window.location.search).toBe('/login?next=%2Fgateways');

    await click(byTestId('login-submit'));
    expect(bodyText()).toContain('Enter your email.');
    // Only /auth/me (and the sign-up switch); the invalid form was not sent.
    expect(fake.calls.filter((c) => c.path !== '/v1/auth/config')).toHaveLength(1);

    await type(byTestId('login-email'), USER.email);
    await type(byTestId('login-password'), 'wrong');
    await click(byTestId('login-submit'));
    await waitFor(() => bodyText().includes('Incorrect email or password.'), 'login error');

    await type(byTestId('login-password'), PASSWORD);
    await click(byTestId('login-submit'));
    await waitFor(() => window.location.pathname === '/gateways', 'redirect');
    expect(text(await findByTestId('tenant-name'))).toBe('Acme Corp');
    await waitFor(() => bodyText().includes('No gateways have reported'), 'gateways empty state');
  });

  it('creates an API, a route and a stage, then deploys with live progress', async () => {
    await start('/apis', true);
    await waitFor(() => bodyText().includes('No APIs yet'), 'empty state');

    await click(byTestId('create-api'));
    await type(byTestId('api-name'), 'pets');
    // An HTTP API: it has routes (a REST API has resources instead).
    await type(byTestId('api-protocol'), 'HTTP');
    await click(byTestId('api-submit'));
    const row = await findByTestId('api-row');
    expect(row.textContent).toContain('pets');
    expect(row.textContent).toContain('HTTP');
    const apiId = fake.state.apis[0].apiId;

    await click(row.querySelector('td')!);
    await waitFor(() => window.location.pathname === `/apis/${apiId}`, 'navigation to detail');
    await click(await findByTestId('tab-routes'));
    await waitFor(() => bodyText().includes('No routes yet'), 'routes empty state');

    // Route: validation as you type, then the API's field error, then success.
    await click(byTestId('add-route'));
    await type(byTestId('route-key'), 'GET pets');
    expect(bodyText()).toContain('The path must start with /.');
    await type(byTestId('route-key'), 'GET /pets/{id}');
    expect(bodyText()).not.toContain('The path must start with /.');
    expect((byTestId('integration-type') as HTMLSelectElement).value).toBe('HTTP_PROXY');
    await type(byTestId('integration-uri'), 'https://backend.example.com/pets/{id}');
    await click(byTestId('route-submit'));
    await waitFor(() => allByTestId('route-row').length === 1, 'route row');
    expect(fake.calls.at(-1)?.body).toEqual({
      routeKey: 'GET /pets/{id}',
      integration: { type: 'HTTP_PROXY', uri: 'https://backend.example.com/pets/{id}', httpMethod: 'ANY' },
      authorizationType: 'NONE',
    });

    // Duplicate key: the 409 is shown in the form.
    await click(byTestId('add-route'));
    await type(byTestId('route-key'), 'GET /pets/{id}');
    await type(byTestId('integration-type'), 'MOCK');
    expect(byTestId('integration-uri')).toBeNull();
    await click(byTestId('route-submit'));
    await waitFor(() => bodyText().includes('A route with this key already exists.'), '409 banner');
    await click(document.querySelector('[aria-label="Close"]') as HTMLElement);

    // Stage with a variable.
    await click(byTestId('tab-stages'));
    await click(await findByTestId('add-stage'));
    await type(byTestId('stage-name'), 'prod!');
    expect(bodyText()).toContain('Use only letters, digits, - and _.');
    await type(byTestId('stage-name'), 'prod');
    await click(byTestId('stage-var-add'));
    await type(byTestId('stage-var-key'), 'host');
    await type(byTestId('stage-var-value'), 'backend.internal');
    await click(byTestId('stage-submit'));
    await waitFor(() => allByTestId('stage-row').length === 1, 'stage row');
    expect(fake.state.stages.get(apiId)![0].stageVariables).toEqual({ host: 'backend.internal' });

    // A duplicate name: the API's per-field detail shows on the field itself.
    await click(byTestId('add-stage'));
    await type(byTestId('stage-name'), 'prod');
    await click(byTestId('stage-submit'));
    await waitFor(() => byTestId('stage-name')?.getAttribute('aria-invalid') === 'true', 'inline field error');
    expect(byTestId('stage-name')!.closest('.field')!.textContent).toContain('Already exists.');
    await type(byTestId('stage-name'), 'prod2');
    expect(byTestId('stage-name')!.closest('.field')!.textContent).not.toContain('Already exists.');
    await click(document.querySelector('[aria-label="Close"]') as HTMLElement);

    // Deploy.
    await click(byTestId('deploy-button'));
    expect(((await findByTestId('deploy-stage-select')) as HTMLSelectElement).value).toBe('prod');
    await click(byTestId('deploy-submit'));
    const status = await findByTestId('deploy-status');
    expect(text(status)).toBe('PENDING');
    const dep = fake.state.deployments.get(apiId)![0];
    const es = await waitFor(
      () => FakeEventSource.instances.find((e) => e.url.endsWith(`/${dep.deploymentId}/events`)),
      'event source',
    );

    await act(async () =>
      es.emit('deployment', advanceDeployment(fake, apiId, dep.deploymentId, 'IN_PROGRESS', 'Compiled 1 route')),
    );
    expect(text(byTestId('deploy-status'))).toBe('IN_PROGRESS');
    await act(async () =>
      es.emit('deployment', advanceDeployment(fake, apiId, dep.deploymentId, 'IN_PROGRESS', 'Published to 2 gateways')),
    );
    await act(async () =>
      es.emit(
        'deployment',
        advanceDeployment(fake, apiId, dep.deploymentId, 'DEPLOYED', 'Stage prod now serves ' + dep.deploymentId),
      ),
    );
    expect(text(byTestId('deploy-status'))).toBe('DEPLOYED');
    const steps = byTestId('deploy-progress')!.querySelectorAll('li');
    expect(Array.from(steps).map((li) => li.querySelector('.step-message')?.textContent)).toEqual([
      'Compiled 1 route',
      'Published to 2 gateways',
      `Stage prod now serves ${dep.deploymentId}`,
    ]);
    const url = await findByTestId('invoke-url');
    expect(text(url)).toBe(`http://${apiId}.execute-api.localhost:8081/prod`);
    expect(es.closed).toBe(true);
  });

  it('shows a failed deployment in red with its reason', async () => {
    await start('/apis', true);
    const client = new ApiClient({ fetch: fake.fetch });
    await client.me();
    const api = await client.createApi({ name: 'orders', protocolType: 'HTTP' });
    await client.createStage(api.apiId, { stageName: 'dev' });
    await cleanup();
    window.history.replaceState(null, '', `/apis/${api.apiId}/stages`);
    await render(<App client={new ApiClient({ fetch: fake.fetch })} />);

    await click(await findByTestId('stage-deploy-button'));
    await click(await findByTestId('deploy-submit'));
    await findByTestId('deploy-status');
    const dep = fake.state.deployments.get(api.apiId)![0];
    const es = FakeEventSource.last;
    await act(async () =>
      es.emit(
        'deployment',
        advanceDeployment(
          fake,
          api.apiId,
          dep.deploymentId,
          'FAILED',
          'Rolled back',
          'gateway gw-1 rejected the snapshot',
        ),
      ),
    );
    expect(text(byTestId('deploy-status'))).toBe('FAILED');
    expect(text(byTestId('deploy-status-reason'))).toBe('gateway gw-1 rejected the snapshot');
    expect(byTestId('invoke-url')).toBeNull();
  });

  it('creates an access key and shows its token once', async () => {
    await start('/apis', true);
    await click(await findByTestId('nav-access-keys'));
    await waitFor(() => bodyText().includes('No access keys'), 'empty state');
    await click(byTestId('create-access-key'));
    await type(byTestId('access-key-name'), 'ci');
    await click(byTestId('access-key-submit'));
    const token = await findByTestId('access-key-token');
    expect(text(token)).toMatch(/^tpk_.+_secret$/);
    expect(bodyText()).toContain('shown only once');
    await click(byTestId('access-key-done'));
    expect(byTestId('access-key-token')).toBeNull();
    expect(allByTestId('access-key-row')).toHaveLength(1);

    await click(byTestId('access-key-toggle'));
    await waitFor(() => fake.state.keys[0].status === 'INACTIVE', 'deactivated');
    await waitFor(() => byTestId('access-key-row')!.textContent!.includes('Inactive'), 'inactive badge');
  });

  it('goes back to login when the session expires and signs out from the user menu', async () => {
    await start('/apis', true);
    await findByTestId('create-api');
    fake.expireSession();
    await click(byTestId('nav-gateways'));
    await findByTestId('login-email');
    expect(window.location.search).toBe('?next=%2Fgateways');

    await type(byTestId('login-email'), USER.email);
    await type(byTestId('login-password'), PASSWORD);
    await click(byTestId('login-submit'));
    await click(await findByTestId('user-menu'));
    expect(bodyText()).toContain(USER.email);
    await click(byTestId('sign-out'));
    await findByTestId('login-email');
    expect(fake.state.loggedIn).toBe(false);
  });
});
