import { useState } from 'react';
import type { Deployment } from '../api/types';
import { DeploymentProgress } from '../components/Deploy';
import { Button, EmptyState, ErrorBanner, Modal, ListCard, StatusBadge } from '../components/ui';
import { formatDateTime, formatDuration, formatRelative } from '../lib/format';
import { useNow, type Resource } from '../lib/hooks';
import { upsert } from '../lib/list';

export function DeploymentsTab({
  apiId,
  deployments,
  onDeploy,
}: {
  apiId: string;
  deployments: Resource<Deployment[]>;
  onDeploy: () => void;
}) {
  const [open, setOpen] = useState<Deployment | null>(null);
  const now = useNow();
  const list = deployments.data ?? [];
  return (
    <section>
      <div className="section-header">
        <p className="muted">Every deployment is an immutable snapshot; newest first. Select one to see its steps.</p>
        <div className="page-actions">
          <Button icon="refresh" onClick={() => deployments.reload()} disabled={deployments.loading}>
            Refresh
          </Button>
        </div>
      </div>
      <ErrorBanner error={deployments.error} onRetry={deployments.reload} title="Could not load deployments" />
      <ListCard
        resource={deployments}
        cols={5}
        empty={
          <EmptyState
            icon="rocket"
            title="Nothing deployed yet"
            action={
              <Button variant="primary" icon="rocket" onClick={onDeploy}>
                Deploy
              </Button>
            }
          >
            Deploy the API to a stage to serve traffic through the gateway fleet.
          </EmptyState>
        }
      >
        <table className="table table-clickable">
          <thead>
            <tr>
              <th>Deployment</th>
              <th>Stage</th>
              <th>Status</th>
              <th>Description</th>
              <th>Routes</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.deploymentId} data-testid="deployment-row" onClick={() => setOpen(d)}>
                <td className="mono">
                  <button className="link-btn mono" onClick={() => setOpen(d)}>
                    {d.deploymentId}
                  </button>
                </td>
                <td className="mono">{d.stageName}</td>
                <td>
                  <StatusBadge status={d.status} />
                  {d.status === 'FAILED' && d.statusReason ? (
                    <div className="small text-red truncate" title={d.statusReason}>
                      {d.statusReason}
                    </div>
                  ) : null}
                </td>
                <td className="muted truncate">{d.description || '—'}</td>
                <td className="mono">{d.routeCount}</td>
                <td title={formatDateTime(d.createdAt)}>{formatRelative(d.createdAt, now)}</td>
                <td className="mono muted">
                  {formatDuration(d.createdAt, d.deployedAt ?? (d.status === 'FAILED' ? d.updatedAt : undefined)) ||
                    '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {open ? (
        <Modal
          title={
            <>
              Deployment <span className="mono">{open.deploymentId}</span>
            </>
          }
          width={600}
          onClose={() => setOpen(null)}
          footer={<Button onClick={() => setOpen(null)}>Close</Button>}
        >
          <DeploymentProgress
            apiId={apiId}
            initial={open}
            onUpdate={(d) => {
              deployments.setData((prev) => upsert(prev, d, (x) => x.deploymentId === d.deploymentId, true));
            }}
          />
        </Modal>
      ) : null}
    </section>
  );
}
