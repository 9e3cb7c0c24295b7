import { afterEach, describe, expect, it } from 'vitest';
import { Shell } from '../../components/Shell';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, inside, json, renderPage, row, SESSION } from '../iam/fakeIam';
import type { Tenant } from '../iam/iamApi';
import { TenantsPage } from './Tenants';

afterEach(cleanup);

const tenant = (id: string, name: string, status = 'ACTIVE'): Tenant => ({
  tenantId: id,
  name,
  status,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('tenants page', () => {
  it('creates a tenant showing its key once, suspends and resumes, and deletes only after the name is typed', async () => {
    const api = fakeFetch({
      'GET /v1/tenants': () => json(200, { items: [tenant('tnt_acme', 'acme')] }),
      'POST /v1/tenants': (b: { name: string; adminEmail: string }) =>
        b.name === 'acme'
          ? apiError(409, 'tenant.name-taken', 'A tenant with this name already exists.')
          : json(201, {
              tenantId: 'tnt_beta',
              tenant: tenant('tnt_beta', b.name),
              admin: { userId: 'usr_b', email: b.adminEmail, password: 'generated-pw' },
              accessKey: { accessKeyId: 'TPAKB', name: 'admin', status: 'ACTIVE', createdAt: '', token: 'tpk_beta' },
            }),
      'POST /v1/tenants/tnt_beta/suspend': () => json(200, tenant('tnt_beta', 'beta', 'SUSPENDED')),
      'POST /v1/tenants/tnt_beta/resume': () => json(200, tenant('tnt_beta', 'beta')),
      'DELETE /v1/tenants/tnt_beta': () => json(204),
    });
    await renderPage(<TenantsPage />, api.fetch);
    const own = await waitFor(() => row('tenant-row', 'acme'), 'own tenant');
    expect((inside(own, 'tenant-suspend') as HTMLButtonElement).disabled).toBe(true);
    expect((inside(own, 'tenant-delete') as HTMLButtonElement).disabled).toBe(true);

    await click(byTestId('tenant-create'));
    await type(await findByTestId('tenant-name-input'), 'acme');
    await type(byTestId('tenant-admin-email'), 'ops@beta.test');
    await click(byTestId('tenant-submit'));
    await waitFor(() => document.body.textContent?.includes('A tenant with this name already exists.'), 'conflict');
    await type(byTestId('tenant-name-input'), 'beta');
    await click(byTestId('tenant-submit'));
    expect(text(await findByTestId('tenant-admin-token'))).toBe('tpk_beta');
    expect(text(byTestId('tenant-admin-generated-password'))).toBe('generated-pw');
    await click(byTestId('tenant-created-done'));
    expect(document.body.textContent).not.toContain('tpk_beta');

    await click(inside(row('tenant-row', 'beta'), 'tenant-suspend'));
    await click(await findByTestId('confirm-submit'));
    await waitFor(() => text(inside(row('tenant-row', 'beta'), 'tenant-status')) === 'SUSPENDED', 'suspended');
    await click(inside(row('tenant-row', 'beta'), 'tenant-resume'));
    await waitFor(() => text(inside(row('tenant-row', 'beta'), 'tenant-status')) === 'ACTIVE', 'resumed');

    await click(inside(row('tenant-row', 'beta'), 'tenant-delete'));
    const confirm = (await findByTestId('confirm-submit')) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await type(document.querySelector<HTMLElement>('[role="dialog"] input'), 'bet');
    expect(confirm.disabled).toBe(true);
    await type(document.querySelector<HTMLElement>('[role="dialog"] input'), 'beta');
    expect(confirm.disabled).toBe(false);
    await click(confirm);
    await waitFor(() => !row('tenant-row', 'beta'), 'deleted');
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toContain('DELETE /v1/tenants/tnt_beta');
  });

  it('shows the refusal when the caller is not a platform operator', async () => {
    const api = fakeFetch({
      'GET /v1/tenants': () => apiError(403, 'platform.forbidden', 'Only platform operators may manage tenants.'),
    });
    await renderPage(<TenantsPage />, api.fetch);
    await waitFor(() => document.body.textContent?.includes('Only platform operators may manage tenants.'), 'error');
  });

  it.each([
    ['an operator sees', true, true],
    ['others do not see', false, false],
  ])('the Tenants navigation: %s it', async (_desc, operator, shown) => {
    await renderPage(<Shell>page</Shell>, fakeFetch({}).fetch, { session: { ...SESSION, platformOperator: operator } });
    expect(byTestId('nav-tenants') !== null).toBe(shown);
    expect(byTestId('nav-iam-invitations')).not.toBeNull();
    expect(byTestId('nav-iam-roles')).not.toBeNull();
  });
});
