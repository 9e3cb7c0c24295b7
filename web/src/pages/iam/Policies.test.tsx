import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { ToastProvider } from '../../components/ui';
import { SessionContext } from '../../session';
import { allByTestId, byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from '../../test/dom';
import { PoliciesPage } from './Policies';

afterEach(cleanup);

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const ADMIN = {
  policyId: 'AdministratorAccess',
  name: 'AdministratorAccess',
  description: 'Everything.',
  managed: true,
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  version: 1,
};

/** Renders the page over a fake fetch. */
function mount(fetchImpl: typeof fetch) {
  const client = new ApiClient({ fetch: fetchImpl });
  return render(
    <SessionContext.Provider value={{ client, session: null, setSession: () => {}, signOut: async () => {} }}>
      <ToastProvider>
        <PoliciesPage />
      </ToastProvider>
    </SessionContext.Provider>,
  );
}

function renderPage(posts: unknown[]) {
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('/v1/iam/policies') && (!init?.method || init.method === 'GET'))
      return json(200, { items: [ADMIN] });
    if (url.endsWith('/v1/iam/policies') && init?.method === 'POST') {
      const body = JSON.parse(String(init.body)) as { document: string; name: string };
      posts.push(body);
      if (body.document.includes('"Maybe"'))
        return json(422, {
          error: {
            code: 'policy.invalid',
            message: 'Invalid policy.',
            details: {
              'document.Statement[0].Effect': { code: 'invalid', message: 'Must be "Allow" or "Deny", got "Maybe".' },
            },
          },
        });
      return json(201, { ...ADMIN, policyId: 'pol_1', name: body.name, managed: false, description: '' });
    }
    return json(404, { error: { code: 'route.unknown', message: 'No such API route.' } });
  }) as typeof fetch;
  return mount(fetchImpl);
}

