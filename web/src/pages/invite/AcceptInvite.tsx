// Accepting an invitation (public, /accept-invite?token=…, the link the
// invitations API answers once): the page first looks the token up and
// says which tenant and email it is for (or that the link is dead), then
// the invitee chooses a name and password and the console opens signed in
// as the new user.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { Session } from '../../api/types';
import { Banner, Button, ErrorBanner, Field, Spinner } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { Link, navigate, queryParam, useLocation } from '../../lib/router';
import { validateName } from '../../lib/validate';
import { useSession } from '../../session';
import { publicApi } from '../iam/iamApi';
import { AuthBrand } from '../Login';

export function AcceptInvitePage() {
  useDocumentTitle('Accept invitation');
  const { client, setSession } = useSession();
  const token = queryParam(useLocation(), 'token') ?? '';
  const [joined, setJoined] = useState<Session | null>(null);
  const preview = useResource(
    () => (token ? publicApi(client).lookupInvitation(token) : Promise.resolve(null)),
    `invite:${token}`,
  );
  const dead = preview.error instanceof ApiError && preview.error.status === 404;
  const form = useForm({ name: '', password: '', confirm: '' }, (v) => ({
    name: validateName(v.name, 'your name', 128),
    password: v.password.length >= 8 ? null : 'At least 8 characters.',
    confirm: v.confirm === v.password ? null : 'The passwords differ.',
  }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void form.submit(async (v) => {
      const s = await publicApi(client).acceptInvitation({ token, name: v.name.trim(), password: v.password });
      setJoined(s);
    });
  };

  if (joined) {
    return (
      <div className="login-page">
        <div className="login-card" data-testid="invite-joined">
          <AuthBrand title="Welcome to Turnpike" />
          <Banner kind="success" title={`You joined ${joined.tenant.name}`}>
            You are signed in as <strong data-testid="invite-joined-email">{joined.user.email}</strong>.
          </Banner>
          <Button
            variant="primary"
            className="btn-block"
            data-testid="invite-continue"
            onClick={() => {
              setSession(joined);
              navigate('/apis', { replace: true });
            }}
          >
            Open the console
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={onSubmit} noValidate data-testid="invite-form">
        <AuthBrand title="Accept your invitation" subtitle="Join your organization's Turnpike tenant" />
        {!token ? (
          <Banner kind="error" title="This link has no invitation token">
            Open the full link from your invitation, or ask your administrator for a new one.
          </Banner>
        ) : dead ? (
          <div data-testid="invite-dead">
            <Banner kind="error" title="This invitation link no longer works">
              It is unknown, has expired, was revoked or was already used. Ask your administrator to invite you again.
            </Banner>
          </div>
        ) : preview.error ? (
          <ErrorBanner error={preview.error} onRetry={() => void preview.reload()} />
        ) : !preview.data ? (
          <p className="muted small" data-testid="invite-checking">
            <Spinner label="Checking your invitation" /> Checking your invitation…
          </p>
        ) : (
          <>
            <p data-testid="invite-offer">
              You are invited to <strong data-testid="invite-tenant">{preview.data.tenantName}</strong> as{' '}
              <strong data-testid="invite-email">{preview.data.email}</strong>.
            </p>
            <p className="muted small">Choose your name and a password to join.</p>
            <ErrorBanner error={form.formError} />
            <Field label="Your name" error={form.error('name')}>
              {(p) => (
                <input
                  {...p}
                  autoFocus
                  autoComplete="name"
                  data-testid="invite-name"
                  value={form.values.name}
                  onChange={(e) => form.set('name', e.target.value)}
                />
              )}
            </Field>
            <Field label="Password" error={form.error('password')} hint="At least 8 characters.">
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  data-testid="invite-password"
                  value={form.values.password}
                  onChange={(e) => form.set('password', e.target.value)}
                />
              )}
            </Field>
            <Field label="Repeat the password" error={form.error('confirm')}>
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete="new-password"
                  data-testid="invite-confirm"
                  value={form.values.confirm}
                  onChange={(e) => form.set('confirm', e.target.value)}
                />
              )}
            </Field>
            <Button type="submit" variant="primary" busy={form.busy} data-testid="invite-submit" className="btn-block">
              Join and sign in
            </Button>
          </>
        )}
        <Link to="/login">Sign in with an existing account</Link>
      </form>
    </div>
  );
}
