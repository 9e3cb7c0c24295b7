// Platform operators' calls beyond the tenant list: a tenant's ceiling
// (/v1/tenants/{id}/limits) and the operators themselves
// (/v1/platform/operators).
import type { ApiClient } from '../../api/client';

/** A tenant's ceiling: the throttle before stage, plan and method throttles. */
export interface TenantLimits {
  tenantId: string;
  rateLimit: number;
  burstLimit: number;
  /** True while no operator has set it: the platform's default applies. */
  isDefault: boolean;
  updatedAt?: string;
}

/** The platform's default ceiling, shown while a tenant has none of its own. */
export const DEFAULT_TENANT_LIMITS = { rateLimit: 10000, burstLimit: 5000 };

/** A platform operator: a user of some tenant. */
export interface PlatformOperator {
  userId: string;
  tenantId: string;
  tenantName: string;
  email: string;
  name: string;
}

const enc = encodeURIComponent;

export function platformApi(c: ApiClient) {
  return {
    getTenantLimits: (tenantId: string) => c.request<TenantLimits>('GET', `/v1/tenants/${enc(tenantId)}/limits`),
    putTenantLimits: (tenantId: string, body: { rateLimit: number; burstLimit: number }) =>
      c.request<TenantLimits>('PUT', `/v1/tenants/${enc(tenantId)}/limits`, { body }),
    /** Removes the tenant's own ceiling: the platform default applies again. */
    resetTenantLimits: (tenantId: string) => c.request<void>('DELETE', `/v1/tenants/${enc(tenantId)}/limits`),
    listOperators: async () => (await c.request<{ items: PlatformOperator[] }>('GET', '/v1/platform/operators')).items,
    addOperator: (userId: string) => c.request<PlatformOperator>('PUT', `/v1/platform/operators/${enc(userId)}`),
    removeOperator: (userId: string) => c.request<void>('DELETE', `/v1/platform/operators/${enc(userId)}`),
  };
}
