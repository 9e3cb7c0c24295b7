// Typed calls for the IAM administration routes (/v1/iam users, groups,
// roles, policies, simulator, invitations, access keys), the operators'
// /v1/tenants and the public sign-up and invitation routes, over the shared
// ApiClient.
import type { ApiClient } from '../../api/client';
import type { AccessKey, Session } from '../../api/types';

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

export interface IamRole {
  roleName: string;
  description: string;
  builtin: boolean;
  createdAt?: string;
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED';

/** What an invitation link offers, shown before accepting it. */
export interface InvitationPreview {
  tenantName: string;
  email: string;
  expiresAt: string;
  status: string;
}

export interface Invitation {
  invitationId: string;
  email: string;
  status: InvitationStatus;
  invitedBy?: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt?: string;
  /** The single-use link; only in the answer to the creation. */
  link?: string;
  groups?: string[];
  policies?: string[];
}

export interface Tenant {
  tenantId: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED' | string;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedTenant {
  tenantId: string;
  tenant: Tenant;
  admin: { userId: string; email: string; password?: string };
  accessKey: AccessKey & { token: string };
}

/** An access key with the fields the IAM page shows beyond the basic list. */
export interface IamAccessKey extends AccessKey {
  userId?: string;
  expiresAt?: string;
}

export interface RotatedAccessKey {
  accessKey: IamAccessKey & { token: string };
  previous: IamAccessKey;
}

export interface AuthConfig {
  signupEnabled: boolean;
  oidcProviders: { tenant: string; loginUrl: string }[];
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

    addRole: (id: string, roleName: string) =>
      c.request<void>('PUT', `/v1/iam/users/${enc(id)}/roles/${enc(roleName)}`),
    removeRole: (id: string, roleName: string) =>
      c.request<void>('DELETE', `/v1/iam/users/${enc(id)}/roles/${enc(roleName)}`),

    listGroups: async () => (await c.request<{ items: IamGroup[] }>('GET', '/v1/iam/groups')).items,
    getGroup: (id: string) => c.request<IamGroup>('GET', `/v1/iam/groups/${enc(id)}`),
    createGroup: (body: { name: string; description?: string }) =>
      c.request<IamGroup>('POST', '/v1/iam/groups', { body }),
    updateGroup: (id: string, body: { name: string; description?: string }) =>
      c.request<IamGroup>('PATCH', `/v1/iam/groups/${enc(id)}`, { body }),
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

    listRoles: async () => (await c.request<{ items: IamRole[] }>('GET', '/v1/iam/roles')).items,
    createRole: (body: { name: string; description?: string }) => c.request<IamRole>('POST', '/v1/iam/roles', { body }),
    deleteRole: (name: string) => c.request<void>('DELETE', `/v1/iam/roles/${enc(name)}`),
    rolePolicies: async (name: string) =>
      (await c.request<{ items: IamPolicy[] }>('GET', `/v1/iam/roles/${enc(name)}/policies`)).items,
    attachRole: (name: string, policyId: string) =>
      c.request<void>('PUT', `/v1/iam/roles/${enc(name)}/policies/${enc(policyId)}`),
    detachRole: (name: string, policyId: string) =>
      c.request<void>('DELETE', `/v1/iam/roles/${enc(name)}/policies/${enc(policyId)}`),

    listInvitations: async () => (await c.request<{ items: Invitation[] }>('GET', '/v1/iam/invitations')).items,
    createInvitation: (body: { email: string; expiresInHours?: number; groups?: string[]; policies?: string[] }) =>
      c.request<Invitation>('POST', '/v1/iam/invitations', { body }),
    revokeInvitation: (id: string) => c.request<void>('DELETE', `/v1/iam/invitations/${enc(id)}`),

    listAccessKeys: async () => (await c.request<{ items: IamAccessKey[] }>('GET', '/v1/iam/access-keys')).items,
    createAccessKey: (body: { name: string; expiresAt?: string; sessionPolicy?: string }) =>
      c.request<IamAccessKey & { token: string }>('POST', '/v1/iam/access-keys', { body }),
    rotateAccessKey: (id: string, graceSeconds: number) =>
      c.request<RotatedAccessKey>('POST', `/v1/iam/access-keys/${enc(id)}/rotate`, { body: { graceSeconds } }),

    listTenants: async () => (await c.request<{ items: Tenant[] }>('GET', '/v1/tenants')).items,
    createTenant: (body: { name: string; adminEmail: string; adminPassword?: string }) =>
      c.request<CreatedTenant>('POST', '/v1/tenants', { body }),
    suspendTenant: (id: string) => c.request<Tenant>('POST', `/v1/tenants/${enc(id)}/suspend`),
    resumeTenant: (id: string) => c.request<Tenant>('POST', `/v1/tenants/${enc(id)}/resume`),
    deleteTenant: (id: string) => c.request<void>('DELETE', `/v1/tenants/${enc(id)}`),

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
      /** Condition key overrides; a multi-valued key takes an array ([] removes a key). */
      context?: Record<string, string | string[]>;
    }) => c.request<SimulateResult>('POST', '/v1/iam/simulate', { body }),
  };
}

/** Public routes: no session yet, so a 401 must not end one. */
export function publicApi(c: ApiClient) {
  const signIn = async (path: string, body: unknown) => {
    const s = await c.request<Session>('POST', path, { body, unauthorizedEndsSession: false });
    c.setCsrfToken(s.csrfToken);
    return s;
  };
  return {
    authConfig: () => c.request<AuthConfig>('GET', '/v1/auth/config', { unauthorizedEndsSession: false }),
    signup: (body: { tenantName: string; email: string; password: string }) => signIn('/v1/signup', body),
    acceptInvitation: (body: { token: string; name: string; password: string }) =>
      signIn('/v1/invitations/accept', body),
    /** What a pending invitation offers; 404 for any dead link. The token goes in the body, not the URL. */
    lookupInvitation: (token: string) =>
      c.request<InvitationPreview>('POST', '/v1/invitations/lookup', {
        body: { token },
        unauthorizedEndsSession: false,
      }),
  };
}

/** What an invitation's status means now: a pending one past its expiry is expired. */
export function invitationState(inv: Invitation, now: Date): 'pending' | 'accepted' | 'revoked' | 'expired' {
  if (inv.status === 'ACCEPTED') return 'accepted';
  if (inv.status === 'REVOKED') return 'revoked';
  return new Date(inv.expiresAt).getTime() <= now.getTime() ? 'expired' : 'pending';
}

/** Pretty JSON of a policy document for the editor. */
export function prettyDocument(doc: unknown): string {
  return JSON.stringify(doc, null, 2);
}
