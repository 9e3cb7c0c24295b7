import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { ToastProvider } from '../../components/ui';
import { SessionContext } from '../../session';
import { byTestId, cleanup, click, findByTestId, render, text, type, waitFor } from '../../test/dom';
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
  const client = new ApiClient({ fetch: fetchImpl });
  return render(
    <SessionContext.Provider value={{ client, session: null, setSession: () => {}, signOut: async () => {} }}>
      <ToastProvider>
        <PoliciesPage />
      </ToastProvider>
    </SessionContext.Provider>,
  );
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
