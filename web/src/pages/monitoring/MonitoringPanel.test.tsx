import { act, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/errors";
import type { InstanceMetrics } from "../../api/types";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import MonitoringPanel from "./MonitoringPanel";
import { nextFetchDelay } from "./useLiveMetrics";

const T0 = 1_795_700_700_000;

function metrics(keys: number, nextSampleInMs?: number): InstanceMetrics {
  const sample = { timestamp_ms: T0, status: "running" as const, ops_per_sec: 1, used_memory: 1024, maxmemory: 2048, keys,
    clients: 1, hit_ratio: 1, evictions_per_sec: 0, expired_per_sec: 0, latency_p50_us: 10, latency_p99_us: 20 };
  return {
    instance_id: "db-aaaaaaaaaaaa", window: "15m", resolution_seconds: 1, timestamps: [T0],
    series: { keys: [keys], ops_per_sec: [1], used_memory: [1024], maxmemory: [2048] }, latest: sample,
    node_manager: "http://nm", ...(nextSampleInMs === undefined ? {} : { next_sample_in_ms: nextSampleInMs }),
  };
}

describe("nextFetchDelay", () => {
  it("asks again just after the sample monitoring announced", () => {
    expect(nextFetchDelay(metrics(1, 600), null)).toBe(700);
    expect(nextFetchDelay(metrics(1, 0), null)).toBe(250); // never a tight loop
    expect(nextFetchDelay(metrics(1, 60_000), null)).toBe(2000); // never a stale chart
    expect(nextFetchDelay(metrics(1), null)).toBe(1000); // no hint: an empty window
  });

  it("backs off on errors, following Retry-After", () => {
    expect(nextFetchDelay(null, new ApiError(429, "rate_limited", "slow down", null, 3))).toBe(3000);
    expect(nextFetchDelay(null, new ApiError(429, "rate_limited", "slow down", null, 3600))).toBe(30_000);
    expect(nextFetchDelay(null, new ApiError(0, "network_error", "down"))).toBe(2000);
  });
});

/** The Keys chart's accessible summary: its latest value. */
const keysChart = () => screen.getByRole("img", { name: /^Keys:/ }).getAttribute("aria-label");

describe("MonitoringPanel", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function setup(answers: Array<() => Response>) {
    const s = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      const next = answers.shift();
      if (!next) throw new Error(`unexpected ${c.method} ${c.path}`);
      return next();
    });
    await s.client.login({ email: "a@example.com", password: "pw" });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    renderWithClient(s.client, <MonitoringPanel instanceId="db-aaaaaaaaaaaa" />);
    return s;
  }

  it("fetches again when the next sample is due and shows the new value", async () => {
    const s = await setup([() => json(200, metrics(3, 400)), () => json(200, metrics(4, 900))]);
    expect(await screen.findByText("Keys")).toBeTruthy();
    expect(keysChart()).toBe("Keys: latest keys 3");
    const metricCalls = () => s.calls.filter((c) => c.path.endsWith("/metrics"));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(metricCalls()).toHaveLength(1); // the sample is due at 400 ms: asked at 500
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(metricCalls()).toHaveLength(2);
    expect(metricCalls()[1]!.url).toContain("window=15m");
    expect(keysChart()).toBe("Keys: latest keys 4");
  });

  it("keeps the charts and says why when the API fails, then recovers", async () => {
    await setup([
      () => json(200, metrics(3, 100)),
      () => apiError(429, "rate_limited", "too many requests", { "Retry-After": "1" }),
      () => json(200, metrics(5, 900)),
    ]);
    expect(await screen.findByText("Keys")).toBeTruthy();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(screen.getByRole("alert").textContent).toContain("Too many requests. Try again in 1 s.");
    expect(keysChart()).toBe("Keys: latest keys 3"); // the last data stays
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1100);
    });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(keysChart()).toBe("Keys: latest keys 5");
  });
});
