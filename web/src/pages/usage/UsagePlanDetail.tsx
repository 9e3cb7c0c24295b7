import { useCallback, useEffect, useMemo, useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  PageHeader,
  Spinner,
  useToast,
} from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { Link, navigate } from '../../lib/router';
import type { ApiKey, UsageReport } from './api';
import { useUsageApi } from './ApiKeys';
import { UsageChart } from './UsageChart';
import { PlanModal } from './UsagePlans';
import { describeQuota, describeThrottle, lastDays, usageSeries } from './logic';

/** How often the usage chart re-reads the counters. */
export const USAGE_REFRESH_MS = 3000;

export function UsagePlanDetailPage({ planId }: { planId: string }) {
  const api = useUsageApi();
  const toast = useToast();
  const plan = useResource(() => api.getPlan(planId), `usage-plan-${planId}`);
  const keys = useResource(() => api.listPlanKeys(planId), `usage-plan-keys-${planId}`);
  const name = plan.data?.name ?? planId;
  useDocumentTitle(name);
  useBreadcrumbs([{ label: 'API Gateway' }, { label: 'Usage plans', to: '/usage-plans' }, { label: name }]);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [attaching, setAttaching] = useState(false);
  const [detaching, setDetaching] = useState<ApiKey | null>(null);
  const [selected, setSelected] = useState<string>('');
  const keyList = keys.data ?? [];
  const chartKey = selected && keyList.some((k) => k.id === selected) ? selected : (keyList[0]?.id ?? '');

  if (!plan.data) {
    return plan.error ? (
      <ErrorBanner error={plan.error} onRetry={plan.reload} title="Could not load the usage plan" />
    ) : (
      <Spinner label="Loading usage plan" />
    );
  }
  const p = plan.data;
  return (
    <>
      <PageHeader
        title={p.name}
        subtitle={p.description || undefined}
        actions={
          <>
            <Button icon="edit" onClick={() => setEditing(true)} data-testid="usage-plan-edit">
              Edit
            </Button>
            <Button variant="danger" icon="trash" onClick={() => setDeleting(true)} data-testid="usage-plan-delete">
              Delete
            </Button>
          </>
        }
      />
      <div className="card" style={{ padding: '12px 16px' }}>
        <div className="kv-summary">
          <span className="muted">ID</span>
          <span className="mono" data-testid="usage-plan-id">
            {p.id}
          </span>
          <span className="muted">Throttle</span>
          <span data-testid="usage-plan-throttle">{describeThrottle(p.throttle)}</span>
          <span className="muted">Quota</span>
          <span data-testid="usage-plan-quota">{describeQuota(p.quota)}</span>
          <span className="muted">API stages</span>
          <span>
            {p.apiStages.length
              ? p.apiStages.map((s) => (
                  <div key={`${s.apiId}/${s.stage}`}>
                    <Link to={`/apis/${s.apiId}/stages`} className="mono">
                      {s.apiId}/{s.stage}
                    </Link>
                    {s.throttle ? <span className="muted"> · {describeThrottle(s.throttle)}</span> : null}
                    {s.methodThrottles
                      ? Object.entries(s.methodThrottles).map(([k, t]) => (
                          <div key={k} className="muted small mono">
                            {k}: {describeThrottle(t)}
                          </div>
                        ))
                      : null}
                  </div>
                ))
              : 'None: its keys can call nothing yet.'}
          </span>
        </div>
      </div>

      <div className="section-header">
        <h2>API keys</h2>
        <Button icon="plus" onClick={() => setAttaching(true)} data-testid="usage-plan-attach-key">
          Add API key
        </Button>
      </div>
      <ErrorBanner error={keys.error} onRetry={keys.reload} title="Could not load the plan's keys" />
      <ListCard
        resource={keys}
        cols={3}
        empty={
          <EmptyState icon="ticket" title="No API keys in this plan">
            Add a key so that its callers can use the plan's API stages.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Status</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {keyList.map((k) => (
              <tr
                key={k.id}
                data-testid="usage-plan-key-row"
                className={k.id === chartKey ? 'row-highlight' : undefined}
              >
                <td className="strong">{k.name}</td>
                <td className="mono">{k.id}</td>
                <td>{k.enabled ? 'Enabled' : 'Disabled'}</td>
                <td className="row-actions">
                  <Button size="sm" onClick={() => setSelected(k.id)} data-testid="usage-plan-key-usage">
                    Usage
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Remove key"
                    onClick={() => setDetaching(k)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>

      {chartKey ? <KeyUsage planId={p.id} keyId={chartKey} hasQuota={!!p.quota} /> : null}

      {editing ? (
        <PlanModal
          plan={p}
          onClose={() => setEditing(false)}
          onSaved={(np) => {
            setEditing(false);
            plan.setData(np);
          }}
        />
      ) : null}
      {attaching ? (
        <AttachKeyModal
          planId={p.id}
          attached={keyList.map((k) => k.id)}
          onClose={() => setAttaching(false)}
          onAttached={(k) => {
            setAttaching(false);
            keys.setData((prev) => upsert(prev, k, (x) => x.id === k.id));
            toast(`Key ${k.name} added to ${p.name}`);
          }}
        />
      ) : null}
      {detaching ? (
        <ConfirmDialog
          title="Remove API key"
          confirmLabel="Remove key"
          onClose={() => setDetaching(null)}
          onConfirm={async () => {
            await api.detachKey(p.id, detaching.id);
            keys.setData((prev) => remove(prev, (x) => x.id === detaching.id));
            toast('Key removed from the plan');
          }}
        >
          Remove <strong>{detaching.name}</strong> from <strong>{p.name}</strong>? Its callers lose access to the plan's
          API stages within seconds.
        </ConfirmDialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete usage plan"
          confirmLabel="Delete plan"
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deletePlan(p.id);
            toast('Usage plan deleted');
            navigate('/usage-plans');
          }}
        >
          Delete <strong>{p.name}</strong>? Its {keyList.length} key(s) stay, but lose access to its API stages.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function KeyUsage({ planId, keyId, hasQuota }: { planId: string; keyId: string; hasQuota: boolean }) {
  const api = useUsageApi();
  const toast = useToast();
  const [days, setDays] = useState(7);
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [extend, setExtend] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { startDate, endDate } = lastDays(days, new Date());
    try {
      setReport(await api.usage(planId, startDate, endDate, keyId));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [api, planId, keyId, days]);

  useEffect(() => {
    setReport(null);
    void load();
    const t = setInterval(() => void load(), USAGE_REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const series = useMemo(() => (report ? usageSeries(report, keyId) : null), [report, keyId]);

  const reset = async () => {
    setBusy(true);
    try {
      const q = await api.changeQuota(planId, keyId, { reset: true });
      toast(`Quota reset: ${q.remaining} left`);
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="section-header">
        <h2>
          Usage of <span className="mono">{keyId}</span>
        </h2>
        <div className="row-actions">
          <select
            style={{ width: 'auto' }}
            aria-label="Date range"
            data-testid="usage-range"
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          >
            <option value={7}>Last 7 days</option>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
          </select>
          {hasQuota ? (
            <>
              <Button size="sm" onClick={() => setExtend(true)} data-testid="usage-extend">
                Extend quota
              </Button>
              <Button size="sm" busy={busy} onClick={() => void reset()} data-testid="usage-reset">
                Reset quota
              </Button>
            </>
          ) : null}
        </div>
      </div>
      <ErrorBanner error={error} onRetry={() => void load()} title="Could not load usage" />
      <div className="card" style={{ padding: '12px 16px' }} data-testid="usage-panel">
        {series ? <UsageChart series={series} /> : <Spinner label="Loading usage" />}
      </div>
      {extend ? (
        <ExtendModal
          planId={planId}
          keyId={keyId}
          onClose={() => setExtend(false)}
          onDone={(remaining) => {
            setExtend(false);
            toast(`Quota extended: ${remaining} left`);
            void load();
          }}
        />
      ) : null}
    </>
  );
}

function ExtendModal({
  planId,
  keyId,
  onClose,
  onDone,
}: {
  planId: string;
  keyId: string;
  onClose: () => void;
  onDone: (remaining: number) => void;
}) {
  const api = useUsageApi();
  const form = useForm({ extend: '' }, (v) => ({
    extend: /^[1-9]\d{0,11}$/.test(v.extend.trim()) ? null : 'A whole number of requests, at least 1.',
  }));
  const submit = () =>
    void form.submit(async (v) => {
      const q = await api.changeQuota(planId, keyId, { extend: Number(v.extend.trim()) });
      onDone(q.remaining);
    });
  return (
    <FormModal
      title="Extend quota"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Extend"
      submitTestId="usage-extend-submit"
    >
      <Field label="More requests this period" error={form.error('extend')}>
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            data-testid="usage-extend-amount"
            value={form.values.extend}
            onChange={(e) => form.set('extend', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

function AttachKeyModal({
  planId,
  attached,
  onClose,
  onAttached,
}: {
  planId: string;
  attached: string[];
  onClose: () => void;
  onAttached: (k: ApiKey) => void;
}) {
  const api = useUsageApi();
  const all = useResource(() => api.listKeys(), 'attach-keys');
  const free = (all.data ?? []).filter((k) => !attached.includes(k.id));
  const form = useForm({ keyId: '' }, (v) => ({ keyId: v.keyId ? null : 'Choose a key.' }));
  const submit = () =>
    void form.submit(async (v) => {
      onAttached(await api.attachKey(planId, v.keyId));
    });
  return (
    <FormModal
      title="Add API key"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Add key"
      submitTestId="usage-plan-attach-submit"
    >
      <ErrorBanner error={all.error} onRetry={all.reload} title="Could not load API keys" />
      {all.data && free.length === 0 ? (
        <p className="muted">
          Every API key is already in this plan. <Link to="/api-keys">Create a key</Link> first.
        </p>
      ) : (
        <Field label="API key" error={form.error('keyId')}>
          {(p) => (
            <select
              {...p}
              data-testid="usage-plan-attach-select"
              value={form.values.keyId}
              onChange={(e) => form.set('keyId', e.target.value)}
            >
              <option value="">{all.loading && !all.data ? 'Loading…' : 'Choose a key…'}</option>
              {free.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name} ({k.id})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </FormModal>
  );
}
