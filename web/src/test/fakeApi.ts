// An in-memory fake of the management REST API (docs/rest-contract.md) as a
// `fetch` function, for tests. It keeps the contract's shapes, status codes,
// error bodies, the session cookie (as a flag) and the CSRF rule.

import type { AccessKey, Api, Deployment, Gateway, Route, Stage } from '../api/types';

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeApi {
  fetch: typeof fetch;
  calls: Call[];
  state: {
    loggedIn: boolean;
    apis: Api[];
    routes: Map<string, Route[]>;
    stages: Map<string, Stage[]>;
    deployments: Map<string, Deployment[]>;
    keys: AccessKey[];
    gateways: Gateway[];
  };
  /** Ends the session as if the cookie expired. */
  expireSession(): void;
}

export const USER = { userId: 'usr_1', email: 'ada@example.com', name: 'Ada Lovelace' };
export const TENANT = { tenantId: 'tnt_1', name: 'Acme Corp' };
export const PASSWORD = 'correct horse';
export const CSRF = 'csrf-123';

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

const err = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  json(status, { error: { code, message, details, requestId: 'req-1' } });

export function createFakeApi(opts: { loggedIn?: boolean; now?: () => string } = {}): FakeApi {
  const now = opts.now ?? (() => new Date().toISOString());
  let seq = 0;
  const id = (prefix: string) => `${prefix}${(++seq).toString(36).padStart(6, '0')}`;
  const state: FakeApi['state'] = {
    loggedIn: opts.loggedIn ?? false,
    apis: [],
    routes: new Map(),
    stages: new Map(),
    deployments: new Map(),
    keys: [],
    gateways: [],
  };
  const calls: Call[] = [];
  const session = () => ({ user: USER, tenant: TENANT, csrfToken: CSRF });

  const handle = (method: string, path: string, headers: Record<string, string>, body: any): Response => {
    if (path === '/v1/auth/login' && method === 'POST') {
      if (body?.email !== USER.email || body?.password !== PASSWORD) {
        return err(401, 'auth.invalid-credentials', 'Invalid email or password.');
      }
      state.loggedIn = true;
      return json(200, session());
    }
    if (!state.loggedIn) return err(401, 'auth.required', 'Authentication required.');
    if (method !== 'GET' && headers['x-csrf-token'] !== CSRF) {
      return err(403, 'auth.csrf', 'Missing or invalid CSRF token.');
    }
    if (path === '/v1/auth/me' && method === 'GET') return json(200, session());
    if (path === '/v1/auth/logout' && method === 'POST') {
      state.loggedIn = false;
      return new Response(null, { status: 204 });
    }

    const seg = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent); // drop "v1"

    if (seg[0] === 'gateways' && seg.length === 1 && method === 'GET') return json(200, { items: state.gateways });

    if (seg[0] === 'iam' && seg[1] === 'access-keys') {
      if (seg.length === 2 && method === 'GET') return json(200, { items: state.keys });
      if (seg.length === 2 && method === 'POST') {
        if (!body?.name)
          return err(422, 'access-key.invalid', 'Invalid access key.', {
            name: { code: 'required', message: 'Cannot be blank.' },
          });
        const k: AccessKey = { accessKeyId: id('AKTP'), name: body.name, status: 'ACTIVE', createdAt: now() };
        state.keys.push(k);
        return json(201, { ...k, token: `tpk_${k.accessKeyId}_secret` });
      }
      const k = state.keys.find((x) => x.accessKeyId === seg[2]);
      if (!k) return err(404, 'access-key.not-found', 'Access key not found.');
      if (method === 'PATCH') {
        Object.assign(k, body.status ? { status: body.status } : {}, body.name ? { name: body.name } : {});
        return json(200, k);
      }
      if (method === 'DELETE') {
        state.keys = state.keys.filter((x) => x !== k);
        return new Response(null, { status: 204 });
      }
    }

    if (seg[0] === 'apis') {
      if (seg.length === 1 && method === 'GET') return json(200, { items: state.apis });
      if (seg.length === 1 && method === 'POST') {
        if (!body?.name)
          return err(422, 'api.invalid', 'Invalid API.', { name: { code: 'required', message: 'Cannot be blank.' } });
        const apiId = id('a');
        const a: Api = {
          apiId,
          name: body.name,
          description: body.description ?? '',
          protocolType: body.protocolType,
          apiEndpoint: `http://${apiId}.execute-api.localhost:8081`,
          createdAt: now(),
          updatedAt: now(),
        };
        state.apis.push(a);
        return json(201, a);
      }
      const api = state.apis.find((x) => x.apiId === seg[1]);
      if (!api) return err(404, 'api.not-found', 'API not found.');
      const apiId = api.apiId;
      if (seg.length === 2) {
        if (method === 'GET') return json(200, api);
        if (method === 'PATCH') return json(200, Object.assign(api, body, { updatedAt: now() }));
        if (method === 'DELETE') {
          state.apis = state.apis.filter((x) => x !== api);
          return new Response(null, { status: 204 });
        }
      }
      const routes = state.routes.get(apiId) ?? [];
      const stages = state.stages.get(apiId) ?? [];
      const deps = state.deployments.get(apiId) ?? [];
      state.routes.set(apiId, routes);
      state.stages.set(apiId, stages);
      state.deployments.set(apiId, deps);

      if (seg[2] === 'routes') {
        if (seg.length === 3 && method === 'GET') return json(200, { items: routes });
        if (seg.length === 3 && method === 'POST') {
          if (routes.some((r) => r.routeKey === body.routeKey)) {
            return err(409, 'route.duplicate', 'A route with this key already exists.');
          }
          if (body.integration?.type === 'HTTP_PROXY' && !/^https?:\/\//.test(body.integration.uri ?? '')) {
            return err(422, 'route.invalid', 'Invalid route.', {
              'integration.uri': { code: 'invalid', message: 'Must be an http(s) URL.' },
            });
          }
          const r: Route = {
            routeId: id('r'),
            routeKey: body.routeKey,
            integration: body.integration,
            createdAt: now(),
            updatedAt: now(),
          };
          routes.push(r);
          return json(201, r);
        }
        const r = routes.find((x) => x.routeId === seg[3]);
        if (!r) return err(404, 'route.not-found', 'Route not found.');
        if (method === 'PATCH') return json(200, Object.assign(r, body, { updatedAt: now() }));
        if (method === 'DELETE') {
          state.routes.set(
            apiId,
            routes.filter((x) => x !== r),
          );
          return new Response(null, { status: 204 });
        }
      }

      if (seg[2] === 'stages') {
        if (seg.length === 3 && method === 'GET') return json(200, { items: stages });
        if (seg.length === 3 && method === 'POST') {
          if (stages.some((s) => s.stageName === body.stageName)) {
            return err(409, 'stage.duplicate', 'A stage with this name already exists.', {
              stageName: { code: 'duplicate', message: 'Already exists.' },
            });
          }
          const s: Stage = {
            stageName: body.stageName,
            description: body.description ?? '',
            stageVariables: body.stageVariables ?? {},
            deploymentId: '',
            invokeUrl: `${api.apiEndpoint}/${body.stageName}`,
            lastDeploymentStatus: '',
            createdAt: now(),
            updatedAt: now(),
          };
          stages.push(s);
          return json(201, s);
        }
        const s = stages.find((x) => x.stageName === seg[3]);
        if (!s) return err(404, 'stage.not-found', 'Stage not found.');
        if (method === 'GET') return json(200, s);
        if (method === 'PATCH') return json(200, Object.assign(s, body, { updatedAt: now() }));
        if (method === 'DELETE') {
          state.stages.set(
            apiId,
            stages.filter((x) => x !== s),
          );
          return new Response(null, { status: 204 });
        }
      }

      if (seg[2] === 'deployments') {
        if (seg.length === 3 && method === 'GET') return json(200, { items: deps });
        if (seg.length === 3 && method === 'POST') {
          const s = stages.find((x) => x.stageName === body.stageName);
          if (!s)
            return err(422, 'deployment.invalid', 'Invalid deployment.', {
              stageName: { code: 'not-found', message: 'No such stage.' },
            });
          const d: Deployment = {
            deploymentId: id('d'),
            stageName: s.stageName,
            description: body.description ?? '',
            status: 'PENDING',
            statusReason: '',
            progress: [],
            routeCount: routes.length,
            createdAt: now(),
            updatedAt: now(),
          };
          deps.unshift(d);
          return json(202, d);
        }
        const d = deps.find((x) => x.deploymentId === seg[3]);
        if (!d) return err(404, 'deployment.not-found', 'Deployment not found.');
        if (seg.length === 4 && method === 'GET') return json(200, d);
      }
    }
    return err(404, 'not-found', `No route for ${method} ${path}.`);
  };

  const fakeFetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://console.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    let body: unknown;
    if (typeof init.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        return err(400, 'request.malformed', 'Malformed JSON.');
      }
    }
    calls.push({ method, path: url.pathname, headers, body });
    return handle(method, url.pathname, headers, body);
  };

  return {
    fetch: fakeFetch as typeof fetch,
    calls,
    state,
    expireSession: () => {
      state.loggedIn = false;
    },
  };
}

