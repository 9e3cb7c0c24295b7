import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advanceDeployment, createFakeApi, FakeEventSource } from '../test/fakeApi';
import { ApiClient } from './client';
import type { Deployment } from './types';
import { watchDeployment } from './watch';

async function setup() {
  const fake = createFakeApi({ loggedIn: true });
  const client = new ApiClient({ fetch: fake.fetch });
  await client.me();
  const api = await client.createApi({ name: 'pets', protocolType: 'HTTP' });
  await client.createStage(api.apiId, { stageName: 'prod' });
  const d = await client.createDeployment(api.apiId, { stageName: 'prod' });
  return { fake, client, apiId: api.apiId, d };
}

describe('watchDeployment', () => {
  beforeEach(() => FakeEventSource.reset());
  afterEach(() => vi.useRealTimers());

  it('streams updates over SSE and closes after a terminal status', async () => {
    const { fake, client, apiId, d } = await setup();
    const seen: Deployment[] = [];
    const modes: string[] = [];
    watchDeployment(
      client,
      apiId,
      d.deploymentId,
      { onUpdate: (x) => seen.push(x), onMode: (m) => modes.push(m) },
      {
        EventSource: FakeEventSource as unknown as typeof EventSource,
      },
    );
    const es = FakeEventSource.last;
    expect(es.url).toBe(`/v1/apis/${apiId}/deployments/${d.deploymentId}/events`);
    expect(es.withCredentials).toBe(true);

    es.emit('deployment', advanceDeployment(fake, apiId, d.deploymentId, 'IN_PROGRESS', 'compiled 0 routes'));
    es.emit('deployment', 'not json');
    es.emit('deployment', advanceDeployment(fake, apiId, d.deploymentId, 'DEPLOYED', 'promoted'));
    expect(seen.map((x) => x.status)).toEqual(['IN_PROGRESS', 'DEPLOYED']);
    expect(seen[1].progress?.map((p) => p.message)).toEqual(['compiled 0 routes', 'promoted']);
    expect(es.closed).toBe(true);
    expect(modes).toEqual(['stream']);

    // The server closing the stream afterwards is not an error.
    es.fail();
    expect(modes).toEqual(['stream']);
  });

  it('falls back to polling every second when the stream errors', async () => {
    vi.useFakeTimers();
    const { fake, client, apiId, d } = await setup();
    const seen: string[] = [];
    const modes: string[] = [];
    const stop = watchDeployment(
      client,
      apiId,
      d.deploymentId,
      { onUpdate: (x) => seen.push(x.status), onMode: (m) => modes.push(m) },
      { EventSource: FakeEventSource as unknown as typeof EventSource, pollIntervalMs: 1000 },
    );
    FakeEventSource.last.fail();
    expect(FakeEventSource.last.closed).toBe(true);
    expect(modes).toEqual(['stream', 'poll']);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['PENDING']);

    advanceDeployment(fake, apiId, d.deploymentId, 'IN_PROGRESS', 'publishing');
    await vi.advanceTimersByTimeAsync(1000);
    advanceDeployment(fake, apiId, d.deploymentId, 'FAILED', 'gateway gw-2 did not confirm', 'timeout');
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(['PENDING', 'IN_PROGRESS', 'FAILED']);

    const before = fake.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(fake.calls.length).toBe(before); // stopped polling after FAILED
    stop();
  });

  it('polls from the start without EventSource and stops when asked', async () => {
    vi.useFakeTimers();
    const { fake, client, apiId, d } = await setup();
    const seen: string[] = [];
    const stop = watchDeployment(
      client,
      apiId,
      d.deploymentId,
      { onUpdate: (x) => seen.push(x.status) },
      {
        EventSource: null,
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['PENDING']);
    stop();
    const before = fake.calls.length;
    await vi.advanceTimersByTimeAsync(3000);
    expect(fake.calls.length).toBe(before);
  });

  it('keeps polling through transient errors', async () => {
    vi.useFakeTimers();
    const { fake, client, apiId, d } = await setup();
    const errors: unknown[] = [];
    const seen: string[] = [];
    watchDeployment(
      client,
      apiId,
      d.deploymentId,
      { onUpdate: (x) => seen.push(x.status), onError: (e) => errors.push(e) },
      {
        EventSource: null,
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    fake.state.loggedIn = false; // one failing poll
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toHaveLength(1);
    fake.state.loggedIn = true;
    advanceDeployment(fake, apiId, d.deploymentId, 'DEPLOYED', 'done');
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(['PENDING', 'DEPLOYED']);
  });
});
