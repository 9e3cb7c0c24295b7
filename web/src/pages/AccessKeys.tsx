import { useState } from 'react';
import type { AccessKey, CreatedAccessKey } from '../api/types';
import { useBreadcrumbs } from '../components/Shell';
import { Icon } from '../components/icons';
import {
  Banner,
  Button,
  ConfirmDialog,
  CopyButton,
  EmptyState,
  ErrorBanner,
  FormModal,
  Field,
  Modal,
  PageHeader,
  ListCard,
  StatusBadge,
  useToast,
} from '../components/ui';
import { formatDateTime, formatRelative } from '../lib/format';
import { useForm } from '../lib/form';
import { useDocumentTitle, useNow, useResource } from '../lib/hooks';
import { validateName } from '../lib/validate';
import { useClient } from '../session';
import { remove, upsert } from '../lib/list';

export function AccessKeysPage() {
  useDocumentTitle('Access keys');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Access keys' }]);
  const client = useClient();
  const toast = useToast();
  const now = useNow();
  const keys = useResource(() => client.listAccessKeys(), 'access-keys');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedAccessKey | null>(null);
  const [deleting, setDeleting] = useState<AccessKey | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const upsertKey = (k: AccessKey) =>
    keys.setData((prev) => upsert(prev, k, (x) => x.accessKeyId === k.accessKeyId, true));

  const toggle = async (k: AccessKey) => {
    setToggling(k.accessKeyId);
    setActionError(null);
    try {
      const next = await client.updateAccessKey(k.accessKeyId, {
        status: k.status === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE',
      });
      upsertKey(next);
      toast(`Key ${next.name || next.accessKeyId} ${next.status === 'ACTIVE' ? 'activated' : 'deactivated'}`);
    } catch (e) {
      setActionError(e);
    } finally {
      setToggling(null);
    }
  };

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-access-key">
      Create access key
    </Button>
  );
  const list = keys.data ?? [];

  return (
    <>
      <PageHeader
        title="Access keys"
        subtitle={
          <>
            Keys for the management API from CI, scripts and SDKs: send <code>Authorization: Bearer &lt;token&gt;</code>
            . A key acts with your permissions.
          </>
        }
        actions={createButton}
      />
      <ErrorBanner error={keys.error} onRetry={keys.reload} title="Could not load access keys" />
      <ErrorBanner error={actionError} />
      <ListCard
        resource={keys}
        cols={5}
        empty={
          <EmptyState icon="key" title="No access keys" action={createButton}>
            Create a key to automate Turnpike from CI or the command line.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Access key ID</th>
              <th>Status</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Last IP</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.map((k) => (
              <tr key={k.accessKeyId} data-testid="access-key-row" data-access-key-id={k.accessKeyId}>
                <td className="strong">{k.name || <span className="muted">—</span>}</td>
                <td className="mono">{k.accessKeyId}</td>
                <td>
                  <StatusBadge status={k.status} />
                </td>
                <td title={formatDateTime(k.createdAt)}>{formatRelative(k.createdAt, now)}</td>
                <td title={formatDateTime(k.lastUsedAt)}>
                  {k.lastUsedAt ? formatRelative(k.lastUsedAt, now) : <span className="muted">Never</span>}
                </td>
                <td className="mono muted">{k.lastUsedIp || '—'}</td>
                <td className="row-actions">
                  <Button
                    size="sm"
                    busy={toggling === k.accessKeyId}
                    onClick={() => toggle(k)}
                    data-testid="access-key-toggle"
                  >
                    {k.status === 'ACTIVE' ? 'Deactivate' : 'Activate'}
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Delete key"
                    onClick={() => setDeleting(k)}
                    data-testid="access-key-delete"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>

      {creating ? (
        <CreateKeyModal
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            const { token: _token, ...key } = k;
            upsertKey(key);
            setCreated(k);
          }}
        />
      ) : null}
      {created ? <TokenModal created={created} onClose={() => setCreated(null)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete access key"
          confirmLabel="Delete key"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.deleteAccessKey(deleting.accessKeyId);
            keys.setData((prev) => remove(prev, (x) => x.accessKeyId === deleting.accessKeyId));
            toast('Access key deleted');
          }}
        >
          Delete <strong>{deleting.name || deleting.accessKeyId}</strong> (
          <span className="mono">{deleting.accessKeyId}</span>)? Anything still using it gets 401 at once. To pause a
          key instead, deactivate it.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function CreateKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: (k: CreatedAccessKey) => void }) {
  const client = useClient();
  const form = useForm({ name: '' }, (v) => ({ name: validateName(v.name, 'a name', 64) }));
  const submit = () =>
    void form.submit(async (v) => {
      onCreated(await client.createAccessKey(v.name.trim()));
    });
  return (
    <FormModal
      title="Create access key"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create key"
      submitTestId="access-key-submit"
    >
      <Field label="Name" error={form.error('name')} hint="Where it is used, e.g. github-actions-deploy.">
        {(p) => (
          <input
            {...p}
            data-testid="access-key-name"
            autoComplete="off"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

function TokenModal({ created, onClose }: { created: CreatedAccessKey; onClose: () => void }) {
  return (
    <Modal
      title="Access key created"
      onClose={onClose}
      width={600}
      testId="access-key-created"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="access-key-done">
          I have saved the token
        </Button>
      }
    >
      <div className="stack">
        <Banner kind="warning" title="Copy the token now. It is shown only once.">
          Turnpike stores only a hash of it. If you lose it, delete the key and create a new one.
        </Banner>
        <div className="kv-summary">
          <span className="muted">Name</span>
          <span>{created.name}</span>
          <span className="muted">Access key ID</span>
          <span className="mono">{created.accessKeyId}</span>
        </div>
        <div className="secret">
          <code data-testid="access-key-token">{created.token}</code>
          <CopyButton text={created.token} label="Copy token" testId="access-key-copy" />
        </div>
        <p className="muted small">
          <Icon name="info" size={12} /> Example:{' '}
          <code>curl -H "Authorization: Bearer $TURNPIKE_TOKEN" {location.origin}/v1/apis</code>
        </p>
      </div>
    </Modal>
  );
}
