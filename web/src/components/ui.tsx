// Small UI primitives shared by every page.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type ReactElement,
  type ReactNode,
} from 'react';
import { ApiError } from '../api/client';
import { Icon, type IconName } from './icons';

// --- buttons ------------------------------------------------------------------

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'sm' | 'md';
  icon?: IconName;
  busy?: boolean;
};

export function Button({
  variant = 'secondary',
  size = 'md',
  icon,
  busy,
  disabled,
  children,
  className,
  type = 'button',
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      className={`btn btn-${variant} btn-${size}${className ? ` ${className}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <Spinner size={14} /> : icon ? <Icon name={icon} size={size === 'sm' ? 14 : 15} /> : null}
      {children}
    </button>
  );
}

export function Spinner({ size = 16, label }: { size?: number; label?: string }) {
  return (
    <span className="spinner" style={{ width: size, height: size }} role={label ? 'status' : undefined}>
      {label ? <span className="sr-only">{label}</span> : null}
    </span>
  );
}

// --- loading, empty, error --------------------------------------------------

export function SkeletonRows({ rows = 4, cols = 4 }: { rows?: number; cols?: number }) {
  return (
    <div className="skeleton-table" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, r) => (
        <div className="skeleton-row" key={r}>
          {Array.from({ length: cols }, (_, c) => (
            <span className="skeleton" key={c} style={{ width: `${[40, 25, 15, 20][c % 4] + ((r * 7) % 10)}%` }} />
          ))}
        </div>
      ))}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty-icon">
        <Icon name={icon} size={22} />
      </div>
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function Banner({
  kind = 'error',
  title,
  children,
  onRetry,
  onDismiss,
}: {
  kind?: 'error' | 'info' | 'success' | 'warning';
  title?: string;
  children?: ReactNode;
  onRetry?: () => void;
  onDismiss?: () => void;
}) {
  const icon: IconName = kind === 'success' ? 'check' : kind === 'info' ? 'info' : 'alert';
  return (
    <div className={`banner banner-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <Icon name={icon} size={16} className="banner-icon" />
      <div className="banner-body">
        {title ? <strong>{title}</strong> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {onRetry ? (
        <Button size="sm" variant="ghost" icon="refresh" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
      {onDismiss ? (
        <button className="icon-btn" aria-label="Dismiss" onClick={onDismiss}>
          <Icon name="x" size={14} />
        </button>
      ) : null}
    </div>
  );
}

/** A page-level error banner for a failed load or action. */
export function ErrorBanner({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  const details = error instanceof ApiError ? Object.entries(error.details) : [];
  return (
    <Banner kind="error" title={title ?? errorMessage(error)} onRetry={onRetry}>
      {title ? errorMessage(error) : null}
      {details.length ? (
        <ul className="detail-list">
          {details.map(([k, d]) => (
            <li key={k}>
              <code>{k}</code> {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      {requestId ? <div className="muted small">Request ID {requestId}</div> : null}
    </Banner>
  );
}

/**
 * A card holding a list: skeleton rows while the first load runs, the empty
 * state when the list is empty, else the table. Shows nothing when the load
 * failed (the page's error banner says why).
 */
export function ListCard({
  resource,
  cols,
  rows,
  empty,
  children,
}: {
  resource: { data?: readonly unknown[]; loading: boolean };
  cols: number;
  rows?: number;
  empty: ReactNode;
  children: ReactNode;
}) {
  const { data, loading } = resource;
  if (!data) {
    return loading ? (
      <div className="card">
        <SkeletonRows cols={cols} rows={rows} />
      </div>
    ) : null;
  }
  return <div className="card">{data.length === 0 ? empty : children}</div>;
}

// --- badges ---------------------------------------------------------------

const STATUS_TONE: Record<string, string> = {
  DEPLOYED: 'green',
  ACTIVE: 'green',
  FAILED: 'red',
  IN_PROGRESS: 'blue',
  PENDING: 'amber',
  INACTIVE: 'gray',
};

const STATUS_LABEL: Record<string, string> = {
  DEPLOYED: 'Deployed',
  FAILED: 'Failed',
  IN_PROGRESS: 'In progress',
  PENDING: 'Pending',
  ACTIVE: 'Active',
  INACTIVE: 'Inactive',
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  if (!status) return <span className="badge badge-gray">Not deployed</span>;
  const tone = STATUS_TONE[status] ?? 'gray';
  return (
    <span className={`badge badge-${tone}`} title={status}>
      {status === 'IN_PROGRESS' || status === 'PENDING' ? <span className="pulse-dot" /> : <span className="dot" />}
      {testId ? <span data-testid={testId}>{status}</span> : (STATUS_LABEL[status] ?? status)}
    </span>
  );
}

export function Badge({ tone = 'gray', children }: { tone?: string; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function MethodBadge({ method }: { method: string }) {
  if (!method) return null;
  return <span className={`method method-${method.toLowerCase()}`}>{method}</span>;
}

// --- copy -----------------------------------------------------------------

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Insecure origins (plain http on a LAN address) have no clipboard API.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

export function CopyButton({ text, label = 'Copy', testId }: { text: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className={`icon-btn copy-btn${copied ? ' copied' : ''}`}
      title={copied ? 'Copied' : label}
      aria-label={label}
      data-testid={testId}
      onClick={async () => setCopied(await copyText(text))}
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} />
    </button>
  );
}

/** A URL shown as a link with a copy button. */
export function CopyLink({ url, testId }: { url: string; testId?: string }) {
  if (!url) return <span className="muted">—</span>;
  return (
    <span className="copy-link">
      <a href={url} target="_blank" rel="noreferrer" className="mono" data-testid={testId}>
        {url}
      </a>
      <CopyButton text={url} label="Copy URL" />
    </span>
  );
}

// --- forms ----------------------------------------------------------------

export function Field({
  label,
  hint,
  error,
  children,
  optional,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string }) => ReactElement;
}) {
  const id = useId();
  const describedBy = `${id}-desc`;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>
        {label}
        {optional ? <span className="optional"> optional</span> : null}
      </label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy })}
      <div id={describedBy} className={error ? 'field-error' : 'field-hint'}>
        {error ?? hint ?? null}
      </div>
    </div>
  );
}

// --- modal ----------------------------------------------------------------

export function Modal({
  title,
  onClose,
  children,
  footer,
  width = 520,
  testId,
  onSubmit,
}: {
  title: ReactNode;
  onClose: () => void;
  /** When set, body and footer form one <form>: Enter submits, footer submit buttons work. */
  onSubmit?: () => void;
  children: ReactNode;
  footer?: ReactNode;
  width?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      'input:not([disabled]):not([readonly]), select, textarea, button.btn-primary',
    );
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      prev?.focus?.();
    };
    // Focus once on open, not on every parent render.
  }, []);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        style={{ maxWidth: width }}
        ref={ref}
        data-testid={testId}
      >
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button className="icon-btn" aria-label="Close" onClick={onClose}>
            <Icon name="x" size={16} />
          </button>
        </div>
        {onSubmit ? (
          <form
            className="modal-form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              onSubmit();
            }}
          >
            <div className="modal-body">{children}</div>
            {footer ? <div className="modal-footer">{footer}</div> : null}
          </form>
        ) : (
          <>
            <div className="modal-body">{children}</div>
            {footer ? <div className="modal-footer">{footer}</div> : null}
          </>
        )}
      </div>
    </div>
  );
}

/**
 * A modal holding one form: Cancel and a submit button (disabled while
 * submitting), the form-level error banner above the fields.
 */
export function FormModal({
  title,
  form,
  onClose,
  onSubmit,
  submitLabel,
  submitTestId,
  submitIcon,
  width,
  testId,
  children,
}: {
  title: ReactNode;
  form: { busy: boolean; formError: unknown };
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  submitTestId: string;
  submitIcon?: IconName;
  width?: number;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Modal
      title={title}
      onClose={() => !form.busy && onClose()}
      onSubmit={onSubmit}
      width={width}
      testId={testId}
      footer={
        <>
          <Button onClick={onClose} disabled={form.busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon={submitIcon} busy={form.busy} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <div className="stack">
        <ErrorBanner error={form.formError} />
        {children}
      </div>
    </Modal>
  );
}

/** A confirmation dialog whose action is async: shows progress and errors in place. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel = 'Delete',
  onConfirm,
  onClose,
  confirmText,
}: {
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** When set, the user must type this to enable the button. */
  confirmText?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [typed, setTyped] = useState('');
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal
      title={title}
      onClose={() => !busy && onClose()}
      width={440}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            variant="danger"
            busy={busy}
            disabled={confirmText !== undefined && typed !== confirmText}
            onClick={run}
            data-testid="confirm-submit"
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="stack">
        <div>{children}</div>
        {confirmText !== undefined ? (
          <Field label={`Type "${confirmText}" to confirm`}>
            {(p) => <input {...p} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
          </Field>
        ) : null}
        <ErrorBanner error={error} />
      </div>
    </Modal>
  );
}

// --- toasts ---------------------------------------------------------------

interface Toast {
  id: number;
  message: string;
  kind: 'success' | 'error';
}

const ToastContext = createContext<(message: string, kind?: Toast['kind']) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const push = useCallback((message: string, kind: Toast['kind'] = 'success') => {
    const id = nextId.current++;
    setToasts((t) => [...t, { id, message, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 3500);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`}>
            <Icon name={t.kind === 'success' ? 'check' : 'alert'} size={14} />
            {t.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}

// --- page chrome -----------------------------------------------------------

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <div className="page-subtitle">{subtitle}</div> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
