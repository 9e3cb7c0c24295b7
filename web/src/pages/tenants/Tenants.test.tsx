import { afterEach, describe, expect, it } from 'vitest';
import { Shell } from '../../components/Shell';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, inside, json, renderPage, row, SESSION } from '../iam/fakeIam';
import type { Tenant } from '../iam/iamApi';
import type { PlatformOperator } from './platformApi';
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

  it("edits a tenant's limits, showing the platform default while none is set", async () => {
    let saved: { rateLimit: number; burstLimit: number } | null = null;
    const api = fakeFetch({
      'GET /v1/tenants': () => json(200, { items: [tenant('tnt_acme', 'acme'), tenant('tnt_beta', 'beta')] }),
      'GET /v1/tenants/tnt_beta/limits': () =>
        json(200, { tenantId: 'tnt_beta', rateLimit: 10000, burstLimit: 5000, isDefault: true }),
      'PUT /v1/tenants/tnt_beta/limits': (b: { rateLimit: number; burstLimit: number }) => {
        if (b.burstLimit > 1000) {
          return apiError(422, 'tenant-limits.invalid', 'Invalid tenant limits.', {
            burstLimit: { code: 'out_of_range', message: 'Burst is too high for this test.' },
          });
        }
        saved = b;
        return json(200, { tenantId: 'tnt_beta', ...b, isDefault: false, updatedAt: '2026-11-26T10:00:00Z' });
      },
    });
    await renderPage(<TenantsPage />, api.fetch);
    await click(inside(await waitFor(() => row('tenant-row', 'beta'), 'beta row'), 'tenant-limits-open'));
    const rate = (await findByTestId('tenant-limits-rate')) as HTMLInputElement;
    const burst = byTestId('tenant-limits-burst') as HTMLInputElement;
    expect(rate.value).toBe('10000');
    expect(burst.value).toBe('5000');
    expect(text(byTestId('tenant-limits-current'))).toContain(
      'platform default of 10,000 requests/s with a burst of 5,000',
    );

    await type(rate, '0');
    await type(burst, '1.5');
    await click(byTestId('tenant-limits-submit'));
    expect(document.body.textContent).toContain('More than 0 and at most 1,000,000.');
    expect(document.body.textContent).toContain('A whole number.');
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    await type(rate, '2000');
    await type(burst, '5000');
    await click(byTestId('tenant-limits-submit'));
    await waitFor(() => document.body.textContent?.includes('Burst is too high for this test.'), 'field error');
    await type(burst, '1000');
    await click(byTestId('tenant-limits-submit'));
    await waitFor(() => !byTestId('tenant-limits'), 'dialog closed');
    expect(saved).toEqual({ rateLimit: 2000, burstLimit: 1000 });
    expect(document.body.textContent).toContain('Limits of beta: 2,000 requests/s, burst 1,000');
  });

  it("resets a tenant's own limits to the platform default, showing a failure in the dialog", async () => {
    let deletes = 0;
    const api = fakeFetch({
      'GET /v1/tenants': () => json(200, { items: [tenant('tnt_beta', 'beta')] }),
      'GET /v1/tenants/tnt_beta/limits': () =>
        json(200, { tenantId: 'tnt_beta', rateLimit: 2000, burstLimit: 1000, isDefault: false }),
      'DELETE /v1/tenants/tnt_beta/limits': () =>
        ++deletes === 1 ? apiError(503, 'fleet.unavailable', 'The fleet is unreachable.') : json(204),
    });
    await renderPage(<TenantsPage />, api.fetch);
    await click(inside(await waitFor(() => row('tenant-row', 'beta'), 'beta row'), 'tenant-limits-open'));
    await findByTestId('tenant-limits-reset');
    expect(text(byTestId('tenant-limits-current'))).toContain('Set to 2,000 requests/s with a burst of 1,000');
    // Invalid typed values do not block a reset: it sends no values.
    await type(byTestId('tenant-limits-rate') as HTMLInputElement, '0');

    await click(byTestId('tenant-limits-reset'));
    await waitFor(() => document.body.textContent?.includes('The fleet is unreachable.'), 'error banner');
    expect(byTestId('tenant-limits')).toBeTruthy();

    await click(byTestId('tenant-limits-reset'));
    await waitFor(() => !byTestId('tenant-limits'), 'dialog closed');
    expect(api.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      '/v1/tenants/tnt_beta/limits',
      '/v1/tenants/tnt_beta/limits',
    ]);
    expect(api.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
    expect(document.body.textContent).toContain('Limits of beta reset to the default: 10,000 requests/s, burst 5,000');
  });

  it('offers no reset while the platform default applies', async () => {
    const api = fakeFetch({
      'GET /v1/tenants': () => json(200, { items: [tenant('tnt_beta', 'beta')] }),
      'GET /v1/tenants/tnt_beta/limits': () =>
        json(200, { tenantId: 'tnt_beta', rateLimit: 10000, burstLimit: 5000, isDefault: true }),
    });
    await renderPage(<TenantsPage />, api.fetch);
    await click(inside(await waitFor(() => row('tenant-row', 'beta'), 'beta row'), 'tenant-limits-open'));
    await findByTestId('tenant-limits-rate');
    expect(byTestId('tenant-limits-reset')).toBeNull();
  });

  it('lists, adds and removes platform operators, and says why the last one stays', async () => {
    const op = (userId: string, email: string, tenantName = 'acme'): PlatformOperator => ({
      userId,
      email,
      name: email.split('@')[0],
      tenantId: tenantName === 'acme' ? 'tnt_acme' : 'tnt_beta',
      tenantName,
    });
    let operators = [op('usr_admin', 'admin@acme.test')];
    const api = fakeFetch({
      'GET /v1/tenants': () => json(200, { items: [tenant('tnt_acme', 'acme')] }),
      'GET /v1/platform/operators': () => json(200, { items: operators }),
      'GET /v1/iam/users': () =>
        json(200, {
          items: [
            {
              userId: 'usr_admin',
              email: 'admin@acme.test',
              name: 'Admin',
              status: 'ACTIVE',
              roles: [],
              createdAt: '',
            },
            { userId: 'usr_dev', email: 'dev@acme.test', name: 'Dev', status: 'ACTIVE', roles: [], createdAt: '' },
          ],
        }),
      'PUT /v1/platform/operators/usr_dev': () => {
        const o = op('usr_dev', 'dev@acme.test');
        operators = [...operators, o];
        return json(200, o);
      },
      'PUT /v1/platform/operators/usr_b0b': () => json(200, op('usr_b0b', 'bob@beta.test', 'beta')),
      'DELETE /v1/platform/operators/usr_dev': () => json(204),
      'DELETE /v1/platform/operators/usr_admin': () =>
        apiError(
          409,
          'platform.last-operator',
          'This is the last platform operator: make another user an operator first.',
        ),
    });
    await renderPage(<TenantsPage />, api.fetch);
    await waitFor(() => row('operator-row', 'admin@acme.test'), 'operator row');
    expect(text(row('operator-row', 'admin@acme.test'))).toContain('(you)');
    // Own-tenant users not yet operators are offered by email.
    await waitFor(() => document.querySelector('#operator-candidates option'), 'candidates');
    const offered = Array.from(document.querySelectorAll<HTMLOptionElement>('#operator-candidates option'));
    expect(offered.map((o) => o.value)).toEqual(['dev@acme.test']);

    await click(byTestId('operator-add'));
    expect(document.body.textContent).toContain('Pick a user or enter a user id.');
    await type(byTestId('operator-user'), 'dev@acme.test');
    await click(byTestId('operator-add'));
    await waitFor(() => row('operator-row', 'dev@acme.test'), 'added by email');
    expect((byTestId('operator-user') as HTMLInputElement).value).toBe('');
    await type(byTestId('operator-user'), ' usr_b0b ');
    await click(byTestId('operator-add'));
    expect(text(await waitFor(() => row('operator-row', 'bob@beta.test'), 'added by id'))).toContain('beta');

    await click(inside(row('operator-row', 'dev@acme.test'), 'operator-remove'));
    await click(await findByTestId('confirm-submit'));
    await waitFor(() => !row('operator-row', 'dev@acme.test'), 'removed');

    await click(inside(row('operator-row', 'admin@acme.test'), 'operator-remove'));
    await click(await findByTestId('confirm-submit'));
    await waitFor(
      () => document.querySelector('[role="dialog"]')?.textContent?.includes('This is the last platform operator'),
      'last-operator message',
    );
    expect(row('operator-row', 'admin@acme.test')).not.toBeNull();
    expect(api.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`)).toEqual([
      'PUT /v1/platform/operators/usr_dev',
      'PUT /v1/platform/operators/usr_b0b',
      'DELETE /v1/platform/operators/usr_dev',
      'DELETE /v1/platform/operators/usr_admin',
    ]);
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
