// IAM → Policy simulator: may this user do this action on this resource,
// and which statement decided?
import './iam.css';
import { useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import { Badge, Button, ErrorBanner, Field, PageHeader } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { iamApi, type SimulateResult } from './iamApi';

const DECISION: Record<SimulateResult['decision'], { tone: string; label: string }> = {
  allowed: { tone: 'green', label: 'Allowed' },
  explicitDeny: { tone: 'red', label: 'Denied by a Deny statement' },
  implicitDeny: { tone: 'amber', label: 'Denied: no statement allows it' },
};

export function SimulatorPage() {
  useDocumentTitle('Policy simulator');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Policy simulator' }]);
  const api = iamApi(useClient());
  const users = useResource(() => api.listUsers(), 'iam-users');
  const [result, setResult] = useState<SimulateResult | null>(null);
  const form = useForm(
    { userId: '', action: 'apigw:CreateDeployment', resource: 'apis/*/stages/dev', sourceIp: '' },
    (v) => ({
      userId: v.userId ? null : 'Choose a user.',
      action: /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(v.action.trim()) ? null : 'One action, like apigw:GetApi.',
      resource: v.resource.trim() ? null : 'Give a resource.',
    }),
    (k) => (k === 'principal' ? 'userId' : k),
  );
  const submit = () =>
    void form.submit(async (v) => {
      setResult(null);
      setResult(
        await api.simulate({
          principal: { userId: v.userId },
          action: v.action.trim(),
          resource: v.resource.trim(),
          context: v.sourceIp.trim() ? { 'aws:SourceIp': v.sourceIp.trim() } : undefined,
        }),
      );
    });
  return (
    <>
      <PageHeader
        title="Policy simulator"
        subtitle="Ask whether a user may perform an action on a resource, and see which statement decides."
      />
      <ErrorBanner error={users.error} onRetry={users.reload} title="Could not load users" />
      <div className="card card-pad">
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <ErrorBanner error={form.formError} />
          <Field label="User" error={form.error('userId')}>
            {(p) => (
              <select
                {...p}
                data-testid="sim-user"
                value={form.values.userId}
                onChange={(e) => form.set('userId', e.target.value)}
              >
                <option value="">Choose…</option>
                {(users.data ?? []).map((u) => (
                  <option key={u.userId} value={u.userId}>
                    {u.email}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Action" error={form.error('action')}>
            {(p) => (
              <input
                {...p}
                data-testid="sim-action"
                value={form.values.action}
                onChange={(e) => form.set('action', e.target.value)}
              />
            )}
          </Field>
          <Field
            label="Resource"
            error={form.error('resource')}
            hint="A path in your tenant (apis/a1b2/stages/dev) or a full TRN."
          >
            {(p) => (
              <input
                {...p}
                data-testid="sim-resource"
                value={form.values.resource}
                onChange={(e) => form.set('resource', e.target.value)}
              />
            )}
          </Field>
          <Field label="Source IP (aws:SourceIp)" optional error={form.error('sourceIp')}>
            {(p) => (
              <input
                {...p}
                data-testid="sim-source-ip"
                placeholder="10.0.0.1"
                value={form.values.sourceIp}
                onChange={(e) => form.set('sourceIp', e.target.value)}
              />
            )}
          </Field>
          <div>
            <Button type="submit" variant="primary" busy={form.busy} data-testid="sim-submit">
              Simulate
            </Button>
          </div>
        </form>
      </div>
      {result ? (
        <div className="card card-pad" data-testid="sim-result" data-decision={result.decision}>
          <Badge tone={DECISION[result.decision].tone}>{DECISION[result.decision].label}</Badge>
          <p className="mono small">{result.resource}</p>
          {result.matchedStatement ? (
            <p>
              Decided by statement <code>{result.matchedStatement.sid || '(no Sid)'}</code> (
              {result.matchedStatement.effect}) of policy <strong>{result.matchedStatement.policyName}</strong>.
            </p>
          ) : (
            <p className="muted">No statement of this user's policies matches.</p>
          )}
        </div>
      ) : null}
    </>
  );
}
