import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { App } from '../../App';
import { createFakeApi } from '../../test/fakeApi';
import type { StageMethodSetting } from './methodSettings';
import { byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from '../../test/dom';

afterEach(cleanup);

// The shared fake has no cache endpoint: answer the flush here.
function withFlush(fake: ReturnType<typeof createFakeApi>) {
  const flushes: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://console.test');
    if (init?.method === 'DELETE' && url.pathname.endsWith('/cache/data')) {
      flushes.push(url.pathname);
      return new Response(null, { status: 202 });
    }
    return fake.fetch(input, init);
  };
  return { f, flushes };
}

const sel = (routeKey: string, id: string) =>
  document.querySelector<HTMLElement>(`[data-testid="ms-row-${routeKey}"] [data-testid="${id}"]`);

describe('stage method settings and cache flush', () => {
  it('edits per-route caching with inline checks, and flushes the cache after confirmation', async () => {
    const fake = createFakeApi({ loggedIn: true });
    const client = new ApiClient({ fetch: fake.fetch });
    await client.me();
    const api = await client.createApi({ name: 'items', protocolType: 'HTTP' });
    const integration = { type: 'HTTP_PROXY', uri: 'http://up.internal/items/{id}' };
    await client.createRoute(api.apiId, { routeKey: 'GET /items/{id}', integration });
    await client.createRoute(api.apiId, { routeKey: 'POST /items', integration });
    fake.state.routes.get(api.apiId)![0].throttle = { rateLimit: 5, burstLimit: 10 };
    await client.createStage(api.apiId, { stageName: 'prod' });
    const methodSettings: Record<string, StageMethodSetting> = {
      'POST /items': { cachingEnabled: true, throttlingRateLimit: 1, throttlingBurstLimit: 2 },
    };
    await client.updateStage(api.apiId, 'prod', {
      cacheClusterEnabled: true,
      cacheTtlInSeconds: 120,
      throttle: { rateLimit: 50, burstLimit: 100 },
      methodSettings,
    });

    const { f, flushes } = withFlush(fake);
    window.history.replaceState(null, '', `/apis/${api.apiId}/stages`);
    await render(<App client={new ApiClient({ fetch: f })} />);
    await waitFor(() => text(byTestId('stage-cache')).includes('120 s'), 'cache column');
    expect(text(byTestId('stage-cache'))).toContain('1 route setting');

    await click(byTestId('stage-method-settings'));
    await findByTestId('ms-row-GET /items/{id}');
    expect(text(sel('GET /items/{id}', 'ms-throttle-hint'))).toBe('Route: 5 rps, burst 10');
    expect(text(sel('POST /items', 'ms-throttle-hint'))).toBe('Stage default: 50 rps, burst 100');
    expect((sel('POST /items', 'ms-rate') as HTMLInputElement).value).toBe('1');
    expect((sel('POST /items', 'ms-burst') as HTMLInputElement).value).toBe('2');
    // The checkbox takes its own width from the stylesheet, not inline.
    expect(sel('GET /items/{id}', 'ms-key-method.request.path.id')?.getAttribute('style')).toBeNull();
    expect((sel('POST /items', 'ms-caching') as HTMLSelectElement).value).toBe('on');
    expect((sel('GET /items/{id}', 'ms-ttl') as HTMLInputElement).placeholder).toBe('120');

    await type(sel('GET /items/{id}', 'ms-ttl'), '7200');
    await type(sel('POST /items', 'ms-burst'), '');
    await type(sel('GET /items/{id}', 'ms-rate'), '-2');
    await type(sel('GET /items/{id}', 'ms-burst'), '3');
    await click(byTestId('ms-submit'));
    await waitFor(() => text(byTestId('method-settings-dialog')).includes('Whole seconds, 0 to 3600.'), 'TTL error');
    expect(text(byTestId('ms-row-POST /items'))).toContain('Set a burst with the rate.');
    expect(text(byTestId('ms-row-GET /items/{id}'))).toContain('Requests per second, 0 or more.');
    const patches = () => fake.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/stages/prod'));
    expect(patches()).toHaveLength(1);

    await type(sel('GET /items/{id}', 'ms-ttl'), '60');
    await type(sel('GET /items/{id}', 'ms-rate'), '2.5');
    await type(sel('POST /items', 'ms-burst'), '6');
    await type(sel('GET /items/{id}', 'ms-caching'), 'on');
    await click(sel('GET /items/{id}', 'ms-key-method.request.path.id'));
    await type(sel('GET /items/{id}', 'ms-key-extra'), 'method.request.header.Accept');
    await type(sel('POST /items', 'ms-caching'), '');
    await click(byTestId('ms-submit'));
    await waitFor(() => !byTestId('method-settings-dialog'), 'dialog closed');
    expect(patches()[1].body).toEqual({
      methodSettings: {
        'GET /items/{id}': {
          cachingEnabled: true,
          cacheTtlInSeconds: 60,
          cacheKeyParameters: ['method.request.header.Accept', 'method.request.path.id'],
          throttlingRateLimit: 2.5,
          throttlingBurstLimit: 3,
        },
        'POST /items': { throttlingRateLimit: 1, throttlingBurstLimit: 6 },
      },
    });

    await click(byTestId('stage-flush-cache'));
    expect(flushes).toEqual([]);
    await click(await findByTestId('confirm-submit'));
    await waitFor(() => flushes.length === 1, 'flush sent');
    expect(flushes[0]).toBe(`/v1/apis/${api.apiId}/stages/prod/cache/data`);
  });
});
