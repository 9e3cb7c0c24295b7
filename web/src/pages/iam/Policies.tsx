// IAM → Policies: managed and customer policies; a JSON editor whose
// problems (as the API reports them) show under the editor; a customer
// policy's versions (at most five, the default enforced).
import './iam.css';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Badge,
  Button,
  ConfirmDialog,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  EmptyState,
  Modal,
  PageHeader,
  useToast,
} from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { useClient } from '../../session';
import { formatDateTime } from '../../lib/format';
import { iamApi, prettyDocument, type IamPolicy } from './iamApi';
import { policyVersionsApi, splitDocumentProblems, type PolicyVersion } from './policyVersionsApi';

/** The default version's id; older servers only sent its number. */
const defaultVersionId = (p: IamPolicy & { defaultVersionId?: string }) => p.defaultVersionId ?? `v${p.version}`;

const TEMPLATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DeployDev",
      "Effect": "Allow",
      "Action": ["apigw:Get*", "apigw:CreateDeployment"],
      "Resource": "trn:turnpike:*:apis/*/stages/dev"
    }
  ]
}`;

export function PoliciesPage() {
  useDocumentTitle('Policies');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Policies' }]);
  const api = iamApi(useClient());
  const toast = useToast();
  const policies = useResource(() => api.listPolicies(), 'iam-policies');
  const [editing, setEditing] = useState<IamPolicy | 'new' | null>(null);
  const [viewing, setViewing] = useState<IamPolicy | null>(null);
  const [deleting, setDeleting] = useState<IamPolicy | null>(null);
  const [versionsOf, setVersionsOf] = useState<IamPolicy | null>(null);
  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setEditing('new')} data-testid="iam-create-policy">
      Create policy
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Policies"
        subtitle="JSON documents that allow or deny actions on resources. Managed policies ship with Turnpike; write your own for anything finer."
        actions={createButton}
      />
      <ErrorBanner error={policies.error} onRetry={policies.reload} title="Could not load policies" />
      <ListCard
        resource={policies}
        cols={4}
        empty={<EmptyState icon="shield" title="No policies" action={createButton} />}
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Description</th>
              <th>Default version</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(policies.data ?? []).map((p) => (
              <tr key={p.policyId} data-testid="iam-policy-row" data-name={p.name}>
                <td className="strong">{p.name}</td>
                <td>{p.managed ? <Badge tone="blue">Managed</Badge> : <Badge>Customer</Badge>}</td>
                <td>{p.description || <span className="muted">—</span>}</td>
                <td data-testid="iam-policy-default-version">{p.managed ? '—' : defaultVersionId(p)}</td>
                <td className="row-actions">
                  {p.managed ? (
                    <Button size="sm" onClick={() => setViewing(p)} data-testid="iam-policy-view">
                      View
                    </Button>
                  ) : (
                    <>
                      <Button size="sm" onClick={() => setEditing(p)} data-testid="iam-policy-edit">
                        Edit
                      </Button>
                      <Button size="sm" onClick={() => setVersionsOf(p)} data-testid="iam-policy-versions">
                        Versions
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon="trash"
                        aria-label="Delete policy"
                        onClick={() => setDeleting(p)}
                        data-testid="iam-policy-delete"
                      />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {editing ? (
        <PolicyEditor
          policy={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setEditing(null);
            policies.setData((prev) => upsert(prev, p, (x) => x.policyId === p.policyId));
            toast(`Policy ${p.name} saved`);
          }}
        />
      ) : null}
      {viewing ? (
        <Modal
          title={viewing.name}
          onClose={() => setViewing(null)}
          width={640}
          footer={<Button onClick={() => setViewing(null)}>Close</Button>}
        >
          <p className="muted">{viewing.description}</p>
          <pre className="code-block" data-testid="iam-policy-document">
            {prettyDocument(viewing.document)}
          </pre>
        </Modal>
      ) : null}
      {versionsOf ? (
        <PolicyVersions
          policy={versionsOf}
          onClose={() => setVersionsOf(null)}
          onDefaultChanged={(versionId, document) =>
            policies.setData((prev) =>
              (prev ?? []).map((x) =>
                x.policyId === versionsOf.policyId
                  ? { ...x, document, version: Number(versionId.slice(1)), defaultVersionId: versionId }
                  : x,
              ),
            )
          }
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete policy"
          confirmLabel="Delete policy"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deletePolicy(deleting.policyId);
            policies.setData((prev) => remove(prev, (x) => x.policyId === deleting.policyId));
            toast('Policy deleted');
          }}
        >
          Delete <strong>{deleting.name}</strong>? It is detached from every user, group and role first.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function PolicyEditor({
  policy,
  onClose,
  onSaved,
}: {
  policy: IamPolicy | null;
  onClose: () => void;
  onSaved: (p: IamPolicy) => void;
}) {
  const api = iamApi(useClient());
  const [docErrors, setDocErrors] = useState<[string, string][]>([]);
  const form = useForm(
    {
      name: policy?.name ?? '',
      description: policy?.description ?? '',
      document: policy ? prettyDocument(policy.document) : TEMPLATE,
    },
    (v) => {
      let doc: string | null = null;
      try {
        JSON.parse(v.document);
      } catch (e) {
        doc = `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
      }
      return {
        name: /^[A-Za-z0-9+=,.@_-]+$/.test(v.name.trim()) ? null : 'Letters, digits and +=,.@_- only.',
        document: doc,
      };
    },
    (k) => (k.startsWith('document') ? `doc:${k}` : k),
  );
  const submit = () =>
    void form.submit(async (v) => {
      setDocErrors([]);
      const body = { name: v.name.trim(), description: v.description.trim(), document: v.document };
      try {
        onSaved(policy ? await api.updatePolicy(policy.policyId, body) : await api.createPolicy(body));
      } catch (e) {
        if (e instanceof ApiError) {
          const { problems, rest } = splitDocumentProblems(e);
          setDocErrors(problems);
          if (rest) throw rest;
          return;
        }
        throw e;
      }
    });
  return (
    <FormModal
      title={policy ? `Edit ${policy.name}` : 'Create policy'}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={policy ? 'Save' : 'Create policy'}
      submitTestId="iam-policy-submit"
      width={720}
      testId="iam-policy-editor"
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="iam-policy-name"
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
      <Field
        label="Policy document"
        error={form.error('document')}
        hint="Actions like apigw:Get* or iam:* (or NotAction: all but those); resources like trn:turnpike:*:apis/*/stages/dev (or NotResource); conditions such as DateLessThan on aws:CurrentTime, Bool on aws:SecureTransport, ForAnyValue:StringEquals on turnpike:PrincipalGroups; Deny wins over Allow."
      >
        {(p) => (
          <textarea
            {...p}
            className="code-input"
            rows={16}
            spellCheck={false}
            data-testid="iam-policy-document-input"
            value={form.values.document}
            onChange={(e) => {
              setDocErrors([]);
              form.set('document', e.target.value);
            }}
          />
        )}
      </Field>
      <DocumentProblems problems={docErrors} testId="iam-policy-errors" />
    </FormModal>
  );
}

