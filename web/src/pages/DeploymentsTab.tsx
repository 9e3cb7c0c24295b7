import { useState } from 'react';
import type { Deployment } from '../api/types';
import { DeploymentProgress } from '../components/Deploy';
import { ListSection } from '../components/ListSection';
import { Button, EmptyState, Modal, StatusBadge } from '../components/ui';
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
      <ListSection
        intro="Every deployment is an immutable snapshot; newest first. Select one to see its steps."
        actions={
          <Button icon="refresh" onClick={() => deployments.reload()} disabled={deployments.loading}>
            Refresh
          </Button>
        }
        resource={deployments}
        errorTitle="Could not load deployments"
        columns={['Deployment', 'Stage', 'Status', 'Description', 'Routes', 'Started', 'Duration']}
        clickable
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
              {formatDuration(d.createdAt, d.deployedAt ?? (d.status === 'FAILED' ? d.updatedAt : undefined)) || '—'}
            </td>
          </tr>
        ))}
      </ListSection>
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
