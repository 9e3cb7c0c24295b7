import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../api/types';
import { byTestId, cleanup, click, findByTestId, text, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, json, renderPage, SESSION } from '../iam/fakeIam';
import { AcceptInvitePage } from './AcceptInvite';

afterEach(cleanup);

describe('accept invitation', () => {
  it('says so when the link has no token', async () => {
    window.history.replaceState(null, '', '/accept-invite');
    await renderPage(<AcceptInvitePage />, fakeFetch({}).fetch, { session: null });
    expect(document.body.textContent).toContain('This link has no invitation token');
    expect(byTestId('invite-submit')).toBeNull();
  });

  it('says the link is dead, without a password form, when the lookup finds nothing', async () => {
    window.history.replaceState(null, '', '/accept-invite?token=tok-dead');
    const api = fakeFetch({
      'POST /v1/invitations/lookup': () => apiError(404, 'invitation.not-found', 'Invitation not found.'),
    });
    await renderPage(<AcceptInvitePage />, api.fetch, { session: null });
    expect(text(await findByTestId('invite-dead'))).toContain('This invitation link no longer works');
    expect(byTestId('invite-password')).toBeNull();
    expect(byTestId('invite-submit')).toBeNull();
    expect(api.calls).toEqual([{ method: 'POST', path: '/v1/invitations/lookup', body: { token: 'tok-dead' } }]);
  });

  it('shows other lookup failures with a retry', async () => {
    window.history.replaceState(null, '', '/accept-invite?token=tok-1');
    let limited = true;
    const api = fakeFetch({
      'POST /v1/invitations/lookup': () =>
        limited
          ? apiError(429, 'auth.rate-limited', 'Too many failed authentications from this address; try again later.')
          : json(200, {
              tenantName: 'acme',
              email: 'new@acme.test',
              expiresAt: '2030-01-01T00:00:00Z',
              status: 'PENDING',
            }),
    });
    await renderPage(<AcceptInvitePage />, api.fetch, { session: null });
    await waitFor(() => document.body.textContent?.includes('try again later'), 'rate-limited message');
    expect(byTestId('invite-dead')).toBeNull();
    limited = false;
    const retry = Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.includes('Retry'));
    await click(retry ?? null);
    expect(text(await findByTestId('invite-email'))).toBe('new@acme.test');
  });

  it('sets the password, shows a used link clearly, then the tenant and email, and signs in', async () => {
    window.history.replaceState(null, '', '/accept-invite?token=tok-1');
    const sessions: (Session | null)[] = [];
    let used = false;
    const api = fakeFetch({
      'POST /v1/invitations/lookup': () =>
        json(200, { tenantName: 'acme', email: 'new@acme.test', expiresAt: '2030-01-01T00:00:00Z', status: 'PENDING' }),
      'POST /v1/invitations/accept': () =>
        used
          ? apiError(
              410,
              'invitation.unusable',
              'This invitation link is invalid, has expired, was revoked or was already used.',
            )
          : json(201, { ...SESSION, user: { userId: 'usr_new', email: 'new@acme.test', name: 'New' } }),
    });
    await renderPage(<AcceptInvitePage />, api.fetch, { session: null, sessions });
    // Who and where before any password is chosen.
    expect(text(await findByTestId('invite-offer'))).toBe('You are invited to acme as new@acme.test.');
    expect(text(byTestId('invite-tenant'))).toBe('acme');
    expect(api.calls).toEqual([{ method: 'POST', path: '/v1/invitations/lookup', body: { token: 'tok-1' } }]);
    await type(await findByTestId('invite-name'), 'New');
    await type(byTestId('invite-password'), 'password-1');
    await type(byTestId('invite-confirm'), 'password-2');
    await click(byTestId('invite-submit'));
    expect(document.body.textContent).toContain('The passwords differ.');
    expect(api.calls).toHaveLength(1);

    await type(byTestId('invite-confirm'), 'password-1');
    used = true;
    await click(byTestId('invite-submit'));
    await waitFor(() => document.body.textContent?.includes('was already used'), 'unusable');
    used = false;
    await click(byTestId('invite-submit'));
    expect(text(await findByTestId('invite-joined-email'))).toBe('new@acme.test');
    expect(text(byTestId('invite-joined'))).toContain('You joined acme');
    expect(api.calls.at(-1)?.body).toEqual({ token: 'tok-1', name: 'New', password: 'password-1' });
    await click(byTestId('invite-continue'));
    expect(sessions.at(-1)?.user.email).toBe('new@acme.test');
    expect(window.location.pathname).toBe('/apis');
  });
});
