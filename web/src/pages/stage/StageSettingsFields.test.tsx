import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { App } from '../../App';
import { createFakeApi } from '../../test/fakeApi';
import { byTestId, cleanup, click, findByTestId, render, type, waitFor } from '../../test/dom';

afterEach(cleanup);

describe('stage editor cache and access log', () => {
  it('checks the TTL inline and sends the settings with the PATCH', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const client = new ApiClient({ fetch: fake.fetch });
    await client.me();
    const api = await client.createApi({ name: 'pets', protocolType: 'HTTP' });
    await client.createStage(api.apiId, { stageName: 'prod' });
    window.history.replaceState(null, '', `/apis/${api.apiId}`);
    await render(<App client={client} />);
    await click(await findByTestId('tab-stages'));
    await click(await findByTestId('stage-edit'));

    await click(await findByTestId('stage-cache-enabled'));
    await type(byTestId('stage-cache-ttl'), '4000');
    await click(byTestId('stage-submit'));
    await waitFor(() => byTestId('stage-cache-ttl')?.getAttribute('aria-invalid') === 'true', 'inline TTL error');
    expect(byTestId('stage-cache-ttl')!.closest('.field')!.textContent).toContain('Whole seconds, 0 to 3600.');
    expect(fake.calls.some((c) => c.method === 'PATCH')).toBe(false);

    await type(byTestId('stage-cache-ttl'), '60');
    await click(byTestId('stage-cache-x-cache'));
    expect(byTestId('stage-cache-strategy')).toBeNull();
    await click(byTestId('stage-cache-require-auth'));
    await type(await findByTestId('stage-cache-strategy'), 'FAIL_WITH_403');
    await type(byTestId('stage-access-log-format'), 'custom');
    await type(await findByTestId('stage-access-log-custom'), '$context.requestId $context.status');
    await type(byTestId('stage-access-log-destination'), 'file:access/prod.log');
    await click(byTestId('stage-submit'));
    await waitFor(() => fake.calls.some((c) => c.method === 'PATCH'), 'PATCH sent');
    expect(fake.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
      cacheClusterEnabled: true,
      cacheTtlInSeconds: 60,
      xCacheHeader: true,
      requireAuthorizationForCacheControl: true,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
      accessLogSettings: { format: '$context.requestId $context.status', destinationArn: 'file:access/prod.log' },
    });
  });
});
