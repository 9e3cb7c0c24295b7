// IAM → Users: list, create, rename, delete, disable/enable, force a
// password reset, and a panel per user for attached policies, groups, roles
// and effective policies. The list logic is DirectoryPage's.
import { useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Badge,
  Button,
  ConfirmDialog,
  ErrorBanner,
  Field,
  FormModal,
  Modal,
  StatusBadge,
  useToast,
} from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { validateName } from '../../lib/validate';
import { useClient, useSession } from '../../session';
import { AttachedPolicies, DirectoryPage, MembershipList, useRunner } from './Directory';
import { iamApi, type IamUser } from './iamApi';

export function UsersPage() {
  useDocumentTitle('Users');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Users' }]);
  const api = iamApi(useClient());
  const { session } = useSession();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [resetting, setResetting] = useState<IamUser | null>(null);

  const toggle = async (u: IamUser, put: (u: IamUser) => void, fail: (e: unknown) => void) => {
    setBusy(u.userId);
    try {
      const next = await api.updateUser(u.userId, { status: u.status === 'ACTIVE' ? 'DISABLED' : 'ACTIVE' });
      put(next);
      toast(`${next.email} ${next.status === 'ACTIVE' ? 'enabled' : 'disabled'}`);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <DirectoryPage<IamUser>
      title="Users"
      subtitle="People and automation identities of your tenant. What each may do is the union of the policies attached to them, their groups and their roles; an explicit Deny always wins."
      noun="user"
      icon="users"
      emptyText="Create a user to give someone access to this tenant."
      testPrefix="iam-user"
      resourceKey="iam-users"
      load={api.listUsers}
      idOf={(u) => u.userId}
      labelOf={(u) => u.email}
      columns={[
        { header: 'Email', cell: (u) => u.email },
        { header: 'Name', cell: (u) => u.name },
        { header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
        {
          header: 'Roles',
          cell: (u) =>
            u.roles.length ? (
              u.roles.map((r) => (
                <Badge key={r} tone="blue">
                  {r}
                </Badge>
              ))
            ) : (
              <span className="muted">—</span>
            ),
        },
        { header: 'Created', cell: (u) => formatDateTime(u.createdAt) },
      ]}
      nameOf={(u) => u.name}
      nameLabel="Name"
      validateName={(n) => validateName(n, 'a name')}
      rename={(u, name) => api.updateUser(u.userId, { name })}
      destroy={(u) => api.deleteUser(u.userId)}
      deleteWarning={() => 'Their access keys and console sessions stop working at once.'}
      undeletable={(u) => (u.userId === session?.user.userId ? 'You cannot delete yourself.' : null)}
      detailLabel="Permissions"
      renderDetail={(u, close) => <UserPermissionsModal user={u} onClose={close} />}
      renderCreate={(close, created) => <CreateUserModal onClose={close} onCreated={created} />}
      rowActions={(u, put, fail) => (
        <>
          <Button
            size="sm"
            busy={busy === u.userId}
            disabled={u.userId === session?.user.userId}
            onClick={() => toggle(u, put, fail)}
            data-testid="iam-user-toggle"
          >
            {u.status === 'ACTIVE' ? 'Disable' : 'Enable'}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setResetting(u)} data-testid="iam-user-reset">
            Force reset
          </Button>
        </>
      )}
      extra={
        resetting ? (
          <ConfirmDialog
            title="Force a password reset"
            confirmLabel="Require new password"
            onClose={() => setResetting(null)}
            onConfirm={async () => {
              await api.resetPassword(resetting.userId);
              toast(`${resetting.email} must choose a new password`);
            }}
          >
            <strong>{resetting.email}</strong> will be refused everything but changing their password until they choose
            a new one.
          </ConfirmDialog>
        ) : null
      }
    />
  );
}

const MANAGED = ['AdministratorAccess', 'ReadOnlyAccess', 'DeveloperAccess', 'BillingReadOnly'];

function CreateUserModal({ onClose, onCreated }: { onClose: () => void; onCreated: (u: IamUser) => void }) {
  const api = iamApi(useClient());
  const form = useForm(
    { email: '', name: '', password: '', policy: 'ReadOnlyAccess', passwordResetRequired: false },
    (v) => ({
      email: /^[^@\s]+@[^@\s]+$/.test(v.email.trim()) ? null : 'Enter an email address.',
      name: v.name.trim() ? null : 'Enter a name.',
      password: v.password.length >= 8 ? null : 'At least 8 characters.',
    }),
    (k) => (k === 'policies' ? 'policy' : k),
  );
  const submit = () =>
    void form.submit(async (v) => {
      onCreated(
        await api.createUser({
          email: v.email.trim(),
          name: v.name.trim(),
          password: v.password,
          policies: v.policy ? [v.policy] : undefined,
          passwordResetRequired: v.passwordResetRequired || undefined,
        }),
      );
    });
  return (
    <FormModal
      title="Create user"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create user"
      submitTestId="iam-user-submit"
    >
      <Field label="Email" error={form.error('email')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-user-email"
            autoComplete="off"
            value={form.values.email}
            onChange={(e) => form.set('email', e.target.value)}
          />
        )}
      </Field>
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-user-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Password" error={form.error('password')} hint="They can change it after signing in.">
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            data-testid="iam-user-password"
            value={form.values.password}
            onChange={(e) => form.set('password', e.target.value)}
          />
        )}
      </Field>
      <Field label="Policy" error={form.error('policy')} hint="More can be attached afterwards.">
        {(p) => (
          <select
            {...p}
            data-testid="iam-user-policy"
            value={form.values.policy}
            onChange={(e) => form.set('policy', e.target.value)}
          >
            <option value="">None</option>
            {MANAGED.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="iam-user-require-reset"
          checked={form.values.passwordResetRequired}
          onChange={(e) => form.set('passwordResetRequired', e.target.checked)}
        />{' '}
        Require a new password at first sign-in
      </label>
    </FormModal>
  );
}

function UserPermissionsModal({ user, onClose }: { user: IamUser; onClose: () => void }) {
  const api = iamApi(useClient());
  const attached = useResource(() => api.userPolicies(user.userId), `attached-${user.userId}`);
  const effective = useResource(() => api.effectivePolicies(user.userId), `effective-${user.userId}`);
  const groups = useResource(() => api.userGroups(user.userId), `groups-${user.userId}`);
  // The user's roles come with the user; reload it after a change.
  const detail = useResource(() => api.getUser(user.userId), `user-${user.userId}`);
  const allGroups = useResource(() => api.listGroups(), 'iam-groups');
  const allRoles = useResource(() => api.listRoles(), 'iam-roles');
  const { run, error, working } = useRunner(() => Promise.all([groups.reload(), detail.reload(), effective.reload()]));

  return (
    <Modal
      title={<>Permissions of {user.email}</>}
      onClose={onClose}
      width={680}
      testId="iam-user-permissions"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <div className="stack">
        <ErrorBanner error={error} />
        <h3>Attached policies</h3>
        <AttachedPolicies
          attached={attached}
          attach={(id) => api.attachUser(user.userId, id)}
          detach={(id) => api.detachUser(user.userId, id)}
          onChanged={effective.reload}
          testPrefix="iam-user"
          emptyText="No policy is attached to this user directly."
        />

        <h3>Groups</h3>
        <MembershipList
          items={groups.data}
          candidates={allGroups.data ?? []}
          keyOf={(g) => g.groupId}
          labelOf={(g) => g.name}
          onAdd={(id) => run(() => api.addMember(id, user.userId), 'Added to group')}
          onRemove={(g) => run(() => api.removeMember(g.groupId, user.userId), `Removed from ${g.name}`)}
          addPlaceholder="Add to a group…"
          emptyText="Not a member of any group."
          working={working}
          testPrefix="iam-user-group"
        />

        <h3>Roles</h3>
        <MembershipList
          items={detail.data?.roles}
          candidates={(allRoles.data ?? []).map((r) => r.roleName)}
          keyOf={(r) => r}
          labelOf={(r) => r}
          onAdd={(r) => run(() => api.addRole(user.userId, r), `Role ${r} given`)}
          onRemove={(r) => run(() => api.removeRole(user.userId, r), `Role ${r} taken`)}
          addPlaceholder="Give a role…"
          emptyText="No role."
          working={working}
          testPrefix="iam-user-role"
        />

        <h3>Effective policies</h3>
        {effective.data ? (
          <ul className="plain-list" data-testid="iam-user-effective">
            {effective.data.map((e) => (
              <li key={`${e.policy.policyId}-${e.via}`}>
                <span className="strong">{e.policy.name}</span> <span className="muted">via {e.via}</span>
              </li>
            ))}
            {effective.data.length === 0 ? <li className="muted">None: this user may do nothing.</li> : null}
          </ul>
        ) : (
          <ErrorBanner error={effective.error} />
        )}
      </div>
    </Modal>
  );
}