describe('policies page', () => {
  it("lists managed policies and shows the API's document problems under the editor", async () => {
    const posts: unknown[] = [];
    await renderPage(posts);
    await waitFor(
      () => document.querySelector('[data-testid="iam-policy-row"][data-name="AdministratorAccess"]'),
      'managed row',
    );

    await click(byTestId('iam-create-policy'));
    await type(await findByTestId('iam-policy-name'), 'deploy-dev');
    await type(byTestId('iam-policy-document-input'), '{not json');
    await click(byTestId('iam-policy-submit'));
    expect(document.body.textContent).toContain('Not valid JSON');
    expect(posts).toHaveLength(0);

    await type(
      byTestId('iam-policy-document-input'),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
    );
    await click(byTestId('iam-policy-submit'));
    const errors = await findByTestId('iam-policy-errors');
    expect(text(errors)).toContain('Statement[0].Effect');
    expect(text(errors)).toContain('Must be "Allow" or "Deny"');
    expect(byTestId('iam-policy-editor')).not.toBeNull();

    await type(
      byTestId('iam-policy-document-input'),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
    await click(byTestId('iam-policy-submit'));
    await waitFor(() => document.querySelector('[data-testid="iam-policy-row"][data-name="deploy-dev"]'), 'new row');
    expect(posts).toHaveLength(2);
  });
});

const CUSTOM = {
  policyId: 'pol_1',
  name: 'deploy-dev',
  description: '',
  managed: false,
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigw:GetApi', Resource: '*' }] },
  version: 1,
  defaultVersionId: 'v1',
};

interface FakeVersion {
  versionId: string;
  document: unknown;
  isDefault: boolean;
  createdAt: string;
}

/** A fake of the versions routes of pol_1; calls records "METHOD path". */
function renderVersionsPage(calls: string[]) {
  let next = 2;
  let versions: FakeVersion[] = [
    { versionId: 'v1', document: CUSTOM.document, isDefault: true, createdAt: '2026-11-01T10:00:00Z' },
  ];
  const base = '/v1/iam/policies/pol_1/versions';
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://x').pathname;
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${path}`);
    if (path === '/v1/iam/policies') return json(200, { items: [ADMIN, CUSTOM] });
    if (path === base && method === 'GET') return json(200, { items: versions });
    if (path === base && method === 'POST') {
      const body = JSON.parse(String(init?.body)) as { document: string; setAsDefault: boolean };
      if (body.document.includes('NotAction'))
        return json(422, {
          error: {
            code: 'policy.invalid',
            message: 'Invalid policy.',
            details: {
              'document.Statement[0].NotAction': { code: 'conflict', message: 'Give Action or NotAction, not both.' },
            },
          },
        });
      if (versions.length >= 5)
        return json(409, {
          error: {
            code: 'policy.version-limit',
            message:
              'A policy has at most 5 versions: delete a version that is not the default, then create the new one.',
          },
        });
      const v = {
        versionId: `v${next++}`,
        document: JSON.parse(body.document) as unknown,
        isDefault: body.setAsDefault,
        createdAt: '2026-11-02T10:00:00Z',
      };
      if (v.isDefault) versions = versions.map((x) => ({ ...x, isDefault: false }));
      versions = [v, ...versions];
      return json(201, v);
    }
    const m = /^\/v1\/iam\/policies\/pol_1\/versions\/(v\d+)(\/default)?$/.exec(path);
    if (m && method === 'PUT' && m[2]) {
      versions = versions.map((x) => ({ ...x, isDefault: x.versionId === m[1] }));
      return json(
        200,
        versions.find((x) => x.versionId === m[1]),
      );
    }
    if (m && method === 'DELETE') {
      versions = versions.filter((x) => x.versionId !== m[1]);
      return new Response(null, { status: 204 });
    }
    return json(404, { error: { code: 'route.unknown', message: 'No such API route.' } });
  }) as typeof fetch;
  return mount(fetchImpl);
}

const versionRow = (id: string) => document.querySelector(`[data-testid="iam-version-row"][data-version="${id}"]`);
const customRow = () => document.querySelector('[data-testid="iam-policy-row"][data-name="deploy-dev"]');

describe('policy versions', () => {
  it('lists versions with the default marked, views, creates, sets the default and deletes', async () => {
    const calls: string[] = [];
    await renderVersionsPage(calls);
    const row = await waitFor(customRow, 'custom row');
    expect(text(row!.querySelector('[data-testid="iam-policy-default-version"]'))).toBe('v1');
    expect(document.querySelector('[data-name="AdministratorAccess"] [data-testid="iam-policy-versions"]')).toBeNull();

    await click(row!.querySelector<HTMLElement>('[data-testid="iam-policy-versions"]'));
    await waitFor(() => versionRow('v1'), 'v1 row');
    expect(text(versionRow('v1'))).toContain('Default');
    expect(versionRow('v1')!.querySelector('[data-testid="iam-version-set-default"]')).toBeNull();
    expect(versionRow('v1')!.querySelector('[data-testid="iam-version-delete"]')).toBeNull();

    await click(versionRow('v1')!.querySelector<HTMLElement>('[data-testid="iam-version-view"]'));
    expect(text(byTestId('iam-version-document'))).toContain('apigw:GetApi');

    // The API's problems show under the editor, which stays open.
    await click(byTestId('iam-version-create'));
    const input = await findByTestId('iam-version-document-input');
    expect((input as HTMLTextAreaElement).value).toContain('apigw:GetApi');
    await type(
      input,
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}]}',
    );
    await click(byTestId('iam-version-submit'));
    const errors = await findByTestId('iam-version-errors');
    expect(text(errors)).toContain('Statement[0].NotAction');
    expect(text(errors)).toContain('not both');
    expect(byTestId('iam-version-editor')).not.toBeNull();

    // A draft version (not the default).
    await type(
      byTestId('iam-version-document-input'),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:DeleteApi","Resource":"*"}]}',
    );
    await click(byTestId('iam-version-set-as-default'));
    expect((byTestId('iam-version-set-as-default') as HTMLInputElement).checked).toBe(false);
    await click(byTestId('iam-version-submit'));
    await waitFor(() => versionRow('v2'), 'v2 row');
    expect(text(versionRow('v2'))).not.toContain('Default');
    expect(text(versionRow('v1'))).toContain('Default');
    expect(allByTestId('iam-version-row').map((r) => r.dataset.version)).toEqual(['v2', 'v1']);

    // v2 becomes the default; the list says so.
    await click(versionRow('v2')!.querySelector<HTMLElement>('[data-testid="iam-version-set-default"]'));
    await waitFor(() => text(versionRow('v2')).includes('Default'), 'v2 default');
    expect(text(versionRow('v1'))).not.toContain('Default');
    expect(calls).toContain('PUT /v1/iam/policies/pol_1/versions/v2/default');
    expect(text(customRow()!.querySelector('[data-testid="iam-policy-default-version"]'))).toBe('v2');

    // v1 is no longer the default, so it can go.
    await click(versionRow('v1')!.querySelector<HTMLElement>('[data-testid="iam-version-delete"]'));
    await click(await findByTestId('confirm-submit'));
    await waitFor(() => !versionRow('v1'), 'v1 gone');
    expect(calls).toContain('DELETE /v1/iam/policies/pol_1/versions/v1');
  });

  it('says to delete a version when the policy has five', async () => {
    const calls: string[] = [];
    await renderVersionsPage(calls);
    const row = await waitFor(customRow, 'custom row');
    await click(row!.querySelector<HTMLElement>('[data-testid="iam-policy-versions"]'));
    await waitFor(() => versionRow('v1'), 'v1 row');
    for (let i = 2; i <= 5; i++) {
      await click(byTestId('iam-version-create'));
      await findByTestId('iam-version-document-input');
      await click(byTestId('iam-version-submit'));
      await waitFor(() => versionRow(`v${i}`), `v${i} row`);
    }
    await click(byTestId('iam-version-create'));
    await findByTestId('iam-version-document-input');
    await click(byTestId('iam-version-submit'));
    await waitFor(() => document.body.textContent?.includes('at most 5 versions'), 'limit message');
    expect(byTestId('iam-version-editor')).not.toBeNull();
    expect(allByTestId('iam-version-row')).toHaveLength(5);
  });
});
