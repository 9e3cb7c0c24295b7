import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, text, type } from '../../test/dom';
import { apiError, fakeFetch, findTestId, inside, json, renderPage, row, TEST_MS, until } from './fakeIam';
import type { IamUser } from './iamApi';
import { UsersPage } from './Users';

afterEach(cleanup);

const user = (id: string, email: string, extra: Partial<IamUser> = {}): IamUser => ({
  userId: id,
  email,
  name: email.split('@')[0],
  status: 'ACTIVE',
  roles: [],
  createdAt: '2026-01-02T03:04:05Z',
  ...extra,
});

function setup() {
  const users = [user('usr_admin', 'admin@acme.test', { roles: ['TenantAdmin'] }), user('usr_dev', 'dev@acme.test')];
  const api = fakeFetch({
    'GET /v1/iam/users': () => json(200, { items: users }),
    'PATCH /v1/iam/users/usr_dev': (b: { name: string }) =>
      b.name === 'taken'
        ? apiError(422, 'user.invalid', 'Invalid user.', { name: { code: 'x', message: 'Nope.' } })
        : json(200, { ...users[1], name: b.name }),
    'DELETE /v1/iam/users/usr_dev': () => json(204),
    'GET /v1/iam/users/usr_dev': () => json(200, users[1]),
    'GET /v1/iam/users/usr_dev/policies': () => json(200, { items: [] }),
    'GET /v1/iam/users/usr_dev/effective-policies': () => json(200, { items: [] }),
    'GET /v1/iam/users/usr_dev/groups': () => json(200, { items: [] }),
    'GET /v1/iam/groups': () => json(200, { items: [] }),
    'GET /v1/iam/policies': () => json(200, { items: [] }),
    'GET /v1/iam/roles': () =>
      json(200, {
        items: [
          { roleName: 'ReadOnly', description: '', builtin: true },
          { roleName: 'deployer', description: '', builtin: false },
        ],
      }),
    'PUT /v1/iam/users/usr_dev/roles/deployer': () => {
      users[1] = { ...users[1], roles: ['deployer'] };
      return json(204);
    },
  });
  return api;
}

describe('users page', () => {
  it(
    'renames with PATCH, showing the API field error in the dialog, and deletes after confirming',
    async () => {
      const api = setup();
      await renderPage(<UsersPage />, api.fetch);
      const dev = await until(() => row('iam-user-row', 'dev@acme.test'), 'dev row');
      // You cannot delete yourself.
      expect((inside(row('iam-user-row', 'admin@acme.test'), 'iam-user-delete') as HTMLButtonElement).disabled).toBe(
        true,
      );

      await click(inside(dev, 'iam-user-rename'));
      await type(await findTestId('iam-user-rename-input'), 'taken');
      await click(byTestId('iam-user-rename-submit'));
      await until(() => document.body.textContent?.includes('Nope.'), 'field error');
      await type(byTestId('iam-user-rename-input'), 'Dev Eloper');
      await click(byTestId('iam-user-rename-submit'));
      await until(() => !byTestId('iam-user-rename-input'), 'dialog closed');
      expect(api.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
        { name: 'taken' },
        { name: 'Dev Eloper' },
      ]);
      expect(text(row('iam-user-row', 'dev@acme.test'))).toContain('Dev Eloper');

      await click(inside(row('iam-user-row', 'dev@acme.test'), 'iam-user-delete'));
      expect(document.querySelector('[role="dialog"]')?.textContent).toContain('dev@acme.test');
      await click(byTestId('confirm-submit'));
      await until(() => !row('iam-user-row', 'dev@acme.test'), 'row removed');
      expect(api.calls.some((c) => c.method === 'DELETE' && c.path === '/v1/iam/users/usr_dev')).toBe(true);
    },
    TEST_MS,
  );

  it(
    'gives a role in the permissions panel',
    async () => {
      const api = setup();
      await renderPage(<UsersPage />, api.fetch);
      await click(inside(await until(() => row('iam-user-row', 'dev@acme.test')), 'iam-user-open'));
      await findTestId('iam-user-permissions');
      await until(
        () => document.querySelector('[data-testid="iam-user-role-select"] option[value="deployer"]'),
        'roles',
      );
      await type(byTestId('iam-user-role-select'), 'deployer');
      await click(byTestId('iam-user-role-add'));
      await until(() => text(byTestId('iam-user-role-list')).includes('deployer'), 'role listed');
      expect(api.calls.some((c) => c.method === 'PUT' && c.path === '/v1/iam/users/usr_dev/roles/deployer')).toBe(true);
      // Closing the panel refreshes the list's roles column.
      await click(document.querySelector<HTMLElement>('[data-testid="iam-user-permissions"] [aria-label="Close"]'));
      await until(() => text(row('iam-user-row', 'dev@acme.test')).includes('deployer'), 'role in the list');
    },
    TEST_MS,
  );
});
