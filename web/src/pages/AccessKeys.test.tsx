import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../test/dom';
import { AccessKeysPage, localToIso } from './AccessKeys';
import { apiError, fakeFetch, json, renderPage } from './iam/fakeIam';

afterEach(cleanup);

const KEY = {
  accessKeyId: 'TPAKOLD',
  name: 'ci',
  status: 'ACTIVE',
  userId: 'usr_admin',
  createdAt: '2026-01-01T00:00:00Z',
  lastUsedAt: '2026-01-02T00:00:00Z',
  lastUsedIp: '192.0.2.10',
  expiresAt: '2999-01-01T00:00:00Z',
};

const keyRow = (id: string) =>
  document.querySelector<HTMLElement>(`[data-testid="access-key-row"][data-access-key-id="${id}"]`);

describe('access keys page', () => {
  it('shows last use and expiry, sends expiry and session policy, and lists the policy problems under the editor', async () => {
    const api = fakeFetch({
      'GET /v1/iam/access-keys': () => json(200, { items: [KEY] }),
      'POST /v1/iam/access-keys': (b: { name: string; sessionPolicy?: string }) =>
        b.sessionPolicy?.includes('Maybe')
          ? apiError(422, 'access-key.invalid', 'Invalid access key.', {
              'sessionPolicy.Statement[0].Effect': { code: 'invalid', message: 'Must be "Allow" or "Deny".' },
            })
          : json(201, {
              ...KEY,
              accessKeyId: 'TPAKNEW',
              name: b.name,
              lastUsedAt: undefined,
              lastUsedIp: undefined,
              token: 'tpk_new',
            }),
    });
    await renderPage(<AccessKeysPage />, api.fetch);
    const old = await waitFor(() => keyRow('TPAKOLD'), 'row');
    expect(text(old.querySelector('[data-testid="access-key-last-ip"]'))).toBe('192.0.2.10');
    expect(text(old.querySelector('[data-testid="access-key-expires"]'))).toContain('2999');

    await click(byTestId('create-access-key'));
    await type(await findByTestId('access-key-name'), 'deploy');
    await type(byTestId('access-key-expires-at'), '2000-01-01T00:00');
    await type(byTestId('access-key-session-policy'), '{nope');
    await click(byTestId('access-key-submit'));
    expect(document.body.textContent).toContain('Must be in the future.');
    expect(document.body.textContent).toContain('Not valid JSON');
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await type(byTestId('access-key-expires-at'), '2998-06-01T12:00');
    await type(
      byTestId('access-key-session-policy'),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
    );
    await click(byTestId('access-key-submit'));
    const problems = await findByTestId('access-key-policy-errors');
    expect(text(problems)).toContain('sessionPolicy.Statement[0].Effect');
    expect(text(problems)).toContain('Must be "Allow" or "Deny".');

    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:Get*","Resource":"*"}]}';
    await type(byTestId('access-key-session-policy'), policy);
    await click(byTestId('access-key-submit'));
    expect(text(await findByTestId('access-key-token'))).toBe('tpk_new');
    expect(api.calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      name: 'deploy',
      expiresAt: localToIso('2998-06-01T12:00'),
      sessionPolicy: policy,
    });
  });

  it('rotates with the grace asked for, shows the new token once and marks the old key', async () => {
    const api = fakeFetch({
      'GET /v1/iam/access-keys': () => json(200, { items: [KEY] }),
      'POST /v1/iam/access-keys/TPAKOLD/rotate': (b: { graceSeconds: number }) =>
        json(200, {
          accessKey: {
            ...KEY,
            accessKeyId: 'TPAKNEW',
            lastUsedAt: undefined,
            lastUsedIp: undefined,
            token: 'tpk_rotated',
          },
          previous: { ...KEY, status: b.graceSeconds === 0 ? 'INACTIVE' : 'ACTIVE' },
        }),
    });
    await renderPage(<AccessKeysPage />, api.fetch);
    await click(
      (await waitFor(() => keyRow('TPAKOLD'))).querySelector('[data-testid="access-key-rotate"]') as HTMLElement,
    );
    await type(await findByTestId('access-key-grace'), '9999999');
    await click(byTestId('access-key-rotate-submit'));
    expect(document.body.textContent).toContain('The grace must be between 0 and 604800.');
    await type(byTestId('access-key-grace'), '0');
    await click(byTestId('access-key-rotate-submit'));
    expect(text(await findByTestId('access-key-token'))).toBe('tpk_rotated');
    expect(text(byTestId('access-key-rotated-note'))).toContain('has stopped working');
    expect(api.calls.at(-1)?.body).toEqual({ graceSeconds: 0 });
    await click(byTestId('access-key-done'));
    expect(document.body.textContent).not.toContain('tpk_rotated');
    expect(keyRow('TPAKNEW')).not.toBeNull();
    expect(text(keyRow('TPAKOLD'))).toContain('Inactive');
    expect((keyRow('TPAKOLD')?.querySelector('[data-testid="access-key-rotate"]') as HTMLButtonElement).disabled).toBe(
      true,
    );
  });
});
