// The console against the in-memory fake API, seeded with sample data, for
// working on the UI without a backend: `npm run dev`, then open /dev/preview.html.
// Deployments progress on their own (by polling; SSE is switched off here).
// Not part of the production build.
import { createRoot } from 'react-dom/client';
import { ApiClient } from '../src/api/client';
import { App } from '../src/App';
import { advanceDeployment, createFakeApi } from '../src/test/fakeApi';
import '../src/styles.css';

const fake = createFakeApi({ loggedIn: true });
const seed = new ApiClient({ fetch: fake.fetch });

const steps: [string, 'IN_PROGRESS' | 'DEPLOYED' | 'FAILED', string][] = [
  ['Compiling routes into a snapshot', 'IN_PROGRESS', ''],
  ['Snapshot validated', 'IN_PROGRESS', ''],
  ['Published revision to the config bus', 'IN_PROGRESS', ''],
  ['Waiting for 2 gateways to load it', 'IN_PROGRESS', ''],
  ['All gateways confirmed; stage promoted', 'DEPLOYED', ''],
];

const fetchWithWorkflow: typeof fetch = async (input, init) => {
  const res = await fake.fetch(input, init);
  const path = new URL(String(input), location.href).pathname;
  const m = /^\/v1\/apis\/([^/]+)\/deployments$/.exec(path);
  if (m && init?.method === 'POST' && res.status === 202) {
    const d = await res.clone().json();
    const fail = /fail/i.test(d.description);
    steps.forEach(([msg, status], i) => {
      setTimeout(
        () => {
          if (fail && i === 3)
            advanceDeployment(
              fake,
              m[1],
              d.deploymentId,
              'FAILED',
              'Rolled back',
              'gateway gw-b did not confirm within 30 s',
            );
          else if (!(fail && i > 3)) advanceDeployment(fake, m[1], d.deploymentId, status, msg);
        },
        700 * (i + 1),
      );
    });
  }
  return res;
};

const params = new URLSearchParams(location.search);

async function main() {
  await seed.me();
  const pets = await seed.createApi({ name: 'pets', protocolType: 'HTTP', description: 'Public pet store API' });
  await seed.createApi({ name: 'orders-internal', protocolType: 'REST' });
  await seed.createRoute(pets.apiId, {
    routeKey: 'GET /pets',
    integration: { type: 'HTTP_PROXY', uri: 'https://pets.internal/pets', httpMethod: 'ANY' },
  });
  await seed.createRoute(pets.apiId, {
    routeKey: 'GET /pets/{id}',
    integration: { type: 'HTTP_PROXY', uri: 'https://${stageVariables.host}/pets/{id}', timeoutInMillis: 5000 },
  });
  await seed.createRoute(pets.apiId, {
    routeKey: '$default',
    integration: { type: 'MOCK', uri: '', mockStatusCode: 404, mockBody: '{"message":"Not found"}' },
  });
  await seed.createStage(pets.apiId, {
    stageName: 'prod',
    description: 'Production',
    stageVariables: { host: 'pets.internal' },
  });
  await seed.createStage(pets.apiId, { stageName: 'dev' });
  const d = await seed.createDeployment(pets.apiId, { stageName: 'prod', description: 'Initial release' });
  for (const [msg, status] of steps) advanceDeployment(fake, pets.apiId, d.deploymentId, status, msg);
  await seed.createAccessKey('github-actions');
  fake.state.gateways.push(
    {
      gatewayId: 'gw-a',
      addr: '10.0.0.11:8081',
      startedAt: new Date(Date.now() - 3600e3).toISOString(),
      seenAt: new Date().toISOString(),
      stages: { [`${pets.apiId}/prod`]: d.deploymentId },
    },
    {
      gatewayId: 'gw-b',
      addr: '10.0.0.12:8081',
      startedAt: new Date(Date.now() - 7200e3).toISOString(),
      seenAt: new Date(Date.now() - 90e3).toISOString(),
      stages: {},
    },
  );
  fake.state.loggedIn = params.get('login') !== '1';

  (globalThis as { EventSource?: unknown }).EventSource = undefined;
  const start = params.get('path') ?? '/apis';
  history.replaceState(null, '', start);
  createRoot(document.getElementById('root')!).render(<App client={new ApiClient({ fetch: fetchWithWorkflow })} />);

  // ?demo=deploy or ?demo=deploy-fail opens the deploy dialog and submits it.
  const demo = params.get('demo');
  if (demo?.startsWith('deploy')) {
    const click = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)?.click();
    setTimeout(() => click('deploy-button'), 300);
    setTimeout(() => {
      if (demo === 'deploy-fail') {
        const input = document.querySelector<HTMLInputElement>('[data-testid="deploy-description"]')!;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, 'fail on purpose');
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    }, 450);
    setTimeout(() => click('deploy-submit'), 600);
  }
}

void main();
