// Platform → Tenants → Platform operators: who may manage tenants. An
// operator is a user of any tenant; the list says which. Users of the
// operator's own tenant can be picked by email, others are added by user id
// (operators cannot list other tenants' users). The last operator cannot be
// removed: the API's 409 says so in the dialog.
import { useState } from 'react';
import { Button, ConfirmDialog, EmptyState, ErrorBanner, Field, ListCard, useToast } from '../../components/ui';
import { useForm } from '../../lib/form';
import { useResource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { useSession } from '../../session';
import { iamApi } from '../iam/iamApi';
import '../iam/iam.css';
import { platformApi, type PlatformOperator } from './platformApi';

export function OperatorsSection() {
  const { client, session } = useSession();
  const api = platformApi(client);
  const toast = useToast();
  const operators = useResource(() => api.listOperators(), 'platform-operators');
  // Candidates: the users of the operator's own tenant; without them, ids
  // are typed.
  const users = useResource(
    () =>
      iamApi(client)
        .listUsers()
        .catch(() => []),
    'platform-operator-candidates',
  );
  const [removing, setRemoving] = useState<PlatformOperator | null>(null);
  const form = useForm({ user: '' }, (v) => ({ user: v.user.trim() ? null : 'Pick a user or enter a user id.' }));

  const candidates = (users.data ?? []).filter((u) => !(operators.data ?? []).some((o) => o.userId === u.userId));
  const add = () =>
    void form.submit(async (v) => {
      const typed = v.user.trim();
      // An email of the own tenant stands for its user; anything else is an id.
      const userId = (users.data ?? []).find((u) => u.email === typed)?.userId ?? typed;
      const op = await api.addOperator(userId);
      operators.setData((prev) => upsert(prev, op, (x) => x.userId === op.userId));
      form.set('user', '');
      toast(`${op.email} is now a platform operator`);
    });

  return (
    <section className="stack" data-testid="operators" style={{ marginTop: 32 }}>
      <div>
        <h2 className="section-header">Platform operators</h2>
        <p className="muted small">
          Operators manage every tenant on this platform: create, suspend and delete tenants, set their limits and name
          other operators.
        </p>
      </div>
      <ErrorBanner error={operators.error} onRetry={operators.reload} title="Could not load the platform operators" />
      <form
        className="inline-form"
        noValidate
        style={{ alignItems: 'flex-start' }}
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <Field
          label="Add an operator"
          error={form.error('user')}
          hint={`Pick a user of ${session?.tenant.name ?? 'your tenant'} by email, or enter any tenant's user id (usr_…).`}
        >
          {(p) => (
            <input
              {...p}
              list="operator-candidates"
              autoComplete="off"
              placeholder="dev@acme.test or usr_…"
              data-testid="operator-user"
              value={form.values.user}
              onChange={(e) => form.set('user', e.target.value)}
            />
          )}
        </Field>
        <datalist id="operator-candidates">
          {candidates.map((u) => (
            <option key={u.userId} value={u.email} label={`${u.name} (${u.userId})`} />
          ))}
        </datalist>
        <Button type="submit" variant="primary" icon="plus" busy={form.busy} data-testid="operator-add">
          Add operator
        </Button>
      </form>
      <ErrorBanner error={form.formError} />
      <ListCard resource={operators} cols={4} empty={<EmptyState icon="users" title="No platform operators" />}>
        <table className="table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Tenant</th>
              <th>User ID</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(operators.data ?? []).map((o) => (
              <tr key={o.userId} data-testid="operator-row" data-email={o.email}>
                <td className="strong">
                  {o.email} {o.userId === session?.user.userId ? <span className="muted small">(you)</span> : null}
                </td>
                <td>{o.name}</td>
                <td>{o.tenantName}</td>
                <td className="mono">{o.userId}</td>
                <td className="row-actions">
                  <Button
                    size="sm"
                    variant="ghost"
                    icon="trash"
                    aria-label="Remove operator"
                    title="Remove operator"
                    onClick={() => setRemoving(o)}
                    data-testid="operator-remove"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ListCard>
      {removing ? (
        <ConfirmDialog
          title="Remove platform operator"
          confirmLabel="Remove operator"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeOperator(removing.userId);
            operators.setData((prev) => remove(prev, (x) => x.userId === removing.userId));
            toast(`${removing.email} is no longer a platform operator`);
          }}
        >
          Make <strong>{removing.email}</strong> ({removing.tenantName}) an ordinary user again? They keep their own
          tenant's permissions but can no longer manage tenants.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
