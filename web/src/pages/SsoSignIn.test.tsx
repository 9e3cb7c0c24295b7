import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { SessionContext } from '../session';
import { byTestId, cleanup, click, render, text, type, waitFor } from '../test/dom';
import { SsoSignIn } from './SsoSignIn';

afterEach(cleanup);

describe('sign in with SSO', () => {
  it('asks the API for the tenant and says when it has no single sign-on', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ signupEnabled: false, oidcProviders: [] }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    }) as typeof fetch;
    const client = new ApiClient({ fetch: fetchImpl });
    await render(
      <SessionContext.Provider value={{ client, session: null, setSession: () => {}, signOut: async () => {} }}>
        <SsoSignIn next="/apis" />
      </SessionContext.Provider>,
    );
    await click(byTestId('sso-submit'));
    expect(text(byTestId('sso-form'))).toContain('Enter your organization');
    expect(urls).toHaveLength(0);
    await type(byTestId('sso-tenant'), 'Acme');
    await click(byTestId('sso-submit'));
    await waitFor(() => (text(byTestId('sso-form')).includes('not set up') ? true : null), 'not set up');
    expect(urls[0]).toContain('/v1/auth/config?tenant=acme');
  });
});
