// IAM → Policy simulator: may this user do this action on this resource,
// and which statement decided? Context rows set condition keys ("from this
// address, at this time"); the API's complaints about them show on their
// rows.
import './iam.css';
import { useRef, useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import { ApiError } from '../../api/client';
import { Badge, Button, ErrorBanner, Field, PageHeader } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { iamApi, type SimulateResult } from './iamApi';
import {
  CONTEXT_KEYS,
  contextDetails,
  contextFromRows,
  isMultiValued,
  placeholderFor,
  type ContextRow,
} from './simulateContext';

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
  const nextRow = useRef(2);
  const [rows, setRows] = useState<ContextRow[]>([{ id: 1, key: 'aws:SourceIp', value: '' }]);
  // Problems by row id: ours (no key, a key twice) and the API's (by key).
  const [rowErrors, setRowErrors] = useState<Record<number, string>>({});
  const [keyErrors, setKeyErrors] = useState<Record<string, string>>({});
  const form = useForm(
    { userId: '', action: 'apigw:CreateDeployment', resource: 'apis/*/stages/dev' },
    (v) => ({
      userId: v.userId ? null : 'Choose a user.',
      action: /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(v.action.trim()) ? null : 'One action, like apigw:GetApi.',
      resource: v.resource.trim() ? null : 'Give a resource.',
    }),
    (k) => (k === 'principal' ? 'userId' : k),
  );
  const editRow = (id: number, change: Partial<ContextRow>) => {
    setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...change } : r)));
    setRowErrors(({ [id]: _, ...rest }) => rest);
    const row = rows.find((r) => r.id === id);
    if (row) setKeyErrors(({ [row.key.trim().toLowerCase()]: _, ...rest }) => rest);
  };
  const rowError = (r: ContextRow) => rowErrors[r.id] ?? keyErrors[r.key.trim().toLowerCase()] ?? null;
  const submit = () => {
    const { context, errors } = contextFromRows(rows);
    setRowErrors(errors);
    setKeyErrors({});
    if (Object.keys(errors).length) return;
    void form.submit(async (v) => {
      setResult(null);
      try {
        setResult(
          await api.simulate({
            principal: { userId: v.userId },
            action: v.action.trim(),
            resource: v.resource.trim(),
            context,
          }),
        );
      } catch (e) {
        const byKey = contextDetails(e);
        setKeyErrors(Object.fromEntries(Object.entries(byKey).map(([k, m]) => [k.toLowerCase(), m])));
        // Only context problems: they stand on their rows.
        if (e instanceof ApiError && Object.keys(byKey).length === Object.keys(e.details).length) return;
        throw e;
      }
    });
  };
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
          <fieldset className="sim-context" data-testid="sim-context">
            <legend>Request context</legend>
            <p className="muted small">
              Condition keys to set for this question, overriding the request's own. A multi-valued key (
              <code>turnpike:PrincipalGroups</code>) takes a comma-separated list; an empty value removes the key.
            </p>
            {rows.map((r) => (
              <div key={r.id} data-testid="sim-context-row" data-key={r.key.trim()}>
                <div className="inline-form">
                  <input
                    aria-label="Condition key"
                    list="sim-context-keys"
                    placeholder="aws:SourceIp"
                    data-testid="sim-context-key"
                    aria-invalid={!!rowError(r)}
                    value={r.key}
                    onChange={(e) => editRow(r.id, { key: e.target.value })}
                  />
                  <input
                    aria-label={`Value of ${r.key || 'the key'}`}
                    placeholder={placeholderFor(r.key)}
                    data-testid="sim-context-value"
                    aria-invalid={!!rowError(r)}
                    value={r.value}
                    onChange={(e) => editRow(r.id, { value: e.target.value })}
                  />
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Remove this key"
                    data-testid="sim-context-remove"
                    onClick={() => {
                      setRows((rs) => rs.filter((x) => x.id !== r.id));
                      setRowErrors(({ [r.id]: _, ...rest }) => rest);
                    }}
                  />
                </div>
                {rowError(r) ? (
                  <div className="field-error" data-testid="sim-context-error">
                    {rowError(r)}
                  </div>
                ) : isMultiValued(r.key) ? (
                  <div className="field-hint">Comma-separated values.</div>
                ) : null}
              </div>
            ))}
            <datalist id="sim-context-keys">
              {CONTEXT_KEYS.map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
            <Button
              size="sm"
              icon="plus"
              data-testid="sim-context-add"
              onClick={() => setRows((rs) => [...rs, { id: nextRow.current++, key: '', value: '' }])}
            >
              Add a key
            </Button>
          </fieldset>
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
