// The per-route settings of one stage (methodSettings): caching on/off, TTL
// and cache key parameters picked from the route's request parameters, and
// a method throttle that overrides the stage default and the route's own.
// A deployed stage gets a change at once, without a redeploy.
import { useMemo } from 'react';
import { Badge, ErrorBanner, FormModal, MethodBadge, Modal, Button } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useResource } from '../../lib/hooks';
import { useClient } from '../../session';
import { RestApi } from '../rest/api';
import {
  MAX_CACHE_KEY_PARAMETERS,
  methodSettingsPatch,
  routeOptionsFromResources,
  routeOptionsFromRoutes,
  rowsFromSettings,
  rowsValid,
  validateRow,
  type MethodSettingRow,
  type RouteOption,
} from './methodSettings';
import type { CachedStage } from './settings';
import type { Throttle } from '../../api/types';

const fmtThrottle = (t: Throttle) => `${t.rateLimit} rps, burst ${t.burstLimit}`;

// The method throttle's two inputs, rate (requests per second) and burst.
const THROTTLE_INPUTS = [
  { field: 'rate', inputMode: 'decimal', placeholder: 'rps' },
  { field: 'burst', inputMode: 'numeric', placeholder: 'burst' },
] as const;

export function MethodSettingsDialog({
  apiId,
  isREST,
  stage,
  onClose,
  onSaved,
}: {
  apiId: string;
  isREST: boolean;
  stage: CachedStage;
  onClose: () => void;
  onSaved: (s: CachedStage) => void;
}) {
  const client = useClient();
  const rest = useMemo(() => new RestApi(client), [client]);
  const options = useResource<RouteOption[]>(
    async () =>
      isREST
        ? routeOptionsFromResources(await rest.listResources(apiId))
        : routeOptionsFromRoutes(await client.listRoutes(apiId)),
    `method-settings:${apiId}:${isREST}`,
  );
  if (!options.data) {
    return (
      <Modal
        title={`Method settings of ${stage.stageName}`}
        onClose={onClose}
        footer={<Button onClick={onClose}>Close</Button>}
      >
        <ErrorBanner error={options.error} onRetry={options.reload} title="Could not load the routes" />
        {options.error ? null : <p className="muted">Loading routes…</p>}
      </Modal>
    );
  }
  return <SettingsForm apiId={apiId} stage={stage} options={options.data} onClose={onClose} onSaved={onSaved} />;
}

