// IAM → Groups: list, create, delete; a panel per group for members and
// attached policies.
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
  useToast,
} from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { useClient } from '../../session';
import { iamApi, type IamGroup } from './iamApi';

const NAME_RE = /^[A-Za-z0-9+=,.@_-]+$/;

export function GroupsPage() {
  useDocumentTitle('Groups');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Groups' }]);
  const api = iamApi(useClient());
  const toast = useToast();
  const groups = useResource(() => api.listGroups(), 'iam-groups');
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<IamGroup | null>(null);
  const [deleting, setDeleting] = useState<IamGroup | null>(null);

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="iam-create-group">
      Create group
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Groups"
        subtitle="Attach policies to a group to give them to all its members."
        actions={createButton}
      />
      <ErrorBanner error={groups.error} onRetry={groups.reload} title="Could not load groups" />
      <ListCard
        resource={groups}
        cols={3}
        empty={
          <EmptyState icon="users" title="No groups" action={createButton}>
            Groups share policies among users, e.g. "deployers".
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Description</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(groups.data ?? []).map((g) => (
              <tr key={g.groupId} data-testid="iam-group-row" data-name={g.name}>
                <td className="strong">{g.name}</td>
                <td>{g.description || <span className="muted">—</span>}</td>
                <td>{formatDateTime(g.createdAt)}</td>
                <td className="row-actions">
                  <Button size="sm" onClick={() => setOpen(g)} data-testid="iam-group-open">
                    Members & policies
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Delete group"
                    onClick={() => setDeleting(g)}
                    data-testid="iam-group-delete"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {creating ? (
        <CreateGroupModal
          onClose={() => setCreating(false)}
          onCreated={(g) => {
            setCreating(false);
            groups.setData((prev) => upsert(prev, g, (x) => x.groupId === g.groupId));
            toast(`Group ${g.name} created`);
          }}
        />
      ) : null}
      {open ? <GroupModal group={open} onClose={() => setOpen(null)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete group"
          confirmLabel="Delete group"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteGroup(deleting.groupId);
            groups.setData((prev) => remove(prev, (x) => x.groupId === deleting.groupId));
            toast('Group deleted');
          }}
        >
          Delete <strong>{deleting.name}</strong>? Its members lose the policies attached to it.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function CreateGroupModal({ onClose, onCreated }: { onClose: () => void; onCreated: (g: IamGroup) => void }) {
  const api = iamApi(useClient());
  const form = useForm({ name: '', description: '' }, (v) => ({
    name: NAME_RE.test(v.name.trim()) ? null : 'Letters, digits and +=,.@_- only.',
    description: v.description.length > 1000 ? 'At most 1000 characters.' : null,
  }));
  const submit = () =>
    void form.submit(async (v) =>
      onCreated(await api.createGroup({ name: v.name.trim(), description: v.description.trim() })),
    );
  return (
    <FormModal
      title="Create group"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create group"
      submitTestId="iam-group-submit"
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-group-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input {...p} value={form.values.description} onChange={(e) => form.set('description', e.target.value)} />
        )}
      </Field>
    </FormModal>
  );
}

function GroupModal({ group, onClose }: { group: IamGroup; onClose: () => void }) {
  const api = iamApi(useClient());
  const toast = useToast();
  const detail = useResource(() => api.getGroup(group.groupId), `group-${group.groupId}`);
  const attached = useResource(() => api.groupPolicies(group.groupId), `group-policies-${group.groupId}`);
  const users = useResource(() => api.listUsers(), 'iam-users');
  const policies = useResource(() => api.listPolicies(), 'iam-policies');
  const [userChoice, setUserChoice] = useState('');
  const [policyChoice, setPolicyChoice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);
  const run = async (f: () => Promise<void>, done: string) => {
    setWorking(true);
    setError(null);
    try {
      await f();
      toast(done);
      await Promise.all([detail.reload(), attached.reload()]);
    } catch (e) {
      setError(e);
    } finally {
      setWorking(false);
    }
  };
  const members = detail.data?.members ?? [];
  const memberIds = new Set(members.map((m) => m.userId));
  const attachedIds = new Set((attached.data ?? []).map((p) => p.policyId));
  return (
    <Modal
      title={<>Group {group.name}</>}
      onClose={onClose}
      width={640}
      testId="iam-group-modal"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <div className="stack">
        <ErrorBanner error={error ?? detail.error} />
        <h3>Members</h3>
        {detail.data ? (
          members.length ? (
            <ul className="plain-list">
              {members.map((m) => (
                <li key={m.userId}>
                  {m.email}{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={working}
                    onClick={() => run(() => api.removeMember(group.groupId, m.userId), 'Member removed')}
                  >
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No members yet.</p>
          )
        ) : (
          <Spinner label="Loading" />
        )}
        <div className="inline-form">
          <select
            value={userChoice}
            onChange={(e) => setUserChoice(e.target.value)}
            data-testid="iam-group-user-select"
          >
            <option value="">Add a user…</option>
            {(users.data ?? [])
              .filter((u) => !memberIds.has(u.userId))
              .map((u) => (
                <option key={u.userId} value={u.userId}>
                  {u.email}
                </option>
              ))}
          </select>
          <Button
            size="sm"
            disabled={!userChoice || working}
            onClick={() =>
              run(() => api.addMember(group.groupId, userChoice).then(() => setUserChoice('')), 'Member added')
            }
            data-testid="iam-group-user-add"
          >
            Add
          </Button>
        </div>
        <h3>Policies</h3>
        {attached.data ? (
          attached.data.length ? (
            <ul className="plain-list">
              {attached.data.map((p) => (
                <li key={p.policyId}>
                  <span className="strong">{p.name}</span> {p.managed ? <Badge>managed</Badge> : null}{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={working}
                    onClick={() => run(() => api.detachGroup(group.groupId, p.policyId), 'Policy detached')}
                  >
                    Detach
                  </Button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No policy attached.</p>
          )
        ) : (
          <Spinner label="Loading" />
        )}
        <div className="inline-form">
          <select
            value={policyChoice}
            onChange={(e) => setPolicyChoice(e.target.value)}
            data-testid="iam-group-policy-select"
          >
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
            disabled={!policyChoice || working}
            onClick={() =>
              run(() => api.attachGroup(group.groupId, policyChoice).then(() => setPolicyChoice('')), 'Policy attached')
            }
            data-testid="iam-group-policy-attach"
          >
            Attach
          </Button>
        </div>
      </div>
    </Modal>
  );
}
