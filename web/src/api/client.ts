// A small typed client for the management REST API (docs/rest-contract.md).
//
// Console sessions use the HttpOnly `turnpike_session` cookie, so every request
// is sent with credentials: 'same-origin', and every non-GET request carries the
// CSRF token from login or /v1/auth/me in `X-CSRF-Token`.

import type {
  AccessKey,
  AccessKeyStatus,
  Api,
  AuthorizationType,
  CreatedAccessKey,
  Deployment,
  ErrorBody,
  FieldError,
  Gateway,
  Integration,
  ListResponse,
  ProtocolType,
  Route,
  Session,
  Stage,
  StageCacheSettings,
  AccessLogSettings,
  Throttle,
} from './types';

/** An error answered by the API (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, FieldError>;
  readonly requestId?: string;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
    this.requestId = body.requestId;
  }

  /** Message for one form field, if the API reported one. */
  field(name: string): string | undefined {
    return this.details[name]?.message;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was malformed.',
  401: 'You are not signed in.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  422: 'Some fields are invalid.',
  429: 'Too many requests; try again shortly.',
  500: 'The server had an internal error.',
  502: 'The server is unreachable (bad gateway).',
  503: 'The service is unavailable; try again shortly.',
};

/**
 * Turns a non-2xx response into an ApiError. Accepts the contract's
 * `{"error":{code,message,details,requestId}}` and degrades gracefully for
 * anything else (HTML error pages from a proxy, empty bodies).
 */
export async function parseError(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // Body unreadable: fall through to the generic message.
  }
  if (text) {
    try {
      const json: unknown = JSON.parse(text);
      const err = (json as { error?: unknown })?.error;
      if (err && typeof err === 'object') {
        const e = err as Partial<ErrorBody>;
        return new ApiError(res.status, {
          code: typeof e.code === 'string' ? e.code : `http.${res.status}`,
          message:
            typeof e.message === 'string' && e.message
              ? e.message
              : (STATUS_TEXT[res.status] ?? `Request failed (${res.status}).`),
          details: normalizeDetails(e.details),
          requestId: typeof e.requestId === 'string' ? e.requestId : undefined,
        });
      }
    } catch {
      // Not JSON.
    }
  }
  return new ApiError(res.status, {
    code: `http.${res.status}`,
    message: STATUS_TEXT[res.status] ?? `Request failed (${[res.status, res.statusText].filter(Boolean).join(' ')}).`,
  });
}

function normalizeDetails(raw: unknown): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = { code: 'invalid', message: v };
    else if (v && typeof v === 'object') {
      const f = v as Partial<FieldError>;
      out[k] = { code: String(f.code ?? 'invalid'), message: String(f.message ?? 'Invalid value.') };
    }
  }
  return out;
}

export interface ClientOptions {
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Prefix for every path; '' means same origin. */
  baseUrl?: string;
  /** Called when any request (other than login) answers 401. */
  onUnauthorized?: () => void;
}

interface RequestOptions {
  body?: unknown;
  /** Whether a 401 should end the session (false for the login call itself). */
  unauthorizedEndsSession?: boolean;
}

