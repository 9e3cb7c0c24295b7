// Minimal DOM helpers for component tests (no testing-library dependency).
import { act, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
// jsdom logs "not implemented" for scrolling.
window.scrollTo = () => {};

let root: Root | null = null;
let container: HTMLElement | null = null;

export async function render(ui: ReactElement): Promise<HTMLElement> {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  await act(async () => root!.render(ui));
  return container;
}

export async function cleanup(): Promise<void> {
  if (root) await act(async () => root!.unmount());
  container?.remove();
  root = null;
  container = null;
  document.body.innerHTML = '';
}

export const byTestId = (id: string): HTMLElement | null => document.querySelector(`[data-testid="${id}"]`);

export const allByTestId = (id: string): HTMLElement[] =>
  Array.from(document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`));

/** Waits (flushing React work) until `fn` returns a truthy value, or fails. */
export async function waitFor<T>(
  fn: () => T | null | undefined | false,
  what = 'condition',
  timeoutMs = 8000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}\n${document.body.innerHTML.slice(0, 3000)}`);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
  }
}

export const findByTestId = (id: string) => waitFor(() => byTestId(id), `[data-testid=${id}]`);

/** Sets an input/select/textarea value the way a user would, so React sees it. */
export async function type(el: HTMLElement | null, value: string): Promise<void> {
  if (!el) throw new Error('type: no element');
  const proto = Object.getPrototypeOf(el) as object;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  await act(async () => {
    setter!.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

export async function click(el: HTMLElement | null): Promise<void> {
  if (!el) throw new Error('click: no element');
  await act(async () => {
    el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }));
  });
}

export const text = (el: Element | null) => el?.textContent?.trim() ?? '';
