// IAM → Roles: the built-in roles and the tenant's own (named sets of
// policies users are given on the Users page): create, delete, and attach
// or detach policies. The list logic is DirectoryPage's.
import { useBreadcrumbs } from '../../components/Shell';
import { Badge, Banner, Button, Modal } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { AttachedPolicies, DirectoryPage, NameDescriptionModal } from './Directory';
import { validateIamName } from './Groups';
import { iamApi, type IamRole } from './iamApi';

export function RolesPage() {
  useDocumentTitle('Roles');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Roles' }]);
  const api = iamApi(useClient());
  return (
    <DirectoryPage<IamRole>
      title="Roles"
      subtitle="A role is a named set of policies; give it to users on the Users page. Built-in roles cannot be changed."
      noun="role"
      icon="shield"
      emptyText="Create a role to give the same policies to several users."
      testPrefix="iam-role"
      resourceKey="iam-roles"
      load={api.listRoles}
      idOf={(r) => r.roleName}
      labelOf={(r) => r.roleName}
      columns={[
        { header: 'Name', cell: (r) => r.roleName },
        { header: 'Type', cell: (r) => (r.builtin ? <Badge tone="blue">built-in</Badge> : <Badge>tenant</Badge>) },
        { header: 'Description', cell: (r) => r.description || <span className="muted">—</span> },
        {
          header: 'Created',
          cell: (r) => (r.createdAt ? formatDateTime(r.createdAt) : <span className="muted">—</span>),
        },
      ]}
      validateName={validateIamName}
      destroy={(r) => api.deleteRole(r.roleName)}
      deleteWarning={() => 'Users who have it lose its policies.'}
      undeletable={(r) => (r.builtin ? 'Built-in roles cannot be deleted.' : null)}
      detailLabel="Policies"
      renderDetail={(r, close) => <RoleModal role={r} onClose={close} />}
      renderCreate={(close, created) => (
        <NameDescriptionModal
          noun="role"
          testPrefix="iam-role"
          validateName={validateIamName}
          create={api.createRole}
          onClose={close}
          onCreated={created}
        />
      )}
    />
  );
}

function RoleModal({ role, onClose }: { role: IamRole; onClose: () => void }) {
  const api = iamApi(useClient());
  const attached = useResource(() => api.rolePolicies(role.roleName), `role-policies-${role.roleName}`);
  return (
    <Modal
      title={<>Role {role.roleName}</>}
      onClose={onClose}
      width={600}
      testId="iam-role-modal"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <div className="stack">
        {role.builtin ? <Banner kind="info" title="Built-in role: its policies are fixed." /> : null}
        <h3>Policies</h3>
        <AttachedPolicies
          attached={attached}
          attach={(id) => api.attachRole(role.roleName, id)}
          detach={(id) => api.detachRole(role.roleName, id)}
          testPrefix="iam-role-policy"
          readOnly={role.builtin}
        />
      </div>
    </Modal>
  );
}
