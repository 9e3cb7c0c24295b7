import { useMemo, useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import { Icon } from '../../components/icons';
import {
  Badge,
  Banner,
  Button,
  ConfirmDialog,
  CopyButton,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  Modal,
  PageHeader,
  useToast,
} from '../../components/ui';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useForm } from '../../lib/form';
import { useDocumentTitle, useNow, useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { Link } from '../../lib/router';
import { validateName } from '../../lib/validate';
import { useClient } from '../../session';
import { UsageApi, type ApiKey, type ImportResult } from './api';
import { CSV_HEADER, parseTags, tagsToText, validateKeyValue } from './logic';

export function useUsageApi(): UsageApi {
  const client = useClient();
  return useMemo(() => new UsageApi(client), [client]);
}

export function ApiKeysPage() {
  useDocumentTitle('API keys');
  useBreadcrumbs([{ label: 'API Gateway' }, { label: 'API keys' }]);
  const api = useUsageApi();
  const toast = useToast();
  const now = useNow();
  const keys = useResource(() => api.listKeys(), 'api-keys');
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);
  const [shown, setShown] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const upsertKey = (k: ApiKey) => {
    const { value: _value, ...rest } = k;
    keys.setData((prev) => upsert(prev, rest, (x) => x.id === k.id, true));
  };

  const run = async (id: string, fn: () => Promise<void>) => {
    setBusy(id);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const toggle = (k: ApiKey) =>
    run(k.id, async () => {
      const next = await api.updateKey(k.id, { enabled: !k.enabled });
      upsertKey(next);
      toast(`Key ${next.name} ${next.enabled ? 'enabled' : 'disabled'}`);
    });

  const show = (k: ApiKey) =>
    run(k.id, async () => {
      setShown(await api.getKey(k.id, true));
    });

  const actions = (
    <>
      <Button icon="plus" onClick={() => setImporting(true)} data-testid="import-api-keys">
        Import CSV
      </Button>
      <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-api-key">
        Create API key
      </Button>
    </>
  );
  const list = keys.data ?? [];

  return (
    <>
      <PageHeader
        title="API keys"
        subtitle={
          <>
            Keys your API's callers send in <code>x-api-key</code>. A key works on routes that require one once it is
            attached to a <Link to="/usage-plans">usage plan</Link> that includes the stage.
          </>
        }
        actions={actions}
      />
      <ErrorBanner error={keys.error} onRetry={keys.reload} title="Could not load API keys" />
      <ErrorBanner error={actionError} />
      <ListCard
        resource={keys}
        cols={6}
        empty={
          <EmptyState icon="ticket" title="No API keys" action={actions}>
            Create a key, or import your keys from API Gateway's CSV format.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Status</th>
              <th>Tags</th>
              <th>Usage plans</th>
              <th>Created</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list.map((k) => (
              <tr key={k.id} data-testid="api-key-row" data-api-key-id={k.id}>
                <td className="strong">
                  {k.name}
                  {k.description ? <div className="muted small">{k.description}</div> : null}
                </td>
                <td className="mono">{k.id}</td>
                <td>
                  <Badge tone={k.enabled ? 'green' : 'gray'}>{k.enabled ? 'Enabled' : 'Disabled'}</Badge>
                </td>
                <td>
                  {Object.keys(k.tags).length ? (
                    <span className="chips">
                      {Object.entries(k.tags).map(([t, v]) => (
                        <span key={t} className="chip mono">
                          {v ? `${t}=${v}` : t}
                        </span>
                      ))}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {k.usagePlanIds.length ? (
                    k.usagePlanIds.map((p) => (
                      <Link key={p} to={`/usage-plans/${p}`} className="mono">
                        {p}{' '}
                      </Link>
                    ))
                  ) : (
                    <span className="muted">None</span>
                  )}
                </td>
                <td title={formatDateTime(k.createdAt)}>{formatRelative(k.createdAt, now)}</td>
                <td className="row-actions">
                  <Button size="sm" busy={busy === k.id} onClick={() => show(k)} data-testid="api-key-show">
                    Show key
                  </Button>
                  <Button size="sm" onClick={() => toggle(k)} data-testid="api-key-toggle">
                    {k.enabled ? 'Disable' : 'Enable'}
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="edit"
                    aria-label="Edit key"
                    onClick={() => setEditing(k)}
                    data-testid="api-key-edit"
                  />
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Delete key"
                    onClick={() => setDeleting(k)}
                    data-testid="api-key-delete"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>

      {creating || editing ? (
        <KeyModal
          keyToEdit={editing}
          onClose={() => {
            setCreating(false);
            setEditing(null);
          }}
          onSaved={(k, created) => {
            setCreating(false);
            setEditing(null);
            upsertKey(k);
            if (created) setShown(k);
            else toast(`Key ${k.name} saved`);
          }}
        />
      ) : null}
      {importing ? (
        <ImportModal
          onClose={() => setImporting(false)}
          onImported={() => {
            void keys.reload();
          }}
        />
      ) : null}
      {shown ? <ValueModal apiKey={shown} onClose={() => setShown(null)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete API key"
          confirmLabel="Delete key"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteKey(deleting.id);
            keys.setData((prev) => remove(prev, (x) => x.id === deleting.id));
            toast('API key deleted');
          }}
        >
          Delete <strong>{deleting.name}</strong> (<span className="mono">{deleting.id}</span>)? Callers using it get
          403 within seconds. To pause a key instead, disable it.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function KeyModal({
  keyToEdit,
  onClose,
  onSaved,
}: {
  keyToEdit: ApiKey | null;
  onClose: () => void;
  onSaved: (k: ApiKey, created: boolean) => void;
}) {
  const api = useUsageApi();
  const form = useForm(
    {
      name: keyToEdit?.name ?? '',
      description: keyToEdit?.description ?? '',
      value: '',
      enabled: keyToEdit?.enabled ?? true,
      tags: tagsToText(keyToEdit?.tags),
    },
    (v) => ({
      name: validateName(v.name),
      description: v.description.length > 1024 ? 'At most 1024 characters.' : null,
      value: validateKeyValue(v.value),
      tags: parseTags(v.tags).error,
    }),
  );
  const v = form.values;
  const submit = () =>
    void form.submit(async (v) => {
      const tags = parseTags(v.tags).tags;
      if (keyToEdit) {
        onSaved(
          await api.updateKey(keyToEdit.id, {
            name: v.name.trim(),
            description: v.description,
            enabled: v.enabled,
            tags,
          }),
          false,
        );
      } else {
        onSaved(
          await api.createKey({
            name: v.name.trim(),
            description: v.description || undefined,
            value: v.value || undefined,
            enabled: v.enabled,
            tags,
          }),
          true,
        );
      }
    });
  return (
    <FormModal
      title={keyToEdit ? `Edit ${keyToEdit.name}` : 'Create API key'}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={keyToEdit ? 'Save' : 'Create key'}
      submitTestId="api-key-submit"
    >
      <Field label="Name" error={form.error('name')} hint="Who uses it, e.g. partner-acme or ios-app.">
        {(p) => (
          <input
            {...p}
            data-testid="api-key-name"
            autoComplete="off"
            value={v.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input
            {...p}
            data-testid="api-key-description"
            value={v.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
      {keyToEdit ? null : (
        <Field
          label="Value"
          optional
          error={form.error('value')}
          hint="Leave empty to generate a 40-character key, or paste one of 20 to 128 characters."
        >
          {(p) => (
            <input
              {...p}
              className="mono"
              data-testid="api-key-value"
              autoComplete="off"
              spellCheck={false}
              value={v.value}
              onChange={(e) => form.set('value', e.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="Tags" optional error={form.error('tags')} hint="One key=value per line.">
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={3}
            data-testid="api-key-tags"
            placeholder="team=mobile"
            value={v.tags}
            onChange={(e) => form.set('tags', e.target.value)}
          />
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="api-key-enabled"
          checked={v.enabled}
          onChange={(e) => form.set('enabled', e.target.checked)}
        />{' '}
        Enabled
      </label>
    </FormModal>
  );
}

function ValueModal({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  return (
    <Modal
      title={`API key ${apiKey.name}`}
      onClose={onClose}
      width={600}
      testId="api-key-value-modal"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="api-key-value-close">
          Done
        </Button>
      }
    >
      <div className="stack">
        <div className="kv-summary">
          <span className="muted">ID</span>
          <span className="mono" data-testid="api-key-id">
            {apiKey.id}
          </span>
          <span className="muted">Status</span>
          <span>{apiKey.enabled ? 'Enabled' : 'Disabled'}</span>
        </div>
        <div className="secret">
          <code data-testid="api-key-shown-value">{apiKey.value}</code>
          <CopyButton text={apiKey.value ?? ''} label="Copy key" testId="api-key-copy" />
        </div>
        <p className="muted small">
          <Icon name="info" size={12} /> Callers send it as <code>x-api-key: {apiKey.value}</code>. Anyone allowed to
          read API keys can see it again here.
        </p>
      </div>
    </Modal>
  );
}

function ImportModal({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const api = useUsageApi();
  const [csv, setCsv] = useState(`${CSV_HEADER}\n`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.importKeys(csv);
      setResult(r);
      if (r.ids.length) onImported();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title="Import API keys"
      onClose={() => !busy && onClose()}
      width={640}
      testId="api-key-import"
      onSubmit={() => void submit()}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {result ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" variant="primary" busy={busy} data-testid="api-key-import-submit">
            Import
          </Button>
        </>
      }
    >
      <div className="stack">
        <ErrorBanner error={error} />
        {result ? (
          <Banner
            kind={result.errors.length ? 'warning' : 'success'}
            title={`${result.ids.length} key${result.ids.length === 1 ? '' : 's'} imported${result.errors.length ? `, ${result.errors.length} line${result.errors.length === 1 ? '' : 's'} skipped` : ''}.`}
          >
            {result.errors.length ? (
              <ul data-testid="api-key-import-errors">
                {result.errors.map((e) => (
                  <li key={e.line}>
                    Line {e.line}: {e.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </Banner>
        ) : null}
        <Field
          label="CSV"
          hint={
            <>
              API Gateway's format: the header <code>{CSV_HEADER}</code>, then one key per line; usage plan ids are
              separated by <code>:</code>.
            </>
          }
        >
          {(p) => (
            <textarea
              {...p}
              className="mono"
              rows={8}
              spellCheck={false}
              data-testid="api-key-import-csv"
              value={csv}
              onChange={(e) => setCsv(e.target.value)}
            />
          )}
        </Field>
        <label className="small">
          Or choose a file:{' '}
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="api-key-import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then(setCsv);
            }}
          />
        </label>
      </div>
    </Modal>
  );
}