function SettingsForm({
  apiId,
  stage,
  options,
  onClose,
  onSaved,
}: {
  apiId: string;
  stage: CachedStage;
  options: RouteOption[];
  onClose: () => void;
  onSaved: (s: CachedStage) => void;
}) {
  const client = useClient();
  const form = useForm(
    { rows: rowsFromSettings(options, stage.methodSettings) },
    (v) => ({ rows: rowsValid(v.rows) ? null : 'Fix the highlighted routes.' }),
    (k) => (k.startsWith('methodSettings') ? 'rows' : k),
  );
  const rows = form.values.rows;
  const setRow = (i: number, patch: Partial<MethodSettingRow>) =>
    form.set(
      'rows',
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  const submit = () =>
    void form.submit(async (v) => {
      const saved = await client.updateStage(apiId, stage.stageName, { methodSettings: methodSettingsPatch(v.rows) });
      onSaved(saved);
    });
  const stageTtl = stage.cacheTtlInSeconds ?? 300;

  return (
    <FormModal
      title={`Method settings of ${stage.stageName}`}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Save method settings"
      submitTestId="ms-submit"
      width={960}
      testId="method-settings-dialog"
    >
      <p className="muted small">
        {stage.cacheClusterEnabled ? (
          <>
            The stage cache is on; routes without a setting cache <code>GET</code> answers for {stageTtl} s. TTL 0 turns
            caching off for a route.
          </>
        ) : (
          <>
            <Badge tone="amber">Cache off</Badge> These settings apply once the stage&apos;s cache is turned on.
          </>
        )}{' '}
        Changes reach a deployed stage at once.
      </p>
      {form.error('rows') ? <div className="field-error">{form.error('rows')}</div> : null}
      {rows.length === 0 ? (
        <p className="muted">The API has no routes yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Route</th>
              <th>Caching</th>
              <th>TTL (s)</th>
              <th>Cache key parameters</th>
              <th>Throttle</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const [method, path] = r.routeKey === '$default' ? ['', '$default'] : r.routeKey.split(' ');
              const option = options.find((o) => o.routeKey === r.routeKey);
              const errs = validateRow(r);
              return (
                <tr key={r.routeKey} data-testid={`ms-row-${r.routeKey}`}>
                  <td>
                    <span className="route-key">
                      {method ? <MethodBadge method={method} /> : null}
                      <span className="mono strong">{path}</span>
                    </span>
                    {r.stale ? (
                      <div className="small muted">
                        <Badge tone="gray">Route gone</Badge> dropped on save
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <select
                      aria-label={`Caching of ${r.routeKey}`}
                      data-testid="ms-caching"
                      value={r.caching}
                      disabled={r.stale}
                      onChange={(e) => setRow(i, { caching: e.target.value as MethodSettingRow['caching'] })}
                    >
                      <option value="">
                        {method === 'GET'
                          ? 'Default (on)'
                          : method === 'ANY' || !method
                            ? 'Default (GET only)'
                            : 'Default (off)'}
                      </option>
                      <option value="on">On</option>
                      <option value="off">Off</option>
                    </select>
                  </td>
                  <td>
                    <input
                      aria-label={`TTL of ${r.routeKey}`}
                      aria-invalid={!!errs.ttl}
                      inputMode="numeric"
                      style={{ width: 90 }}
                      placeholder={String(stageTtl)}
                      data-testid="ms-ttl"
                      value={r.ttl}
                      disabled={r.stale}
                      onChange={(e) => setRow(i, { ttl: e.target.value })}
                    />
                    {errs.ttl ? <div className="field-error">{errs.ttl}</div> : null}
                  </td>
                  <td>
                    {option?.params.length ? (
                      <div className="stack" style={{ gap: 2 }}>
                        {option.params.map((p) => (
                          <label key={p} className="checkbox small mono">
                            <input
                              type="checkbox"
                              data-testid={`ms-key-${p}`}
                              checked={r.keyParameters.includes(p)}
                              onChange={(e) =>
                                setRow(i, {
                                  keyParameters: e.target.checked
                                    ? [...r.keyParameters, p]
                                    : r.keyParameters.filter((x) => x !== p),
                                })
                              }
                            />{' '}
                            {p.replace('method.request.', '')}
                          </label>
                        ))}
                      </div>
                    ) : null}
                    <input
                      className="mono small"
                      aria-label={`Other cache key parameters of ${r.routeKey}`}
                      aria-invalid={!!errs.keys}
                      placeholder="method.request.header.Accept"
                      data-testid="ms-key-extra"
                      value={r.extra}
                      disabled={r.stale}
                      onChange={(e) => setRow(i, { extra: e.target.value })}
                    />
                    {errs.keys ? <div className="field-error">{errs.keys}</div> : null}
                  </td>
                  <td>
                    <div style={{ display: 'flex', gap: 4 }}>
                      {THROTTLE_INPUTS.map((t) => (
                        <input
                          key={t.field}
                          aria-label={`Throttle ${t.field} of ${r.routeKey}`}
                          aria-invalid={!!errs[t.field]}
                          inputMode={t.inputMode}
                          style={{ width: 80 }}
                          placeholder={t.placeholder}
                          data-testid={`ms-${t.field}`}
                          value={r[t.field]}
                          disabled={r.stale}
                          onChange={(e) => setRow(i, { [t.field]: e.target.value })}
                        />
                      ))}
                    </div>
                    {errs.rate ? <div className="field-error">{errs.rate}</div> : null}
                    {errs.burst ? <div className="field-error">{errs.burst}</div> : null}
                    <div className="mono muted small" data-testid="ms-throttle-hint">
                      {option?.throttle
                        ? `Route: ${fmtThrottle(option.throttle)}`
                        : stage.throttle
                          ? `Stage default: ${fmtThrottle(stage.throttle)}`
                          : 'Stage default: none'}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="muted small">
        Cache keys always include the path; add up to {MAX_CACHE_KEY_PARAMETERS} request parameters (declared ones are
        listed; type others comma-separated). A throttle set here (rate and burst together) overrides the stage default
        and the route&apos;s own throttle for this route in this stage; 0 and 0 refuse every request.
      </p>
    </FormModal>
  );
}
