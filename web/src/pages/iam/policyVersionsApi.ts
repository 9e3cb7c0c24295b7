// Typed calls for a customer policy's versions
// (/v1/iam/policies/{policyId}/versions): at most five, one default (the
// enforced one).
import { ApiError, type ApiClient } from '../../api/client';

export interface PolicyVersion {
  versionId: string;
  document: unknown;
  isDefault: boolean;
  createdAt?: string;
}

const enc = encodeURIComponent;

export function policyVersionsApi(c: ApiClient) {
  const base = (id: string) => `/v1/iam/policies/${enc(id)}/versions`;
  return {
    list: async (policyId: string) => (await c.request<{ items: PolicyVersion[] }>('GET', base(policyId))).items,
    get: (policyId: string, versionId: string) =>
      c.request<PolicyVersion>('GET', `${base(policyId)}/${enc(versionId)}`),
    create: (policyId: string, body: { document: string; setAsDefault: boolean }) =>
      c.request<PolicyVersion>('POST', base(policyId), { body }),
    setDefault: (policyId: string, versionId: string) =>
      c.request<PolicyVersion>('PUT', `${base(policyId)}/${enc(versionId)}/default`),
    remove: (policyId: string, versionId: string) => c.request<void>('DELETE', `${base(policyId)}/${enc(versionId)}`),
  };
}

/**
 * The document problems of a 422 (details under "document."), as
 * [path, message] pairs such as ["Statement[0].Effect", "Must be ..."], and
 * the error without them (null when nothing else is left).
 */
export function splitDocumentProblems(e: ApiError): { problems: [string, string][]; rest: ApiError | null } {
  const entries = Object.entries(e.details);
  const problems = entries
    .filter(([k]) => k.startsWith('document'))
    .map(([k, d]): [string, string] => [k.replace(/^document\.?/, '') || 'document', d.message]);
  if (!problems.length) return { problems, rest: e };
  const other = Object.fromEntries(entries.filter(([k]) => !k.startsWith('document')));
  return {
    problems,
    rest: Object.keys(other).length
      ? new ApiError(e.status, { code: e.code, message: e.message, details: other })
      : null,
  };
}
