// Typed calls for the audit log (/v1/audit), over the shared ApiClient.
import type { ApiClient } from '../../api/client';

export interface AuditEvent {
  eventId: string;
  at: string;
  tenantId?: string;
  userId?: string;
  email?: string;
  accessKeyId?: string;
  sessionId?: string;
  action?: string;
  resource?: string;
  method: string;
  path: string;
  request?: unknown;
  sourceIp?: string;
  userAgent?: string;
  status: number;
  errorCode?: string;
  requestId?: string;
}

export interface AuditFilter {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  resource?: string;
  result?: '' | 'success' | 'denied' | 'failure';
}

/** The query string of a filter, without empty values. */
export function auditQuery(f: AuditFilter, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) {
    if (v) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function auditApi(c: ApiClient) {
  return {
    list: (f: AuditFilter, cursor?: string, limit = 50) =>
      c.request<{ items: AuditEvent[]; nextCursor?: string }>(
        'GET',
        `/v1/audit${auditQuery(f, { limit: String(limit), ...(cursor ? { cursor } : {}) })}`,
      ),
    /** The export URL: the browser downloads it with the session cookie. */
    exportUrl: (f: AuditFilter) => `/v1/audit/export${auditQuery(f)}`,
  };
}
