import { useMemo, useState, type PointerEvent } from "react";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS class that sets `--series-color` (chart-a, chart-b). */
  tone: "a" | "b" | "c";
}

const W = 600;
const H = 150;
/** Room above the scale's maximum and below zero, so a line there is not drawn on the frame. */
const PAD = 4;

/** Rounds up to 1, 2 or 5 × 10^n so the axis reads well. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** An SVG path for one column; null values break the line (a gap is a gap, not a zero). */
export function linePath(values: (number | null)[], max: number): string {
  const n = values.length;
  if (n === 0) return "";
  const dx = n > 1 ? W / (n - 1) : 0;
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const x = (i * dx).toFixed(1);
    const y = (H - PAD - (Math.min(v, max) / max) * (H - 2 * PAD)).toFixed(1);
    d += `${pen ? "L" : "M"}${x} ${y}`;
    pen = true;
  });
  return d;
}

/**
 * A dependency-free line chart: one or more columns over shared timestamps, a y scale from 0, the
 * value under the pointer, and a text summary for screen readers.
 */
export function LineChart({
  title,
  timestamps,
  series,
  format,
  fixedMax,
}: {
  title: string;
  timestamps: number[];
  series: ChartSeries[];
  format: (v: number) => string;
  fixedMax?: number;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const max = useMemo(() => {
    if (fixedMax !== undefined) return fixedMax;
    let m = 0;
    for (const s of series) for (const v of s.values) if (v !== null && v > m) m = v;
    return niceMax(m);
  }, [series, fixedMax]);
  const latest = series.map((s) => {
    for (let i = s.values.length - 1; i >= 0; i--) {
      const v = s.values[i];
      if (v !== null && v !== undefined) return v;
    }
    return null;
  });
  const n = timestamps.length;
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    if (n === 0 || r.width === 0) return;
    setHover(Math.max(0, Math.min(n - 1, Math.round(((e.clientX - r.left) / r.width) * (n - 1)))));
  };
  const summary = series
    .map((s, i) => `${s.label} ${latest[i] === null ? "no data" : format(latest[i]!)}`)
    .join(", ");
  const at = hover !== null ? timestamps[hover] : undefined;
  return (
    <figure className="chart">
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-latest">
          {series.map((s, i) => (
            <span key={s.label} className={`chart-key tone-${s.tone}`}>
              <span className="swatch" aria-hidden="true" />
              {series.length > 1 && `${s.label} `}
              <strong>{latest[i] === null ? "—" : format(latest[i]!)}</strong>
            </span>
          ))}
        </span>
      </figcaption>
      <div
        className="chart-plot"
        onPointerMove={onMove}
        onPointerLeave={() => setHover(null)}
        role="img"
        aria-label={`${title}: latest ${summary}`}
      >
        <span className="chart-axis chart-axis-top">{format(max)}</span>
        <span className="chart-axis chart-axis-bottom">0</span>
        <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
          <line className="chart-grid" x1="0" x2={W} y1={H / 2} y2={H / 2} vectorEffect="non-scaling-stroke" />
          {series.map((s) => (
            <path
              key={s.label}
              className={`chart-line tone-${s.tone}`}
              d={linePath(s.values, max)}
              vectorEffect="non-scaling-stroke"
            />
          ))}
          {hover !== null && n > 1 && (
            <line
              className="chart-cursor"
              x1={(hover * W) / (n - 1)}
              x2={(hover * W) / (n - 1)}
              y1="0"
              y2={H}
              vectorEffect="non-scaling-stroke"
            />
          )}
        </svg>
        {hover !== null && at !== undefined && (
          <div className="chart-tip small" style={hover > n / 2 ? { left: "0.5rem" } : { right: "0.5rem" }}>
            <div className="muted">{new Date(at).toLocaleTimeString()}</div>
            {series.map((s) => {
              const v = s.values[hover];
              return (
                <div key={s.label}>
                  {s.label}: {v === null || v === undefined ? "no sample" : format(v)}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {n > 0 && (
        <div className="chart-x small muted" aria-hidden="true">
          <span>{new Date(timestamps[0]!).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
          <span>{new Date(timestamps[n - 1]!).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
        </div>
      )}
    </figure>
  );
}
