import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client';
import { ToastProvider } from '../../components/ui';
import { SessionContext } from '../../session';
import { allByTestId, byTestId, cleanup, click, render, text, type, waitFor } from '../../test/dom';
import { AuditLogPage } from './AuditLog';

afterEach(cleanup);

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  eventId: `aud_${n}`,
  at: '2026-01-02T03:04:05Z',
  email: 'admin@acme.test',
  action: 'apigw:CreateApi',
  resource: 'apis',
  method: 'POST',
  path: '/v1/apis',
  request: { body: { name: `api-${n}` } },
  sourceIp: '192.0.2.10',
  status: 201,
  ...extra,
});

function renderPage(urls: string[]) {
  const fetchImpl = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://console.test');
    urls.push(url.pathname + url.search);
    if (url.pathname !== '/v1/audit') return json(404, { error: { code: 'route.unknown', message: 'No.' } });
    if (url.searchParams.get('cursor') === 'aud_2') return json(200, { items: [event(3)] });
    if (url.searchParams.get('result') === 'denied')
      return json(200, {
        items: [
          event(9, { status: 403, errorCode: 'auth.forbidden', email: 'reader@acme.test', action: 'apigw:DeleteApi' }),
        ],
      });
    return json(200, { items: [event(1), event(2)], nextCursor: 'aud_2' });
  }) as typeof fetch;
  const client = new ApiClient({ fetch: fetchImpl });
  return render(
    <SessionContext.Provider value={{ client, session: null, setSession: () => {}, signOut: async () => {} }}>
      <ToastProvider>
        <AuditLogPage />
      </ToastProvider>
    </SessionContext.Provider>,
  );
}

describe('audit log page', () => {
  it('lists events, pages back, filters and exports with the same filters', async () => {
    const urls: string[] = [];
    await renderPage(urls);
    await waitFor(() => (allByTestId('audit-row').length === 2 ? true : null), 'two rows');
    expect(text(allByTestId('audit-row')[0])).toContain('admin@acme.test');
    expect(text(allByTestId('audit-row')[0])).toContain('apigw:CreateApi');

    await click(byTestId('audit-more'));
    await waitFor(() => (allByTestId('audit-row').length === 3 ? true : null), 'three rows');
    expect(urls.at(-1)).toContain('cursor=aud_2');

    await click(allByTestId('audit-row')[0]);
    expect(text(byTestId('audit-detail'))).toContain('api-1');

    await type(byTestId('audit-actor'), 'reader@acme.test');
    (byTestId('audit-result') as HTMLSelectElement).value = 'denied';
    byTestId('audit-result')!.dispatchEvent(new Event('change', { bubbles: true }));
    await click(byTestId('audit-apply'));
    await waitFor(() => (allByTestId('audit-row').length === 1 ? true : null), 'one denied row');
    expect(text(allByTestId('audit-row')[0])).toContain('auth.forbidden');
    const last = urls.at(-1)!;
    expect(last).toContain('actor=reader%40acme.test');
    expect(last).toContain('result=denied');
    const href = byTestId('audit-export')!.getAttribute('href')!;
    expect(href.startsWith('/v1/audit/export?')).toBe(true);
    expect(href).toContain('result=denied');
  });
});