/** The API's problems with a document, by JSON path, under the editor. */
function DocumentProblems({ problems, testId }: { problems: [string, string][]; testId: string }) {
  if (!problems.length) return null;
  return (
    <ul className="field-error detail-list" data-testid={testId} role="alert">
      {problems.map(([k, m]) => (
        <li key={k}>
          <code>{k}</code> {m}
        </li>
      ))}
    </ul>
  );
}

/**
 * A customer policy's versions, newest first, the default marked: view a
 * version's document, make it the default, delete it, or write a new one.
 */
function PolicyVersions({
  policy,
  onClose,
  onDefaultChanged,
}: {
  policy: IamPolicy;
  onClose: () => void;
  onDefaultChanged: (versionId: string, document: unknown) => void;
}) {
  const api = policyVersionsApi(useClient());
  const toast = useToast();
  const versions = useResource(() => api.list(policy.policyId), `iam-policy-versions-${policy.policyId}`);
  const [viewing, setViewing] = useState<PolicyVersion | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<PolicyVersion | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const list = versions.data ?? [];
  const current = list.find((v) => v.isDefault);

  const makeDefault = async (v: PolicyVersion) => {
    setActionError(null);
    try {
      await api.setDefault(policy.policyId, v.versionId);
    } catch (e) {
      setActionError(e);
      return;
    }
    versions.setData((prev) => (prev ?? []).map((x) => ({ ...x, isDefault: x.versionId === v.versionId })));
    onDefaultChanged(v.versionId, v.document);
    toast(`${v.versionId} is now the default version of ${policy.name}`);
  };

  return (
    <Modal
      title={`Versions of ${policy.name}`}
      onClose={onClose}
      width={760}
      testId="iam-policy-versions-dialog"
      footer={<Button onClick={onClose}>Close</Button>}
    >
      <div className="stack">
        <p className="muted">Only the default version is enforced; a policy keeps at most five versions.</p>
        <ErrorBanner error={versions.error} onRetry={versions.reload} title="Could not load versions" />
        <ErrorBanner error={actionError} />
        <table className="table">
          <thead>
            <tr>
              <th>Version</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.versionId} data-testid="iam-version-row" data-version={v.versionId}>
                <td className="strong">
                  {v.versionId} {v.isDefault ? <Badge tone="blue">Default</Badge> : null}
                </td>
                <td>{v.createdAt ? formatDateTime(v.createdAt) : <span className="muted">—</span>}</td>
                <td className="row-actions">
                  <Button size="sm" onClick={() => setViewing(v)} data-testid="iam-version-view">
                    View
                  </Button>
                  {v.isDefault ? null : (
                    <>
                      <Button size="sm" onClick={() => void makeDefault(v)} data-testid="iam-version-set-default">
                        Set as default
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon="trash"
                        aria-label={`Delete ${v.versionId}`}
                        onClick={() => setDeleting(v)}
                        data-testid="iam-version-delete"
                      />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {viewing ? (
          <div>
            <h3>
              {viewing.versionId}
              {list.find((x) => x.versionId === viewing.versionId)?.isDefault ? ' (default)' : ''}
            </h3>
            <pre className="code-block" data-testid="iam-version-document">
              {prettyDocument(viewing.document)}
            </pre>
          </div>
        ) : null}
        {creating ? (
          <NewVersionForm
            policy={policy}
            initial={current ? prettyDocument(current.document) : prettyDocument(policy.document)}
            onCancel={() => setCreating(false)}
            onCreated={(v) => {
              setCreating(false);
              versions.setData((prev) => [
                v,
                ...(prev ?? []).map((x) => (v.isDefault ? { ...x, isDefault: false } : x)),
              ]);
              if (v.isDefault) onDefaultChanged(v.versionId, v.document);
              toast(`Version ${v.versionId} created`);
            }}
          />
        ) : (
          <div>
            <Button icon="plus" onClick={() => setCreating(true)} data-testid="iam-version-create">
              Create version
            </Button>
          </div>
        )}
      </div>
      {deleting ? (
        <ConfirmDialog
          title="Delete policy version"
          confirmLabel="Delete version"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.remove(policy.policyId, deleting.versionId);
            versions.setData((prev) => remove(prev, (x) => x.versionId === deleting.versionId));
            if (viewing?.versionId === deleting.versionId) setViewing(null);
            toast(`Version ${deleting.versionId} deleted`);
          }}
        >
          Delete version <strong>{deleting.versionId}</strong> of {policy.name}? It is not enforced.
        </ConfirmDialog>
      ) : null}
    </Modal>
  );
}

