import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Stage } from '../api/types';
import { ListSection, RowActions, useRowDialogs } from '../components/ListSection';
import {
  Badge,
  Button,
  ConfirmDialog,
  CopyLink,
  EmptyState,
  FormModal,
  Field,
  StatusBadge,
  useToast,
} from '../components/ui';
import { formatDateTime, formatRelative } from '../lib/format';
import { useForm } from '../lib/form';
import type { Resource } from '../lib/hooks';
import { rowsToVariables, validateStageName, validateVariableRows, variablesToRows } from '../lib/validate';
import { useClient } from '../session';
import { remove, upsert } from '../lib/list';
import { buildThrottle, throttlePatch, validateThrottle } from './usage/logic';
import { ThrottleFields } from './usage/ThrottleFields';
import {
  settingsField,
  settingsPatch,
  settingsValues,
  validateSettings,
  type CachedStage,
  type StageSettingsValues,
} from './stage/settings';
import { StageSettingsFields } from './stage/StageSettingsFields';
import { MethodSettingsDialog } from './stage/MethodSettingsDialog';

/** Drops every cached answer of the stage across the fleet (202). */
export function flushStageCache(client: ApiClient, apiId: string, stageName: string): Promise<void> {
  return client.request(
    'DELETE',
    `/v1/apis/${encodeURIComponent(apiId)}/stages/${encodeURIComponent(stageName)}/cache/data`,
  );
}

