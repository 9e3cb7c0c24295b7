import { useEffect, useState } from 'react';
import type { Api, Stage } from '../../api/types';
import { useBreadcrumbs } from '../../components/Shell';
import { Button, EmptyState, ErrorBanner, Field, FormModal, ListCard, PageHeader, useToast } from '../../components/ui';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useNow, useResource } from '../../lib/hooks';
import { upsert } from '../../lib/list';
import { navigate } from '../../lib/router';
import { validateName } from '../../lib/validate';
import { useClient } from '../../session';
import type { UsagePlan } from './api';
import { useUsageApi } from './ApiKeys';
import {
  apiStagesToRows,
  buildQuota,
  buildThrottle,
  describeQuota,
  describeThrottle,
  maxOffset,
  QUOTA_PERIODS,
  stageRowsToApiStages,
  validateQuota,
  validateStageRows,
  validateThrottle,
  type StageRow,
} from './logic';

export function UsagePlansPage() {
  useDocumentTitle('Usage plans');
  useBreadcrumbs([{ label: 'API Gateway' }, { label: 'Usage plans' }]);
  const api = useUsageApi();
  const now = useNow();
  const plans = useResource(() => api.listPlans(), 'usage-plans');
  const [creating, setCreating] = useState(false);
  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-usage-plan">
      Create usage plan
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Usage plans"
        subtitle="Which API stages a key may call, how fast (throttle) and how much (quota). Changes reach the gateways within seconds, without a deploy."
        actions={createButton}
      />
      <ErrorBanner error={plans.error} onRetry={plans.reload} title="Could not load usage plans" />
      <ListCard
        resource={plans}
        cols={5}
        empty={
          <EmptyState icon="layers" title="No usage plans" action={createButton}>
            Create a plan to give API keys access to your API stages, with a throttle and a quota.
          </EmptyState>
        }
      >
        <table className="table table-clickable">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Throttle</th>
              <th>Quota</th>
              <th>API stages</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {(plans.data ?? []).map((p) => (
              <tr
                key={p.id}
                data-testid="usage-plan-row"
                data-usage-plan-id={p.id}
                onClick={() => navigate(`/usage-plans/${p.id}`)}
              >
                <td className="strong">{p.name}</td>
                <td className="mono">{p.id}</td>
                <td>{describeThrottle(p.throttle)}</td>
                <td>{describeQuota(p.quota)}</td>
                <td className="mono small">{p.apiStages.map((s) => `${s.apiId}/${s.stage}`).join(', ') || '—'}</td>
                <td title={formatDateTime(p.createdAt)}>{formatRelative(p.createdAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {creating ? (
        <PlanModal
          onClose={() => setCreating(false)}
          onSaved={(p) => {
            setCreating(false);
            plans.setData((prev) => upsert(prev, p, (x) => x.id === p.id));
            navigate(`/usage-plans/${p.id}`);
          }}
        />
      ) : null}
    </>
  );
}

/** Lists the tenant's APIs and, per chosen API, its stages. */
function useApisAndStages(rows: StageRow[]) {
  const client = useClient();
  const apis = useResource(() => client.listApis(), 'plan-apis');
  const [stages, setStages] = useState<Record<string, Stage[]>>({});
  const wanted = [...new Set(rows.map((r) => r.apiId).filter(Boolean))].join(',');
  useEffect(() => {
    for (const id of wanted.split(',').filter(Boolean)) {
      if (stages[id]) continue;
      client
        .listStages(id)
        .then((s) => setStages((prev) => ({ ...prev, [id]: s })))
        .catch(() => setStages((prev) => ({ ...prev, [id]: [] })));
    }
  }, [wanted, client, stages]);
  return { apis: apis.data ?? ([] as Api[]), apisError: apis.error, stages };
}

export function PlanModal({
  plan,
  onClose,
  onSaved,
}: {
  plan?: UsagePlan;
  onClose: () => void;
  onSaved: (p: UsagePlan) => void;
}) {
  const api = useUsageApi();
  const toast = useToast();
  const form = useForm(
    {
      name: plan?.name ?? '',
      description: plan?.description ?? '',
      rate: plan?.throttle ? String(plan.throttle.rateLimit) : '',
      burst: plan?.throttle ? String(plan.throttle.burstLimit) : '',
      quotaLimit: plan?.quota ? String(plan.quota.limit) : '',
      quotaPeriod: (plan?.quota?.period as string) ?? 'DAY',
      quotaOffset: plan?.quota?.offset ? String(plan.quota.offset) : '',
      stages: apiStagesToRows(plan?.apiStages ?? []),
    },
    (v) => {
      const t = validateThrottle(v.rate, v.burst);
      const q = validateQuota(v.quotaLimit, v.quotaPeriod, v.quotaOffset);
      return {
        name: validateName(v.name),
        rate: t.rate,
        burst: t.burst,
        quotaLimit: q.limit,
        quotaPeriod: q.period,
        quotaOffset: q.offset,
        stages: validateStageRows(v.stages),
      };
    },
    (k) =>
      k.startsWith('apiStages')
        ? 'stages'
        : k === 'throttle.rateLimit'
          ? 'rate'
          : k === 'throttle.burstLimit'
            ? 'burst'
            : k === 'quota.limit'
              ? 'quotaLimit'
              : k === 'quota.period'
                ? 'quotaPeriod'
                : k === 'quota.offset'
                  ? 'quotaOffset'
                  : k,
  );
  const v = form.values;
  const { apis, apisError, stages } = useApisAndStages(v.stages);
  const setRow = (i: number, patch: Partial<StageRow>) =>
    form.set(
      'stages',
      v.stages.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  const submit = () =>
    void form.submit(async (v) => {
      const body = {
        name: v.name.trim(),
        description: v.description,
        throttle: buildThrottle(v.rate, v.burst) ?? null,
        quota: buildQuota(v.quotaLimit, v.quotaPeriod, v.quotaOffset) ?? null,
        apiStages: stageRowsToApiStages(v.stages),
      };
      if (plan) {
        const p = await api.updatePlan(plan.id, body);
        toast('Usage plan saved');
        onSaved(p);
      } else {
        onSaved(
          await api.createPlan({
            ...body,
            throttle: body.throttle ?? undefined,
            quota: body.quota ?? undefined,
          }),
        );
      }
    });
  return (
    <FormModal
      title={plan ? `Edit ${plan.name}` : 'Create usage plan'}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={plan ? 'Save' : 'Create plan'}
      submitTestId="usage-plan-submit"
      width={720}
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid="usage-plan-name"
            value={v.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional>
        {(p) => (
          <input
            {...p}
            data-testid="usage-plan-description"
            value={v.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
      <h3 className="section-header">Throttle per key</h3>
      <div className="grid-2-1">
        <Field label="Rate (requests per second)" optional error={form.error('rate')}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              data-testid="usage-plan-rate"
              value={v.rate}
              onChange={(e) => form.set('rate', e.target.value)}
            />
          )}
        </Field>
        <Field label="Burst" optional error={form.error('burst')}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              data-testid="usage-plan-burst"
              value={v.burst}
              onChange={(e) => form.set('burst', e.target.value)}
            />
          )}
        </Field>
      </div>
      <h3 className="section-header">Quota per key</h3>
      <div className="grid-2-1">
        <Field label="Requests" optional error={form.error('quotaLimit')} hint="Leave empty for no quota.">
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              data-testid="usage-plan-quota-limit"
              value={v.quotaLimit}
              onChange={(e) => form.set('quotaLimit', e.target.value)}
            />
          )}
        </Field>
        <Field label="Per" error={form.error('quotaPeriod')}>
          {(p) => (
            <select
              {...p}
              data-testid="usage-plan-quota-period"
              value={v.quotaPeriod}
              onChange={(e) => form.set('quotaPeriod', e.target.value)}
            >
              {QUOTA_PERIODS.map((q) => (
                <option key={q} value={q}>
                  {q === 'DAY' ? 'Day' : q === 'WEEK' ? 'Week' : 'Month'}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {maxOffset(v.quotaPeriod) > 0 ? (
        <Field
          label="Offset (days)"
          optional
          error={form.error('quotaOffset')}
          hint={
            v.quotaPeriod === 'WEEK'
              ? 'Days after Monday the week starts (0-6).'
              : 'Days after the 1st the month starts (0-27).'
          }
        >
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              data-testid="usage-plan-quota-offset"
              value={v.quotaOffset}
              onChange={(e) => form.set('quotaOffset', e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <h3 className="section-header">API stages</h3>
      <ErrorBanner error={apisError} title="Could not load your APIs" />
      {form.error('stages') ? <div className="field-error">{form.error('stages')}</div> : null}
      {v.stages.map((r, i) => (
        <div key={i} className="card stack plan-stage" data-testid="usage-plan-stage">
          <div className="grid-2-1">
            <Field label="API">
              {(p) => (
                <select
                  {...p}
                  data-testid="usage-plan-stage-api"
                  value={r.apiId}
                  onChange={(e) => setRow(i, { apiId: e.target.value, stage: '' })}
                >
                  <option value="">Choose an API…</option>
                  {apis.map((a) => (
                    <option key={a.apiId} value={a.apiId}>
                      {a.name} ({a.apiId})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Stage">
              {(p) => (
                <select
                  {...p}
                  data-testid="usage-plan-stage-name"
                  value={r.stage}
                  disabled={!r.apiId}
                  onChange={(e) => setRow(i, { stage: e.target.value })}
                >
                  <option value="">Choose a stage…</option>
                  {(stages[r.apiId] ?? []).map((s) => (
                    <option key={s.stageName} value={s.stageName}>
                      {s.stageName}
                    </option>
                  ))}
                  {r.stage && !(stages[r.apiId] ?? []).some((s) => s.stageName === r.stage) ? (
                    <option value={r.stage}>{r.stage}</option>
                  ) : null}
                </select>
              )}
            </Field>
          </div>
          <div className="grid-2-1">
            <Field label="Stage rate (req/s)" optional hint="Overrides the plan's throttle on this stage.">
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  data-testid="usage-plan-stage-rate"
                  value={r.rate}
                  onChange={(e) => setRow(i, { rate: e.target.value })}
                />
              )}
            </Field>
            <Field label="Stage burst" optional>
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  data-testid="usage-plan-stage-burst"
                  value={r.burst}
                  onChange={(e) => setRow(i, { burst: e.target.value })}
                />
              )}
            </Field>
          </div>
          <Field label="Method throttles" optional hint='One per line: "GET /pets 10 20" (route key, rate, burst).'>
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={2}
                spellCheck={false}
                data-testid="usage-plan-stage-methods"
                value={r.methods}
                onChange={(e) => setRow(i, { methods: e.target.value })}
              />
            )}
          </Field>
          <div>
            <Button
              size="sm"
              variant="ghost"
              icon="trash"
              onClick={() =>
                form.set(
                  'stages',
                  v.stages.filter((_, j) => j !== i),
                )
              }
            >
              Remove stage
            </Button>
          </div>
        </div>
      ))}
      <div>
        <Button
          size="sm"
          icon="plus"
          data-testid="usage-plan-add-stage"
          onClick={() => form.set('stages', [...v.stages, { apiId: '', stage: '', rate: '', burst: '', methods: '' }])}
        >
          Add API stage
        </Button>
      </div>
    </FormModal>
  );
}
