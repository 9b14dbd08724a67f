import { useEffect, useState } from "react";
import { ApiError } from "../../api/errors";
import type { InstanceMetrics, MetricsWindow } from "../../api/types";
import { useClient } from "../../hooks";

/** After the sample monitoring announced, so the fetch finds it stored. */
const MARGIN_MS = 100;
/** Bounds of the wait between two fetches: never a tight loop, never a stale chart. */
const MIN_MS = 250;
const MAX_MS = 2000;
/** A cap on a server's Retry-After, so a chart never freezes for long. */
const MAX_RETRY_MS = 30_000;

/**
 * How long to wait before fetching the metrics again. Monitoring polls node-managers on whole
 * interval ticks and says when the next sample lands (`next_sample_in_ms`): asking just after it
 * shows a write within about one poll interval, where a fixed 1–2 s timer adds up to its whole
 * period on top. Errors back off: Retry-After for a 429, 2 s otherwise.
 */
export function nextFetchDelay(result: InstanceMetrics | null, error: unknown): number {
  if (error) {
    if (error instanceof ApiError && error.retryAfter !== null) {
      return Math.min(MAX_RETRY_MS, Math.max(MIN_MS, error.retryAfter * 1000));
    }
    return MAX_MS;
  }
  const hint = result?.next_sample_in_ms;
  if (hint === undefined) return 1000; // no sample yet: the first one is at most a poll away
  return Math.min(MAX_MS, Math.max(MIN_MS, hint + MARGIN_MS));
}

/** The metrics of one instance and window, kept live while the page is visible. */
export function useLiveMetrics(instanceId: string, win: MetricsWindow): { data: InstanceMetrics | null; error: unknown } {
  const client = useClient();
  const [data, setData] = useState<InstanceMetrics | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waitingForVisible = false;
    const fetchOnce = async () => {
      timer = undefined;
      if (document.visibilityState === "hidden") {
        waitingForVisible = true; // resumed by onVisible
        return;
      }
      let result: InstanceMetrics | null = null;
      let failure: unknown = null;
      try {
        result = await client.metrics(instanceId, win);
      } catch (e) {
        failure = e;
      }
      if (!live) return; // another window or instance took over; its answer wins
      if (result) setData(result);
      setError(failure);
      timer = setTimeout(() => void fetchOnce(), nextFetchDelay(result, failure));
    };
    const onVisible = () => {
      if (document.visibilityState !== "hidden" && waitingForVisible) {
        waitingForVisible = false;
        void fetchOnce();
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    void fetchOnce();
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [client, instanceId, win]);

  return { data, error };
}
