// Typed calls for the IAM administration routes (/v1/iam users, groups,
// roles, policies, simulator), over the shared ApiClient.
import type { ApiClient } from '../../api/client';

export interface IamUser {
  userId: string;
  email: string;
  name: string;
  status: 'ACTIVE' | 'DISABLED';
  roles: string[];
  passwordResetRequired?: boolean;
  createdAt: string;
}

export interface IamGroup {
  groupId: string;
  name: string;
  description: string;
  members?: IamUser[];
  createdAt: string;
}

export interface IamPolicy {
  policyId: string;
  name: string;
  description: string;
  managed: boolean;
  document: unknown;
  version: number;
  updatedAt?: string;
}

export interface EffectivePolicy {
  policy: IamPolicy;
  via: string;
}

export interface SimulateResult {
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  matchedStatement?: { policyId: string; policyName: string; sid: string; effect: string };
  resource: string;
}

const enc = encodeURIComponent;

export function iamApi(c: ApiClient) {
  return {
    listUsers: async () => (await c.request<{ items: IamUser[] }>('GET', '/v1/iam/users')).items,
    getUser: (id: string) => c.request<IamUser>('GET', `/v1/iam/users/${enc(id)}`),
    createUser: (body: {
      email: string;
      name: string;
      password: string;
      policies?: string[];
      passwordResetRequired?: boolean;
    }) => c.request<IamUser>('POST', '/v1/iam/users', { body }),
    updateUser: (id: string, body: { name?: string; status?: string }) =>
      c.request<IamUser>('PATCH', `/v1/iam/users/${enc(id)}`, { body }),
    deleteUser: (id: string) => c.request<void>('DELETE', `/v1/iam/users/${enc(id)}`),
    resetPassword: (id: string) => c.request<void>('POST', `/v1/iam/users/${enc(id)}/password-reset`),
    userPolicies: async (id: string) =>
      (await c.request<{ items: IamPolicy[] }>('GET', `/v1/iam/users/${enc(id)}/policies`)).items,
    effectivePolicies: async (id: string) =>
      (await c.request<{ items: EffectivePolicy[] }>('GET', `/v1/iam/users/${enc(id)}/effective-policies`)).items,
    userGroups: async (id: string) =>
      (await c.request<{ items: IamGroup[] }>('GET', `/v1/iam/users/${enc(id)}/groups`)).items,
    attachUser: (id: string, policyId: string) =>
      c.request<void>('PUT', `/v1/iam/users/${enc(id)}/policies/${enc(policyId)}`),
    detachUser: (id: string, policyId: string) =>
      c.request<void>('DELETE', `/v1/iam/users/${enc(id)}/policies/${enc(policyId)}`),

    listGroups: async () => (await c.request<{ items: IamGroup[] }>('GET', '/v1/iam/groups')).items,
    getGroup: (id: string) => c.request<IamGroup>('GET', `/v1/iam/groups/${enc(id)}`),
    createGroup: (body: { name: string; description?: string }) =>
      c.request<IamGroup>('POST', '/v1/iam/groups', { body }),
    deleteGroup: (id: string) => c.request<void>('DELETE', `/v1/iam/groups/${enc(id)}`),
    addMember: (id: string, userId: string) =>
      c.request<void>('PUT', `/v1/iam/groups/${enc(id)}/members/${enc(userId)}`),
    removeMember: (id: string, userId: string) =>
      c.request<void>('DELETE', `/v1/iam/groups/${enc(id)}/members/${enc(userId)}`),
    groupPolicies: async (id: string) =>
      (await c.request<{ items: IamPolicy[] }>('GET', `/v1/iam/groups/${enc(id)}/policies`)).items,
    attachGroup: (id: string, policyId: string) =>
      c.request<void>('PUT', `/v1/iam/groups/${enc(id)}/policies/${enc(policyId)}`),
    detachGroup: (id: string, policyId: string) =>
      c.request<void>('DELETE', `/v1/iam/groups/${enc(id)}/policies/${enc(policyId)}`),

    listPolicies: async () => (await c.request<{ items: IamPolicy[] }>('GET', '/v1/iam/policies')).items,
    createPolicy: (body: { name: string; description?: string; document: string }) =>
      c.request<IamPolicy>('POST', '/v1/iam/policies', { body }),
    updatePolicy: (id: string, body: { name: string; description?: string; document: string }) =>
      c.request<IamPolicy>('PUT', `/v1/iam/policies/${enc(id)}`, { body }),
    deletePolicy: (id: string) => c.request<void>('DELETE', `/v1/iam/policies/${enc(id)}`),

    simulate: (body: {
      principal: { userId?: string; accessKeyId?: string };
      action: string;
      resource: string;
      context?: Record<string, string>;
    }) => c.request<SimulateResult>('POST', '/v1/iam/simulate', { body }),
  };
}

/** Pretty JSON of a policy document for the editor. */
export function prettyDocument(doc: unknown): string {
  return JSON.stringify(doc, null, 2);
}
