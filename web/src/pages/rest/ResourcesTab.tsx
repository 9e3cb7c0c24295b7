// The Resources tab of a REST API: the resource tree, each resource's
// methods, a method's request settings and integration (with parameter
// mappings), and the API's request validators and models.
import { useMemo, useState } from 'react';
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
import {
  HTTP_METHODS,
  RestApi,
  formatMappings,
  formatParams,
  parseMappings,
  parseParams,
  validatePathPart,
  type Method,
  type Resource,
} from './api';

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
  const [addingValidator, setAddingValidator] = useState(false);
  const [addingModel, setAddingModel] = useState(false);

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
                      <th>Integration</th>
                      <th>Validation</th>
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

      <div className="section-header" style={{ marginTop: 24 }}>
        <h3>Request validators</h3>
        <Button icon="plus" onClick={() => setAddingValidator(true)} data-testid="add-validator">
          Add validator
        </Button>
      </div>
      <ErrorBanner error={validators.error} onRetry={validators.reload} title="Could not load validators" />
      <div className="card">
        {validators.data?.length ? (
          <table className="table">
            <tbody>
              {validators.data.map((v) => (
                <tr key={v.id} data-testid={`validator-${v.name}`}>
                  <td>{v.name}</td>
                  <td>{v.validateRequestBody ? <Badge tone="blue">Body</Badge> : null}</td>
                  <td>{v.validateRequestParameters ? <Badge tone="blue">Parameters</Badge> : null}</td>
                  <td className="mono muted">{v.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted" style={{ padding: 12 }}>
            {validators.loading
              ? 'Loading…'
              : 'No validators. A validator checks required parameters and the JSON body.'}
          </p>
        )}
      </div>

      <div className="section-header" style={{ marginTop: 24 }}>
        <h3>Models</h3>
        <Button icon="plus" onClick={() => setAddingModel(true)} data-testid="add-model">
          Add model
        </Button>
      </div>
      <ErrorBanner error={models.error} onRetry={models.reload} title="Could not load models" />
      <div className="card">
        {models.data?.length ? (
          <table className="table">
            <tbody>
              {models.data.map((m) => (
                <tr key={m.id} data-testid={`model-${m.name}`}>
                  <td>{m.name}</td>
                  <td className="mono">{m.contentType}</td>
                  <td className="mono muted" style={{ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis' }}>
                    {JSON.stringify(m.schema)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted" style={{ padding: 12 }}>
            {models.loading
              ? 'Loading…'
              : 'No models. A model is a JSON Schema (draft-04) a validator checks bodies against.'}
          </p>
        )}
      </div>

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
      {addingValidator ? (
        <ValidatorDialog
          onClose={() => setAddingValidator(false)}
          onSubmit={async (v) => {
            await rest.createValidator(apiId, v);
            toast(`Validator "${v.name}" added`);
            setAddingValidator(false);
            validators.reload();
          }}
        />
      ) : null}
      {addingModel ? (
        <ModelDialog
          onClose={() => setAddingModel(false)}
          onSubmit={async (name, schema) => {
            await rest.createModel(apiId, { name, contentType: 'application/json', schema });
            toast(`Model "${name}" added`);
            setAddingModel(false);
            models.reload();
          }}
        />
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

function MethodDialog({
  rest,
  apiId,
  resource,
  method,
  validators,
  models,
  groups,
  onClose,
  onSaved,
}: {
  rest: RestApi;
  apiId: string;
  resource: Resource;
  method: Method;
  validators: { id: string; name: string }[];
  models: { name: string }[];
  groups: { id: string; name: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const i = method.methodIntegration;
  const form = useForm(
    {
      apiKeyRequired: method.apiKeyRequired,
      requestParameters: formatParams(method.requestParameters),
      requestValidatorId: method.requestValidatorId ?? '',
      requestModel: method.requestModels?.['application/json'] ?? '',
      type: i?.type ?? 'HTTP_PROXY',
      uri: i?.uri ?? '',
      httpMethod: i?.httpMethod || 'ANY',
      timeoutInMillis: i?.timeoutInMillis ? String(i.timeoutInMillis) : '',
      connectionType: i?.connectionType || 'INTERNET',
      connectionId: i?.connectionId ?? '',
      insecure: i?.tlsConfig?.insecureSkipVerification ?? false,
      requestMappings: formatMappings(i?.requestParameters),
      responseMappings: formatMappings(i?.responseParameters),
      mockStatusCode: String(i?.mockStatusCode || 200),
      mockBody: i?.mockBody ?? '',
    },
    (v) => ({
      requestParameters: parseParams(v.requestParameters).error,
      requestMappings: parseMappings(v.requestMappings).error,
      responseMappings: parseMappings(v.responseMappings).error,
      uri: v.type !== 'MOCK' && !/^https?:\/\/.+/.test(v.uri.trim()) ? 'Enter an http(s) URL' : null,
      timeoutInMillis:
        v.timeoutInMillis && !(Number(v.timeoutInMillis) >= 50 && Number(v.timeoutInMillis) <= 29000)
          ? 'Between 50 and 29000 ms'
          : null,
      connectionId: v.connectionType === 'VPC_LINK' && !v.connectionId ? 'Pick a target group' : null,
      mockStatusCode:
        v.type === 'MOCK' && !(Number(v.mockStatusCode) >= 100 && Number(v.mockStatusCode) <= 599) ? '100-599' : null,
    }),
    (k) =>
      k.startsWith('requestParameters.')
        ? 'requestMappings'
        : k.startsWith('responseParameters.')
          ? 'responseMappings'
          : k,
  );
  const v = form.values;
  const submit = () =>
    void form.submit(async (v) => {
      await rest.putMethod(apiId, resource.id, method.httpMethod, {
        authorizationType: 'NONE',
        apiKeyRequired: v.apiKeyRequired,
        operationName: method.operationName,
        requestParameters: parseParams(v.requestParameters).params,
        requestValidatorId: v.requestValidatorId || undefined,
        requestModels: v.requestModel ? { 'application/json': v.requestModel } : undefined,
      });
      await rest.putIntegration(
        apiId,
        resource.id,
        method.httpMethod,
        v.type === 'MOCK'
          ? { type: 'MOCK', mockStatusCode: Number(v.mockStatusCode), mockBody: v.mockBody }
          : {
              type: v.type,
              uri: v.uri.trim(),
              httpMethod: v.httpMethod,
              timeoutInMillis: v.timeoutInMillis ? Number(v.timeoutInMillis) : undefined,
              connectionType: v.connectionType,
              connectionId: v.connectionType === 'VPC_LINK' ? v.connectionId : undefined,
              tlsConfig: v.insecure ? { insecureSkipVerification: true } : undefined,
              requestParameters: parseMappings(v.requestMappings).map,
              responseParameters: parseMappings(v.responseMappings).map,
              requestTemplates: i?.requestTemplates,
            },
      );
      onSaved();
    });
  return (
    <FormModal
      title={
        <>
          <MethodBadge method={method.httpMethod} /> <span className="mono">{resource.path}</span>
        </>
      }
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Save method"
      submitTestId="method-save"
      width={680}
      testId="method-dialog"
    >
      <h4>Method request</h4>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="method-api-key"
          checked={v.apiKeyRequired}
          onChange={(e) => form.set('apiKeyRequired', e.target.checked)}
        />{' '}
        API key required
      </label>
      <Field
        label="Request parameters"
        optional
        error={form.error('requestParameters')}
        hint={
          <>
            One per line, e.g. <code>method.request.querystring.owner</code>; end with <code>?</code> for optional.
          </>
        }
      >
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={3}
            data-testid="method-params"
            value={v.requestParameters}
            onChange={(e) => form.set('requestParameters', e.target.value)}
          />
        )}
      </Field>
      <div className="grid-2">
        <Field label="Request validator" optional error={form.error('requestValidatorId')}>
          {(p) => (
            <select
              {...p}
              data-testid="method-validator"
              value={v.requestValidatorId}
              onChange={(e) => form.set('requestValidatorId', e.target.value)}
            >
              <option value="">None</option>
              {validators.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Body model (application/json)" optional error={form.error('requestModel')}>
          {(p) => (
            <select
              {...p}
              data-testid="method-model"
              value={v.requestModel}
              onChange={(e) => form.set('requestModel', e.target.value)}
            >
              <option value="">None</option>
              {models.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>

      <h4>Integration</h4>
      <Field label="Type" error={form.error('type')}>
        {(p) => (
          <select
            {...p}
            data-testid="rest-integration-type"
            value={v.type}
            onChange={(e) => form.set('type', e.target.value)}
          >
            <option value="HTTP_PROXY">HTTP proxy</option>
            <option value="HTTP">HTTP (with mappings)</option>
            <option value="MOCK">Mock</option>
          </select>
        )}
      </Field>
      {v.type === 'MOCK' ? (
        <div className="grid-2">
          <Field label="Status code" error={form.error('mockStatusCode')}>
            {(p) => (
              <input
                {...p}
                data-testid="rest-mock-status"
                value={v.mockStatusCode}
                onChange={(e) => form.set('mockStatusCode', e.target.value)}
              />
            )}
          </Field>
          <Field label="Body" optional error={form.error('mockBody')}>
            {(p) => (
              <input
                {...p}
                className="mono"
                data-testid="rest-mock-body"
                value={v.mockBody}
                onChange={(e) => form.set('mockBody', e.target.value)}
              />
            )}
          </Field>
        </div>
      ) : (
        <>
          <Field
            label="Endpoint URL"
            error={form.error('uri')}
            hint="Path parameters in {braces} take mapped or matched values."
          >
            {(p) => (
              <input
                {...p}
                className="mono"
                data-testid="rest-integration-uri"
                placeholder="https://backend.example.com/pets/{id}"
                value={v.uri}
                onChange={(e) => form.set('uri', e.target.value)}
              />
            )}
          </Field>
          <div className="grid-2">
            <Field label="Upstream method" error={form.error('httpMethod')}>
              {(p) => (
                <select
                  {...p}
                  data-testid="rest-integration-method"
                  value={v.httpMethod}
                  onChange={(e) => form.set('httpMethod', e.target.value)}
                >
                  {HTTP_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {m === 'ANY' ? 'Same as the request' : m}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Timeout (ms)" optional error={form.error('timeoutInMillis')} hint="50-29000, default 29000.">
              {(p) => (
                <input
                  {...p}
                  data-testid="rest-integration-timeout"
                  value={v.timeoutInMillis}
                  onChange={(e) => form.set('timeoutInMillis', e.target.value)}
                />
              )}
            </Field>
          </div>
          <div className="grid-2">
            <Field label="Connection" error={form.error('connectionType')}>
              {(p) => (
                <select
                  {...p}
                  data-testid="rest-connection-type"
                  value={v.connectionType}
                  onChange={(e) => form.set('connectionType', e.target.value)}
                >
                  <option value="INTERNET">Internet</option>
                  <option value="VPC_LINK">Private (target group)</option>
                </select>
              )}
            </Field>
            {v.connectionType === 'VPC_LINK' ? (
              <Field label="Target group" error={form.error('connectionId')}>
                {(p) => (
                  <select
                    {...p}
                    data-testid="rest-connection-id"
                    value={v.connectionId}
                    onChange={(e) => form.set('connectionId', e.target.value)}
                  >
                    <option value="">Choose…</option>
                    {groups.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            ) : null}
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid="rest-tls-insecure"
              checked={v.insecure}
              onChange={(e) => form.set('insecure', e.target.checked)}
            />{' '}
            Skip upstream TLS certificate verification
          </label>
          <Field
            label="Request mappings"
            optional
            error={form.error('requestMappings')}
            hint={
              <>
                <code>integration.request.header.X-Owner = method.request.querystring.owner</code>; sources:{' '}
                <code>method.request.*</code>, <code>context.*</code>, <code>stageVariables.*</code>,{' '}
                <code>'static'</code>.
              </>
            }
          >
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={4}
                data-testid="rest-request-mappings"
                value={v.requestMappings}
                onChange={(e) => form.set('requestMappings', e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Response header mappings"
            optional
            error={form.error('responseMappings')}
            hint={
              <>
                <code>method.response.header.X-Version = integration.response.header.X-Upstream-Version</code>
              </>
            }
          >
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={2}
                data-testid="rest-response-mappings"
                value={v.responseMappings}
                onChange={(e) => form.set('responseMappings', e.target.value)}
              />
            )}
          </Field>
        </>
      )}
    </FormModal>
  );
}

function ValidatorDialog({
  onClose,
  onSubmit,
}: {
  onClose: () => void;
  onSubmit: (v: { name: string; validateRequestBody: boolean; validateRequestParameters: boolean }) => Promise<void>;
}) {
  const form = useForm({ name: '', body: true, params: true }, (v) => ({
    name: v.name.trim() ? null : 'Enter a name',
  }));
  return (
    <FormModal
      title="Add request validator"
      form={form}
      onClose={onClose}
      onSubmit={() =>
        void form.submit((v) =>
          onSubmit({ name: v.name.trim(), validateRequestBody: v.body, validateRequestParameters: v.params }),
        )
      }
      submitLabel="Add validator"
      submitTestId="validator-submit"
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="validator-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="validator-body"
          checked={form.values.body}
          onChange={(e) => form.set('body', e.target.checked)}
        />{' '}
        Validate the body against the method&apos;s model
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="validator-params"
          checked={form.values.params}
          onChange={(e) => form.set('params', e.target.checked)}
        />{' '}
        Validate required parameters
      </label>
    </FormModal>
  );
}

function ModelDialog({
  onClose,
  onSubmit,
}: {
  onClose: () => void;
  onSubmit: (name: string, schema: unknown) => Promise<void>;
}) {
  const form = useForm(
    {
      name: '',
      schema: '{\n  "type": "object",\n  "required": ["name"],\n  "properties": {"name": {"type": "string"}}\n}',
    },
    (v) => {
      let schemaErr: string | null = null;
      try {
        JSON.parse(v.schema);
      } catch {
        schemaErr = 'Not valid JSON';
      }
      return { name: /^[A-Za-z0-9]{1,128}$/.test(v.name) ? null : 'Letters and digits only', schema: schemaErr };
    },
  );
  return (
    <FormModal
      title="Add model"
      form={form}
      onClose={onClose}
      onSubmit={() => void form.submit((v) => onSubmit(v.name, JSON.parse(v.schema)))}
      submitLabel="Add model"
      submitTestId="model-submit"
      width={600}
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="model-name"
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="JSON Schema (draft-04)" error={form.error('schema')}>
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={8}
            data-testid="model-schema"
            value={form.values.schema}
            onChange={(e) => form.set('schema', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}
