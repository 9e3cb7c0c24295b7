// Follows one deployment until it reaches a terminal status.
//
// The backend streams `event: deployment` / `data: <Deployment JSON>` over
// Server-Sent Events and closes the stream after a terminal status. If the
// stream cannot be opened or breaks before that (proxies that buffer SSE, a
// restarted backend), we fall back to polling GET .../deployments/{id}.

import type { ApiClient } from './client';
import { isTerminal, type Deployment } from './types';

export interface WatchOptions {
  /** Injected for tests; null disables SSE and polls from the start. */
  EventSource?: typeof EventSource | null;
  pollIntervalMs?: number;
}

export interface WatchHandlers {
  onUpdate(d: Deployment): void;
  /** Called once the transport changes, for the UI to say so. */
  onMode?(mode: 'stream' | 'poll'): void;
  /** A polling error (the watcher keeps trying). */
  onError?(e: unknown): void;
}

/** Starts watching; returns a function that stops it. */
export function watchDeployment(
  client: Pick<ApiClient, 'getDeployment' | 'deploymentEventsUrl'>,
  apiId: string,
  deploymentId: string,
  handlers: WatchHandlers,
  opts: WatchOptions = {},
): () => void {
  const ES = opts.EventSource === undefined ? globalThis.EventSource : opts.EventSource;
  const interval = opts.pollIntervalMs ?? 1000;
  let stopped = false;
  let done = false;
  let es: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const update = (d: Deployment) => {
    if (stopped || done) return;
    if (isTerminal(d.status)) done = true;
    handlers.onUpdate(d);
    if (done) cleanup();
  };

  const cleanup = () => {
    es?.close();
    es = null;
    if (timer) clearTimeout(timer);
    timer = null;
  };

  const poll = async () => {
    timer = null;
    if (stopped || done) return;
    try {
      update(await client.getDeployment(apiId, deploymentId));
    } catch (e) {
      handlers.onError?.(e);
    }
    if (!stopped && !done) timer = setTimeout(poll, interval);
  };

  const startPolling = () => {
    handlers.onMode?.('poll');
    void poll();
  };

  if (ES) {
    try {
      es = new ES(client.deploymentEventsUrl(apiId, deploymentId), { withCredentials: true });
      handlers.onMode?.('stream');
      es.addEventListener('deployment', (ev) => {
        try {
          update(JSON.parse((ev as MessageEvent<string>).data) as Deployment);
        } catch {
          // A malformed frame: ignore it; the next one (or polling) catches up.
        }
      });
      es.onerror = () => {
        // The server closes the stream after a terminal status; only an error
        // before that means the stream is unusable.
        if (stopped || done) return;
        es?.close();
        es = null;
        startPolling();
      };
    } catch {
      es = null;
      startPolling();
    }
  } else {
    startPolling();
  }

  return () => {
    stopped = true;
    cleanup();
  };
}
