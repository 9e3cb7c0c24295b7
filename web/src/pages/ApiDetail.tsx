import { useEffect, useState } from 'react';
import { DeployDialog } from '../components/Deploy';
import { useBreadcrumbs } from '../components/Shell';
import {
  Badge,
  Button,
  ConfirmDialog,
  CopyLink,
  EmptyState,
  ErrorBanner,
  PageHeader,
  useToast,
} from '../components/ui';
import { ApiError } from '../api/client';
import { isTerminal } from '../api/types';
import { formatDateTime } from '../lib/format';
import { useDocumentTitle, useResource } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { useClient } from '../session';
import { DeploymentsTab } from './DeploymentsTab';
import { RoutesTab } from './RoutesTab';
import { StagesTab } from './StagesTab';
import { ResourcesTab } from './rest/ResourcesTab';
import { EndpointBadge, EndpointSettingsDialog } from './rest/EndpointSettings';
import type { ApiWithEndpoint } from './rest/api';

const TABS = [
  { id: 'resources', label: 'Resources' },
  { id: 'routes', label: 'Routes' },
  { id: 'stages', label: 'Stages' },
  { id: 'deployments', label: 'Deployments' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

export function ApiDetailPage({ apiId, tab }: { apiId: string; tab: string }) {
  const client = useClient();
  const toast = useToast();
  const api = useResource(() => client.getApi(apiId), apiId);
  const stages = useResource(() => client.listStages(apiId), apiId);
  const deployments = useResource(() => client.listDeployments(apiId), apiId);
  const [deploy, setDeploy] = useState<{ stage?: string } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [endpointOpen, setEndpointOpen] = useState(false);
  const isREST = api.data?.protocolType === 'REST';
  // REST APIs are built from resources; HTTP APIs from routes.
  const tabs = TABS.filter((t) => (isREST ? t.id !== 'routes' : t.id !== 'resources'));
  const fallback: TabId = isREST ? 'resources' : 'routes';
  const active: TabId = (tabs.find((t) => t.id === tab)?.id ?? fallback) as TabId;
  const name = api.data?.name ?? apiId;

  useDocumentTitle(name);
  useBreadcrumbs([
    { label: 'APIs', to: '/apis' },
    { label: name, to: `/apis/${encodeURIComponent(apiId)}` },
    { label: TABS.find((t) => t.id === active)!.label },
  ]);

  // While a deployment runs (also one started elsewhere, or whose dialog was
  // closed), keep the stage and deployment lists fresh.
  const running = deployments.data?.some((d) => !isTerminal(d.status)) ?? false;
  const { reload: reloadStages } = stages;
  const { reload: reloadDeployments } = deployments;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      void reloadStages();
      void reloadDeployments();
    }, 2000);
    return () => clearInterval(t);
  }, [running, reloadStages, reloadDeployments]);

  if (api.error instanceof ApiError && api.error.status === 404) {
    return (
      <div className="card">
        <EmptyState
          icon="api"
          title="API not found"
          action={
            <Button variant="primary" onClick={() => navigate('/apis')}>
              Back to APIs
            </Button>
          }
        >
          No API with ID <span className="mono">{apiId}</span> exists in this tenant.
        </EmptyState>
      </div>
    );
  }

  const refreshDeployState = () => {
    void stages.reload();
    void deployments.reload();
  };
  const openDeploy = (stage?: string) => setDeploy({ stage });

  return (
    <>
      <ErrorBanner error={api.error} onRetry={api.reload} title="Could not load this API" />
      {api.data ? (
        <PageHeader
          title={
            <>
              {api.data.name}{' '}
              <Badge tone={api.data.protocolType === 'REST' ? 'violet' : 'blue'}>{api.data.protocolType}</Badge>
            </>
          }
          subtitle={
            <div className="meta-row">
              <span>
                ID <span className="mono">{api.data.apiId}</span>
              </span>
              <span>
                Endpoint type <EndpointBadge api={api.data as ApiWithEndpoint} />
              </span>
              {api.data.apiEndpoint ? (
                <span>
                  Endpoint <CopyLink url={api.data.apiEndpoint} />
                </span>
              ) : null}
              <span>Created {formatDateTime(api.data.createdAt)}</span>
              {api.data.description ? <span className="muted">{api.data.description}</span> : null}
            </div>
          }
          actions={
            <>
              <Button icon="globe" onClick={() => setEndpointOpen(true)} data-testid="api-endpoint-settings">
                Endpoint
              </Button>
              <Button icon="trash" variant="ghost" onClick={() => setDeleting(true)}>
                Delete
              </Button>
              <Button
                variant="primary"
                icon="rocket"
                data-testid="deploy-button"
                disabled={!stages.data}
                onClick={() => openDeploy()}
              >
                Deploy
              </Button>
            </>
          }
        />
      ) : api.loading ? (
        <div className="page-header">
          <div style={{ width: '40%' }}>
            <span className="skeleton skeleton-title" />
            <span className="skeleton" style={{ width: '70%' }} />
          </div>
        </div>
      ) : null}

      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <Link
            key={t.id}
            to={`/apis/${encodeURIComponent(apiId)}/${t.id}`}
            role="tab"
            aria-selected={t.id === active}
            className={`tab${t.id === active ? ' active' : ''}`}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
            {t.id === 'stages' && stages.data ? <span className="count">{stages.data.length}</span> : null}
            {t.id === 'deployments' && deployments.data ? (
              <span className="count">{deployments.data.length}</span>
            ) : null}
          </Link>
        ))}
      </div>

      {active === 'routes' && api.data ? <RoutesTab apiId={apiId} onDeploy={() => openDeploy()} /> : null}
      {active === 'resources' && api.data ? <ResourcesTab apiId={apiId} onDeploy={() => openDeploy()} /> : null}
      {active === 'stages' ? <StagesTab apiId={apiId} isREST={isREST} stages={stages} onDeploy={openDeploy} /> : null}
      {active === 'deployments' ? (
        <DeploymentsTab apiId={apiId} deployments={deployments} onDeploy={() => openDeploy()} />
      ) : null}

      {deploy ? (
        <DeployDialog
          apiId={apiId}
          stages={stages.data ?? []}
          initialStage={deploy.stage}
          onClose={() => setDeploy(null)}
          onChanged={refreshDeployState}
        />
      ) : null}
      {endpointOpen && api.data ? (
        <EndpointSettingsDialog
          api={api.data as ApiWithEndpoint}
          onClose={() => setEndpointOpen(false)}
          onSaved={(a) => {
            setEndpointOpen(false);
            api.setData(a);
            toast('Endpoint saved; it takes effect on the next deploy');
          }}
        />
      ) : null}
      {deleting && api.data ? (
        <ConfirmDialog
          title="Delete API"
          confirmLabel="Delete API"
          confirmText={api.data.name}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await client.deleteApi(apiId);
            toast(`API "${name}" deleted`);
            navigate('/apis', { replace: true });
          }}
        >
          This deletes <strong>{api.data.name}</strong> with all its routes, stages and deployments. Traffic to its
          stages stops being served. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </>
  );
}
