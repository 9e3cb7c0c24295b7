// IAM → Roles: the built-in roles and the tenant's own (named sets of
// policies users are given on the Users page): create, delete, and attach
// or detach policies. The list logic is DirectoryPage's.
import { useBreadcrumbs } from '../../components/Shell';
import { Badge, Banner, Button, Field, FormModal, Modal } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { AttachedPolicies, DirectoryPage } from './Directory';
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
      renderCreate={(close, created) => <CreateRoleModal onClose={close} onCreated={created} />}
    />
  );
}

function CreateRoleModal({ onClose, onCreated }: { onClose: () => void; onCreated: (r: IamRole) => void }) {
  const api = iamApi(useClient());
  const form = useForm({ name: '', description: '' }, (v) => ({
    name: validateIamName(v.name),
    description: v.description.length > 1000 ? 'At most 1000 characters.' : null,
  }));
  const submit = () =>
    void form.submit(async (v) =>
      onCreated(await api.createRole({ name: v.name.trim(), description: v.description.trim() || undefined })),
    );
  return (
    <FormModal
      title="Create role"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create role"
      submitTestId="iam-role-submit"
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-role-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-role-description"
            value={form.values.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
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
