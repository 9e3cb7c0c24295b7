// Typed calls for /v1/apikeys and /v1/usageplans (docs/rest-contract.md).
import { ApiClient, ApiError, parseError } from '../../api/client';
import type { ListResponse } from '../../api/types';

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface Quota {
  limit: number;
  period: QuotaPeriod | string;
  offset?: number;
}

export interface PlanApiStage {
  apiId: string;
  stage: string;
  throttle?: Throttle;
  methodThrottles?: Record<string, Throttle>;
}

export interface ApiKey {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  /** Present only when asked for, and on creation. */
  value?: string;
  tags: Record<string, string>;
  usagePlanIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface UsagePlan {
  id: string;
  name: string;
  description: string;
  throttle?: Throttle;
  quota?: Quota;
  apiStages: PlanApiStage[];
  createdAt: string;
  updatedAt: string;
}

export interface UsageReport {
  usagePlanId: string;
  startDate: string;
  endDate: string;
  /** keyId → one [used, remaining] pair per day (remaining -1 without a quota). */
  items: Record<string, [number, number][]>;
  days: { date: string; used: number }[];
  remaining?: Record<string, number>;
  quota?: Quota;
}

export interface KeyQuota {
  keyId: string;
  used: number;
  remaining: number;
  limit: number;
  period: string;
}

export interface ImportResult {
  ids: string[];
  errors: { line: number; message: string }[];
}

export interface CreateApiKeyInput {
  name: string;
  description?: string;
  value?: string;
  enabled?: boolean;
  tags?: Record<string, string>;
}

export interface UpdateApiKeyInput {
  name?: string;
  description?: string;
  enabled?: boolean;
  tags?: Record<string, string>;
}

export interface UsagePlanInput {
  name: string;
  description?: string;
  throttle?: Throttle | null;
  quota?: Quota | null;
  apiStages?: PlanApiStage[];
}

const enc = encodeURIComponent;

/** The usage domain's calls over the console's client. */
export class UsageApi {
  constructor(
    private readonly client: ApiClient,
    /** Injected for tests (the CSV import does not go through client.request). */
    private readonly fetchImpl: typeof fetch = (i, init) => globalThis.fetch(i, init),
  ) {}

  async listKeys(includeValues = false): Promise<ApiKey[]> {
    const r = await this.client.request<ListResponse<ApiKey>>(
      'GET',
      `/v1/apikeys${includeValues ? '?includeValues=true' : ''}`,
    );
    return r.items;
  }

  getKey(id: string, includeValue = false): Promise<ApiKey> {
    return this.client.request('GET', `/v1/apikeys/${enc(id)}${includeValue ? '?includeValue=true' : ''}`);
  }

  createKey(input: CreateApiKeyInput): Promise<ApiKey> {
    return this.client.request('POST', '/v1/apikeys', { body: input });
  }

  updateKey(id: string, input: UpdateApiKeyInput): Promise<ApiKey> {
    return this.client.request('PATCH', `/v1/apikeys/${enc(id)}`, { body: input });
  }

  deleteKey(id: string): Promise<void> {
    return this.client.request('DELETE', `/v1/apikeys/${enc(id)}`);
  }

  /** POSTs the CSV as text/csv; bad lines come back in `errors`. */
  async importKeys(csv: string): Promise<ImportResult> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'text/csv' };
    if (this.client.csrfToken) headers['X-CSRF-Token'] = this.client.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(this.client.url('/v1/apikeys/import'), {
        method: 'POST',
        headers,
        body: csv,
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new ApiError(0, {
        code: 'network',
        message: `Could not reach the server${e instanceof Error && e.message ? ` (${e.message})` : ''}.`,
      });
    }
    if (!res.ok) {
      if (res.status === 401) this.client.onUnauthorized?.();
      throw await parseError(res);
    }
    return (await res.json()) as ImportResult;
  }

  async listPlans(): Promise<UsagePlan[]> {
    const r = await this.client.request<ListResponse<UsagePlan>>('GET', '/v1/usageplans');
    return r.items;
  }

  getPlan(id: string): Promise<UsagePlan> {
    return this.client.request('GET', `/v1/usageplans/${enc(id)}`);
  }

  createPlan(input: UsagePlanInput): Promise<UsagePlan> {
    return this.client.request('POST', '/v1/usageplans', { body: input });
  }

  updatePlan(id: string, input: Partial<UsagePlanInput>): Promise<UsagePlan> {
    return this.client.request('PATCH', `/v1/usageplans/${enc(id)}`, { body: input });
  }

  deletePlan(id: string): Promise<void> {
    return this.client.request('DELETE', `/v1/usageplans/${enc(id)}`);
  }

  async listPlanKeys(planId: string): Promise<ApiKey[]> {
    const r = await this.client.request<ListResponse<ApiKey>>('GET', `/v1/usageplans/${enc(planId)}/keys`);
    return r.items;
  }

  attachKey(planId: string, keyId: string): Promise<ApiKey> {
    return this.client.request('POST', `/v1/usageplans/${enc(planId)}/keys`, { body: { keyId } });
  }

  detachKey(planId: string, keyId: string): Promise<void> {
    return this.client.request('DELETE', `/v1/usageplans/${enc(planId)}/keys/${enc(keyId)}`);
  }

  usage(planId: string, startDate: string, endDate: string, keyId?: string): Promise<UsageReport> {
    const q = new URLSearchParams({ startDate, endDate });
    if (keyId) q.set('keyId', keyId);
    return this.client.request('GET', `/v1/usageplans/${enc(planId)}/usage?${q.toString()}`);
  }

  changeQuota(planId: string, keyId: string, change: { extend: number } | { reset: true }): Promise<KeyQuota> {
    return this.client.request('POST', `/v1/usageplans/${enc(planId)}/keys/${enc(keyId)}/quota`, { body: change });
  }
}
