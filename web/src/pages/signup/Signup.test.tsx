import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../api/types';
import { byTestId, cleanup, click, findByTestId, type, waitFor } from '../../test/dom';
import { apiError, fakeFetch, json, renderPage, SESSION } from '../iam/fakeIam';
import { LoginPage } from '../Login';
import { SignupPage, signupField } from './Signup';

afterEach(cleanup);

const config = (signupEnabled: boolean) => () => json(200, { signupEnabled, oidcProviders: [] });

describe('sign-up', () => {
  it('maps the API detail keys to the form fields', () => {
    expect(['name', 'adminEmail', 'password', 'other'].map(signupField)).toEqual([
      'tenantName',
      'email',
      'password',
      'other',
    ]);
  });

  it('says sign-up is off when the server says so, and the login page has no link', async () => {
    const api = fakeFetch({ 'GET /v1/auth/config': config(false) });
    await renderPage(<SignupPage />, api.fetch, { session: null });
    await waitFor(() => document.body.textContent?.includes('Sign-up is not enabled'), 'disabled banner');
    expect(byTestId('signup-submit')).toBeNull();
    await cleanup();
    await renderPage(<LoginPage />, api.fetch, { session: null });
    await findByTestId('login-submit');
    await waitFor(() => api.calls.length >= 2, 'config asked');
    expect(byTestId('login-signup-link')).toBeNull();
  });

  it('creates the tenant, shows a taken name on its field, and signs in', async () => {
    window.history.replaceState(null, '', '/signup');
    const sessions: (Session | null)[] = [];
    const api = fakeFetch({
      'GET /v1/auth/config': config(true),
      'POST /v1/signup': (b: { tenantName: string }) =>
        b.tenantName === 'acme'
          ? apiError(422, 'tenant.invalid', 'Invalid tenant.', { name: { code: 'taken', message: 'Already taken.' } })
          : json(201, { ...SESSION, tenant: { tenantId: 'tnt_new', name: b.tenantName } }),
    });
    await renderPage(<LoginPage />, api.fetch, { session: null });
    await findByTestId('login-signup-link');
    await cleanup();

    await renderPage(<SignupPage />, api.fetch, { session: null, sessions });
    await type(await findByTestId('signup-tenant'), 'acme');
    await type(byTestId('signup-email'), 'ops@new.test');
    await type(byTestId('signup-password'), 'short');
    await click(byTestId('signup-submit'));
    expect(document.body.textContent).toContain('At least 8 characters.');
    await type(byTestId('signup-password'), 'long enough pw');
    await click(byTestId('signup-submit'));
    await waitFor(() => document.body.textContent?.includes('Already taken.'), 'name error');
    await type(byTestId('signup-tenant'), 'newco');
    await click(byTestId('signup-submit'));
    await waitFor(() => window.location.pathname === '/apis', 'into the console');
    expect(sessions.at(-1)?.tenant.name).toBe('newco');
    expect(api.calls.at(-1)?.body).toEqual({ tenantName: 'newco', email: 'ops@new.test', password: 'long enough pw' });
  });
});
