// Account → Change password: also where a user whose administrator
// required a reset goes before anything else works.
import './iam.css';
import { useBreadcrumbs } from '../../components/Shell';
import { Button, ErrorBanner, Field, PageHeader, useToast } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle } from '../../lib/hooks';
import { navigate } from '../../lib/router';
import { useClient } from '../../session';

export function ChangePasswordPage() {
  useDocumentTitle('Change password');
  useBreadcrumbs([{ label: 'Account' }, { label: 'Change password' }]);
  const client = useClient();
  const toast = useToast();
  const form = useForm({ currentPassword: '', newPassword: '', confirm: '' }, (v) => ({
    currentPassword: v.currentPassword ? null : 'Enter your current password.',
    newPassword: v.newPassword.length >= 8 ? null : 'At least 8 characters.',
    confirm: v.confirm === v.newPassword ? null : 'The passwords differ.',
  }));
  const submit = () =>
    void form.submit(async (v) => {
      await client.request<void>('POST', '/v1/auth/password', {
        body: { currentPassword: v.currentPassword, newPassword: v.newPassword },
      });
      toast('Password changed');
      navigate('/apis');
    });
  return (
    <>
      <PageHeader
        title="Change password"
        subtitle="If an administrator required a new password, nothing else works until you choose one."
      />
      <div className="card card-pad" style={{ maxWidth: 480 }}>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <ErrorBanner error={form.formError} />
          <Field label="Current password" error={form.error('currentPassword')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="current-password"
                data-testid="password-current"
                value={form.values.currentPassword}
                onChange={(e) => form.set('currentPassword', e.target.value)}
              />
            )}
          </Field>
          <Field label="New password" error={form.error('newPassword')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                data-testid="password-new"
                value={form.values.newPassword}
                onChange={(e) => form.set('newPassword', e.target.value)}
              />
            )}
          </Field>
          <Field label="Confirm new password" error={form.error('confirm')}>
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                data-testid="password-confirm"
                value={form.values.confirm}
                onChange={(e) => form.set('confirm', e.target.value)}
              />
            )}
          </Field>
          <div>
            <Button type="submit" variant="primary" busy={form.busy} data-testid="password-submit">
              Change password
            </Button>
          </div>
        </form>
      </div>
    </>
  );
}
