import { useState } from 'react';
import type { Api, ProtocolType } from '../api/types';
import { useBreadcrumbs } from '../components/Shell';
import {
  Badge,
  Button,
  EmptyState,
  ErrorBanner,
  FormModal,
  Field,
  PageHeader,
  ListCard,
  useToast,
} from '../components/ui';
import { formatDate, formatDateTime } from '../lib/format';
import { useForm } from '../lib/form';
import { useDocumentTitle, useResource } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { validateName } from '../lib/validate';
import { useClient } from '../session';
import { upsert } from '../lib/list';

export function ApisPage() {
  useDocumentTitle('APIs');
  useBreadcrumbs([{ label: 'APIs' }]);
  const client = useClient();
  const apis = useResource(() => client.listApis(), 'apis');
  const [creating, setCreating] = useState(false);
  const [highlight, setHighlight] = useState<string | null>(null);
  const toast = useToast();

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-api">
      Create API
    </Button>
  );

  const list = apis.data ?? [];
  return (
    <>
      <PageHeader
        title="APIs"
        subtitle="HTTP and REST APIs served by your gateway fleet."
        actions={
          <>
            <Button icon="refresh" onClick={() => apis.reload()} disabled={apis.loading} aria-label="Refresh" />
            {createButton}
          </>
        }
      />
      <ErrorBanner error={apis.error} onRetry={apis.reload} title="Could not load APIs" />
      <ListCard
        resource={apis}
        cols={4}
        empty={
          <EmptyState icon="api" title="No APIs yet" action={createButton}>
            An API groups routes and their integrations. Create one, add a route, then deploy it to a stage.
          </EmptyState>
        }
      >
        <table className="table table-clickable">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Protocol</th>
              <th>Description</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => (
              <tr
                key={a.apiId}
                data-testid="api-row"
                data-api-id={a.apiId}
                className={highlight === a.apiId ? 'row-highlight' : undefined}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('a,button')) return;
                  navigate(`/apis/${encodeURIComponent(a.apiId)}`);
                }}
              >
                <td>
                  <Link to={`/apis/${encodeURIComponent(a.apiId)}`} className="strong">
                    {a.name}
                  </Link>
                </td>
                <td className="mono">{a.apiId}</td>
                <td>
                  <Badge tone={a.protocolType === 'REST' ? 'violet' : 'blue'}>{a.protocolType}</Badge>
                </td>
                <td className="muted truncate">{a.description || '—'}</td>
                <td title={formatDateTime(a.createdAt)}>{formatDate(a.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {creating ? (
        <CreateApiModal
          onClose={() => setCreating(false)}
          onCreated={(api) => {
            setCreating(false);
            apis.setData((prev) => upsert(prev, api, (x) => x.apiId === api.apiId, true));
            setHighlight(api.apiId);
            toast(`API "${api.name}" created`);
          }}
        />
      ) : null}
    </>
  );
}

function CreateApiModal({ onClose, onCreated }: { onClose: () => void; onCreated: (a: Api) => void }) {
  const client = useClient();
  const form = useForm({ name: '', protocolType: 'HTTP' as ProtocolType, description: '' }, (v) => ({
    name: validateName(v.name, 'a name'),
    description: v.description.length > 1024 ? 'At most 1024 characters.' : null,
  }));
  const submit = () =>
    void form.submit(async (v) => {
      const api = await client.createApi({
        name: v.name.trim(),
        protocolType: v.protocolType,
        description: v.description.trim() || undefined,
      });
      onCreated(api);
    });
  return (
    <FormModal
      title="Create API"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create API"
      submitTestId="api-submit"
    >
      <Field label="Name" error={form.error('name')} hint="Shown in the console; it need not be unique.">
        {(p) => (
          <input
            {...p}
            data-testid="api-name"
            value={form.values.name}
            placeholder="pets-api"
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Protocol"
        error={form.error('protocolType')}
        hint={
          form.values.protocolType === 'HTTP'
            ? 'HTTP APIs: lean and fast proxying with route keys like GET /pets/{id}.'
            : 'REST APIs: the full feature set (usage plans, mapping templates, caching).'
        }
      >
        {(p) => (
          <select
            {...p}
            data-testid="api-protocol"
            value={form.values.protocolType}
            onChange={(e) => form.set('protocolType', e.target.value as ProtocolType)}
          >
            <option value="HTTP">HTTP</option>
            <option value="REST">REST</option>
          </select>
        )}
      </Field>
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            data-testid="api-description"
            value={form.values.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}
