// IAM → Users: list, create, disable/enable, force a password reset, and a
// panel per user for attached policies, groups and effective policies.
import './iam.css';
import { useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Badge,
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  Modal,
  PageHeader,
  Spinner,
  StatusBadge,
  useToast,
} from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { upsert } from '../../lib/list';
import { useClient, useSession } from '../../session';
import { iamApi, type IamUser } from './iamApi';

export function UsersPage() {
  useDocumentTitle('Users');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Users' }]);
  const api = iamApi(useClient());
  const { session } = useSession();
  const toast = useToast();
  const users = useResource(() => api.listUsers(), 'iam-users');
  const [creating, setCreating] = useState(false);
  const [managing, setManaging] = useState<IamUser | null>(null);
  const [resetting, setResetting] = useState<IamUser | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const put = (u: IamUser) => users.setData((prev) => upsert(prev, u, (x) => x.userId === u.userId, true));

  const toggle = async (u: IamUser) => {
    setBusy(u.userId);
    setActionError(null);
    try {
      const next = await api.updateUser(u.userId, { status: u.status === 'ACTIVE' ? 'DISABLED' : 'ACTIVE' });
      put(next);
      toast(`${next.email} ${next.status === 'ACTIVE' ? 'enabled' : 'disabled'}`);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="iam-create-user">
      Create user
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="People and automation identities of your tenant. What each may do is the union of the policies attached to them, their groups and their roles; an explicit Deny always wins."
        actions={createButton}
      />
      <ErrorBanner error={users.error} onRetry={users.reload} title="Could not load users" />
      <ErrorBanner error={actionError} />
      <ListCard
        resource={users}
        cols={5}
        empty={
          <EmptyState icon="users" title="No users" action={createButton}>
            Create a user to give someone access to this tenant.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Status</th>
              <th>Roles</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(users.data ?? []).map((u) => (
              <tr key={u.userId} data-testid="iam-user-row" data-email={u.email}>
                <td className="strong">{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <StatusBadge status={u.status} />
                </td>
                <td>
                  {u.roles.length ? (
                    u.roles.map((r) => (
                      <Badge key={r} tone="blue">
                        {r}
                      </Badge>
                    ))
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{formatDateTime(u.createdAt)}</td>
                <td className="row-actions">
                  <Button size="sm" onClick={() => setManaging(u)} data-testid="iam-user-manage">
                    Permissions
                  </Button>
                  <Button
                    size="sm"
                    busy={busy === u.userId}
                    disabled={u.userId === session?.user.userId}
                    onClick={() => toggle(u)}
                    data-testid="iam-user-toggle"
                  >
                    {u.status === 'ACTIVE' ? 'Disable' : 'Enable'}
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setResetting(u)} data-testid="iam-user-reset">
                    Force reset
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>

      {creating ? (
        <CreateUserModal
          onClose={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            put(u);
            toast(`User ${u.email} created`);
          }}
        />
      ) : null}
      {managing ? <UserPermissionsModal user={managing} onClose={() => setManaging(null)} /> : null}
      {resetting ? (
        <ConfirmDialog
          title="Force a password reset"
          confirmLabel="Require new password"
          onClose={() => setResetting(null)}
          onConfirm={async () => {
            await api.resetPassword(resetting.userId);
            toast(`${resetting.email} must choose a new password`);
          }}
        >
          <strong>{resetting.email}</strong> will be refused everything but changing their password until they choose a
          new one.
        </ConfirmDialog>
      ) : null}
    </>
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
  const toast = useToast();
  const attached = useResource(() => api.userPolicies(user.userId), `attached-${user.userId}`);
  const effective = useResource(() => api.effectivePolicies(user.userId), `effective-${user.userId}`);
  const groups = useResource(() => api.userGroups(user.userId), `groups-${user.userId}`);
  const policies = useResource(() => api.listPolicies(), 'iam-policies');
  const allGroups = useResource(() => api.listGroups(), 'iam-groups');
  const [choice, setChoice] = useState('');
  const [groupChoice, setGroupChoice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);

  const run = async (f: () => Promise<void>, done: string) => {
    setWorking(true);
    setError(null);
    try {
      await f();
      toast(done);
      await Promise.all([attached.reload(), effective.reload(), groups.reload()]);
    } catch (e) {
      setError(e);
    } finally {
      setWorking(false);
    }
  };

  const attachedIds = new Set((attached.data ?? []).map((p) => p.policyId));
  const memberOf = new Set((groups.data ?? []).map((g) => g.groupId));
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
        {attached.data ? (
          attached.data.length ? (
            <ul className="plain-list" data-testid="iam-user-attached">
              {attached.data.map((p) => (
                <li key={p.policyId}>
                  <span className="strong">{p.name}</span> {p.managed ? <Badge>managed</Badge> : null}{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={working}
                    onClick={() => run(() => api.detachUser(user.userId, p.policyId), `${p.name} detached`)}
                    data-testid="iam-user-detach"
                  >
                    Detach
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No policy is attached to this user directly.</p>
          )
        ) : (
          <Spinner label="Loading" />
        )}
        <div className="inline-form">
          <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="iam-user-attach-select">
            <option value="">Attach a policy…</option>
            {(policies.data ?? [])
              .filter((p) => !attachedIds.has(p.policyId))
              .map((p) => (
                <option key={p.policyId} value={p.policyId}>
                  {p.name}
                </option>
              ))}
          </select>
          <Button
            size="sm"
            variant="primary"
            disabled={!choice || working}
            onClick={() => run(() => api.attachUser(user.userId, choice).then(() => setChoice('')), 'Policy attached')}
            data-testid="iam-user-attach"
          >
            Attach
          </Button>
        </div>

        <h3>Groups</h3>
        {groups.data ? (
          groups.data.length ? (
            <ul className="plain-list">
              {groups.data.map((g) => (
                <li key={g.groupId}>
                  {g.name}{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={working}
                    onClick={() => run(() => api.removeMember(g.groupId, user.userId), `Removed from ${g.name}`)}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Not a member of any group.</p>
          )
        ) : (
          <Spinner label="Loading" />
        )}
        <div className="inline-form">
          <select
            value={groupChoice}
            onChange={(e) => setGroupChoice(e.target.value)}
            data-testid="iam-user-group-select"
          >
            <option value="">Add to a group…</option>
            {(allGroups.data ?? [])
              .filter((g) => !memberOf.has(g.groupId))
              .map((g) => (
                <option key={g.groupId} value={g.groupId}>
                  {g.name}
                </option>
              ))}
          </select>
          <Button
            size="sm"
            disabled={!groupChoice || working}
            onClick={() =>
              run(() => api.addMember(groupChoice, user.userId).then(() => setGroupChoice('')), 'Added to group')
            }
            data-testid="iam-user-group-add"
          >
            Add
          </Button>
        </div>

        <h3>Effective policies</h3>
        {effective.data ? (
          <ul className="plain-list" data-testid="iam-user-effective">
            {effective.data.map((e) => (
              <li key={e.policy.policyId}>
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