/** Moves a fake deployment along, as the deploy workflow would. */
export function advanceDeployment(
  api: FakeApi,
  apiId: string,
  deploymentId: string,
  status: Deployment['status'],
  message: string,
  statusReason = '',
): Deployment {
  const d = api.state.deployments.get(apiId)!.find((x) => x.deploymentId === deploymentId)!;
  d.status = status;
  d.statusReason = statusReason;
  d.progress = [...(d.progress ?? []), { at: new Date().toISOString(), message }];
  d.updatedAt = new Date().toISOString();
  if (status === 'DEPLOYED') {
    d.deployedAt = d.updatedAt;
    const s = api.state.stages.get(apiId)!.find((x) => x.stageName === d.stageName)!;
    s.deploymentId = d.deploymentId;
    s.lastDeploymentStatus = 'DEPLOYED';
  }
  return { ...d, progress: [...(d.progress ?? [])] };
}

/** A controllable EventSource stand-in. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readonly url: string;
  readonly withCredentials: boolean;
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();

  constructor(url: string, init?: EventSourceInit) {
    this.url = url;
    this.withCredentials = !!init?.withCredentials;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, fn: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  close(): void {
    this.closed = true;
  }

  /** Sends one `event: <type>` frame with JSON data. */
  emit(type: string, data: unknown): void {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }

  fail(): void {
    this.onerror?.(new Event('error'));
  }

  static reset(): void {
    FakeEventSource.instances = [];
  }

  static get last(): FakeEventSource {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1];
  }
}
