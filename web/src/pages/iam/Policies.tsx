// IAM → Policies: managed and customer policies; a JSON editor whose
// problems (as the API reports them) show under the editor.
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
import { iamApi, prettyDocument, type IamPolicy } from './iamApi';

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
              <th>Version</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(policies.data ?? []).map((p) => (
              <tr key={p.policyId} data-testid="iam-policy-row" data-name={p.name}>
                <td className="strong">{p.name}</td>
                <td>{p.managed ? <Badge tone="blue">Managed</Badge> : <Badge>Customer</Badge>}</td>
                <td>{p.description || <span className="muted">—</span>}</td>
                <td>{p.managed ? '—' : p.version}</td>
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
          const doc = Object.entries(e.details).filter(([k]) => k.startsWith('document'));
          if (doc.length) {
            setDocErrors(doc.map(([k, d]) => [k.replace(/^document\.?/, '') || 'document', d.message]));
            const rest = Object.fromEntries(Object.entries(e.details).filter(([k]) => !k.startsWith('document')));
            if (Object.keys(rest).length)
              throw new ApiError(e.status, { code: e.code, message: e.message, details: rest });
            return;
          }
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
        hint="Actions like apigw:Get* or iam:*; resources like trn:turnpike:*:apis/*/stages/dev; Deny wins over Allow."
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
      {docErrors.length ? (
        <ul className="field-error detail-list" data-testid="iam-policy-errors" role="alert">
          {docErrors.map(([k, m]) => (
            <li key={k}>
              <code>{k}</code> {m}
            </li>
          ))}
        </ul>
      ) : null}
    </FormModal>
  );
}
