// Requests per day as bars (uPlot), with the plotted total in text for
// people and tests alike.
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { UsageSeries } from './logic';

const HEIGHT = 220;

export function UsageChart({ series }: { series: UsageSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const latest = useRef(series);
  latest.current = series;

  useEffect(() => {
    const el = box.current;
    if (!el || typeof window.matchMedia !== 'function') return; // no layout engine (jsdom)
    let cancelled = false;
    let ro: ResizeObserver | null = null;
    let u: uPlot | null = null;
    // Loaded on demand: uPlot touches window at import time and is only
    // needed on this page.
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const s = latest.current;
      u = new UPlot(
        {
          width: Math.max(el.clientWidth, 320),
          height: HEIGHT,
          scales: {
            // Half a day either side, so the first and last bars show whole.
            x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
            y: { range: (_u, _min, max) => [0, Math.max(max, 5) * 1.1] },
          },
          axes: [
            {
              incrs: [86_400, 7 * 86_400],
              values: (_u, splits) => splits.map((v) => new Date(v * 1000).toISOString().slice(5, 10)),
            },
            { label: 'Requests', size: 60 },
          ],
          legend: { show: false },
          series: [
            {},
            {
              label: 'Requests',
              stroke: '#4f46e5',
              fill: 'rgba(79,70,229,0.25)',
              width: 1,
              paths: UPlot.paths.bars?.({ size: [0.6, 48] }),
              points: { show: false },
            },
          ],
        },
        [s.xs, s.used],
        el,
      );
      plot.current = u;
      if (typeof ResizeObserver !== 'undefined') {
        ro = new ResizeObserver(() => u?.setSize({ width: Math.max(el.clientWidth, 320), height: HEIGHT }));
        ro.observe(el);
      }
    });
    return () => {
      cancelled = true;
      ro?.disconnect();
      u?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([series.xs, series.used]);
  }, [series]);

  return (
    <div className="usage-chart">
      <div ref={box} data-testid="usage-chart" aria-label="Requests per day" role="img" />
      <p className="muted small">
        <span data-testid="usage-total">{series.total}</span> requests from {series.dates[0] ?? '—'} to{' '}
        {series.dates[series.dates.length - 1] ?? '—'}
        {series.remaining !== null ? (
          <>
            {' '}
            · <span data-testid="usage-remaining">{series.remaining}</span> left in the current quota period
          </>
        ) : null}
      </p>
    </div>
  );
}
