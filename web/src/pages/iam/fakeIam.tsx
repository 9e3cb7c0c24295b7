// Test helpers for the IAM pages: a fetch that answers by "METHOD /path"
// and records the calls, and a render with a session around the page.
import type { ReactElement } from 'react';
import { ApiClient } from '../../api/client';
import type { Session } from '../../api/types';
import { ToastProvider } from '../../components/ui';
import { SessionContext } from '../../session';
import { byTestId, render, waitFor } from '../../test/dom';

export const json = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

export const apiError = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  json(status, { error: { code, message, details } });

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Handler = (body: any, call: Call) => Response;

/** A fetch answering from `routes` ("GET /v1/iam/users"); anything else is 404. */
export function fakeFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const call = { method, path: url.pathname, body };
    calls.push(call);
    const h = routes[`${method} ${url.pathname}`];
    return h ? h(body, call) : apiError(404, 'route.unknown', `No route for ${method} ${url.pathname}.`);
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

export const SESSION: Session = {
  user: { userId: 'usr_admin', email: 'admin@acme.test', name: 'Admin' },
  tenant: { tenantId: 'tnt_acme', name: 'acme' },
  csrfToken: 'csrf-1',
};

/** Renders `ui` with a client over `fetchImpl`; `sessions` records setSession calls. */
export function renderPage(
  ui: ReactElement,
  fetchImpl: typeof fetch,
  opts: { session?: Session | null; sessions?: (Session | null)[] } = {},
) {
  const client = new ApiClient({ fetch: fetchImpl });
  const session = opts.session === undefined ? SESSION : opts.session;
  return render(
    <SessionContext.Provider
      value={{ client, session, setSession: (s) => opts.sessions?.push(s), signOut: async () => {} }}
    >
      <ToastProvider>{ui}</ToastProvider>
    </SessionContext.Provider>,
  );
}

/** The table row whose data-name (or data-email) is `name`. */
export const row = (testId: string, name: string) =>
  document.querySelector<HTMLElement>(
    `[data-testid="${testId}"][data-name="${name}"], [data-testid="${testId}"][data-email="${name}"]`,
  );

/** The element with the test id inside `el`. */
export const inside = (el: Element | null, testId: string) =>
  el?.querySelector<HTMLElement>(`[data-testid="${testId}"]`) ?? null;

/**
 * Waits for the IAM page tests. Under a loaded full suite jsdom renders
 * slowly, so a wait fails only after WAIT_MS (it returns as soon as the
 * condition holds), and a test made of several waits gets TEST_MS.
 */
export const WAIT_MS = 8000;
export const TEST_MS = 30000;
export const until = <T,>(fn: () => T | null | undefined | false, what = 'condition') => waitFor(fn, what, WAIT_MS);
export const findTestId = (id: string) => until(() => byTestId(id), `[data-testid=${id}]`);