/** The editor of a new version; the API's document problems show inline. */
function NewVersionForm({
  policy,
  initial,
  onCancel,
  onCreated,
}: {
  policy: IamPolicy;
  initial: string;
  onCancel: () => void;
  onCreated: (v: PolicyVersion) => void;
}) {
  const api = policyVersionsApi(useClient());
  const [document, setDocument] = useState(initial);
  const [setAsDefault, setSetAsDefault] = useState(true);
  const [problems, setProblems] = useState<[string, string][]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  let jsonError: string | null = null;
  try {
    JSON.parse(document);
  } catch (e) {
    jsonError = `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
  const submit = async () => {
    if (jsonError || busy) return;
    setBusy(true);
    setError(null);
    setProblems([]);
    try {
      onCreated(await api.create(policy.policyId, { document, setAsDefault }));
    } catch (e) {
      if (e instanceof ApiError) {
        const split = splitDocumentProblems(e);
        setProblems(split.problems);
        setError(split.rest);
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack" data-testid="iam-version-editor">
      <ErrorBanner error={error} />
      <Field label="New version's document" error={jsonError}>
        {(p) => (
          <textarea
            {...p}
            className="code-input"
            rows={14}
            spellCheck={false}
            data-testid="iam-version-document-input"
            value={document}
            onChange={(e) => {
              setProblems([]);
              setDocument(e.target.value);
            }}
          />
        )}
      </Field>
      <DocumentProblems problems={problems} testId="iam-version-errors" />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={setAsDefault}
          onChange={(e) => setSetAsDefault(e.target.checked)}
          data-testid="iam-version-set-as-default"
        />{' '}
        Set as default (enforce it at once)
      </label>
      <div className="row-actions">
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="primary"
          busy={busy}
          disabled={!!jsonError}
          onClick={() => void submit()}
          data-testid="iam-version-submit"
        >
          Create version
        </Button>
      </div>
    </div>
  );
}
