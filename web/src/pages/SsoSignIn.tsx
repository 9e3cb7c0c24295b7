import { useState, type FormEvent } from 'react';
import { Banner, Button, Field, errorMessage } from '../components/ui';
import { queryParam, useLocation } from '../lib/router';
import { useSession } from '../session';
import './sso.css';

interface AuthConfig {
  signupEnabled: boolean;
  oidcProviders: { tenant: string; loginUrl: string }[];
}

const SSO_ERRORS: Record<string, string> = {
  'sso.failed': 'Single sign-on failed. Try again, or sign in with your password.',
  'tenant.suspended': 'This tenant is suspended. Contact the platform operator.',
  access_denied: 'The identity provider did not allow the sign-in.',
};

/** "Sign in with SSO": the tenant's OpenID provider, by tenant name. */
export function SsoSignIn({ next }: { next: string }) {
  const { client } = useSession();
  const location = useLocation();
  const [tenant, setTenant] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ssoError = queryParam(location, 'ssoError');

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const name = tenant.trim().toLowerCase();
    if (!name) {
      setError('Enter your organization’s tenant name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const cfg = await client.request<AuthConfig>('GET', `/v1/auth/config?tenant=${encodeURIComponent(name)}`, {
        unauthorizedEndsSession: false,
      });
      const p = cfg.oidcProviders.find((x) => x.tenant === name);
      if (!p) {
        setError('Single sign-on is not set up for this tenant.');
        return;
      }
      window.location.assign(`${p.loginUrl}?returnTo=${encodeURIComponent(next)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login-card sso-card" onSubmit={onSubmit} noValidate data-testid="sso-form">
      {ssoError ? (
        <Banner kind="error" title="Single sign-on did not complete">
          {SSO_ERRORS[ssoError] ?? `The sign-in failed (${ssoError}).`}
        </Banner>
      ) : null}
      <Field label="Tenant" error={error} hint="Your organization’s Turnpike tenant name">
        {(p) => <input {...p} data-testid="sso-tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} />}
      </Field>
      <Button type="submit" busy={busy} data-testid="sso-submit" className="btn-block">
        Sign in with SSO
      </Button>
    </form>
  );
}
