// Rate and burst inputs shared by the route and stage editors.
import { Field } from '../../components/ui';

export function ThrottleFields({
  testIdPrefix,
  title,
  hint,
  rate,
  burst,
  rateError,
  burstError,
  onRate,
  onBurst,
}: {
  testIdPrefix: string;
  title: string;
  hint: string;
  rate: string;
  burst: string;
  rateError: string | null;
  burstError: string | null;
  onRate: (v: string) => void;
  onBurst: (v: string) => void;
}) {
  return (
    <fieldset className="stack">
      <legend>{title}</legend>
      <p className="muted small">{hint}</p>
      <div className="grid-2-1">
        <Field label="Rate (requests per second)" optional error={rateError}>
          {(p) => (
            <input
              {...p}
              inputMode="decimal"
              data-testid={`${testIdPrefix}-rate`}
              value={rate}
              onChange={(e) => onRate(e.target.value)}
            />
          )}
        </Field>
        <Field label="Burst" optional error={burstError}>
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              data-testid={`${testIdPrefix}-burst`}
              value={burst}
              onChange={(e) => onBurst(e.target.value)}
            />
          )}
        </Field>
      </div>
    </fieldset>
  );
}
