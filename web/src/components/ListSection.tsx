// The list-and-detail shape shared by the tabs of an API (routes, stages,
// deployments): an intro with actions, the load error, a table card with its
// empty state, and row-level edit and delete buttons. Each tab keeps only
// its columns and its dialogs.
import { useState, type ReactNode } from 'react';
import type { Resource } from '../lib/hooks';
import { Button, ErrorBanner, ListCard } from './ui';

export function ListSection<T>({
  intro,
  actions,
  resource,
  errorTitle,
  columns,
  empty,
  clickable,
  children,
}: {
  intro: ReactNode;
  actions?: ReactNode;
  resource: Resource<T[]>;
  errorTitle: string;
  /** Header cells; '' is an unlabelled actions column. */
  columns: string[];
  empty: ReactNode;
  clickable?: boolean;
  /** The table rows. */
  children: ReactNode;
}) {
  return (
    <>
      <div className="section-header">
        <p className="muted">{intro}</p>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      <ErrorBanner error={resource.error} onRetry={resource.reload} title={errorTitle} />
      <ListCard resource={resource} cols={columns.filter(Boolean).length} empty={empty}>
        <table className={clickable ? 'table table-clickable' : 'table'}>
          <thead>
            <tr>{columns.map((c, i) => (c ? <th key={i}>{c}</th> : <th key={i} aria-label="Actions" />))}</tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </ListCard>
    </>
  );
}

/** Edit and delete icon buttons of a row; extra buttons go first. */
export function RowActions({
  noun,
  testIdPrefix,
  onEdit,
  onDelete,
  children,
}: {
  noun: string;
  testIdPrefix: string;
  onEdit: () => void;
  onDelete: () => void;
  children?: ReactNode;
}) {
  return (
    <td className="row-actions">
      {children}
      <Button
        size="sm"
        variant="ghost"
        icon="edit"
        aria-label={`Edit ${noun}`}
        onClick={onEdit}
        data-testid={`${testIdPrefix}-edit`}
      />
      <Button
        size="sm"
        variant="ghost"
        icon="trash"
        aria-label={`Delete ${noun}`}
        onClick={onDelete}
        data-testid={`${testIdPrefix}-delete`}
      />
    </td>
  );
}

/** Which row is being edited ('new' for a new one) and which deleted. */
export function useRowDialogs<T>() {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  return { editing, setEditing, deleting, setDeleting };
}
