// A tiny History-API router: the backend answers index.html for every
// non-/v1 path, so deep links and reloads work without a hash.

import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAV_EVENT = 'turnpike:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAV_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAV_EVENT, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path plus query string; re-renders on navigation. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
  if (!opts.replace) window.scrollTo?.(0, 0);
}

export type Params = Record<string, string>;

/**
 * Matches a pattern like `/apis/:apiId/:tab?` against a path (query string
 * ignored). Returns the decoded params, or null.
 */
export function matchPath(pattern: string, location: string): Params | null {
  const path = location.split('?')[0].replace(/\/+$/, '') || '/';
  const pp = pattern.split('/').filter(Boolean);
  const lp = path.split('/').filter(Boolean);
  const params: Params = {};
  for (let i = 0; i < Math.max(pp.length, lp.length); i++) {
    const p = pp[i];
    const l = lp[i];
    if (p === undefined) return null;
    if (p.startsWith(':')) {
      const optional = p.endsWith('?');
      const name = p.slice(1, optional ? -1 : undefined);
      if (l === undefined) {
        if (optional) continue;
        return null;
      }
      try {
        params[name] = decodeURIComponent(l);
      } catch {
        return null;
      }
      continue;
    }
    if (p !== l) return null;
  }
  return params;
}

export function queryParam(location: string, name: string): string | null {
  const i = location.indexOf('?');
  return i < 0 ? null : new URLSearchParams(location.slice(i)).get(name);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An <a> that navigates client-side on a plain left click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
