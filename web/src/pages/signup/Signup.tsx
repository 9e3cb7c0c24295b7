// Self-service sign-up (public, /signup): a new tenant with the caller as
// its administrator, then straight into the console. Offered only when the
// operator turned it on (TURNPIKE_SIGNUP; GET /v1/auth/config says).
import type { FormEvent } from 'react';
import { Banner, Button, ErrorBanner, Field, Spinner } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { Link, navigate } from '../../lib/router';
import { validateEmail, validateName } from '../../lib/validate';
import { useSession } from '../../session';
import { publicApi } from '../iam/iamApi';
import { AuthBrand } from '../Login';

/** Maps the API's detail keys (tenant and user validation) to the form's fields. */
export function signupField(key: string): string {
  if (key === 'name' || key === 'tenantName') return 'tenantName';
  if (key === 'adminEmail' || key === 'email') return 'email';
  if (key === 'adminPassword' || key === 'password') return 'password';
  return key;
}

export function SignupPage() {
  useDocumentTitle('Sign up');
  const { client, setSession } = useSession();
  const api = publicApi(client);
  const config = useResource(() => api.authConfig(), 'auth-config');
  const form = useForm(
    { tenantName: '', email: '', password: '' },
    (v) => ({
      tenantName: validateName(v.tenantName, 'a name for your organization', 128),
      email: validateEmail(v.email),
      password: v.password.length >= 8 ? null : 'At least 8 characters.',
    }),
    signupField,
  );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async (v) => {
      const s = await api.signup({ tenantName: v.tenantName.trim(), email: v.email.trim(), password: v.password });
      setSession(s);
      navigate('/apis', { replace: true });
    });
  };

  let body;
  if (!config.data && !config.error) {
    body = <Spinner label="Loading" />;
  } else if (config.error || !config.data?.signupEnabled) {
    body = (
      <>
        {config.error ? (
          <ErrorBanner error={config.error} onRetry={config.reload} title="Could not reach Turnpike" />
        ) : (
          <Banner kind="info" title="Sign-up is not enabled">
            Ask the platform operator for an account, or for an invitation from your organization's administrator.
          </Banner>
        )}
        <Link to="/login" data-testid="signup-login-link">
          Back to sign-in
        </Link>
      </>
    );
  } else {
    body = (
      <>
        <ErrorBanner error={form.formError} />
        <Field label="Organization" error={form.error('tenantName')} hint="Your tenant's name, e.g. acme.">
          {(p) => (
            <input
              {...p}
              autoFocus
              data-testid="signup-tenant"
              value={form.values.tenantName}
              onChange={(e) => form.set('tenantName', e.target.value)}
            />
          )}
        </Field>
        <Field label="Email" error={form.error('email')}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              data-testid="signup-email"
              value={form.values.email}
              onChange={(e) => form.set('email', e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" error={form.error('password')} hint="At least 8 characters.">
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              data-testid="signup-password"
              value={form.values.password}
              onChange={(e) => form.set('password', e.target.value)}
            />
          )}
        </Field>
        <Button type="submit" variant="primary" busy={form.busy} data-testid="signup-submit" className="btn-block">
          Create account
        </Button>
        <p className="muted small">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </>
    );
  }

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={onSubmit} noValidate data-testid="signup-form">
        <AuthBrand title="Create your Turnpike account" subtitle="A new tenant, with you as its administrator" />
        {body}
      </form>
    </div>
  );
}
