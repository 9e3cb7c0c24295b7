import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import './audit.css';
import { useBreadcrumbs } from '../../components/Shell';
import { Badge, Button, EmptyState, ErrorBanner, Field, PageHeader, SkeletonRows } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/hooks';
import { useClient } from '../../session';
import { auditApi, type AuditEvent, type AuditFilter } from './auditApi';

/** datetime-local value (local time) to RFC 3339, or undefined. */
function toRFC3339(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function resultBadge(e: AuditEvent) {
  if (e.status === 401 || e.status === 403) return <Badge tone="red">Denied {e.status}</Badge>;
  if (e.status >= 400) return <Badge tone="amber">Failed {e.status}</Badge>;
  return <Badge tone="green">{e.status}</Badge>;
}

function actor(e: AuditEvent): string {
  return e.email || e.userId || (e.accessKeyId ? e.accessKeyId : 'anonymous');
}

export function AuditLogPage() {
  useDocumentTitle('Audit log');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Audit log' }]);
  const client = useClient();
  const api = useMemo(() => auditApi(client), [client]);

  const [form, setForm] = useState({ from: '', to: '', actor: '', action: '', resource: '', result: '' });
  const [filter, setFilter] = useState<AuditFilter>({});
  const [items, setItems] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [rangeError, setRangeError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.list(filter, cursor);
        setItems((prev) => (cursor && prev ? [...prev, ...page.items] : page.items));
        setNext(page.nextCursor);
      } catch (e) {
        setError(e);
      } finally {
        setLoading(false);
      }
    },
    [api, filter],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const apply = (ev: React.FormEvent) => {
    ev.preventDefault();
    const from = toRFC3339(form.from);
    const to = toRFC3339(form.to);
    if (from && to && to < from) {
      setRangeError('The end must not be before the start.');
      return;
    }
    setRangeError(null);
    setFilter({
      from,
      to,
      actor: form.actor.trim() || undefined,
      action: form.action.trim() || undefined,
      resource: form.resource.trim() || undefined,
      result: (form.result || undefined) as AuditFilter['result'],
    });
  };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change and every refused call in this tenant: who, what, when, from where, and the result."
        actions={
          <a
            className="btn btn-secondary btn-md"
            href={api.exportUrl(filter)}
            download="turnpike-audit.jsonl"
            data-testid="audit-export"
          >
            Export JSON lines
          </a>
        }
      />
      <form className="card filters" onSubmit={apply} data-testid="audit-filters">
        <div className="filter-grid">
          <Field label="From" optional error={rangeError}>
            {(p) => (
              <input {...p} type="datetime-local" value={form.from} onChange={set('from')} data-testid="audit-from" />
            )}
          </Field>
          <Field label="To" optional>
            {(p) => <input {...p} type="datetime-local" value={form.to} onChange={set('to')} data-testid="audit-to" />}
          </Field>
          <Field label="Actor" optional hint="Email, user id or access key id">
            {(p) => <input {...p} value={form.actor} onChange={set('actor')} data-testid="audit-actor" />}
          </Field>
          <Field label="Action" optional hint="e.g. apigw:CreateApi or apigw:*">
            {(p) => <input {...p} value={form.action} onChange={set('action')} data-testid="audit-action" />}
          </Field>
          <Field label="Resource" optional hint="Exact, or a prefix ending in *">
            {(p) => <input {...p} value={form.resource} onChange={set('resource')} data-testid="audit-resource" />}
          </Field>
          <Field label="Result" optional>
            {(p) => (
              <select {...p} value={form.result} onChange={set('result')} data-testid="audit-result">
                <option value="">Any</option>
                <option value="success">Succeeded</option>
                <option value="denied">Denied (401/403)</option>
                <option value="failure">Failed (any error)</option>
              </select>
            )}
          </Field>
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary" data-testid="audit-apply">
            Apply filters
          </Button>
        </div>
      </form>
      <ErrorBanner error={error} onRetry={() => void load()} title="Could not load the audit log" />
      <div className="card">
        {items === null ? (
          loading ? (
            <SkeletonRows cols={6} rows={5} />
          ) : null
        ) : items.length === 0 ? (
          <EmptyState icon="logs" title="No matching events">
            Changes and refused calls appear here as they happen. Try widening the filters.
          </EmptyState>
        ) : (
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Resource</th>
                <th>Source</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <Fragment key={e.eventId}>
                  <tr
                    data-testid="audit-row"
                    className="clickable"
                    onClick={() => setOpen(open === e.eventId ? null : e.eventId)}
                  >
                    <td title={e.at}>{formatDateTime(e.at)}</td>
                    <td>
                      <div>{actor(e)}</div>
                      {e.accessKeyId ? <div className="mono muted">{e.accessKeyId}</div> : null}
                    </td>
                    <td className="mono">{e.action || `${e.method} ${e.path}`}</td>
                    <td className="mono">{e.resource || '—'}</td>
                    <td className="mono">{e.sourceIp || '—'}</td>
                    <td>
                      {resultBadge(e)}
                      {e.errorCode ? <div className="mono muted">{e.errorCode}</div> : null}
                    </td>
                  </tr>
                  {open === e.eventId ? (
                    <tr data-testid="audit-detail">
                      <td colSpan={6}>
                        <pre className="code">
                          {JSON.stringify(
                            {
                              method: e.method,
                              path: e.path,
                              request: e.request,
                              userAgent: e.userAgent,
                              requestId: e.requestId,
                              sessionId: e.sessionId,
                            },
                            null,
                            2,
                          )}
                        </pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
        {next ? (
          <div className="form-actions">
            <Button onClick={() => void load(next)} disabled={loading} data-testid="audit-more">
              {loading ? 'Loading…' : 'Load older events'}
            </Button>
          </div>
        ) : null}
      </div>
    </>
  );
}
