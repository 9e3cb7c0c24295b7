// Deploying a stage: the "Deploy" dialog and the live progress panel.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { isTerminal, type Deployment, type Stage } from '../api/types';
import { watchDeployment } from '../api/watch';
import { formatDuration, formatTime } from '../lib/format';
import { useForm } from '../lib/form';
import { validateStageName } from '../lib/validate';
import { useClient } from '../session';
import { Icon } from './icons';
import { Banner, Button, CopyLink, Field, FormModal, Modal, Spinner, StatusBadge } from './ui';

const NEW_STAGE = '__new__';

export function DeployDialog({
  apiId,
  stages,
  initialStage,
  onClose,
  onChanged,
}: {
  apiId: string;
  stages: Stage[];
  initialStage?: string;
  onClose: () => void;
  /** Called when a stage or deployment was created and again when it finished. */
  onChanged: () => void;
}) {
  const client = useClient();
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const form = useForm(
    {
      stageName: initialStage ?? stages[0]?.stageName ?? NEW_STAGE,
      newStageName: stages.length ? '' : 'dev',
      description: '',
    },
    (v) => ({
      stageName: v.stageName ? null : 'Choose a stage.',
      newStageName: v.stageName === NEW_STAGE ? validateStageName(v.newStageName) : null,
      description: v.description.length > 1024 ? 'At most 1024 characters.' : null,
    }),
  );

  const submit = () =>
    void form.submit(async (v) => {
      let stageName = v.stageName;
      if (stageName === NEW_STAGE) {
        try {
          const st = await client.createStage(apiId, { stageName: v.newStageName });
          stageName = st.stageName;
        } catch (e) {
          if (e instanceof ApiError && e.details.stageName) {
            // Show the stage name error on the new-stage input, not on the select.
            throw new ApiError(e.status, {
              code: e.code,
              message: e.message,
              details: { newStageName: e.details.stageName },
              requestId: e.requestId,
            });
          }
          throw e;
        }
      }
      const d = await client.createDeployment(apiId, {
        stageName,
        description: v.description.trim() || undefined,
      });
      setDeployment(d);
      onChanged();
    });

  if (deployment) {
    return (
      <Modal
        title={
          <>
            Deploying to <span className="mono">{deployment.stageName}</span>
          </>
        }
        onClose={onClose}
        width={600}
        testId="deploy-dialog"
        footer={
          <Button variant={isTerminal(deployment.status) ? 'primary' : 'secondary'} onClick={onClose}>
            {isTerminal(deployment.status) ? 'Done' : 'Close (keeps running)'}
          </Button>
        }
      >
        <DeploymentProgress
          apiId={apiId}
          initial={deployment}
          onUpdate={(d) => {
            setDeployment(d);
            if (isTerminal(d.status)) onChanged();
          }}
        />
      </Modal>
    );
  }

  return (
    <FormModal
      title="Deploy API"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Deploy"
      submitTestId="deploy-submit"
      submitIcon="rocket"
      testId="deploy-dialog"
    >
      <p className="muted">
        A deployment is an immutable snapshot of the API's current routes and integrations. The stage switches to it
        once every live gateway has loaded it.
      </p>
      <Field label="Stage" error={form.error('stageName')}>
        {(p) => (
          <select
            {...p}
            data-testid="deploy-stage-select"
            value={form.values.stageName}
            onChange={(e) => form.set('stageName', e.target.value)}
          >
            {stages.map((s) => (
              <option key={s.stageName} value={s.stageName}>
                {s.stageName}
                {s.deploymentId ? ` (now ${s.deploymentId})` : ' (not deployed)'}
              </option>
            ))}
            <option value={NEW_STAGE}>+ New stage…</option>
          </select>
        )}
      </Field>
      {form.values.stageName === NEW_STAGE ? (
        <Field label="New stage name" error={form.error('newStageName')} hint="Letters, digits, - and _.">
          {(p) => (
            <input
              {...p}
              data-testid="deploy-new-stage-name"
              value={form.values.newStageName}
              onChange={(e) => form.set('newStageName', e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input
            {...p}
            data-testid="deploy-description"
            placeholder="What changed?"
            value={form.values.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

type Mode = 'stream' | 'poll';

/** Live view of one deployment: status, step list, failure reason, invoke URL. */
export function DeploymentProgress({
  apiId,
  initial,
  onUpdate,
}: {
  apiId: string;
  initial: Deployment;
  onUpdate?: (d: Deployment) => void;
}) {
  const client = useClient();
  const [d, setD] = useState<Deployment>(initial);
  const [mode, setMode] = useState<Mode | null>(null);
  const [pollError, setPollError] = useState<unknown>(null);
  const [stage, setStage] = useState<Stage | null>(null);
  const [stageError, setStageError] = useState<unknown>(null);
  const onUpdateRef = useRef(onUpdate);
  onUpdateRef.current = onUpdate;

  // Watch once per deployment: the parent passes its latest copy back in as
  // `initial`, which must not restart the stream.
  const startedTerminal = useRef(isTerminal(initial.status));
  useEffect(() => {
    if (startedTerminal.current) return;
    return watchDeployment(client, apiId, initial.deploymentId, {
      onUpdate: (next) => {
        setD(next);
        setPollError(null);
        onUpdateRef.current?.(next);
      },
      onMode: setMode,
      onError: setPollError,
    });
  }, [client, apiId, initial.deploymentId]);

  useEffect(() => {
    if (d.status !== 'DEPLOYED') return;
    let cancelled = false;
    client
      .getStage(apiId, d.stageName)
      .then((s) => !cancelled && setStage(s))
      .catch((e) => !cancelled && setStageError(e));
    return () => {
      cancelled = true;
    };
  }, [client, apiId, d.status, d.stageName]);

  const steps = d.progress ?? [];
  const running = !isTerminal(d.status);
  return (
    <div className="deploy-panel">
      <div className="deploy-summary">
        <div className={`deploy-status-icon status-${d.status.toLowerCase()}`}>
          {d.status === 'DEPLOYED' ? (
            <Icon name="check" size={18} />
          ) : d.status === 'FAILED' ? (
            <Icon name="x" size={18} />
          ) : (
            <Spinner size={18} />
          )}
        </div>
        <div className="deploy-summary-text">
          <div>
            <StatusBadge status={d.status} testId="deploy-status" />
            <span className="muted small mono"> {d.deploymentId}</span>
          </div>
          <div className="muted small">
            Stage <span className="mono">{d.stageName}</span>
            {d.routeCount ? ` · ${d.routeCount} route${d.routeCount === 1 ? '' : 's'}` : ''}
            {d.description ? ` · ${d.description}` : ''}
            {!running && d.deployedAt ? ` · took ${formatDuration(d.createdAt, d.deployedAt)}` : ''}
          </div>
        </div>
        {running && mode ? (
          <span
            className="live-indicator"
            title={mode === 'stream' ? 'Live (server-sent events)' : 'Polling every second'}
          >
            <span className="pulse-dot" /> {mode === 'stream' ? 'Live' : 'Polling'}
          </span>
        ) : null}
      </div>

      <ol className="steps" data-testid="deploy-progress" aria-live="polite">
        {steps.map((s, i) => {
          const last = i === steps.length - 1;
          const state = last ? (d.status === 'FAILED' ? 'failed' : running ? 'running' : 'done') : 'done';
          return (
            <li key={i} className={`step step-${state}`}>
              <span className="step-marker">
                {state === 'running' ? (
                  <Spinner size={12} />
                ) : state === 'failed' ? (
                  <Icon name="x" size={12} />
                ) : (
                  <Icon name="check" size={12} />
                )}
              </span>
              <span className="step-message">{s.message}</span>
              <time className="step-time mono" dateTime={s.at}>
                {formatTime(s.at)}
              </time>
            </li>
          );
        })}
        {steps.length === 0 ? (
          <li className="step step-running">
            <span className="step-marker">
              <Spinner size={12} />
            </span>
            <span className="step-message muted">Waiting for the deployment to start…</span>
          </li>
        ) : null}
      </ol>

      {pollError ? <Banner kind="warning" title="Lost contact with the server; retrying…" /> : null}

      {d.status === 'FAILED' ? (
        <Banner kind="error" title="Deployment failed">
          <span data-testid="deploy-status-reason">{d.statusReason || 'No reason was given.'}</span>
        </Banner>
      ) : null}

      {d.status === 'DEPLOYED' ? (
        <div className="invoke-box">
          <div className="invoke-label">
            <Icon name="rocket" size={14} /> Live at
          </div>
          {stage ? (
            stage.invokeUrl ? (
              <CopyLink url={stage.invokeUrl} testId="invoke-url" />
            ) : (
              <span className="muted">This stage has no invoke URL.</span>
            )
          ) : stageError ? (
            <span className="muted">Could not load the stage's invoke URL.</span>
          ) : (
            <Spinner size={14} label="Loading invoke URL" />
          )}
        </div>
      ) : null}
    </div>
  );
}
