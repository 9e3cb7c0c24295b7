import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { byTestId, cleanup, click, render, text, type, waitFor } from '../../test/dom';
import { RestApi, type Method, type Resource } from './api';
import { MethodDialog } from './MethodDialog';

afterEach(cleanup);

// The method editor sends the method's authorization type as picked, and
// keeps AWS_IAM on a method that has it.
function setup(authorizationType: string) {
  const puts: { path: string; body: Record<string, unknown> }[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://console.test');
    const body = init?.body ? JSON.parse(String(init.body)) : {};
    if (init?.method === 'PUT') puts.push({ path: url.pathname, body });
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  const resource: Resource = { id: 'r1', apiId: 'a1', parentId: 'root', pathPart: 'pets', path: '/pets' };
  const method = {
    httpMethod: 'GET',
    resourceId: 'r1',
    authorizationType,
    apiKeyRequired: false,
    methodIntegration: { type: 'MOCK', mockStatusCode: 200 },
  } as Method;
  let saved = 0;
  const ui = (
    <MethodDialog
      rest={new RestApi(new ApiClient({ fetch: f }))}
      apiId="a1"
      resource={resource}
      method={method}
      validators={[]}
      models={[]}
      groups={[]}
      onClose={() => {}}
      onSaved={() => saved++}
    />
  );
  const methodPut = () => puts.find((p) => p.path.endsWith('/methods/GET'))?.body;
  return { ui, methodPut, saved: () => saved };
}

describe('method authorization', () => {
  it.each([
    ['NONE', 'AWS_IAM', 'AWS_IAM'],
    ['AWS_IAM', '', 'AWS_IAM'],
    ['AWS_IAM', 'NONE', 'NONE'],
  ])('starts at %s, picks %s, sends %s', async (initial, pick, want) => {
    const s = setup(initial);
    await render(s.ui);
    const select = byTestId('method-authorization') as HTMLSelectElement;
    expect(select.value).toBe(initial);
    expect([...select.options].map((o) => o.value)).toEqual(['NONE', 'AWS_IAM']);
    if (pick) await type(select, pick);
    const hint = text(byTestId('method-dialog'));
    if (want === 'AWS_IAM') {
      expect(hint).toContain('Authorization: Bearer <Turnpike access key>');
      expect(hint).toContain('execute-api:Invoke');
    } else {
      expect(hint).not.toContain('execute-api:Invoke');
    }
    await click(byTestId('method-save'));
    await waitFor(() => s.saved() === 1, 'saved');
    expect(s.methodPut()?.authorizationType).toBe(want);
  });
});
