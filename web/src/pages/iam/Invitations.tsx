// IAM → Invitations: invite an email by a single-use link (shown once),
// list invitations with their state, revoke pending ones.
import './iam.css';
import { useState } from 'react';
import { useBreadcrumbs } from '../../components/Shell';
import {
  Badge,
  Banner,
  Button,
  ConfirmDialog,
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
import { upsert } from '../../lib/list';
import { validateEmail, validateIntRange } from '../../lib/validate';
import { useClient } from '../../session';
import { Secret } from './Directory';
import { iamApi, invitationState, type Invitation } from './iamApi';

const STATE_TONE = { pending: 'amber', accepted: 'green', expired: 'gray', revoked: 'red' } as const;

export function InvitationsPage() {
  useDocumentTitle('Invitations');
  useBreadcrumbs([{ label: 'IAM' }, { label: 'Invitations' }]);
  const api = iamApi(useClient());
  const toast = useToast();
  const now = useNow();
  const invitations = useResource(() => api.listInvitations(), 'iam-invitations');
  const names = useNames();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Invitation | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="iam-create-invitation">
      Invite user
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Invitations"
        subtitle="Invite someone by a single-use link: they choose their name and password and join this tenant. Links expire."
        actions={createButton}
      />
      <ErrorBanner error={invitations.error} onRetry={invitations.reload} title="Could not load invitations" />
      <ListCard
        resource={invitations}
        cols={6}
        empty={
          <EmptyState icon="users" title="No invitations" action={createButton}>
            Invite a colleague instead of choosing a password for them.
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Status</th>
              <th>Gets</th>
              <th>Invited by</th>
              <th>Created</th>
              <th>Expires</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(invitations.data ?? []).map((inv) => {
              const state = invitationState(inv, now);
              return (
                <tr key={inv.invitationId} data-testid="iam-invitation-row" data-email={inv.email}>
                  <td className="strong">{inv.email}</td>
                  <td>
                    <span data-testid="iam-invitation-state" data-state={state}>
                      <Badge tone={STATE_TONE[state]}>{state}</Badge>
                    </span>
                    {state === 'accepted' && inv.acceptedAt ? (
                      <span className="muted small"> {formatRelative(inv.acceptedAt, now)}</span>
                    ) : null}
                  </td>
                  <td data-testid="iam-invitation-grants">
                    {[...(inv.groups ?? []).map(names.group), ...(inv.policies ?? []).map(names.policy)].map((n) => (
                      <Badge key={n}>{n}</Badge>
                    ))}
                    {!inv.groups?.length && !inv.policies?.length ? <span className="muted">—</span> : null}
                  </td>
                  <td>{inv.invitedBy || <span className="muted">—</span>}</td>
                  <td title={formatDateTime(inv.createdAt)}>{formatRelative(inv.createdAt, now)}</td>
                  <td>{formatDateTime(inv.expiresAt)}</td>
                  <td className="row-actions">
                    {state === 'pending' ? (
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setRevoking(inv)}
                        data-testid="iam-invitation-revoke"
                      >
                        Revoke
                      </Button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListCard>
      {creating ? (
        <CreateInvitationModal
          onClose={() => setCreating(false)}
          onCreated={(inv) => {
            setCreating(false);
            const { link: _link, ...listed } = inv;
            invitations.setData((prev) => upsert(prev, listed, (x) => x.invitationId === inv.invitationId, true));
            setCreated(inv);
          }}
        />
      ) : null}
      {created ? <LinkModal invitation={created} onClose={() => setCreated(null)} /> : null}
      {revoking ? (
        <ConfirmDialog
          title="Revoke invitation"
          confirmLabel="Revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.revokeInvitation(revoking.invitationId);
            invitations.setData((prev) =>
              upsert(prev, { ...revoking, status: 'REVOKED' }, (x) => x.invitationId === revoking.invitationId),
            );
            toast(`Invitation of ${revoking.email} revoked`);
          }}
        >
          The link sent to <strong>{revoking.email}</strong> stops working.
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** Names of the tenant's groups and policies by id, for the list and the pickers. */
function useNames() {
  const api = iamApi(useClient());
  const groups = useResource(() => api.listGroups(), 'iam-groups');
  const policies = useResource(() => api.listPolicies(), 'iam-policies');
  return {
    groups: groups.data ?? [],
    policies: policies.data ?? [],
    group: (id: string) => groups.data?.find((g) => g.groupId === id)?.name ?? id,
    policy: (id: string) => policies.data?.find((p) => p.policyId === id)?.name ?? id,
  };
}

/** Checkboxes choosing ids from a list of named things. */
function Choices({
  options,
  chosen,
  onChange,
  testId,
}: {
  options: { id: string; name: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  testId: string;
}) {
  if (!options.length) return <span className="muted small">None yet.</span>;
  return (
    <div className="choices" data-testid={testId}>
      {options.map((o) => (
        <label key={o.id} className="checkbox">
          <input
            type="checkbox"
            value={o.id}
            checked={chosen.includes(o.id)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, o.id] : chosen.filter((x) => x !== o.id))}
          />{' '}
          {o.name}
        </label>
      ))}
    </div>
  );
}

function CreateInvitationModal({ onClose, onCreated }: { onClose: () => void; onCreated: (inv: Invitation) => void }) {
  const api = iamApi(useClient());
  const names = useNames();
  const form = useForm(
    { email: '', expiresInHours: '72', groups: [] as string[], policies: [] as string[] },
    (v) => ({
      email: validateEmail(v.email),
      expiresInHours: validateIntRange(v.expiresInHours, 1, 720, 'The expiry'),
    }),
    // groups[1] → groups: the API names the unknown one in the message.
    (k) => k.replace(/\[\d+\]$/, ''),
  );
  const submit = () =>
    void form.submit(async (v) => {
      onCreated(
        await api.createInvitation({
          email: v.email.trim(),
          expiresInHours: v.expiresInHours.trim() ? Number(v.expiresInHours) : undefined,
          // Only when chosen, so the request stays valid for servers without them.
          groups: v.groups.length ? v.groups : undefined,
          policies: v.policies.length ? v.policies : undefined,
        }),
      );
    });
  return (
    <FormModal
      title="Invite user"
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel="Create invitation"
      submitTestId="iam-invitation-submit"
    >
      <Field label="Email" error={form.error('email')}>
        {(p) => (
          <input
            {...p}
            type="email"
            autoComplete="off"
            data-testid="iam-invitation-email"
            value={form.values.email}
            onChange={(e) => form.set('email', e.target.value)}
          />
        )}
      </Field>
      <Field label="Expires after (hours)" error={form.error('expiresInHours')} hint="1 to 720 hours (30 days).">
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            data-testid="iam-invitation-expiry"
            value={form.values.expiresInHours}
            onChange={(e) => form.set('expiresInHours', e.target.value)}
          />
        )}
      </Field>
      <Field label="Groups" optional error={form.error('groups')} hint="The user joins them on accepting.">
        {() => (
          <Choices
            options={names.groups.map((g) => ({ id: g.groupId, name: g.name }))}
            chosen={form.values.groups}
            onChange={(ids) => form.set('groups', ids)}
            testId="iam-invitation-groups"
          />
        )}
      </Field>
      <Field label="Policies" optional error={form.error('policies')} hint="Attached to the user on accepting.">
        {() => (
          <Choices
            options={names.policies.map((p) => ({ id: p.policyId, name: p.name }))}
            chosen={form.values.policies}
            onChange={(ids) => form.set('policies', ids)}
            testId="iam-invitation-policies"
          />
        )}
      </Field>
    </FormModal>
  );
}

function LinkModal({ invitation, onClose }: { invitation: Invitation; onClose: () => void }) {
  const link = invitation.link ?? '';
  return (
    <Modal
      title="Invitation created"
      onClose={onClose}
      width={640}
      testId="iam-invitation-created"
      footer={
        <Button variant="primary" onClick={onClose} data-testid="iam-invitation-done">
          I have sent the link
        </Button>
      }
    >
      <div className="stack">
        <Banner kind="warning" title="Copy the link now. It is shown only once.">
          Send it to {invitation.email}; it works once, until {formatDateTime(invitation.expiresAt)}. If it is lost,
          revoke the invitation and create a new one.
        </Banner>
        <Secret value={link} testId="iam-invitation-link" label="Copy link" />
      </div>
    </Modal>
  );
}
