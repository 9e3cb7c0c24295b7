import { useEffect } from 'react';
import { useBreadcrumbs } from '../components/Shell';
import { Badge, Button, EmptyState, ErrorBanner, PageHeader, ListCard } from '../components/ui';
import { formatDateTime, formatRelative, parseTime } from '../lib/format';
import { useDocumentTitle, useNow, useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { useClient } from '../session';

/** A gateway that has not reported for this long is shown as stale. */
const STALE_AFTER_MS = 30_000;

export function GatewaysPage() {
  useDocumentTitle('Gateways');
  useBreadcrumbs([{ label: 'Monitoring' }, { label: 'Gateways' }]);
  const client = useClient();
  const gateways = useResource(() => client.listGateways(), 'gateways');
  const now = useNow(5000);

  // Keep the fleet view fresh while it is open.
  useEffect(() => {
    const t = setInterval(() => void gateways.reload(), 10_000);
    return () => clearInterval(t);
  }, [gateways.reload]);

  const list = gateways.data ?? [];
  return (
    <>
      <PageHeader
        title="Gateways"
        subtitle="The data-plane fleet: each gateway reports which deployment it serves for every stage."
        actions={
          <Button icon="refresh" onClick={() => gateways.reload()} disabled={gateways.loading}>
            Refresh
          </Button>
        }
      />
      <ErrorBanner error={gateways.error} onRetry={gateways.reload} title="Could not load gateways" />
      <ListCard
        resource={gateways}
        cols={4}
        rows={3}
        empty={
          <EmptyState icon="server" title="No gateways have reported">
            Start a gateway pointed at this control plane; it appears here within seconds.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Gateway</th>
              <th>Address</th>
              <th>Health</th>
              <th>Last seen</th>
              <th>Started</th>
              <th>Stages served</th>
            </tr>
          </thead>
          <tbody>
            {list.map((g) => {
              const seen = parseTime(g.seenAt);
              const stale = !seen || now.getTime() - seen.getTime() > STALE_AFTER_MS;
              const stages = Object.entries(g.stages ?? {}).sort(([a], [b]) => a.localeCompare(b));
              return (
                <tr key={g.gatewayId} data-testid="gateway-row">
                  <td className="mono strong">{g.gatewayId}</td>
                  <td className="mono">{g.addr || '—'}</td>
                  <td>{stale ? <Badge tone="amber">Stale</Badge> : <Badge tone="green">Healthy</Badge>}</td>
                  <td title={formatDateTime(g.seenAt)}>{formatRelative(g.seenAt, now)}</td>
                  <td title={formatDateTime(g.startedAt)}>{formatRelative(g.startedAt, now)}</td>
                  <td>
                    {stages.length ? (
                      <div className="chips">
                        {stages.map(([key, dep]) => {
                          const [apiId, stage] = key.split('/');
                          return (
                            <span className="chip" key={key} title={`Deployment ${dep}`}>
                              <Link to={`/apis/${encodeURIComponent(apiId)}/stages`} className="mono">
                                {apiId}/{stage}
                              </Link>
                              <span className="mono muted">{dep}</span>
                            </span>
                          );
                        })}
                      </div>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListCard>
    </>
  );
}
