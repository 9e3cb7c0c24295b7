import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { fakeFetch, inside, json, renderPage, row } from './fakeIam';
import { RolesPage } from './Roles';

afterEach(cleanup);

const POLICY = {
  policyId: 'ReadOnlyAccess',
  name: 'ReadOnlyAccess',
  description: '',
  managed: true,
  document: {},
  version: 1,
};

describe('roles page', () => {
  it('lists built-in roles read-only, creates a tenant role and attaches a policy to it', async () => {
    const attached: string[] = [];
    const api = fakeFetch({
      'GET /v1/iam/roles': () =>
        json(200, {
          items: [{ roleName: 'TenantAdmin', description: 'Built-in: AdministratorAccess.', builtin: true }],
        }),
      'POST /v1/iam/roles': (b: { name: string }) =>
        json(201, { roleName: b.name, description: '', builtin: false, createdAt: '2026-01-02T03:04:05Z' }),
      'GET /v1/iam/roles/TenantAdmin/policies': () =>
        json(200, { items: [{ ...POLICY, policyId: 'AdministratorAccess', name: 'AdministratorAccess' }] }),
      'GET /v1/iam/roles/deployer/policies': () =>
        json(200, { items: attached.map((id) => ({ ...POLICY, policyId: id, name: id })) }),
      'PUT /v1/iam/roles/deployer/policies/ReadOnlyAccess': () => {
        attached.push('ReadOnlyAccess');
        return json(204);
      },
      'GET /v1/iam/policies': () => json(200, { items: [POLICY] }),
    });
    await renderPage(<RolesPage />, api.fetch);
    const builtin = await waitFor(() => row('iam-role-row', 'TenantAdmin'), 'built-in row');
    expect(text(builtin)).toContain('built-in');
    expect((inside(builtin, 'iam-role-delete') as HTMLButtonElement).disabled).toBe(true);
    expect(inside(builtin, 'iam-role-rename')).toBeNull();
    await click(inside(builtin, 'iam-role-open'));
    await waitFor(() => text(byTestId('iam-role-policy-attached')).includes('AdministratorAccess'), 'fixed policies');
    expect(byTestId('iam-role-policy-attach-select')).toBeNull();
    expect(byTestId('iam-role-policy-detach')).toBeNull();
    await click(document.querySelector<HTMLElement>('[data-testid="iam-role-modal"] [aria-label="Close"]'));

    await click(byTestId('iam-create-role'));
    await type(await findByTestId('iam-role-name'), 'deployer');
    await click(byTestId('iam-role-submit'));
    const mine = await waitFor(() => row('iam-role-row', 'deployer'), 'new row');
    expect((inside(mine, 'iam-role-delete') as HTMLButtonElement).disabled).toBe(false);

    await click(inside(mine, 'iam-role-open'));
    await waitFor(() =>
      document.querySelector('[data-testid="iam-role-policy-attach-select"] option[value="ReadOnlyAccess"]'),
    );
    await type(byTestId('iam-role-policy-attach-select'), 'ReadOnlyAccess');
    await click(byTestId('iam-role-policy-attach'));
    await waitFor(() => text(byTestId('iam-role-policy-attached')).includes('ReadOnlyAccess'), 'attached');
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'deployer' });
  });
});
