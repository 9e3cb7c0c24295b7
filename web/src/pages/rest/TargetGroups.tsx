// Target groups: named upstream sets with health checks for private
// (VPC_LINK) integrations of REST APIs.
import { useMemo, useState } from 'react';
import {
  Badge,
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  PageHeader,
  useToast,
} from '../../components/ui';
import { useBreadcrumbs } from '../../components/Shell';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { RestApi, type TargetGroup, type TargetGroupInput } from './api';

const ADDRESS_RE = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

export function TargetGroupsPage() {
  const client = useClient();
  const rest = useMemo(() => new RestApi(client), [client]);
  const toast = useToast();
  const groups = useResource(() => rest.listTargetGroups(), 'targetgroups');
  const [editing, setEditing] = useState<TargetGroup | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TargetGroup | null>(null);
  useDocumentTitle('Target groups');
  useBreadcrumbs([{ label: 'Target groups' }]);

  const add = (
    <Button variant="primary" icon="plus" onClick={() => setEditing('new')} data-testid="add-target-group">
      Create target group
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Target groups"
        actions={add}
        subtitle="Upstream addresses for private integrations of REST APIs, with active health checks and load balancing. Only your APIs can use them."
      />
      <ErrorBanner error={groups.error} onRetry={groups.reload} title="Could not load target groups" />
      <ListCard
        resource={groups}
        cols={4}
        empty={
          <EmptyState icon="server" title="No target groups yet" action={add}>
            A target group lists <code>host:port</code> addresses; a method integration with connection type{' '}
            <code>VPC_LINK</code> sends to its healthy targets.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Targets</th>
              <th>Health check</th>
              <th>Balancing</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(groups.data ?? []).map((g) => (
              <tr key={g.id} data-testid={`target-group-${g.name}`}>
                <td>
                  {g.name}
                  <div className="mono muted">{g.id}</div>
                </td>
                <td className="mono">{g.targets.map((t) => t.address).join(', ')}</td>
                <td className="mono">
                  GET {g.healthCheck.path || '/'} every {g.healthCheck.intervalSeconds || 10}s
                </td>
                <td>
                  <Badge tone="blue">{g.loadBalancing === 'LEAST_REQUESTS' ? 'Least requests' : 'Round robin'}</Badge>
                </td>
                <td>
                  <Button size="sm" onClick={() => setEditing(g)} data-testid={`edit-target-group-${g.name}`}>
                    Edit
                  </Button>{' '}
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setDeleting(g)}
                    data-testid={`delete-target-group-${g.name}`}
                  >
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {editing ? (
        <TargetGroupDialog
          group={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSubmit={async (input) => {
            if (editing === 'new') await rest.createTargetGroup(input);
            else await rest.updateTargetGroup(editing.id, input);
            toast(`Target group "${input.name}" saved`);
            setEditing(null);
            groups.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete target group"
          confirmLabel="Delete"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await rest.deleteTargetGroup(deleting.id);
            toast(`Target group "${deleting.name}" deleted`);
            groups.reload();
          }}
        >
          Delete <strong>{deleting.name}</strong>? An integration that uses it must be changed first.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function TargetGroupDialog({
  group,
  onClose,
  onSubmit,
}: {
  group: TargetGroup | null;
  onClose: () => void;
  onSubmit: (g: TargetGroupInput) => Promise<void>;
}) {
  const hc = group?.healthCheck ?? {};
  const form = useForm(
    {
      name: group?.name ?? '',
      targets: (group?.targets ?? []).map((t) => t.address).join('\n'),
      path: hc.path ?? '/health',
      interval: String(hc.intervalSeconds ?? 10),
      timeout: String(hc.timeoutSeconds ?? 5),
      healthy: String(hc.healthyThreshold ?? 2),
      unhealthy: String(hc.unhealthyThreshold ?? 2),
      loadBalancing: group?.loadBalancing ?? 'ROUND_ROBIN',
    },
    (v) => {
      const lines = v.targets
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const bad = lines.find((l) => !ADDRESS_RE.test(l));
      const int = (s: string, lo: number, hi: number) =>
        Number.isInteger(Number(s)) && Number(s) >= lo && Number(s) <= hi ? null : `${lo}-${hi}`;
      return {
        name: v.name.trim() ? null : 'Enter a name',
        targets: lines.length === 0 ? 'Add at least one host:port' : bad ? `"${bad}" is not host:port` : null,
        path: v.path.startsWith('/') ? null : 'Starts with /',
        interval: int(v.interval, 1, 300),
        timeout: int(v.timeout, 1, 120),
        healthy: int(v.healthy, 1, 10),
        unhealthy: int(v.unhealthy, 1, 10),
      };
    },
    (k) => (k.startsWith('targets') ? 'targets' : k.startsWith('healthCheck.') ? 'path' : k),
  );
  const v = form.values;
  const num = (name: 'interval' | 'timeout' | 'healthy' | 'unhealthy', label: string) => (
    <Field label={label} error={form.error(name)}>
      {(p) => (
        <input {...p} data-testid={`tg-${name}`} value={v[name]} onChange={(e) => form.set(name, e.target.value)} />
      )}
    </Field>
  );
  return (
    <FormModal
      title={group ? 'Edit target group' : 'Create target group'}
      form={form}
      onClose={onClose}
      onSubmit={() =>
        void form.submit((v) =>
          onSubmit({
            name: v.name.trim(),
            targets: v.targets
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
              .map((address) => ({ address })),
            healthCheck: {
              path: v.path,
              intervalSeconds: Number(v.interval),
              timeoutSeconds: Number(v.timeout),
              healthyThreshold: Number(v.healthy),
              unhealthyThreshold: Number(v.unhealthy),
            },
            loadBalancing: v.loadBalancing,
          }),
        )
      }
      submitLabel={group ? 'Save' : 'Create'}
      submitTestId="tg-submit"
      width={600}
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input {...p} data-testid="tg-name" value={v.name} onChange={(e) => form.set('name', e.target.value)} />
        )}
      </Field>
      <Field label="Targets" error={form.error('targets')} hint="One host:port per line.">
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={4}
            data-testid="tg-targets"
            placeholder="10.0.0.5:8080"
            value={v.targets}
            onChange={(e) => form.set('targets', e.target.value)}
          />
        )}
      </Field>
      <Field label="Load balancing">
        {(p) => (
          <select
            {...p}
            data-testid="tg-lb"
            value={v.loadBalancing}
            onChange={(e) => form.set('loadBalancing', e.target.value)}
          >
            <option value="ROUND_ROBIN">Round robin</option>
            <option value="LEAST_REQUESTS">Least requests in flight</option>
          </select>
        )}
      </Field>
      <Field label="Health check path" error={form.error('path')} hint="GET on each target; 2xx or 3xx is healthy.">
        {(p) => (
          <input
            {...p}
            className="mono"
            data-testid="tg-path"
            value={v.path}
            onChange={(e) => form.set('path', e.target.value)}
          />
        )}
      </Field>
      <div className="grid-2">
        {num('interval', 'Interval (s)')}
        {num('timeout', 'Timeout (s)')}
        {num('healthy', 'Healthy threshold')}
        {num('unhealthy', 'Unhealthy threshold')}
      </div>
    </FormModal>
  );
}
