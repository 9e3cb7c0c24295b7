// The list/detail logic IAM pages share: a list with create, rename and
// delete (users and groups), and the "attached policies" panel users,
// groups and roles show. One copy here instead of one per page.
import './iam.css';
import { useState, type ReactNode } from 'react';
import {
  Badge,
  Button,
  ConfirmDialog,
  CopyButton,
  EmptyState,
  ErrorBanner,
  Field,
  FormModal,
  ListCard,
  PageHeader,
  Spinner,
  useToast,
} from '../../components/ui';
import type { IconName } from '../../components/icons';
import { useForm } from '../../lib/form';
import { useResource, type Resource } from '../../lib/hooks';
import { remove, upsert } from '../../lib/list';
import { useClient } from '../../session';
import { iamApi, type IamPolicy } from './iamApi';

/** A column of a directory table. */
export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
}

/** What a directory page lists and how it changes one entry. */
export interface DirectoryProps<T> {
  title: string;
  subtitle: ReactNode;
  /** Singular noun for buttons and messages: "user", "group". */
  noun: string;
  icon: IconName;
  emptyText: ReactNode;
  /** Prefix of test ids: iam-user → iam-user-row, iam-user-rename… */
  testPrefix: string;
  resourceKey: string;
  load: () => Promise<T[]>;
  idOf: (item: T) => string;
  /** How the entry is called in messages and confirmations. */
  labelOf: (item: T) => string;
  columns: Column<T>[];
  /** The name the rename dialog edits, and what renaming sends; no rename without them. */
  nameOf?: (item: T) => string;
  nameLabel?: string;
  validateName: (name: string) => string | null;
  rename?: (item: T, name: string) => Promise<T>;
  destroy: (item: T) => Promise<void>;
  /** What deleting loses, shown in the confirmation. */
  deleteWarning: (item: T) => ReactNode;
  /** Entries that may not be deleted (e.g. yourself), with the reason. */
  undeletable?: (item: T) => string | null;
  detailLabel: string;
  renderDetail: (item: T, close: () => void) => ReactNode;
  renderCreate: (close: () => void, created: (item: T) => void) => ReactNode;
  /** Page-specific row buttons; `put` replaces the row after a change. */
  rowActions?: (item: T, put: (next: T) => void, fail: (e: unknown) => void) => ReactNode;
  /** Dialogs a page opens from its own row actions. */
  extra?: ReactNode;
}

