import { afterEach, describe, expect, it } from 'vitest';
import { allByTestId, byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, inside, json, renderPage } from './fakeIam';
import { contextFromRows } from './simulateContext';
import { SimulatorPage } from './Simulator';

afterEach(cleanup);

const USERS = {
  items: [{ userId: 'usr_dev', email: 'dev@acme.test', name: 'Dev', status: 'ACTIVE', roles: [], createdAt: '' }],
};

describe('simulator context', () => {
  it.each([
    ['skips empty rows', [{ id: 1, key: '', value: '' }], undefined, {}],
    [
      'splits a multi-valued key on commas',
      [{ id: 1, key: 'turnpike:PrincipalGroups', value: 'ops, devs,,' }],
      { 'turnpike:PrincipalGroups': ['ops', 'devs'] },
      {},
    ],
    [
      'keeps a single-valued key a string, and an empty value removes the key',
      [
        { id: 1, key: ' aws:SourceIp ', value: ' 10.0.0.1 ' },
        { id: 2, key: 'aws:SecureTransport', value: '' },
      ],
      { 'aws:SourceIp': '10.0.0.1', 'aws:SecureTransport': [] },
      {},
    ],
    [
      'refuses a value without key and a key twice',
      [
        { id: 1, key: '', value: 'x' },
        { id: 2, key: 'aws:SourceIp', value: '10.0.0.1' },
        { id: 3, key: 'AWS:SourceIp', value: '10.0.0.2' },
      ],
      { 'aws:SourceIp': '10.0.0.1' },
      { 1: 'Give a condition key.', 3: 'AWS:SourceIp is set twice.' },
    ],
  ])('%s', (_desc, rows, context, errors) => {
    expect(contextFromRows(rows)).toEqual({ context, errors });
  });
});

describe('simulator page', () => {
  it('sends the context rows and shows the decision', async () => {
    const api = fakeFetch({
      'GET /v1/iam/users': () => json(200, USERS),
      'POST /v1/iam/simulate': () =>
        json(200, {
          decision: 'explicitDeny',
          resource: 'trn:turnpike:tnt_acme:apis/*/stages/dev',
          matchedStatement: { policyId: 'pol_1', policyName: 'NoNights', sid: 'Night', effect: 'Deny' },
        }),
    });
    await renderPage(<SimulatorPage />, api.fetch);
    await waitFor(() => document.querySelector('[data-testid="sim-user"] option[value="usr_dev"]'), 'users');
    await type(byTestId('sim-user'), 'usr_dev');
    const first = allByTestId('sim-context-row')[0];
    await type(inside(first, 'sim-context-value'), '10.0.0.1');
    await click(byTestId('sim-context-add'));
    let row = allByTestId('sim-context-row')[1];
    await type(inside(row, 'sim-context-key'), 'turnpike:PrincipalGroups');
    row = allByTestId('sim-context-row')[1];
    expect(text(row)).toContain('Comma-separated values.');
    await type(inside(row, 'sim-context-value'), 'ops, devs');
    await click(byTestId('sim-context-add'));
    await type(inside(allByTestId('sim-context-row')[2], 'sim-context-key'), 'aws:CurrentTime');
    await type(inside(allByTestId('sim-context-row')[2], 'sim-context-value'), '2026-12-24T23:00:00Z');
    await click(byTestId('sim-submit'));

    const result = await findByTestId('sim-result');
    expect(result.dataset.decision).toBe('explicitDeny');
    expect(text(result)).toContain('NoNights');
    expect(api.calls.at(-1)?.body).toEqual({
      principal: { userId: 'usr_dev' },
      action: 'apigw:CreateDeployment',
      resource: 'apis/*/stages/dev',
      context: {
        'aws:SourceIp': '10.0.0.1',
        'turnpike:PrincipalGroups': ['ops', 'devs'],
        'aws:CurrentTime': '2026-12-24T23:00:00Z',
      },
    });
  });

  it('shows the 422 details of context keys on their rows, and others on the form', async () => {
    let answer = () =>
      apiError(422, 'simulate.invalid', 'Invalid simulation request.', {
        'context.aws:SourceIp': { code: 'invalid-value', message: 'Bad address "10.0.0.999".' },
        'context.aws:Nope': { code: 'unknown-key', message: 'Unknown condition key "aws:Nope".' },
      });
    const api = fakeFetch({
      'GET /v1/iam/users': () => json(200, USERS),
      'POST /v1/iam/simulate': () => answer(),
    });
    await renderPage(<SimulatorPage />, api.fetch);
    await waitFor(() => document.querySelector('[data-testid="sim-user"] option[value="usr_dev"]'), 'users');
    await type(byTestId('sim-user'), 'usr_dev');
    await type(inside(allByTestId('sim-context-row')[0], 'sim-context-value'), '10.0.0.999');
    await click(byTestId('sim-context-add'));
    await type(inside(allByTestId('sim-context-row')[1], 'sim-context-key'), 'aws:Nope');
    await type(inside(allByTestId('sim-context-row')[1], 'sim-context-value'), 'x');
    await click(byTestId('sim-submit'));

    await waitFor(() => allByTestId('sim-context-error').length === 2, 'row errors');
    const [ip, nope] = allByTestId('sim-context-row');
    expect(text(inside(ip, 'sim-context-error'))).toBe('Bad address "10.0.0.999".');
    expect(text(inside(nope, 'sim-context-error'))).toBe('Unknown condition key "aws:Nope".');
    expect(document.querySelector('.banner')).toBeNull();
    expect(byTestId('sim-result')).toBeNull();

    // Editing a row clears its error; removing a row drops it from the request.
    await type(inside(ip, 'sim-context-value'), '10.0.0.9');
    expect(inside(allByTestId('sim-context-row')[0], 'sim-context-error')).toBeNull();
    await click(inside(allByTestId('sim-context-row')[1], 'sim-context-remove'));
    expect(allByTestId('sim-context-row')).toHaveLength(1);

    answer = () =>
      apiError(422, 'simulate.invalid', 'Invalid simulation request.', {
        resource: { code: 'invalid', message: 'Give a resource (a TRN or a path such as apis/a1b2).' },
        'context.aws:SourceIp': { code: 'invalid-value', message: 'Still bad.' },
      });
    await click(byTestId('sim-submit'));
    await waitFor(() => document.body.textContent?.includes('Give a resource (a TRN'), 'resource error');
    expect(text(byTestId('sim-context-error'))).toBe('Still bad.');
    expect(api.calls.at(-1)?.body).toMatchObject({ context: { 'aws:SourceIp': '10.0.0.9' } });
  });

  it('refuses a row with a value but no key before asking', async () => {
    const api = fakeFetch({ 'GET /v1/iam/users': () => json(200, USERS) });
    await renderPage(<SimulatorPage />, api.fetch);
    await waitFor(() => document.querySelector('[data-testid="sim-user"] option[value="usr_dev"]'), 'users');
    await type(byTestId('sim-user'), 'usr_dev');
    await type(inside(allByTestId('sim-context-row')[0], 'sim-context-key'), '');
    await type(inside(allByTestId('sim-context-row')[0], 'sim-context-value'), 'x');
    await click(byTestId('sim-submit'));
    expect(text(byTestId('sim-context-error'))).toBe('Give a condition key.');
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
