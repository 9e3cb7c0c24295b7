import type { FormEvent } from 'react';
import { ApiError } from '../api/client';
import { ErrorBanner, Button, Field } from '../components/ui';
import { useForm } from '../lib/form';
import { useDocumentTitle, useResource } from '../lib/hooks';
import { Link, navigate, queryParam, useLocation } from '../lib/router';
import { validateEmail } from '../lib/validate';
import { useSession } from '../session';
import { SsoSignIn } from './SsoSignIn';
import { publicApi } from './iam/iamApi';

/** The logo and title on top of the sign-in, sign-up and invitation cards. */
export function AuthBrand({ title, subtitle = 'API gateway console' }: { title: string; subtitle?: string }) {
  return (
    <div className="login-brand">
      <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <path d="M8 11h16M16 11v13" stroke="white" strokeWidth="3.5" strokeLinecap="round" />
      </svg>
      <div>
        <h1>{title}</h1>
        <p className="muted">{subtitle}</p>
      </div>
    </div>
  );
}

/** Where to go after signing in: the `next` parameter if it is a local path. */
export function safeNext(location: string): string {
  const next = queryParam(location, 'next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/apis';
}

export function LoginPage() {
  useDocumentTitle('Sign in');
  const { client, setSession } = useSession();
  const location = useLocation();
  // The sign-up link only where the operator enabled sign-up; without the
  // answer, no link.
  const config = useResource(() => publicApi(client).authConfig(), 'auth-config');
  const form = useForm({ email: '', password: '' }, (v) => ({
    email: validateEmail(v.email),
    password: v.password ? null : 'Enter your password.',
  }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async (v) => {
      try {
        const s = await client.login(v.email.trim(), v.password);
        setSession(s);
        navigate(safeNext(location), { replace: true });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          throw new ApiError(401, { code: err.code, message: 'Incorrect email or password.' });
        }
        throw err;
      }
    });
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={onSubmit} noValidate>
        <AuthBrand title="Sign in to Turnpike" />
        <ErrorBanner error={form.formError} />
        <Field label="Email" error={form.error('email')}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              autoFocus
              data-testid="login-email"
              value={form.values.email}
              onChange={(e) => form.set('email', e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" error={form.error('password')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              data-testid="login-password"
              value={form.values.password}
              onChange={(e) => form.set('password', e.target.value)}
            />
          )}
        </Field>
        <Button type="submit" variant="primary" busy={form.busy} data-testid="login-submit" className="btn-block">
          Sign in
        </Button>
        {config.data?.signupEnabled ? (
          <p className="muted small">
            New to Turnpike?{' '}
            <Link to="/signup" data-testid="login-signup-link">
              Create an account
            </Link>
          </p>
        ) : null}
      </form>
      <SsoSignIn next={safeNext(location)} />
    </div>
  );
}
