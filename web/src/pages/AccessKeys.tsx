// IAM → Access keys: create (with an expiry and a session policy), rotate
// with a grace period, activate/deactivate, delete; last use and expiry.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useBreadcrumbs } from '../components/Shell';
import { Icon } from '../components/icons';
import {
  Badge,
  Banner,
  Button,
  ConfirmDialog,
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
import { validateIntRange, validateName } from '../lib/validate';
import { useClient } from '../session';
import { remove, upsert } from '../lib/list';
import { Secret } from './iam/Directory';
import { iamApi, type IamAccessKey } from './iam/iamApi';
import './iam/iam.css';

type CreatedKey = IamAccessKey & { token: string };

/** The longest grace the API allows a rotated key (7 days). */
export const MAX_GRACE_SECONDS = 604800;

export function AccessKeysPage() {
  useDocumentTitle('Access keys');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Access keys' }]);
  const client = useClient();
  const api = iamApi(client);
  const toast = useToast();
  const now = useNow();
  const keys = useResource(() => api.listAccessKeys(), 'access-keys');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ key: CreatedKey; rotated?: IamAccessKey } | null>(null);
  const [rotating, setRotating] = useState<IamAccessKey | null>(null);
  const [deleting, setDeleting] = useState<IamAccessKey | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const upsertKey = (k: IamAccessKey) =>
    keys.setData((prev) => upsert(prev, k, (x) => x.accessKeyId === k.accessKeyId, true));

  const toggle = async (k: IamAccessKey) => {
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
        cols={7}
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
              <th>Expires</th>
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
                <td className="mono muted" data-testid="access-key-last-ip">
                  {k.lastUsedIp || '—'}
                </td>
                <td title={formatDateTime(k.expiresAt)} data-testid="access-key-expires">
                  {k.expiresAt ? (
                    <>
                      {formatDateTime(k.expiresAt)}
                      {new Date(k.expiresAt) <= now ? (
                        <>
                          {' '}
                          <Badge tone="red">expired</Badge>
                        </>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted">Never</span>
                  )}
                </td>
                <td className="row-actions">
                  <Button
                    size="sm"
                    disabled={k.status !== 'ACTIVE'}
                    title={k.status === 'ACTIVE' ? 'Replace with a new key' : 'Only an active key can be rotated'}
                    onClick={() => setRotating(k)}
                    data-testid="access-key-rotate"
                  >
                    Rotate
                  </Button>
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
            setCreated({ key: k });
          }}
        />
      ) : null}
      {rotating ? (
        <RotateKeyModal
          accessKey={rotating}
          onClose={() => setRotating(null)}
          onRotated={(next, previous) => {
            setRotating(null);
            const { token: _token, ...key } = next;
            upsertKey(previous);
            upsertKey(key);
            setCreated({ key: next, rotated: previous });
          }}
        />
      ) : null}
      {created ? <TokenModal created={created.key} rotated={created.rotated} onClose={() => setCreated(null)} /> : null}
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

/** Splits an API error into the details under `prefix` and an error for the rest (or null). */
export function detailsUnder(e: ApiError, prefix: string): { under: [string, string][]; rest: ApiError | null } {
  const all = Object.entries(e.details);
  const under = all.filter(([k]) => k.startsWith(prefix)).map(([k, d]): [string, string] => [k, d.message]);
  const others = all.filter(([k]) => !k.startsWith(prefix));
  const rest =
    under.length && !others.length
      ? null
      : new ApiError(e.status, { code: e.code, message: e.message, details: Object.fromEntries(others) });
  return { under, rest };
}

