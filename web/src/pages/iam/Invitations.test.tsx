import { afterEach, describe, expect, it } from 'vitest';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, inside, json, renderPage, row } from './fakeIam';
import { invitationState, type Invitation } from './iamApi';
import { InvitationsPage } from './Invitations';

afterEach(cleanup);

const inv = (email: string, extra: Partial<Invitation>): Invitation => ({
  invitationId: `inv_${email.split('@')[0]}`,
  email,
  status: 'PENDING',
  createdAt: '2026-01-01T00:00:00Z',
  expiresAt: '2999-01-01T00:00:00Z',
  ...extra,
});

describe('invitation state', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it.each([
    ['pending before expiry', inv('a@x.test', {}), 'pending'],
    ['pending after expiry is expired', inv('a@x.test', { expiresAt: '2026-05-31T23:59:59Z' }), 'expired'],
    [
      'accepted stays accepted after expiry',
      inv('a@x.test', { status: 'ACCEPTED', expiresAt: '2026-01-02T00:00:00Z' }),
      'accepted',
    ],
    ['revoked', inv('a@x.test', { status: 'REVOKED' }), 'revoked'],
  ])('%s', (_desc, i, want) => {
    expect(invitationState(i, now)).toBe(want);
  });
});

describe('invitations page', () => {
  it('lists states, shows a new link once, maps the API error to the field and revokes', async () => {
    const api = fakeFetch({
      'GET /v1/iam/invitations': () =>
        json(200, {
          items: [
            inv('old@acme.test', { expiresAt: '2020-01-01T00:00:00Z' }),
            inv('joined@acme.test', { status: 'ACCEPTED', acceptedAt: '2026-01-01T01:00:00Z' }),
          ],
        }),
      'POST /v1/iam/invitations': (b: { email: string }) =>
        b.email === 'admin@acme.test'
          ? apiError(409, 'user.email-taken', 'A user with this email already exists.')
          : b.email.endsWith('.invalid')
            ? apiError(422, 'invitation.invalid', 'Invalid invitation.', {
                email: { code: 'invalid', message: 'Must be an email address.' },
              })
            : b.email === 'gone@acme.test'
              ? apiError(422, 'invitation.invalid', 'Invalid invitation.', {
                  'groups[0]': { code: 'not-found', message: 'No group "grp_1" in this tenant.' },
                })
              : json(201, {
                  ...inv(b.email, {}),
                  groups: (b as { groups?: string[] }).groups,
                  policies: (b as { policies?: string[] }).policies,
                  link: 'http://console.test/accept-invite?token=secret-1',
                }),
      'DELETE /v1/iam/invitations/inv_new': () => json(204),
      'GET /v1/iam/groups': () =>
        json(200, { items: [{ groupId: 'grp_1', name: 'deployers', description: '', createdAt: '' }] }),
      'GET /v1/iam/policies': () =>
        json(200, {
          items: [
            {
              policyId: 'ReadOnlyAccess',
              name: 'ReadOnlyAccess',
              description: '',
              managed: true,
              document: {},
              version: 1,
            },
          ],
        }),
    });
    await renderPage(<InvitationsPage />, api.fetch);
    const old = await waitFor(() => row('iam-invitation-row', 'old@acme.test'), 'rows');
    expect(inside(old, 'iam-invitation-state')?.dataset.state).toBe('expired');
    expect(inside(old, 'iam-invitation-revoke')).toBeNull();
    expect(inside(row('iam-invitation-row', 'joined@acme.test'), 'iam-invitation-state')?.dataset.state).toBe(
      'accepted',
    );

    await click(byTestId('iam-create-invitation'));
    await type(await findByTestId('iam-invitation-email'), 'x@acme.invalid');
    await type(byTestId('iam-invitation-expiry'), '9999');
    await click(byTestId('iam-invitation-submit'));
    expect(document.body.textContent).toContain('The expiry must be between 1 and 720.');
    await type(byTestId('iam-invitation-expiry'), '24');
    await click(byTestId('iam-invitation-submit'));
    await waitFor(() => document.body.textContent?.includes('Must be an email address.'), 'field error');
    await type(byTestId('iam-invitation-email'), 'admin@acme.test');
    await click(byTestId('iam-invitation-submit'));
    await waitFor(() => document.body.textContent?.includes('A user with this email already exists.'), 'conflict');

    // The groups and policies it gives, by id; a problem with one shows on its field.
    await waitFor(() => byTestId('iam-invitation-groups')?.querySelector('input'), 'group choices');
    await click(byTestId('iam-invitation-groups')!.querySelector('input'));
    await waitFor(() => byTestId('iam-invitation-policies')?.querySelector('input'), 'policy choices');
    await click(byTestId('iam-invitation-policies')!.querySelector('input'));
    await type(byTestId('iam-invitation-email'), 'gone@acme.test');
    await click(byTestId('iam-invitation-submit'));
    await waitFor(() => document.body.textContent?.includes('No group "grp_1" in this tenant.'), 'groups error');

    await type(byTestId('iam-invitation-email'), 'new@acme.test');
    await click(byTestId('iam-invitation-submit'));
    expect(text(await findByTestId('iam-invitation-link'))).toBe('http://console.test/accept-invite?token=secret-1');
    expect(api.calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      email: 'new@acme.test',
      expiresInHours: 24,
      groups: ['grp_1'],
      policies: ['ReadOnlyAccess'],
    });
    await click(byTestId('iam-invitation-done'));
    // The link is not kept anywhere once the dialog is closed.
    expect(document.body.textContent).not.toContain('secret-1');
    const fresh = row('iam-invitation-row', 'new@acme.test');
    expect(inside(fresh, 'iam-invitation-state')?.dataset.state).toBe('pending');
    expect(text(inside(fresh, 'iam-invitation-grants'))).toBe('deployersReadOnlyAccess');

    await click(inside(fresh, 'iam-invitation-revoke'));
    await click(await findByTestId('confirm-submit'));
    await waitFor(
      () => inside(row('iam-invitation-row', 'new@acme.test'), 'iam-invitation-state')?.dataset.state === 'revoked',
      'revoked',
    );
    expect(api.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/v1/iam/invitations/inv_new' });
  });
});
