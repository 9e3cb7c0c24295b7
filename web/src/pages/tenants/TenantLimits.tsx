// A tenant's ceiling (platform operators): the rate and burst applied to all
// of a tenant's traffic before its stage, plan and method throttles. The
// gateways pick a change up within seconds, without a redeploy.
import { useState } from 'react';
import { Badge, Button, ErrorBanner, Field, FormModal, Modal, SkeletonRows, useToast } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useResource } from '../../lib/hooks';
import { useSession } from '../../session';
import type { Tenant } from '../iam/iamApi';
import { DEFAULT_TENANT_LIMITS, platformApi, type TenantLimits } from './platformApi';

const fmt = (n: number) => n.toLocaleString('en-US');

/** Checks a number typed into a limit field against the API's bounds. */
function limitError(v: string, what: string, integer: boolean): string | null {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) return `Enter the ${what}.`;
  if (integer && !Number.isInteger(n)) return 'A whole number.';
  if (n <= 0 || n > 1_000_000) return integer ? 'Between 1 and 1,000,000.' : 'More than 0 and at most 1,000,000.';
  return null;
}

export function TenantLimitsModal({ tenant, onClose }: { tenant: Tenant; onClose: () => void }) {
  const api = platformApi(useSession().client);
  const limits = useResource(() => api.getTenantLimits(tenant.tenantId), `limits:${tenant.tenantId}`);
  if (limits.data) return <LimitsForm tenant={tenant} limits={limits.data} onClose={onClose} />;
  return (
    <Modal title={`Limits of ${tenant.name}`} onClose={onClose} testId="tenant-limits">
      {limits.error ? (
        <ErrorBanner error={limits.error} onRetry={() => void limits.reload()} title="Could not load the limits" />
      ) : (
        <SkeletonRows rows={2} cols={2} />
      )}
    </Modal>
  );
}

function LimitsForm({ tenant, limits, onClose }: { tenant: Tenant; limits: TenantLimits; onClose: () => void }) {
  const api = platformApi(useSession().client);
  const toast = useToast();
  const form = useForm({ rateLimit: String(limits.rateLimit), burstLimit: String(limits.burstLimit) }, (v) => ({
    rateLimit: limitError(v.rateLimit, 'rate limit', false),
    burstLimit: limitError(v.burstLimit, 'burst limit', true),
  }));
  const submit = () =>
    void form.submit(async (v) => {
      const saved = await api.putTenantLimits(tenant.tenantId, {
        rateLimit: Number(v.rateLimit),
        burstLimit: Number(v.burstLimit),
      });
      toast(`Limits of ${tenant.name}: ${fmt(saved.rateLimit)} requests/s, burst ${fmt(saved.burstLimit)}`);
      onClose();
    });
  // Reset skips the field checks: it sends no values, only removes the override.
  const [resetting, setResetting] = useState(false);
  const reset = async () => {
    setResetting(true);
    form.setFormError(null);
    try {
      await api.resetTenantLimits(tenant.tenantId);
      toast(
        `Limits of ${tenant.name} reset to the default: ${fmt(DEFAULT_TENANT_LIMITS.rateLimit)} requests/s, burst ${fmt(DEFAULT_TENANT_LIMITS.burstLimit)}`,
      );
      onClose();
    } catch (e) {
      form.setFormError(e);
      setResetting(false);
    }
  };
  return (
    <FormModal
      title={`Limits of ${tenant.name}`}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Save limits"
      submitTestId="tenant-limits-submit"
      testId="tenant-limits"
    >
      <p className="muted small" data-testid="tenant-limits-current">
        {limits.isDefault ? (
          <>
            <Badge>default</Badge> No limits set: the platform default of {fmt(DEFAULT_TENANT_LIMITS.rateLimit)}{' '}
            requests/s with a burst of {fmt(DEFAULT_TENANT_LIMITS.burstLimit)} applies.
          </>
        ) : (
          <>
            Set to {fmt(limits.rateLimit)} requests/s with a burst of {fmt(limits.burstLimit)}. The platform default is{' '}
            {fmt(DEFAULT_TENANT_LIMITS.rateLimit)}/{fmt(DEFAULT_TENANT_LIMITS.burstLimit)}.{' '}
            <Button
              size="sm"
              busy={resetting}
              disabled={form.busy}
              onClick={() => void reset()}
              data-testid="tenant-limits-reset"
            >
              Reset to default
            </Button>
          </>
        )}{' '}
        This ceiling applies to all of the tenant's traffic before stage, plan and method throttles; the gateways apply
        a change within seconds.
      </p>
      <Field label="Rate limit (requests per second)" error={form.error('rateLimit')}>
        {(p) => (
          <input
            {...p}
            inputMode="decimal"
            data-testid="tenant-limits-rate"
            value={form.values.rateLimit}
            onChange={(e) => form.set('rateLimit', e.target.value)}
          />
        )}
      </Field>
      <Field label="Burst limit (requests)" error={form.error('burstLimit')}>
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            data-testid="tenant-limits-burst"
            value={form.values.burstLimit}
            onChange={(e) => form.set('burstLimit', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}