/** A datetime-local value as RFC 3339, or null when empty or unreadable. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function CreateKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: (k: CreatedKey) => void }) {
  const api = iamApi(useClient());
  const [policyErrors, setPolicyErrors] = useState<[string, string][]>([]);
  const form = useForm({ name: '', expiresAt: '', sessionPolicy: '' }, (v) => {
    const iso = localToIso(v.expiresAt);
    let policy: string | null = null;
    if (v.sessionPolicy.trim()) {
      try {
        JSON.parse(v.sessionPolicy);
      } catch (e) {
        policy = `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return {
      name: validateName(v.name, 'a name', 64),
      expiresAt: v.expiresAt && (!iso || new Date(iso) <= new Date()) ? 'Must be in the future.' : null,
      sessionPolicy: policy,
    };
  });
  const submit = () =>
    void form.submit(async (v) => {
      setPolicyErrors([]);
      try {
        onCreated(
          await api.createAccessKey({
            name: v.name.trim(),
            expiresAt: localToIso(v.expiresAt) ?? undefined,
            sessionPolicy: v.sessionPolicy.trim() || undefined,
          }),
        );
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // The policy's problems go under the editor, one line each.
        const { under, rest } = detailsUnder(e, 'sessionPolicy');
        setPolicyErrors(under);
        if (rest) throw rest;
      }
    });
  return (
    <FormModal
      title="Create access key"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create key"
      submitTestId="access-key-submit"
      width={640}
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
      <Field label="Expires" optional error={form.error('expiresAt')} hint="The key stops working then.">
        {(p) => (
          <input
            {...p}
            type="datetime-local"
            data-testid="access-key-expires-at"
            value={form.values.expiresAt}
            onChange={(e) => form.set('expiresAt', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Session policy"
        optional
        error={form.error('sessionPolicy')}
        hint="A policy document that narrows the key: it may do only what both your policies and this allow."
      >
        {(p) => (
          <textarea
            {...p}
            className="code-input"
            rows={8}
            spellCheck={false}
            placeholder='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"apigw:Get*","Resource":"*"}]}'
            data-testid="access-key-session-policy"
            value={form.values.sessionPolicy}
            onChange={(e) => {
              setPolicyErrors([]);
              form.set('sessionPolicy', e.target.value);
            }}
          />
        )}
      </Field>
      {policyErrors.length ? (
        <ul className="field-error detail-list" data-testid="access-key-policy-errors" role="alert">
          {policyErrors.map(([k, m]) => (
            <li key={k}>
              <code>{k}</code> {m}
            </li>
          ))}
        </ul>
      ) : null}
    </FormModal>
  );
}

function RotateKeyModal({
  accessKey,
  onClose,
  onRotated,
}: {
  accessKey: IamAccessKey;
  onClose: () => void;
  onRotated: (next: CreatedKey, previous: IamAccessKey) => void;
}) {
  const api = iamApi(useClient());
  const form = useForm({ graceSeconds: '3600' }, (v) => ({
    graceSeconds:
      v.graceSeconds.trim() === ''
        ? 'Enter a number of seconds (0 stops the old key at once).'
        : validateIntRange(v.graceSeconds, 0, MAX_GRACE_SECONDS, 'The grace'),
  }));
  const submit = () =>
    void form.submit(async (v) => {
      const res = await api.rotateAccessKey(accessKey.accessKeyId, Number(v.graceSeconds));
      onRotated(res.accessKey, res.previous);
    });
  return (
    <FormModal
      title={`Rotate ${accessKey.name || accessKey.accessKeyId}`}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Rotate key"
      submitTestId="access-key-rotate-submit"
    >
      <p>
        A new key replaces <span className="mono">{accessKey.accessKeyId}</span>. Its token is shown once.
      </p>
      <Field
        label="Grace period (seconds)"
        error={form.error('graceSeconds')}
        hint="How long the old key keeps working, so you can roll the new one out; 0 stops it at once (at most 7 days)."
      >
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            data-testid="access-key-grace"
            value={form.values.graceSeconds}
            onChange={(e) => form.set('graceSeconds', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

function TokenModal({
  created,
  rotated,
  onClose,
}: {
  created: CreatedKey;
  /** The replaced key, after a rotation. */
  rotated?: IamAccessKey;
  onClose: () => void;
}) {
  return (
    <Modal
      title={rotated ? 'Access key rotated' : 'Access key created'}
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
          <span className="mono" data-testid="access-key-new-id">
            {created.accessKeyId}
          </span>
          {created.expiresAt ? (
            <>
              <span className="muted">Expires</span>
              <span>{formatDateTime(created.expiresAt)}</span>
            </>
          ) : null}
        </div>
        {rotated ? (
          <p data-testid="access-key-rotated-note">
            The old key <span className="mono">{rotated.accessKeyId}</span>{' '}
            {rotated.status !== 'ACTIVE'
              ? 'has stopped working.'
              : rotated.expiresAt
                ? `keeps working until ${formatDateTime(rotated.expiresAt)}.`
                : 'keeps working for now.'}
          </p>
        ) : null}
        <Secret value={created.token} testId="access-key-token" label="Copy token" />
        <p className="muted small">
          <Icon name="info" size={12} /> Example:{' '}
          <code>curl -H "Authorization: Bearer $TURNPIKE_TOKEN" {location.origin}/v1/apis</code>
        </p>
      </div>
    </Modal>
  );
}
