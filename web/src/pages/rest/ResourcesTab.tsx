// The Resources tab of a REST API: the resource tree, each resource's
// methods, a method's request settings and integration (with parameter
// mappings), and the API's request validators and models.
import { useMemo, useState } from 'react';
import { AuthorizationBadge } from '../../components/Authorization';
import {
  Badge,
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  MethodBadge,
  useToast,
} from '../../components/ui';
import { useForm } from '../../lib/form';
import { useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { HTTP_METHODS, RestApi, validatePathPart, type Method, type Resource } from './api';
import { MethodDialog } from './MethodDialog';
import { ValidatorsAndModels } from './ValidatorsModels';

export function ResourcesTab({ apiId, onDeploy }: { apiId: string; onDeploy: () => void }) {
  const client = useClient();
  const rest = useMemo(() => new RestApi(client), [client]);
  const toast = useToast();
  const resources = useResource(() => rest.listResources(apiId), `resources:${apiId}`);
  const validators = useResource(() => rest.listValidators(apiId), `validators:${apiId}`);
  const models = useResource(() => rest.listModels(apiId), `models:${apiId}`);
  const groups = useResource(() => rest.listTargetGroups(), 'targetgroups');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [adding, setAdding] = useState<Resource | null>(null);
  const [addingMethod, setAddingMethod] = useState(false);
  const [editing, setEditing] = useState<Method | null>(null);
  const [deleting, setDeleting] = useState<Resource | null>(null);

  const list = resources.data ?? [];
  const selected = list.find((r) => r.id === selectedId) ?? list[0];
  const depth = (r: Resource) => (r.path === '/' ? 0 : r.path.split('/').length - 1);

  return (
    <section>
      <div className="section-header">
        <p className="muted">
          Resources form the API&apos;s path tree; each method of a resource becomes the route <code>METHOD /path</code>
          . Changes take effect on the next deploy.
        </p>
        <div className="page-actions">
          <Button icon="rocket" onClick={onDeploy} data-testid="rest-deploy">
            Deploy changes
          </Button>
        </div>
      </div>
      <ErrorBanner error={resources.error} onRetry={resources.reload} title="Could not load resources" />
      <div className="grid-1-2" style={{ display: 'grid', gridTemplateColumns: 'minmax(220px, 1fr) 2fr', gap: 16 }}>
        <div className="card" data-testid="resource-tree">
          {resources.loading && !resources.data ? (
            <p className="muted">Loading resources…</p>
          ) : (
            <ul className="tree" style={{ listStyle: 'none', margin: 0, padding: 8 }}>
              {list.map((r) => (
                <li key={r.id} style={{ paddingLeft: depth(r) * 16 }}>
                  <button
                    className={`tree-item${selected?.id === r.id ? ' active' : ''}`}
                    style={{
                      background: 'none',
                      border: 'none',
                      cursor: 'pointer',
                      padding: '4px 0',
                      fontWeight: selected?.id === r.id ? 600 : 400,
                    }}
                    onClick={() => setSelectedId(r.id)}
                    data-testid={`resource-${r.path}`}
                  >
                    <span className="mono">{r.path === '/' ? '/' : `/${r.pathPart}`}</span>
                  </button>{' '}
                  {Object.keys(r.resourceMethods ?? {})
                    .sort()
                    .map((m) => (
                      <MethodBadge key={m} method={m} />
                    ))}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card" style={{ padding: 16 }}>
          {selected ? (
            <div className="stack">
              <div className="section-header">
                <h3 className="mono" data-testid="resource-path">
                  {selected.path}
                </h3>
                <div className="page-actions">
                  {!selected.pathPart.endsWith('+}') ? (
                    <Button icon="plus" onClick={() => setAdding(selected)} data-testid="add-resource">
                      Add child resource
                    </Button>
                  ) : null}
                  <Button variant="primary" icon="plus" onClick={() => setAddingMethod(true)} data-testid="add-method">
                    Add method
                  </Button>
                  {selected.parentId ? (
                    <Button
                      variant="danger"
                      icon="trash"
                      onClick={() => setDeleting(selected)}
                      data-testid="delete-resource"
                    >
                      Delete
                    </Button>
                  ) : null}
                </div>
              </div>
              {Object.keys(selected.resourceMethods ?? {}).length === 0 ? (
                <EmptyState icon="route" title="No methods yet">
                  Add a method such as <code>GET</code>, then give it an integration.
                </EmptyState>
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th>Method</th>
                      <th>Authorization</th>
                      <th>Integration</th>
                      <th>Validation</th>
                      <th>Responses</th>
                      <th aria-label="Actions" />
                    </tr>
                  </thead>
                  <tbody>
                    {Object.values(selected.resourceMethods ?? {})
                      .sort((a, b) => a.httpMethod.localeCompare(b.httpMethod))
                      .map((m) => (
                        <tr key={m.httpMethod} data-testid={`method-row-${m.httpMethod}`}>
                          <td>
                            <MethodBadge method={m.httpMethod} />
                            {m.apiKeyRequired ? <Badge tone="amber">API key</Badge> : null}
                          </td>
                          <td>
                            <AuthorizationBadge type={m.authorizationType} testId={`method-auth-${m.httpMethod}`} />
                          </td>
                          <td className="mono">
                            {m.methodIntegration ? (
                              <>
                                {m.methodIntegration.type}
                                {m.methodIntegration.uri ? ` ${m.methodIntegration.uri}` : ''}
                                {m.methodIntegration.connectionType === 'VPC_LINK' ? ' (private)' : ''}
                              </>
                            ) : (
                              <Badge tone="red">No integration</Badge>
                            )}
                          </td>
                          <td>
                            {validators.data?.find((v) => v.id === m.requestValidatorId)?.name ?? (
                              <span className="muted">None</span>
                            )}
                            {m.requestModels?.['application/json'] ? (
                              <span className="muted small"> · {m.requestModels['application/json']}</span>
                            ) : null}
                          </td>
                          <td className="mono small" data-testid={`method-responses-${m.httpMethod}`}>
                            {Object.keys(m.methodResponses ?? {})
                              .sort()
                              .join(', ') || <span className="muted">—</span>}
                          </td>
                          <td>
                            <Button size="sm" onClick={() => setEditing(m)} data-testid={`edit-method-${m.httpMethod}`}>
                              Edit
                            </Button>{' '}
                            <Button
                              size="sm"
                              variant="ghost"
                              onClick={async () => {
                                try {
                                  await rest.deleteMethod(apiId, selected.id, m.httpMethod);
                                  toast(`${m.httpMethod} ${selected.path} deleted`);
                                  resources.reload();
                                } catch (e) {
                                  toast(`Could not delete: ${(e as Error).message}`);
                                }
                              }}
                              data-testid={`delete-method-${m.httpMethod}`}
                            >
                              Delete
                            </Button>
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              )}
            </div>
          ) : (
            <p className="muted">Select a resource.</p>
          )}
        </div>
      </div>

      <ValidatorsAndModels apiId={apiId} rest={rest} validators={validators} models={models} />

      {adding ? (
        <AddResourceDialog
          parent={adding}
          onClose={() => setAdding(null)}
          onSubmit={async (part) => {
            const r = await rest.createResource(apiId, adding.id, part);
            toast(`Resource ${r.path} added`);
            setAdding(null);
            setSelectedId(r.id);
            resources.reload();
          }}
        />
      ) : null}
      {addingMethod && selected ? (
        <AddMethodDialog
          existing={Object.keys(selected.resourceMethods ?? {})}
          onClose={() => setAddingMethod(false)}
          onSubmit={async (method) => {
            const m = await rest.putMethod(apiId, selected.id, method, {
              authorizationType: 'NONE',
              apiKeyRequired: false,
            });
            setAddingMethod(false);
            resources.reload();
            setEditing(m);
          }}
        />
      ) : null}
      {editing && selected ? (
        <MethodDialog
          rest={rest}
          apiId={apiId}
          resource={selected}
          method={editing}
          validators={validators.data ?? []}
          models={models.data ?? []}
          groups={groups.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            toast(`${editing.httpMethod} ${selected.path} saved`);
            setEditing(null);
            resources.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete resource"
          confirmLabel="Delete resource"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await rest.deleteResource(apiId, deleting.id);
            toast(`Resource ${deleting.path} deleted`);
            setSelectedId(null);
            resources.reload();
          }}
        >
          This deletes <span className="mono">{deleting.path}</span> with its child resources and all their methods.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function AddResourceDialog({
  parent,
  onClose,
  onSubmit,
}: {
  parent: Resource;
  onClose: () => void;
  onSubmit: (part: string) => Promise<void>;
}) {
  const form = useForm({ pathPart: '' }, (v) => ({ pathPart: validatePathPart(v.pathPart.trim()) }));
  return (
    <FormModal
      title="Add child resource"
      form={form}
      onClose={onClose}
      onSubmit={() => void form.submit((v) => onSubmit(v.pathPart.trim()))}
      submitLabel="Add resource"
      submitTestId="resource-submit"
    >
      <Field
        label="Path part"
        error={form.error('pathPart')}
        hint={
          <>
            Under <span className="mono">{parent.path}</span>: a literal like <code>pets</code>, a parameter{' '}
            <code>{'{petId}'}</code> or a greedy <code>{'{proxy+}'}</code>.
          </>
        }
      >
        {(p) => (
          <input
            {...p}
            className="mono"
            data-testid="resource-path-part"
            autoComplete="off"
            spellCheck={false}
            value={form.values.pathPart}
            onChange={(e) => form.set('pathPart', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

function AddMethodDialog({
  existing,
  onClose,
  onSubmit,
}: {
  existing: string[];
  onClose: () => void;
  onSubmit: (method: string) => Promise<void>;
}) {
  const free = HTTP_METHODS.filter((m) => !existing.includes(m));
  const form = useForm({ method: (free[0] ?? '') as string }, (v) => ({
    method: v.method ? null : 'Every method exists already',
  }));
  return (
    <FormModal
      title="Add method"
      form={form}
      onClose={onClose}
      onSubmit={() => void form.submit((v) => onSubmit(v.method))}
      submitLabel="Add method"
      submitTestId="method-submit"
    >
      <Field label="HTTP method" error={form.error('method')} hint="ANY matches every method without its own.">
        {(p) => (
          <select
            {...p}
            data-testid="method-select"
            value={form.values.method}
            onChange={(e) => form.set('method', e.target.value)}
          >
            {free.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
      </Field>
    </FormModal>
  );
}
