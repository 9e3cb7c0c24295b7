// The authorization type of a REST method or an HTTP API route (NONE or
// AWS_IAM), edited and shown the same way in both consoles: the gateway
// enforces both alike (gateway/stage/iamauth).
import { Badge, Field } from './ui';

import type { AuthorizationType } from '../api/types';

export type { AuthorizationType };

/** The form value of a stored type: anything but AWS_IAM (absent too) is NONE. */
export function authorizationValue(t: string | undefined): AuthorizationType {
  return t === 'AWS_IAM' ? 'AWS_IAM' : 'NONE';
}

/** A select of NONE / AWS_IAM with the hint saying what callers must send. */
export function AuthorizationField({
  value,
  onChange,
  error,
  noun,
  testId,
}: {
  value: string;
  onChange: (t: AuthorizationType) => void;
  error?: string | null;
  /** "method" or "route", for the NONE hint. */
  noun: string;
  testId: string;
}) {
  return (
    <Field
      label="Authorization"
      error={error}
      hint={
        value === 'AWS_IAM' ? (
          <>
            Callers send <code>Authorization: Bearer &lt;Turnpike access key&gt;</code>; their policies need{' '}
            <code>execute-api:Invoke</code>.
          </>
        ) : (
          `Anyone who can reach the stage may call the ${noun}.`
        )
      }
    >
      {(p) => (
        <select
          {...p}
          data-testid={testId}
          value={value}
          onChange={(e) => onChange(authorizationValue(e.target.value))}
        >
          <option value="NONE">NONE</option>
          <option value="AWS_IAM">AWS_IAM</option>
        </select>
      )}
    </Field>
  );
}

/** A list cell's badge: AWS_IAM stands out, NONE is muted. */
export function AuthorizationBadge({ type, testId }: { type: string | undefined; testId?: string }) {
  const t = authorizationValue(type);
  return (
    <span
      data-testid={testId}
      title={t === 'AWS_IAM' ? 'Callers need an access key allowed execute-api:Invoke' : 'Open'}
    >
      {t === 'AWS_IAM' ? <Badge tone="blue">AWS_IAM</Badge> : <span className="muted small">NONE</span>}
    </span>
  );
}