export function StagesTab({
  apiId,
  isREST = false,
  stages,
  onDeploy,
}: {
  apiId: string;
  /** REST APIs key method settings by their resources' methods, HTTP APIs by routes. */
  isREST?: boolean;
  stages: Resource<Stage[]>;
  onDeploy: (stageName: string) => void;
}) {
  const client = useClient();
  const toast = useToast();
  const { editing, setEditing, deleting, setDeleting } = useRowDialogs<Stage>();
  const [methodSettings, setMethodSettings] = useState<CachedStage | null>(null);
  const [flushing, setFlushing] = useState<Stage | null>(null);

  const addButton = (
    <Button variant="primary" icon="plus" onClick={() => setEditing('new')} data-testid="add-stage">
      Create stage
    </Button>
  );
  const list = stages.data ?? [];
  const saved = (s: Stage) => stages.setData((prev) => upsert(prev, s, (x) => x.stageName === s.stageName));

  return (
    <section>
      <ListSection
        intro={
          <>
            A stage is a named, invokable snapshot of the API (<code>dev</code>, <code>prod</code>). Deploying points it
            at a new deployment.
          </>
        }
        actions={addButton}
        resource={stages}
        errorTitle="Could not load stages"
        columns={['Stage', 'Status', 'Invoke URL', 'Cache', 'Updated', '']}
        empty={
          <EmptyState icon="layers" title="No stages yet" action={addButton}>
            Create a stage such as <code>dev</code>, then deploy to it to get an invoke URL.
          </EmptyState>
        }
      >
        {list.map((s) => {
          const vars = Object.keys(s.stageVariables ?? {}).length;
          const routeSettings = Object.keys(s.methodSettings ?? {}).length;
          return (
            <tr key={s.stageName} data-testid="stage-row" data-stage-name={s.stageName}>
              <td>
                <div className="mono strong">{s.stageName}</div>
                {s.description || vars ? (
                  <div className="muted small">
                    {[s.description, vars ? `${vars} variable${vars === 1 ? '' : 's'}` : '']
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                ) : null}
              </td>
              <td>
                <StatusBadge status={s.lastDeploymentStatus} />
                {s.deploymentId ? (
                  <div className="mono muted small" title="Deployment">
                    {s.deploymentId}
                  </div>
                ) : null}
              </td>
              <td>
                {s.deploymentId ? (
                  <CopyLink url={s.invokeUrl} testId="stage-invoke-url" />
                ) : (
                  <span className="muted small">Deploy to get a URL</span>
                )}
              </td>
              <td data-testid="stage-cache">
                {s.cacheClusterEnabled ? (
                  <Badge tone="green">
                    {s.cacheClusterSize ?? '0.5'} MB · {s.cacheTtlInSeconds ?? 300} s
                  </Badge>
                ) : (
                  <span className="muted small">Off</span>
                )}
                {routeSettings ? (
                  <div className="muted small">
                    {routeSettings} route setting{routeSettings === 1 ? '' : 's'}
                  </div>
                ) : null}
              </td>
              <td title={formatDateTime(s.updatedAt)}>{formatRelative(s.updatedAt)}</td>
              <RowActions
                noun="stage"
                testIdPrefix="stage"
                onEdit={() => setEditing(s)}
                onDelete={() => setDeleting(s)}
              >
                <Button size="sm" icon="rocket" onClick={() => onDeploy(s.stageName)} data-testid="stage-deploy-button">
                  Deploy
                </Button>
                <Button
                  size="sm"
                  icon="settings"
                  title="Per-route cache settings"
                  onClick={() => setMethodSettings(s)}
                  data-testid="stage-method-settings"
                >
                  Methods
                </Button>
                {s.cacheClusterEnabled ? (
                  <Button
                    size="sm"
                    icon="refresh"
                    title="Flush the stage's cache"
                    onClick={() => setFlushing(s)}
                    data-testid="stage-flush-cache"
                  >
                    Flush
                  </Button>
                ) : null}
              </RowActions>
            </tr>
          );
        })}
      </ListSection>

      {methodSettings ? (
        <MethodSettingsDialog
          apiId={apiId}
          isREST={isREST}
          stage={methodSettings}
          onClose={() => setMethodSettings(null)}
          onSaved={(s) => {
            setMethodSettings(null);
            saved(s);
            toast(`Method settings of ${s.stageName} saved`);
          }}
        />
      ) : null}
      {flushing ? (
        <ConfirmDialog
          title="Flush stage cache"
          confirmLabel="Flush cache"
          onClose={() => setFlushing(null)}
          onConfirm={async () => {
            await flushStageCache(client, apiId, flushing.stageName);
            toast(`Cache of ${flushing.stageName} flushed`);
          }}
        >
          Drop every cached answer of stage <code>{flushing.stageName}</code> on all gateways? The next calls go to the
          integrations until the cache fills again.
        </ConfirmDialog>
      ) : null}
      {editing ? (
        <StageModal
          apiId={apiId}
          stage={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(s, created) => {
            setEditing(null);
            saved(s);
            toast(created ? `Stage ${s.stageName} created` : `Stage ${s.stageName} saved`);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete stage"
          confirmLabel="Delete stage"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await client.deleteStage(apiId, deleting.stageName);
            stages.setData((prev) => remove(prev, (x) => x.stageName === deleting.stageName));
            toast(`Stage ${deleting.stageName} deleted`);
          }}
        >
          Delete stage <code>{deleting.stageName}</code>?
          {deleting.deploymentId ? ' Its invoke URL stops answering as soon as the gateways drop it.' : ''}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

interface Row {
  key: string;
  value: string;
}

interface StageValues extends Record<string, unknown>, StageSettingsValues {
  stageName: string;
  description: string;
  variables: Row[];
  rate: string;
  burst: string;
}

function StageModal({
  apiId,
  stage,
  onClose,
  onSaved,
}: {
  apiId: string;
  stage: Stage | null;
  onClose: () => void;
  onSaved: (s: Stage, created: boolean) => void;
}) {
  const client = useClient();
  const form = useForm<StageValues>(
    {
      stageName: stage?.stageName ?? '',
      description: stage?.description ?? '',
      variables: variablesToRows(stage?.stageVariables),
      rate: stage?.throttle ? String(stage.throttle.rateLimit) : '',
      burst: stage?.throttle ? String(stage.throttle.burstLimit) : '',
      ...settingsValues(stage),
    },
    (v) => {
      const rowErrors = validateVariableRows(v.variables);
      return {
        stageName: stage ? null : validateStageName(v.stageName),
        description: v.description.length > 1024 ? 'At most 1024 characters.' : null,
        variables: rowErrors.some((r) => r.key || r.value) ? 'Fix the stage variables.' : null,
        ...validateThrottle(v.rate, v.burst),
        ...validateSettings(v),
      };
    },
    (k) =>
      settingsField(k) ??
      (k.startsWith('stageVariables')
        ? 'variables'
        : k === 'throttle.rateLimit'
          ? 'rate'
          : k === 'throttle.burstLimit'
            ? 'burst'
            : k),
  );
  const v = form.values;
  const rowErrors = validateVariableRows(v.variables);
  const setRows = (rows: Row[]) => form.set('variables', rows);

  const submit = () =>
    void form.submit(async (v) => {
      const stageVariables = rowsToVariables(v.variables);
      const throttle = throttlePatch(stage?.throttle, buildThrottle(v.rate, v.burst));
      const saved = stage
        ? await client.updateStage(apiId, stage.stageName, {
            description: v.description.trim(),
            stageVariables,
            ...throttle,
            ...settingsPatch(v),
          })
        : await client.createStage(apiId, {
            stageName: v.stageName,
            description: v.description.trim() || undefined,
            stageVariables,
            throttle: throttle.throttle ?? undefined,
            ...settingsPatch(v),
            accessLogSettings: settingsPatch(v).accessLogSettings ?? undefined,
          });
      onSaved(saved, !stage);
    });

  return (
    <FormModal
      title={stage ? `Edit stage ${stage.stageName}` : 'Create stage'}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={stage ? 'Save stage' : 'Create stage'}
      submitTestId="stage-submit"
      width={600}
    >
      {stage ? null : (
        <Field
          label="Stage name"
          error={form.error('stageName')}
          hint="Letters, digits, - and _. Part of the invoke URL."
        >
          {(p) => (
            <input
              {...p}
              className="mono"
              data-testid="stage-name"
              placeholder="prod"
              autoComplete="off"
              spellCheck={false}
              value={v.stageName}
              onChange={(e) => form.set('stageName', e.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input
            {...p}
            data-testid="stage-description"
            value={v.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
      <fieldset className="kv">
        <legend>
          Stage variables <span className="optional">optional</span>
        </legend>
        <p className="muted small">
          Referenced as <code>{'${stageVariables.name}'}</code> in integration URLs.
        </p>
        {v.variables.length ? (
          <div className="kv-rows">
            {v.variables.map((row, i) => (
              <div className="kv-row" key={i}>
                <div className="kv-cell">
                  <input
                    className="mono"
                    aria-label={`Variable ${i + 1} name`}
                    aria-invalid={!!rowErrors[i]?.key}
                    placeholder="name"
                    data-testid="stage-var-key"
                    value={row.key}
                    onChange={(e) => setRows(v.variables.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
                  />
                  {rowErrors[i]?.key ? <div className="field-error">{rowErrors[i].key}</div> : null}
                </div>
                <div className="kv-cell">
                  <input
                    className="mono"
                    aria-label={`Variable ${i + 1} value`}
                    aria-invalid={!!rowErrors[i]?.value}
                    placeholder="value"
                    data-testid="stage-var-value"
                    value={row.value}
                    onChange={(e) =>
                      setRows(v.variables.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))
                    }
                  />
                  {rowErrors[i]?.value ? <div className="field-error">{rowErrors[i].value}</div> : null}
                </div>
                <Button
                  size="sm"
                  variant="ghost"
                  icon="trash"
                  aria-label={`Remove variable ${i + 1}`}
                  onClick={() => setRows(v.variables.filter((_, j) => j !== i))}
                />
              </div>
            ))}
          </div>
        ) : null}
        {form.error('variables') && !rowErrors.some((r) => r.key || r.value) ? (
          <div className="field-error">{form.error('variables')}</div>
        ) : null}
        <Button
          size="sm"
          icon="plus"
          data-testid="stage-var-add"
          onClick={() => setRows([...v.variables, { key: '', value: '' }])}
        >
          Add variable
        </Button>
      </fieldset>
      <ThrottleFields
        testIdPrefix="stage-throttle"
        title="Default throttle"
        hint="Applies to every route of the stage without a method throttle, after the tenant-wide ceiling; a deployed stage gets changes at once."
        rate={v.rate}
        burst={v.burst}
        rateError={form.error('rate')}
        burstError={form.error('burst')}
        onRate={(x) => form.set('rate', x)}
        onBurst={(x) => form.set('burst', x)}
      />
      <StageSettingsFields
        values={v}
        error={(k) => form.error(k)}
        set={(k, x) => form.set(k, x as StageValues[typeof k])}
      />
    </FormModal>
  );
}
