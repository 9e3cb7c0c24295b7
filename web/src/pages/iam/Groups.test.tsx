import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, text, type } from '../../test/dom';
import { apiError, fakeFetch, findTestId, inside, json, renderPage, row, TEST_MS, until } from './fakeIam';
import { GroupsPage } from './Groups';

afterEach(cleanup);

const group = { groupId: 'grp_1', name: 'deployers', description: 'Deploy to dev', createdAt: '2026-01-02T03:04:05Z' };

describe('groups page', () => {
  it(
    'renames keeping the description, and shows why a delete was refused',
    async () => {
      const api = fakeFetch({
        'GET /v1/iam/groups': () => json(200, { items: [group] }),
        'PATCH /v1/iam/groups/grp_1': (b: { name: string; description: string }) => json(200, { ...group, ...b }),
        'DELETE /v1/iam/groups/grp_1': () =>
          apiError(403, 'authz.denied', 'You are not allowed to perform iam:DeleteGroup on groups/grp_1.'),
      });
      await renderPage(<GroupsPage />, api.fetch);
      await click(inside(await until(() => row('iam-group-row', 'deployers')), 'iam-group-rename'));
      const input = (await findTestId('iam-group-rename-input')) as HTMLInputElement;
      expect(input.value).toBe('deployers');
      await type(input, 'bad name!');
      await click(byTestId('iam-group-rename-submit'));
      expect(document.body.textContent).toContain('Letters, digits and +=,.@_- only.');
      await type(input, 'releasers');
      await click(byTestId('iam-group-rename-submit'));
      await until(() => row('iam-group-row', 'releasers'), 'renamed row');
      expect(api.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
        { name: 'releasers', description: 'Deploy to dev' },
      ]);

      await click(inside(row('iam-group-row', 'releasers'), 'iam-group-delete'));
      await click(await findTestId('confirm-submit'));
      await until(
        () => text(document.querySelector('[role="dialog"] [role="alert"]')).includes('not allowed'),
        'error',
      );
      expect(row('iam-group-row', 'releasers')).not.toBeNull();
    },
    TEST_MS,
  );
});