/** A list of IAM entries with create, detail, rename and delete. */
export function DirectoryPage<T>(props: DirectoryProps<T>) {
  const { noun, testPrefix: tp, idOf, labelOf } = props;
  const toast = useToast();
  const list = useResource(props.load, props.resourceKey);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<T | null>(null);
  const [renaming, setRenaming] = useState<T | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const put = (item: T) => list.setData((prev) => upsert(prev, item, (x) => idOf(x) === idOf(item)));
  const createButton = (
    <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid={`iam-create-${noun}`}>
      Create {noun}
    </Button>
  );

  return (
    <>
      <PageHeader title={props.title} subtitle={props.subtitle} actions={createButton} />
      <ErrorBanner error={list.error} onRetry={list.reload} title={`Could not load ${props.title.toLowerCase()}`} />
      <ErrorBanner error={actionError} />
      <ListCard
        resource={list}
        cols={props.columns.length}
        empty={
          <EmptyState icon={props.icon} title={`No ${props.title.toLowerCase()}`} action={createButton}>
            {props.emptyText}
          </EmptyState>
        }
      >
        <table className="table">
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c.header}>{c.header}</th>
              ))}
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((item) => {
              const why = props.undeletable?.(item) ?? null;
              return (
                <tr key={idOf(item)} data-testid={`${tp}-row`} data-name={labelOf(item)}>
                  {props.columns.map((c, i) => (
                    <td key={c.header} className={i === 0 ? 'strong' : undefined}>
                      {c.cell(item)}
                    </td>
                  ))}
                  <td className="row-actions">
                    <Button size="sm" onClick={() => setOpen(item)} data-testid={`${tp}-open`}>
                      {props.detailLabel}
                    </Button>
                    {props.rowActions?.(
                      item,
                      (next) => {
                        setActionError(null);
                        put(next);
                      },
                      setActionError,
                    )}
                    {props.rename ? (
                      <Button size="sm" variant="ghost" onClick={() => setRenaming(item)} data-testid={`${tp}-rename`}>
                        Rename
                      </Button>
                    ) : null}
                    <Button
                      size="sm"
                      variant="ghost"
                      icon="trash"
                      aria-label={`Delete ${noun}`}
                      title={why ?? `Delete ${noun}`}
                      disabled={!!why}
                      onClick={() => setDeleting(item)}
                      data-testid={`${tp}-delete`}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListCard>

      {creating
        ? props.renderCreate(
            () => setCreating(false),
            (item) => {
              setCreating(false);
              put(item);
              toast(`${capitalize(noun)} ${labelOf(item)} created`);
            },
          )
        : null}
      {open
        ? props.renderDetail(open, () => {
            setOpen(null);
            // What the panel changed (e.g. a user's roles) shows in the list.
            void list.reload();
          })
        : null}
      {renaming && props.rename ? (
        <RenameModal
          title={`Rename ${noun} ${labelOf(renaming)}`}
          label={props.nameLabel ?? 'Name'}
          initial={props.nameOf?.(renaming) ?? labelOf(renaming)}
          validate={props.validateName}
          testPrefix={tp}
          onClose={() => setRenaming(null)}
          onSave={async (name) => {
            const next = await props.rename!(renaming, name);
            put(next);
            setRenaming(null);
            toast(`${capitalize(noun)} renamed`);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${noun}`}
          confirmLabel={`Delete ${noun}`}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await props.destroy(deleting);
            list.setData((prev) => remove(prev, (x) => idOf(x) === idOf(deleting)));
            toast(`${capitalize(noun)} ${labelOf(deleting)} deleted`);
          }}
        >
          Delete <strong>{labelOf(deleting)}</strong>? {props.deleteWarning(deleting)}
        </ConfirmDialog>
      ) : null}
      {props.extra}
    </>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function RenameModal({
  title,
  label,
  initial,
  validate,
  testPrefix,
  onClose,
  onSave,
}: {
  title: string;
  label: string;
  initial: string;
  validate: (name: string) => string | null;
  testPrefix: string;
  onClose: () => void;
  onSave: (name: string) => Promise<void>;
}) {
  const form = useForm({ name: initial }, (v) => ({ name: validate(v.name) }));
  return (
    <FormModal
      title={title}
      form={form}
      onClose={onClose}
      onSubmit={() => void form.submit((v) => onSave(v.name.trim()))}
      submitLabel="Save"
      submitTestId={`${testPrefix}-rename-submit`}
    >
      <Field label={label} error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid={`${testPrefix}-rename-input`}
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

/**
 * Runs one change at a time in a detail panel: shows its error, toasts on
 * success and reloads what the change affects.
 */
export function useRunner(reload: () => Promise<unknown>) {
  const toast = useToast();
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);
  const run = async (f: () => Promise<unknown>, done: string) => {
    setWorking(true);
    setError(null);
    try {
      await f();
      toast(done);
      await reload();
    } catch (e) {
      setError(e);
    } finally {
      setWorking(false);
    }
  };
  return { run, error, working, setError };
}

/**
 * The policies attached to one principal (user, group or role), with
 * Detach on each and a picker to attach another.
 */
export function AttachedPolicies({
  attached,
  attach,
  detach,
  onChanged,
  testPrefix,
  emptyText = 'No policy attached.',
  readOnly,
}: {
  attached: Resource<IamPolicy[]>;
  attach: (policyId: string) => Promise<void>;
  detach: (policyId: string) => Promise<void>;
  /** Reloads what else depends on the attachments (e.g. effective policies). */
  onChanged?: () => Promise<unknown>;
  testPrefix: string;
  emptyText?: string;
  readOnly?: boolean;
}) {
  const api = iamApi(useClient());
  const policies = useResource(() => api.listPolicies(), 'iam-policies');
  const [choice, setChoice] = useState('');
  const { run, error, working } = useRunner(() => Promise.all([attached.reload(), onChanged?.()]));
  const attachedIds = new Set((attached.data ?? []).map((p) => p.policyId));
  return (
    <>
      <ErrorBanner error={error ?? attached.error} />
      {attached.data ? (
        attached.data.length ? (
          <ul className="plain-list" data-testid={`${testPrefix}-attached`}>
            {attached.data.map((p) => (
              <li key={p.policyId}>
                <span className="strong">{p.name}</span> {p.managed ? <Badge>managed</Badge> : null}{' '}
                {readOnly ? null : (
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={working}
                    onClick={() => run(() => detach(p.policyId), `${p.name} detached`)}
                    data-testid={`${testPrefix}-detach`}
                  >
                    Detach
                  </Button>
                )}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{emptyText}</p>
        )
      ) : attached.error ? null : (
        <Spinner label="Loading" />
      )}
      {readOnly ? null : (
        <div className="inline-form">
          <select
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            data-testid={`${testPrefix}-attach-select`}
          >
            <option value="">Attach a policy…</option>
            {(policies.data ?? [])
              .filter((p) => !attachedIds.has(p.policyId))
              .map((p) => (
                <option key={p.policyId} value={p.policyId}>
                  {p.name}
                </option>
              ))}
          </select>
          <Button
            size="sm"
            variant="primary"
            disabled={!choice || working}
            onClick={() => run(() => attach(choice).then(() => setChoice('')), 'Policy attached')}
            data-testid={`${testPrefix}-attach`}
          >
            Attach
          </Button>
        </div>
      )}
    </>
  );
}

/** A list of named things with Remove on each and a picker to add one. */
export function MembershipList<T>({
  items,
  candidates,
  keyOf,
  labelOf,
  onAdd,
  onRemove,
  addPlaceholder,
  emptyText,
  working,
  testPrefix,
}: {
  items: T[] | undefined;
  candidates: T[];
  keyOf: (t: T) => string;
  labelOf: (t: T) => string;
  onAdd: (key: string) => Promise<void>;
  onRemove: (t: T) => void;
  addPlaceholder: string;
  emptyText: string;
  working: boolean;
  testPrefix: string;
}) {
  const [choice, setChoice] = useState('');
  const have = new Set((items ?? []).map(keyOf));
  return (
    <>
      {items ? (
        items.length ? (
          <ul className="plain-list" data-testid={`${testPrefix}-list`}>
            {items.map((t) => (
              <li key={keyOf(t)}>
                {labelOf(t)}{' '}
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={working}
                  onClick={() => onRemove(t)}
                  data-testid={`${testPrefix}-remove`}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{emptyText}</p>
        )
      ) : (
        <Spinner label="Loading" />
      )}
      <div className="inline-form">
        <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid={`${testPrefix}-select`}>
          <option value="">{addPlaceholder}</option>
          {candidates
            .filter((c) => !have.has(keyOf(c)))
            .map((c) => (
              <option key={keyOf(c)} value={keyOf(c)}>
                {labelOf(c)}
              </option>
            ))}
        </select>
        <Button
          size="sm"
          disabled={!choice || working}
          onClick={() => void onAdd(choice).then(() => setChoice(''))}
          data-testid={`${testPrefix}-add`}
        >
          Add
        </Button>
      </div>
    </>
  );
}

/** Create dialog of things that have a name and a description (groups, roles). */
export function NameDescriptionModal<T>({
  noun,
  testPrefix,
  validateName,
  create,
  onClose,
  onCreated,
}: {
  noun: string;
  testPrefix: string;
  validateName: (name: string) => string | null;
  create: (body: { name: string; description?: string }) => Promise<T>;
  onClose: () => void;
  onCreated: (item: T) => void;
}) {
  const form = useForm({ name: '', description: '' }, (v) => ({
    name: validateName(v.name),
    description: v.description.length > 1000 ? 'At most 1000 characters.' : null,
  }));
  const submit = () =>
    void form.submit(async (v) =>
      onCreated(await create({ name: v.name.trim(), description: v.description.trim() || undefined })),
    );
  return (
    <FormModal
      title={`Create ${noun}`}
      form={form}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={`Create ${noun}`}
      submitTestId={`${testPrefix}-submit`}
    >
      <Field label="Name" error={form.error('name')}>
        {(p) => (
          <input
            {...p}
            data-testid={`${testPrefix}-name`}
            value={form.values.name}
            onChange={(e) => form.set('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Description" optional error={form.error('description')}>
        {(p) => (
          <input
            {...p}
            data-testid={`${testPrefix}-description`}
            value={form.values.description}
            onChange={(e) => form.set('description', e.target.value)}
          />
        )}
      </Field>
    </FormModal>
  );
}

/** A secret shown once (token, link, password) with its copy button. */
export function Secret({ value, testId, label }: { value: string; testId: string; label: string }) {
  return (
    <div className="secret">
      <code data-testid={testId}>{value}</code>
      <CopyButton text={value} label={label} testId={`${testId}-copy`} />
    </div>
  );
}
