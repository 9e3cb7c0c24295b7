// IAM → Groups: list, create, rename, delete; a panel per group for members
// and attached policies. The list logic is DirectoryPage's.
import { useBreadcrumbs } from '../../components/Shell';
import { Button, ErrorBanner, Modal } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { AttachedPolicies, DirectoryPage, MembershipList, NameDescriptionModal, useRunner } from './Directory';
import { iamApi, type IamGroup } from './iamApi';

const NAME_RE = /^[A-Za-z0-9+=,.@_-]+$/;

/** The IAM name rule groups and roles share. */
export const validateIamName = (name: string) =>
  NAME_RE.test(name.trim()) ? null : 'Letters, digits and +=,.@_- only.';

export function GroupsPage() {
  useDocumentTitle('Groups');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Groups' }]);
  const api = iamApi(useClient());
  return (
    <DirectoryPage<IamGroup>
      title="Groups"
      subtitle="Attach policies to a group to give them to all its members."
      noun="group"
      icon="users"
      emptyText='Groups share policies among users, e.g. "deployers".'
      testPrefix="iam-group"
      resourceKey="iam-groups"
      load={api.listGroups}
      idOf={(g) => g.groupId}
      labelOf={(g) => g.name}
      columns={[
        { header: 'Name', cell: (g) => g.name },
        { header: 'Description', cell: (g) => g.description || <span className="muted">—</span> },
        { header: 'Created', cell: (g) => formatDateTime(g.createdAt) },
      ]}
      nameOf={(g) => g.name}
      nameLabel="Name"
      validateName={validateIamName}
      // PATCH replaces both fields: keep the description.
      rename={(g, name) => api.updateGroup(g.groupId, { name, description: g.description })}
      destroy={(g) => api.deleteGroup(g.groupId)}
      deleteWarning={() => 'Its members lose the policies attached to it.'}
      detailLabel="Members & policies"
      renderDetail={(g, close) => <GroupModal group={g} onClose={close} />}
      renderCreate={(close, created) => (
        <NameDescriptionModal
          noun="group"
          testPrefix="iam-group"
          validateName={validateIamName}
          create={api.createGroup}
          onClose={close}
          onCreated={created}
        />
      )}
    />
  );
}

function GroupModal({ group, onClose }: { group: IamGroup; onClose: () => void }) {
  const api = iamApi(useClient());
  const detail = useResource(() => api.getGroup(group.groupId), `group-${group.groupId}`);
  const attached = useResource(() => api.groupPolicies(group.groupId), `group-policies-${group.groupId}`);
  const users = useResource(() => api.listUsers(), 'iam-users');
  const { run, error, working } = useRunner(detail.reload);
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
        <MembershipList
          items={detail.data ? (detail.data.members ?? []) : undefined}
          candidates={users.data ?? []}
          keyOf={(u) => u.userId}
          labelOf={(u) => u.email}
          onAdd={(id) => run(() => api.addMember(group.groupId, id), 'Member added')}
          onRemove={(u) => run(() => api.removeMember(group.groupId, u.userId), 'Member removed')}
          addPlaceholder="Add a user…"
          emptyText="No members yet."
          working={working}
          testPrefix="iam-group-user"
        />
        <h3>Policies</h3>
        <AttachedPolicies
          attached={attached}
          attach={(id) => api.attachGroup(group.groupId, id)}
          detach={(id) => api.detachGroup(group.groupId, id)}
          testPrefix="iam-group-policy"
        />
      </div>
    </Modal>
  );
}
