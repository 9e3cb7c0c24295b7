import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, text, waitFor } from '../../test/dom';
import { fakeFetch, json, renderPage } from '../iam/fakeIam';
import { ResourcesTab } from './ResourcesTab';

afterEach(cleanup);

const method = (httpMethod: string, authorizationType: string) => ({
  httpMethod,
  resourceId: 'pets',
  authorizationType,
  apiKeyRequired: false,
  methodIntegration: { type: 'MOCK', mockStatusCode: 200 },
});

describe('resources tab', () => {
  it("shows each method's authorization type", async () => {
    const api = fakeFetch({
      'GET /v1/apis/a1/resources': () =>
        json(200, {
          items: [
            { id: 'root', apiId: 'a1', pathPart: '', path: '/' },
            {
              id: 'pets',
              apiId: 'a1',
              parentId: 'root',
              pathPart: 'pets',
              path: '/pets',
              resourceMethods: { GET: method('GET', 'AWS_IAM'), POST: method('POST', 'NONE') },
            },
          ],
        }),
      'GET /v1/apis/a1/requestvalidators': () => json(200, { items: [] }),
      'GET /v1/apis/a1/models': () => json(200, { items: [] }),
      'GET /v1/targetgroups': () => json(200, { items: [] }),
    });
    await renderPage(<ResourcesTab apiId="a1" onDeploy={() => {}} />, api.fetch);
    await click(await waitFor(() => byTestId('resource-/pets'), 'the /pets resource'));
    await waitFor(() => byTestId('method-auth-GET'), 'the GET row');
    expect(text(byTestId('method-auth-GET'))).toBe('AWS_IAM');
    expect(text(byTestId('method-auth-POST'))).toBe('NONE');
    const headers = [...document.querySelectorAll('table th')].map((th) => text(th));
    expect(headers).toContain('Authorization');
  });
});
