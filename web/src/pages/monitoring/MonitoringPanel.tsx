import { useState } from "react";
import { METRICS_WINDOWS, type MetricName, type MetricsWindow } from "../../api/types";
import { ErrorNotice } from "../../components/ErrorNotice";
import { LineChart, type ChartSeries } from "../../components/LineChart";
import { formatBytes, formatNumber } from "../../format";
import { useLiveMetrics } from "./useLiveMetrics";

const WINDOW_LABELS: Record<MetricsWindow, string> = { "15m": "15 min", "1h": "1 hour", "24h": "24 hours" };

const formatUs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${Math.round(v)} µs`);
const formatPct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** Live charts of one instance, fetched again just after each new sample while the tab is visible. */
export default function MonitoringPanel({ instanceId }: { instanceId: string }) {
  const [win, setWin] = useState<MetricsWindow>("15m");
  const { data, error } = useLiveMetrics(instanceId, win);

  const col = (name: MetricName) => data?.series[name] ?? [];
  const ts = data?.timestamps ?? [];
  const s = (label: string, name: MetricName, tone: ChartSeries["tone"]): ChartSeries => ({ label, values: col(name), tone });

  return (
    <section className="stack" aria-labelledby="mon-title">
      <div className="row-between">
        <h2 id="mon-title">Monitoring</h2>
        <div className="segmented" role="group" aria-label="Time window">
          {METRICS_WINDOWS.map((w) => (
            <button key={w} type="button" className="btn btn-small" aria-pressed={w === win} onClick={() => setWin(w)}>
              {WINDOW_LABELS[w]}
            </button>
          ))}
        </div>
      </div>
      <ErrorNotice error={error} title="Metrics are not updating" />
      {data && ts.length === 0 && <p className="muted">No samples yet: the first ones arrive within a few seconds of creating the instance.</p>}
      {data && data.latest?.status === "stopped" && <p className="notice notice-info">The instance is stopped; its charts resume when it starts.</p>}
      {!data && !error && <p className="muted" role="status">Loading metrics…</p>}
      {data && ts.length > 0 && (
        <div className="charts">
          <LineChart title="Operations / s" timestamps={ts} series={[s("ops/s", "ops_per_sec", "a")]} format={(v) => formatNumber(v)} />
          <LineChart
            title="Memory"
            timestamps={ts}
            series={[s("used", "used_memory", "a"), s("limit", "maxmemory", "c")]}
            format={formatBytes}
            fixedMax={data.latest?.maxmemory || undefined}
          />
          <LineChart title="Keys" timestamps={ts} series={[s("keys", "keys", "a")]} format={(v) => formatNumber(v, 0)} />
          <LineChart title="Clients" timestamps={ts} series={[s("clients", "clients", "a")]} format={(v) => formatNumber(v, 0)} />
          <LineChart title="Hit ratio" timestamps={ts} series={[s("hit ratio", "hit_ratio", "a")]} format={formatPct} fixedMax={1} />
          <LineChart
            title="Latency"
            timestamps={ts}
            series={[s("p50", "latency_p50_us", "a"), s("p99", "latency_p99_us", "b")]}
            format={formatUs}
          />
        </div>
      )}
      {data && (
        <p className="small muted">
          {data.resolution_seconds === 1 ? "One point per second" : "One point per minute"}; gaps are times without a sample.
        </p>
      )}
    </section>
  );
}
