// A REST method's editor: the method request (authorization, API key,
// parameters, validator and body model), its integration with parameter mappings, and
// its method responses (status codes with response headers and models).
import { AuthorizationField, authorizationValue } from '../../components/Authorization';
import { Button, Field, FormModal, MethodBadge } from '../../components/ui';
import { useForm } from '../../lib/form';
import {
  HTTP_METHODS,
  formatMappings,
  formatParams,
  parseMappings,
  parseParams,
  responseBody,
  responseRows,
  validateResponseRows,
  type Method,
  type Resource,
  type ResponseRow,
  type RestApi,
} from './api';

export function MethodDialog({
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
      authorizationType: authorizationValue(method.authorizationType),
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
      responses: responseRows(method.methodResponses),
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
      responses: validateResponseRows(v.responses),
    }),
    (k) =>
      k === 'statusCode' || k.startsWith('responseParameters.') || k.startsWith('responseModels')
        ? 'responses'
        : k.startsWith('requestParameters.')
          ? 'requestMappings'
          : k.startsWith('responseParameters.')
            ? 'responseMappings'
            : k,
  );
  const v = form.values;
  const submit = () =>
    void form.submit(async (v) => {
      await rest.putMethod(apiId, resource.id, method.httpMethod, {
        authorizationType: v.authorizationType,
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
      // Method responses are their own resources: put each row, delete the dropped ones.
      for (const r of v.responses) {
        await rest.putMethodResponse(apiId, resource.id, method.httpMethod, r.statusCode.trim(), responseBody(r));
      }
      for (const code of Object.keys(method.methodResponses ?? {})) {
        if (!v.responses.some((r) => r.statusCode.trim() === code)) {
          await rest.deleteMethodResponse(apiId, resource.id, method.httpMethod, code);
        }
      }
      onSaved();
    });
  const setResponse = (i: number, patch: Partial<ResponseRow>) =>
    form.set(
      'responses',
      v.responses.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
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
      <AuthorizationField
        noun="method"
        testId="method-authorization"
        value={v.authorizationType}
        error={form.error('authorizationType')}
        onChange={(t) => form.set('authorizationType', t)}
      />
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

      <h4>Method responses</h4>
      <p className="muted small">
        The status codes the method answers with, their response headers (mapped from the integration above) and body
        model. Stored with the method and shown to API consumers.
      </p>
      {v.responses.length ? (
        <table className="table" data-testid="method-responses">
          <thead>
            <tr>
              <th>Status</th>
              <th>Response headers</th>
              <th>Model (application/json)</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {v.responses.map((r, i) => (
              <tr key={i} data-testid="method-response-row">
                <td>
                  <input
                    className="mono"
                    aria-label={`Response ${i + 1} status code`}
                    style={{ width: 70 }}
                    data-testid="method-response-status"
                    value={r.statusCode}
                    onChange={(e) => setResponse(i, { statusCode: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    className="mono"
                    aria-label={`Response ${i + 1} headers`}
                    placeholder="X-Request-Id, X-Version"
                    data-testid="method-response-headers"
                    value={r.headers}
                    onChange={(e) => setResponse(i, { headers: e.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Response ${i + 1} model`}
                    data-testid="method-response-model"
                    value={r.model}
                    onChange={(e) => setResponse(i, { model: e.target.value })}
                  >
                    <option value="">None</option>
                    {models.map((m) => (
                      <option key={m.name} value={m.name}>
                        {m.name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label={`Remove response ${i + 1}`}
                    data-testid="method-response-remove"
                    onClick={() =>
                      form.set(
                        'responses',
                        v.responses.filter((_, j) => j !== i),
                      )
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {form.error('responses') ? <div className="field-error">{form.error('responses')}</div> : null}
      <div>
        <Button
          size="sm"
          icon="plus"
          data-testid="method-response-add"
          onClick={() =>
            form.set('responses', [
              ...v.responses,
              { statusCode: v.responses.some((r) => r.statusCode === '200') ? '' : '200', headers: '', model: '' },
            ])
          }
        >
          Add response
        </Button>
      </div>
    </FormModal>
  );
}
