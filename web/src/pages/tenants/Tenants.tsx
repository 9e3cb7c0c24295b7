// Platform → Tenants (platform operators only): list tenants with their
// status, create one (its administrator's first access key token is shown
// once), suspend/resume, set a tenant's limits, delete with a typed
// confirmation; below, the platform operators.
import { useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Banner,
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  Modal,
  PageHeader,
  useToast,
} from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { validateEmail, validateName } from '../../lib/validate';
import { useSession } from '../../session';
import { Secret } from '../iam/Directory';
import { iamApi, type CreatedTenant, type Tenant } from '../iam/iamApi';
import { OperatorsSection } from './Operators';
import { TenantLimitsModal } from './TenantLimits';

export function TenantsPage() {
  useDocumentTitle('Tenants');
  useBreadcrumbs([{ label: 'Platform' }, { label: 'Tenants' }]);
  const { client, session } = useSession();
  const api = iamApi(client);
  const toast = useToast();
  const tenants = useResource(() => api.listTenants(), 'tenants');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedTenant | null>(null);
  const [suspending, setSuspending] = useState<Tenant | null>(null);
  const [deleting, setDeleting] = useState<Tenant | null>(null);
  const [limiting, setLimiting] = useState<Tenant | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const put = (t: Tenant) => tenants.setData((prev) => upsert(prev, t, (x) => x.tenantId === t.tenantId));
  const resume = async (t: Tenant) => {
    setBusy(t.tenantId);
    setActionError(null);
    try {
      put(await api.resumeTenant(t.tenantId));
      toast(`Tenant ${t.name} resumed`);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };
  const own = (t: Tenant) => t.tenantId === session?.tenant.tenantId;

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="tenant-create">
      Create tenant
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Every customer of this platform. A suspended tenant's management API answers 403 and its stages leave the gateways until it is resumed."
        actions={createButton}
      />
      <ErrorBanner error={tenants.error} onRetry={tenants.reload} title="Could not load tenants" />
      <ErrorBanner error={actionError} />
      <ListCard
        resource={tenants}
        cols={4}
        empty={
          <EmptyState icon="users" title="No tenants" action={createButton}>
            Create a tenant for a customer.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Tenant ID</th>
              <th>Status</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(tenants.data ?? []).map((t) => (
              <tr key={t.tenantId} data-testid="tenant-row" data-name={t.name}>
                <td className="strong">
                  {t.name} {own(t) ? <span className="muted small">(yours)</span> : null}
                </td>
                <td className="mono">{t.tenantId}</td>
                <td>
                  <span className={`badge badge-${t.status === 'ACTIVE' ? 'green' : 'red'}`}>
                    <span className="dot" />
                    <span data-testid="tenant-status">{t.status}</span>
                  </span>
                </td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td className="row-actions">
                  <Button size="sm" onClick={() => setLimiting(t)} data-testid="tenant-limits-open">
                    Limits
                  </Button>
                  {t.status === 'SUSPENDED' ? (
                    <Button size="sm" busy={busy === t.tenantId} onClick={() => resume(t)} data-testid="tenant-resume">
                      Resume
                    </Button>
                  ) : (
                    <Button
                      size="sm"
                      disabled={own(t)}
                      title={own(t) ? 'You cannot suspend your own tenant.' : undefined}
                      onClick={() => setSuspending(t)}
                      data-testid="tenant-suspend"
                    >
                      Suspend
                    </Button>
                  )}
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Delete tenant"
                    disabled={own(t)}
                    title={own(t) ? 'You cannot delete your own tenant.' : 'Delete tenant'}
                    onClick={() => setDeleting(t)}
                    data-testid="tenant-delete"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {creating ? (
        <CreateTenantModal
          onClose={() => setCreating(false)}
          onCreated={(res) => {
            setCreating(false);
            put(res.tenant);
            setCreated(res);
          }}
        />
      ) : null}
      {limiting ? <TenantLimitsModal tenant={limiting} onClose={() => setLimiting(null)} /> : null}
      {created ? <CreatedTenantModal created={created} onClose={() => setCreated(null)} /> : null}
      {suspending ? (
        <ConfirmDialog
          title="Suspend tenant"
          confirmLabel="Suspend tenant"
          onClose={() => setSuspending(null)}
          onConfirm={async () => {
            put(await api.suspendTenant(suspending.tenantId));
            toast(`Tenant ${suspending.name} suspended`);
          }}
        >
          Suspend <strong>{suspending.name}</strong>? Its users and access keys get 403 and its APIs stop answering on
          the gateways until you resume it. Nothing is deleted.
        </ConfirmDialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete tenant"
          confirmLabel="Delete tenant"
          confirmText={deleting.name}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteTenant(deleting.tenantId);
            tenants.setData((prev) => remove(prev, (x) => x.tenantId === deleting.tenantId));
            toast(`Tenant ${deleting.name} deleted`);
          }}
        >
          Delete <strong>{deleting.name}</strong> with all its APIs, users, keys and logs? Its stages leave the
          gateways. This cannot be undone.
        </ConfirmDialog>
      ) : null}
      <OperatorsSection />
    </>
  );
}

function CreateTenantModal({ onClose, onCreated }: { onClose: () => void; onCreated: (t: CreatedTenant) => void }) {
  const api = iamApi(useSession().client);
  const form = useForm(
    { name: '', adminEmail: '', adminPassword: '' },
    (v) => ({
      name: validateName(v.name, 'a tenant name', 128),
      adminEmail: validateEmail(v.adminEmail),
      adminPassword: v.adminPassword && v.adminPassword.length < 8 ? 'At least 8 characters.' : null,
    }),
    (k) => (k === 'password' ? 'adminPassword' : k === 'email' ? 'adminEmail' : k),
  );
  const submit = () =>
    void form.submit(async (v) =>
      onCreated(
        await api.createTenant({
          name: v.name.trim(),
          adminEmail: v.adminEmail.trim(),
          adminPassword: v.adminPassword || undefined,
        }),
      ),
    );
  return (
    <FormModal
      title="Create tenant"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create tenant"
      submitTestId="tenant-submit"
    >
      <Field label="Tenant name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            autoComplete="off"
            data-testid="tenant-name-input"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Administrator email" error={form.error('adminEmail')}>
        {(p) => (
          <input
            {...p}
            type="email"
            autoComplete="off"
            data-testid="tenant-admin-email"
            value={form.values.adminEmail}
            onChange={(e) => form.set('adminEmail', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Administrator password"
        optional
        error={form.error('adminPassword')}
        hint="Leave empty to generate one, shown once."
      >
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="new-password"
            data-testid="tenant-admin-password"
            value={form.values.adminPassword}
            onChange={(e) => form.set('adminPassword', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

function CreatedTenantModal({ created, onClose }: { created: CreatedTenant; onClose: () => void }) {
  return (
    <Modal
      title={`Tenant ${created.tenant.name} created`}
      onClose={onClose}
      width={640}
      testId="tenant-created"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="tenant-created-done">
          I have saved the credentials
        </Button>
      }
    >
      <div className="stack">
        <Banner kind="warning" title="Copy these now. They are shown only once.">
          Give them to the tenant's administrator, who should change the password at first sign-in.
        </Banner>
        <div className="kv-summary">
          <span className="muted">Tenant ID</span>
          <span className="mono">{created.tenantId}</span>
          <span className="muted">Administrator</span>
          <span>{created.admin.email}</span>
          <span className="muted">Access key ID</span>
          <span className="mono">{created.accessKey.accessKeyId}</span>
        </div>
        <Secret value={created.accessKey.token} testId="tenant-admin-token" label="Copy token" />
        {created.admin.password ? (
          <Secret value={created.admin.password} testId="tenant-admin-generated-password" label="Copy password" />
        ) : null}
      </div>
    </Modal>
  );
}
