import type { Integration, Route } from '../api/types';
import {
  AuthorizationBadge,
  AuthorizationField,
  authorizationValue,
  type AuthorizationType,
} from '../components/Authorization';
import { ListSection, RowActions, useRowDialogs } from '../components/ListSection';
import { Badge, Button, ConfirmDialog, EmptyState, FormModal, Field, MethodBadge, useToast } from '../components/ui';
import { Icon } from '../components/icons';
import { formatDateTime, formatRelative } from '../lib/format';
import { useForm } from '../lib/form';
import { useResource } from '../lib/hooks';
import {
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  splitRouteKey,
  validateHttpUri,
  validateIntRange,
  validateRouteKey,
} from '../lib/validate';
import { useClient } from '../session';
import { remove, upsert } from '../lib/list';
import { buildThrottle, routeLimitsPatch, validateThrottle } from './usage/logic';
import { ThrottleFields } from './usage/ThrottleFields';

export function RoutesTab({ apiId, onDeploy }: { apiId: string; onDeploy: () => void }) {
  const client = useClient();
  const toast = useToast();
  const routes = useResource(() => client.listRoutes(apiId), `routes:${apiId}`);
  const { editing, setEditing, deleting, setDeleting } = useRowDialogs<Route>();

  const addButton = (
    <Button variant="primary" icon="plus" onClick={() => setEditing('new')} data-testid="add-route">
      Add route
    </Button>
  );
  const list = [...(routes.data ?? [])].sort((a, b) => sortKey(a.routeKey).localeCompare(sortKey(b.routeKey)));

  return (
    <section>
      <ListSection
        intro="A route matches a method and path and sends the request to its integration. Changes take effect on the next deploy."
        actions={
          <>
            {routes.data?.length ? (
              <Button icon="rocket" onClick={onDeploy}>
                Deploy changes
              </Button>
            ) : null}
            {addButton}
          </>
        }
        resource={routes}
        errorTitle="Could not load routes"
        columns={['Route', 'Authorization', 'Integration', 'Timeout', 'Updated', '']}
        empty={
          <EmptyState icon="route" title="No routes yet" action={addButton}>
            Add a route such as <code>GET /pets/{'{id}'}</code> that proxies to your backend, or a mock that answers
            directly.
          </EmptyState>
        }
      >
        {list.map((r) => {
          const { method, path } = splitRouteKey(r.routeKey);
          return (
            <tr key={r.routeId} data-testid="route-row" data-route-key={r.routeKey}>
              <td>
                <span className="route-key">
                  <MethodBadge method={method} />
                  <span className="mono strong">{path}</span>
                </span>
              </td>
              <td>
                <AuthorizationBadge type={r.authorizationType} testId="route-authorization" />
              </td>
              <td>
                <IntegrationSummary integration={r.integration} />
              </td>
              <td className="mono muted">
                {r.integration.timeoutInMillis ? `${r.integration.timeoutInMillis} ms` : '—'}
              </td>
              <td title={formatDateTime(r.updatedAt)}>{formatRelative(r.updatedAt)}</td>
              <RowActions
                noun="route"
                testIdPrefix="route"
                onEdit={() => setEditing(r)}
                onDelete={() => setDeleting(r)}
              />
            </tr>
          );
        })}
      </ListSection>

      {editing ? (
        <RouteModal
          apiId={apiId}
          route={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r, created) => {
            setEditing(null);
            routes.setData((prev) => upsert(prev, r, (x) => x.routeId === r.routeId));
            toast(created ? `Route ${r.routeKey} added` : `Route ${r.routeKey} saved`);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete route"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.deleteRoute(apiId, deleting.routeId);
            routes.setData((prev) => remove(prev, (x) => x.routeId === deleting.routeId));
            toast(`Route ${deleting.routeKey} deleted`);
          }}
        >
          Delete route <code>{deleting.routeKey}</code>? Stages keep serving it until the next deploy.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

// $default sorts last; otherwise by path, then method.
function sortKey(routeKey: string): string {
  if (routeKey === '$default') return '\uffff';
  const { method, path } = splitRouteKey(routeKey);
  return `${path} ${method}`;
}

function IntegrationSummary({ integration: i }: { integration: Integration }) {
  if (i.type === 'MOCK') {
    return (
      <span className="integration">
        <Badge tone="amber">MOCK</Badge>
        <span className="mono muted">{i.mockStatusCode ?? 200}</span>
        {i.mockBody ? <span className="mono muted truncate">{i.mockBody}</span> : null}
      </span>
    );
  }
  return (
    <span className="integration">
      <Badge tone="blue">{i.type === 'HTTP_PROXY' ? 'HTTP proxy' : i.type}</Badge>
      {i.httpMethod && i.httpMethod !== 'ANY' ? <span className="mono muted">{i.httpMethod}</span> : null}
      <span className="mono truncate" title={i.uri}>
        {i.uri}
      </span>
    </span>
  );
}

const INTEGRATION_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

interface RouteValues extends Record<string, unknown> {
  routeKey: string;
  type: string;
  uri: string;
  httpMethod: string;
  timeoutInMillis: string;
  mockStatusCode: string;
  mockBody: string;
  apiKeyRequired: boolean;
  authorizationType: AuthorizationType;
  rate: string;
  burst: string;
}

/** Maps the API's detail keys ("integration.uri", "uri") onto this form's fields. */
export function routeFieldForDetail(key: string): string {
  return key.replace(/^integration\./, '').replace(/^integration$/, 'type');
}

function RouteModal({
  apiId,
  route,
  onClose,
  onSaved,
}: {
  apiId: string;
  route: Route | null;
  onClose: () => void;
  onSaved: (r: Route, created: boolean) => void;
}) {
  const client = useClient();
  const i = route?.integration;
  const form = useForm<RouteValues>(
    {
      routeKey: route?.routeKey ?? '',
      type: i?.type ?? 'HTTP_PROXY',
      uri: i?.uri ?? '',
      httpMethod: i?.httpMethod || 'ANY',
      timeoutInMillis: i?.timeoutInMillis ? String(i.timeoutInMillis) : '',
      mockStatusCode: String(i?.mockStatusCode || 200),
      mockBody: i?.mockBody ?? '',
      apiKeyRequired: route?.apiKeyRequired ?? false,
      authorizationType: authorizationValue(route?.authorizationType),
      rate: route?.throttle ? String(route.throttle.rateLimit) : '',
      burst: route?.throttle ? String(route.throttle.burstLimit) : '',
    },
    (v) => ({
      routeKey: validateRouteKey(v.routeKey),
      uri: v.type === 'HTTP_PROXY' ? validateHttpUri(v.uri) : null,
      timeoutInMillis: validateIntRange(v.timeoutInMillis, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, 'Timeout'),
      mockStatusCode:
        v.type === 'MOCK'
          ? v.mockStatusCode.trim()
            ? validateIntRange(v.mockStatusCode, 100, 599, 'Status code')
            : 'Enter a status code.'
          : null,
      mockBody: v.mockBody.length > 65536 ? 'At most 64 KiB.' : null,
      ...validateThrottle(v.rate, v.burst),
    }),
    routeFieldForDetail,
  );
  const v = form.values;

  const submit = () =>
    void form.submit(async (v) => {
      const integration: Integration =
        v.type === 'MOCK'
          ? {
              type: 'MOCK',
              uri: '',
              mockStatusCode: Number(v.mockStatusCode),
              mockBody: v.mockBody,
              timeoutInMillis: v.timeoutInMillis ? Number(v.timeoutInMillis) : undefined,
            }
          : {
              type: v.type,
              uri: v.uri.trim(),
              httpMethod: v.httpMethod,
              timeoutInMillis: v.timeoutInMillis ? Number(v.timeoutInMillis) : undefined,
            };
      const routeKey = v.routeKey.trim();
      // Only what changed, so a route without limits keeps its old shape.
      const limits = routeLimitsPatch(route, v.apiKeyRequired, buildThrottle(v.rate, v.burst));
      // Always sent, so the route has the type the editor showed.
      const auth = { authorizationType: v.authorizationType };
      const saved = route
        ? await client.updateRoute(apiId, route.routeId, { routeKey, integration, ...limits, ...auth })
        : await client.createRoute(apiId, {
            routeKey,
            integration,
            ...limits,
            throttle: limits.throttle ?? undefined,
            ...auth,
          });
      onSaved(saved, !route);
    });

  return (
    <FormModal
      title={route ? 'Edit route' : 'Add route'}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={route ? 'Save route' : 'Add route'}
      submitTestId="route-submit"
      width={580}
    >
      <Field
        label="Route key"
        error={form.error('routeKey')}
        hint={
          <>
            <code>METHOD /path</code> with <code>{'{param}'}</code> segments and an optional final{' '}
            <code>{'{proxy+}'}</code>; <code>ANY</code> matches every method; <code>$default</code> catches the rest.
          </>
        }
      >
        {(p) => (
          <input
            {...p}
            className="mono"
            data-testid="route-key"
            placeholder="GET /pets/{id}"
            autoComplete="off"
            spellCheck={false}
            value={v.routeKey}
            onChange={(e) => form.set('routeKey', e.target.value)}
          />
        )}
      </Field>
      <Field label="Integration type" error={form.error('type')}>
        {(p) => (
          <select
            {...p}
            data-testid="integration-type"
            value={v.type}
            onChange={(e) => form.set('type', e.target.value)}
          >
            <option value="HTTP_PROXY">HTTP proxy: forward to an HTTP(S) backend</option>
            <option value="MOCK">Mock: answer with a fixed response</option>
          </select>
        )}
      </Field>
      {v.type === 'HTTP_PROXY' ? (
        <div className="grid-2-1">
          <Field
            label="Endpoint URL"
            error={form.error('uri')}
            hint={
              <>
                May use path parameters and stage variables, e.g.{' '}
                <code>{'https://${stageVariables.host}/pets/{id}'}</code>.
              </>
            }
          >
            {(p) => (
              <input
                {...p}
                className="mono"
                type="url"
                data-testid="integration-uri"
                placeholder="https://backend.example.com/pets/{id}"
                autoComplete="off"
                spellCheck={false}
                value={v.uri}
                onChange={(e) => form.set('uri', e.target.value)}
              />
            )}
          </Field>
          <Field label="Method" error={form.error('httpMethod')}>
            {(p) => (
              <select
                {...p}
                data-testid="integration-method"
                value={v.httpMethod}
                onChange={(e) => form.set('httpMethod', e.target.value)}
              >
                {INTEGRATION_METHODS.map((m) => (
                  <option key={m} value={m}>
                    {m === 'ANY' ? 'Same as request' : m}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      ) : (
        <>
          <Field label="Status code" error={form.error('mockStatusCode')}>
            {(p) => (
              <input
                {...p}
                inputMode="numeric"
                data-testid="mock-status"
                value={v.mockStatusCode}
                onChange={(e) => form.set('mockStatusCode', e.target.value)}
              />
            )}
          </Field>
          <Field label="Response body" optional error={form.error('mockBody')}>
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={4}
                data-testid="mock-body"
                placeholder='{"ok": true}'
                spellCheck={false}
                value={v.mockBody}
                onChange={(e) => form.set('mockBody', e.target.value)}
              />
            )}
          </Field>
        </>
      )}
      <Field
        label="Timeout (ms)"
        optional
        error={form.error('timeoutInMillis')}
        hint={`${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}; the default is ${MAX_TIMEOUT_MS}.`}
      >
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            data-testid="integration-timeout"
            placeholder={String(MAX_TIMEOUT_MS)}
            value={v.timeoutInMillis}
            onChange={(e) => form.set('timeoutInMillis', e.target.value)}
          />
        )}
      </Field>
      <AuthorizationField
        noun="route"
        testId="route-authorization-type"
        value={v.authorizationType}
        error={form.error('authorizationType')}
        onChange={(t) => form.set('authorizationType', t)}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="route-api-key-required"
          checked={v.apiKeyRequired}
          onChange={(e) => form.set('apiKeyRequired', e.target.checked)}
        />{' '}
        API key required (callers send <code>x-api-key</code> of a usage plan that includes the stage)
      </label>
      <ThrottleFields
        testIdPrefix="route-throttle"
        title="Method throttle"
        hint="Overrides the stage's default throttle for this route; leave empty to use it."
        rate={v.rate}
        burst={v.burst}
        rateError={form.error('rate')}
        burstError={form.error('burst')}
        onRate={(x) => form.set('rate', x)}
        onBurst={(x) => form.set('burst', x)}
      />
      {route ? (
        <p className="muted small">
          <Icon name="info" size={12} /> Saved changes reach traffic on the next deploy.
        </p>
      ) : null}
    </FormModal>
  );
}