const enc = encodeURIComponent;

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;
  private csrf: string | null = null;
  onUnauthorized?: () => void;

  constructor(opts: ClientOptions = {}) {
    // Bind so a bare `fetch` does not lose its `this` (Illegal invocation).
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.baseUrl = opts.baseUrl ?? '';
    this.onUnauthorized = opts.onUnauthorized;
  }

  get csrfToken(): string | null {
    return this.csrf;
  }

  setCsrfToken(token: string | null): void {
    this.csrf = token;
  }

  url(path: string): string {
    return this.baseUrl + path;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;

    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new ApiError(0, {
        code: 'network',
        message: `Could not reach the server${e instanceof Error && e.message ? ` (${e.message})` : ''}.`,
      });
    }

    if (!res.ok) {
      const err = await parseError(res);
      if (res.status === 401 && opts.unauthorizedEndsSession !== false) {
        this.csrf = null;
        this.onUnauthorized?.();
      }
      throw err;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  // --- auth -----------------------------------------------------------------

  async login(email: string, password: string): Promise<Session> {
    const s = await this.request<Session>('POST', '/v1/auth/login', {
      body: { email, password },
      unauthorizedEndsSession: false,
    });
    this.csrf = s.csrfToken;
    return s;
  }

  /** The current session, or null when not signed in. */
  async me(): Promise<Session | null> {
    try {
      const s = await this.request<Session>('GET', '/v1/auth/me', { unauthorizedEndsSession: false });
      this.csrf = s.csrfToken;
      return s;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  }

  async logout(): Promise<void> {
    try {
      await this.request<void>('POST', '/v1/auth/logout', { unauthorizedEndsSession: false });
    } finally {
      this.csrf = null;
    }
  }

  // --- IAM access keys ------------------------------------------------------

  async listAccessKeys(): Promise<AccessKey[]> {
    return items(await this.request<ListResponse<AccessKey>>('GET', '/v1/iam/access-keys'));
  }
  createAccessKey(name: string): Promise<CreatedAccessKey> {
    return this.request('POST', '/v1/iam/access-keys', { body: { name } });
  }
  updateAccessKey(id: string, patch: { status: AccessKeyStatus; name?: string }): Promise<AccessKey> {
    return this.request('PATCH', `/v1/iam/access-keys/${enc(id)}`, { body: patch });
  }
  deleteAccessKey(id: string): Promise<void> {
    return this.request('DELETE', `/v1/iam/access-keys/${enc(id)}`);
  }

  // --- APIs -----------------------------------------------------------------

  async listApis(): Promise<Api[]> {
    return items(await this.request<ListResponse<Api>>('GET', '/v1/apis'));
  }
  createApi(input: { name: string; protocolType: ProtocolType; description?: string }): Promise<Api> {
    return this.request('POST', '/v1/apis', { body: input });
  }
  getApi(apiId: string): Promise<Api> {
    return this.request('GET', `/v1/apis/${enc(apiId)}`);
  }
  updateApi(apiId: string, patch: { name?: string; description?: string }): Promise<Api> {
    return this.request('PATCH', `/v1/apis/${enc(apiId)}`, { body: patch });
  }
  deleteApi(apiId: string): Promise<void> {
    return this.request('DELETE', `/v1/apis/${enc(apiId)}`);
  }

  // --- routes ---------------------------------------------------------------

  async listRoutes(apiId: string): Promise<Route[]> {
    return items(await this.request<ListResponse<Route>>('GET', `/v1/apis/${enc(apiId)}/routes`));
  }
  createRoute(
    apiId: string,
    input: {
      routeKey: string;
      integration: Integration;
      apiKeyRequired?: boolean;
      throttle?: Throttle;
      authorizationType?: AuthorizationType;
    },
  ): Promise<Route> {
    return this.request('POST', `/v1/apis/${enc(apiId)}/routes`, { body: input });
  }
  updateRoute(
    apiId: string,
    routeId: string,
    patch: {
      routeKey?: string;
      integration?: Integration;
      apiKeyRequired?: boolean;
      throttle?: Throttle | null;
      authorizationType?: AuthorizationType;
    },
  ): Promise<Route> {
    return this.request('PATCH', `/v1/apis/${enc(apiId)}/routes/${enc(routeId)}`, { body: patch });
  }
  deleteRoute(apiId: string, routeId: string): Promise<void> {
    return this.request('DELETE', `/v1/apis/${enc(apiId)}/routes/${enc(routeId)}`);
  }

  // --- stages ---------------------------------------------------------------

  async listStages(apiId: string): Promise<Stage[]> {
    return items(await this.request<ListResponse<Stage>>('GET', `/v1/apis/${enc(apiId)}/stages`));
  }
  getStage(apiId: string, stageName: string): Promise<Stage> {
    return this.request('GET', `/v1/apis/${enc(apiId)}/stages/${enc(stageName)}`);
  }
  createStage(
    apiId: string,
    input: {
      stageName: string;
      description?: string;
      stageVariables?: Record<string, string>;
      throttle?: Throttle;
    } & StageCacheSettings & { accessLogSettings?: AccessLogSettings },
  ): Promise<Stage> {
    return this.request('POST', `/v1/apis/${enc(apiId)}/stages`, { body: input });
  }
  updateStage(
    apiId: string,
    stageName: string,
    patch: {
      description?: string;
      stageVariables?: Record<string, string>;
      throttle?: Throttle | null;
    } & StageCacheSettings & { accessLogSettings?: AccessLogSettings | null },
  ): Promise<Stage> {
    return this.request('PATCH', `/v1/apis/${enc(apiId)}/stages/${enc(stageName)}`, { body: patch });
  }
  deleteStage(apiId: string, stageName: string): Promise<void> {
    return this.request('DELETE', `/v1/apis/${enc(apiId)}/stages/${enc(stageName)}`);
  }

  // --- deployments ----------------------------------------------------------

  async listDeployments(apiId: string): Promise<Deployment[]> {
    return items(await this.request<ListResponse<Deployment>>('GET', `/v1/apis/${enc(apiId)}/deployments`));
  }
  createDeployment(apiId: string, input: { stageName: string; description?: string }): Promise<Deployment> {
    return this.request('POST', `/v1/apis/${enc(apiId)}/deployments`, { body: input });
  }
  getDeployment(apiId: string, deploymentId: string): Promise<Deployment> {
    return this.request('GET', `/v1/apis/${enc(apiId)}/deployments/${enc(deploymentId)}`);
  }
  deploymentEventsUrl(apiId: string, deploymentId: string): string {
    return this.url(`/v1/apis/${enc(apiId)}/deployments/${enc(deploymentId)}/events`);
  }

  // --- fleet ----------------------------------------------------------------

  async listGateways(): Promise<Gateway[]> {
    return items(await this.request<ListResponse<Gateway>>('GET', '/v1/gateways'));
  }
}

function items<T>(r: ListResponse<T> | undefined): T[] {
  return r?.items ?? [];
}
