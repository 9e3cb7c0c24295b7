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

  it('sets the password, shows a used link clearly, then the tenant and email, and signs in', async () => {
    window.history.replaceState(null, '', '/accept-invite?token=tok-1');
    const sessions: (Session | null)[] = [];
    let used = false;
    const api = fakeFetch({
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
    await type(await findByTestId('invite-name'), 'New');
    await type(byTestId('invite-password'), 'password-1');
    await type(byTestId('invite-confirm'), 'password-2');
    await click(byTestId('invite-submit'));
    expect(document.body.textContent).toContain('The passwords differ.');
    expect(api.calls).toHaveLength(0);

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
