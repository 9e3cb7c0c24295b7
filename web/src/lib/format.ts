// Date and number formatting without a date library.

export function parseTime(iso: string | undefined | null): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  // Go's zero time marshals as 0001-01-01T00:00:00Z: treat it as absent.
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1) return null;
  return d;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then a date. */
export function formatRelative(iso: string | undefined | null, now: Date = new Date()): string {
  const d = parseTime(iso);
  if (!d) return '—';
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (s < -30) return formatDateTime(iso);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  const days = Math.floor(h / 24);
  if (days < 30) return `${days} d ago`;
  return formatDate(iso);
}

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function formatDate(iso: string | undefined | null): string {
  const d = parseTime(iso);
  return d ? dateFmt.format(d) : '—';
}

export function formatDateTime(iso: string | undefined | null): string {
  const d = parseTime(iso);
  return d ? dateTimeFmt.format(d) : '—';
}

export function formatTime(iso: string | undefined | null): string {
  const d = parseTime(iso);
  return d ? timeFmt.format(d) : '—';
}

/** Milliseconds between two timestamps as "1.2 s" / "350 ms", or '' when unknown. */
export function formatDuration(fromIso: string | undefined, toIso: string | undefined): string {
  const a = parseTime(fromIso);
  const b = parseTime(toIso);
  if (!a || !b) return '';
  const ms = Math.max(0, b.getTime() - a.getTime());
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function initials(nameOrEmail: string): string {
  const base = nameOrEmail.split('@')[0];
  const parts = base.split(/[\s._-]+/).filter(Boolean);
  const s = parts.length >= 2 ? parts[0][0] + parts[1][0] : base.slice(0, 2);
  return s.toUpperCase();
}
