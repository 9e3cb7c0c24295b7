// An API's endpoint configuration: REGIONAL, PRIVATE (only the allowed
// source CIDRs) or EDGE (accepted and served exactly as REGIONAL: there is
// no edge network). It reaches the gateways with the next deployment.
import { useMemo } from 'react';
import { Badge, Field, FormModal } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useClient } from '../../session';
import { ENDPOINT_TYPES, RestApi, parseCidrs, validateCidrs, type ApiWithEndpoint } from './api';

export function endpointType(api: ApiWithEndpoint): string {
  return api.endpointConfiguration?.types?.[0] ?? 'REGIONAL';
}

/** The endpoint type as a badge, with the CIDR count of a private API. */
export function EndpointBadge({ api }: { api: ApiWithEndpoint }) {
  const type = endpointType(api);
  const cidrs = api.endpointConfiguration?.allowedSourceCidrs?.length ?? 0;
  return (
    <span data-testid="api-endpoint-type">
      <Badge tone={type === 'PRIVATE' ? 'amber' : 'gray'}>{type}</Badge>
      {type === 'PRIVATE' ? (
        <span className="muted small">
          {' '}
          {cidrs} CIDR{cidrs === 1 ? '' : 's'}
        </span>
      ) : null}
    </span>
  );
}

const HINTS: Record<string, string> = {
  REGIONAL: 'Served on the gateways’ public listener to any caller.',
  PRIVATE: 'Served only to source addresses in the allowed CIDRs (others get 403), or on the private listener.',
  EDGE: 'Accepted for compatibility: Turnpike has no edge network, so EDGE behaves exactly as REGIONAL.',
};

export function EndpointSettingsDialog({
  api,
  onClose,
  onSaved,
}: {
  api: ApiWithEndpoint;
  onClose: () => void;
  onSaved: (a: ApiWithEndpoint) => void;
}) {
  const client = useClient();
  const rest = useMemo(() => new RestApi(client), [client]);
  const form = useForm(
    { type: endpointType(api), cidrs: (api.endpointConfiguration?.allowedSourceCidrs ?? []).join('\n') },
    (v) => ({ cidrs: validateCidrs(v.type, v.cidrs) }),
    (k) => (k.startsWith('endpointConfiguration.allowedSourceCidrs') ? 'cidrs' : k.endsWith('types') ? 'type' : k),
  );
  const v = form.values;
  const submit = () =>
    void form.submit(async (v) => {
      const saved = await rest.updateEndpoint(api.apiId, {
        types: [v.type],
        allowedSourceCidrs: v.type === 'PRIVATE' ? parseCidrs(v.cidrs) : undefined,
      });
      onSaved(saved);
    });
  return (
    <FormModal
      title="Endpoint configuration"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Save endpoint"
      submitTestId="endpoint-submit"
      testId="endpoint-dialog"
    >
      <Field label="Endpoint type" error={form.error('type')} hint={HINTS[v.type]}>
        {(p) => (
          <select {...p} data-testid="endpoint-type" value={v.type} onChange={(e) => form.set('type', e.target.value)}>
            {ENDPOINT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t === 'EDGE' ? 'EDGE (served as REGIONAL)' : t}
              </option>
            ))}
          </select>
        )}
      </Field>
      {v.type === 'PRIVATE' ? (
        <Field
          label="Allowed source CIDRs"
          error={form.error('cidrs')}
          hint="One per line, IPv4 or IPv6, e.g. 10.0.0.0/8; at most 64."
        >
          {(p) => (
            <textarea
              {...p}
              className="mono"
              rows={4}
              data-testid="endpoint-cidrs"
              placeholder="10.0.0.0/8"
              value={v.cidrs}
              onChange={(e) => form.set('cidrs', e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <p className="muted small">The change reaches the gateways with the next deployment of each stage.</p>
    </FormModal>
  );
}
