import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, json, renderWithClient, stubClient, TOKENS, type Call } from "../../test-utils";
import { InstancePage } from "./InstancePage";

const base = {
  id: "db-aaaaaaaaaaaa", name: "cache", pending_change: false, memory_limit_mb: 64, eviction_policy: "allkeys-lru",
  persistence: "aof-everysec", password: "p", endpoint: { host: "127.0.0.1", port: 16000, shared_port: 6379 },
  redis_cli: "redis-cli -u redis://default:p@127.0.0.1:16000", url: "redis://default:p@127.0.0.1:16000", rest_token: "t",
  created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
};
const stopped = { ...base, status: "stopped", desired_state: "stopped" };
const running = { ...base, status: "running", desired_state: "running" };
const quota = { instances: { used: 1, limit: 10 }, memory_mb: { used: 64, limit: 1024 } };

async function setup(onAction: (c: Call) => Response) {
  const s = stubClient((c) => {
    if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
    if (c.path === "/api/v1/quota") return json(200, quota);
    if (c.path.endsWith("/metrics")) return json(200, { instance_id: base.id, window: "15m", resolution_seconds: 1, timestamps: [], series: {}, latest: null });
    if (c.method === "GET") return json(200, stopped);
    return onAction(c);
  });
  await s.client.login({ email: "a@example.com", password: "pw" });
  renderWithClient(s.client, <InstancePage id={base.id} tab={undefined} />);
  await screen.findByRole("heading", { name: "cache" });
  return s;
}

const posts = (calls: Call[]) => calls.filter((c) => c.method === "POST" && c.path.startsWith("/api/v1/instances"));

describe("InstancePage", () => {
  it("asks before starting, and starts only once confirmed", async () => {
    const s = await setup(() => json(200, running));
    fireEvent.click(screen.getByRole("button", { name: "Start" }));
    const dialog = await screen.findByRole("dialog", { name: "Start cache?" });
    expect(dialog.textContent).toContain("127.0.0.1:16000");
    expect(posts(s.calls)).toHaveLength(0);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(posts(s.calls)).toHaveLength(0);

    fireEvent.click(screen.getByRole("button", { name: "Start" }));
    fireEvent.click(await screen.findByRole("button", { name: "Start instance" }));
    expect(await screen.findByRole("button", { name: "Stop" })).toBeTruthy();
    expect(posts(s.calls).map((c) => c.path)).toEqual([`/api/v1/instances/${base.id}/start`]);
  });

  it("keeps the dialog open with the reason when starting fails", async () => {
    await setup(() => apiError(429, "rate_limited", "too many requests", { "Retry-After": "2" }));
    fireEvent.click(screen.getByRole("button", { name: "Start" }));
    fireEvent.click(await screen.findByRole("button", { name: "Start instance" }));
    const dialog = await screen.findByRole("dialog", { name: "Start cache?" });
    await waitFor(() => expect(dialog.textContent).toContain("Too many requests. Try again in 2 s."));
    expect(screen.getByRole("button", { name: "Start instance" })).toBeTruthy();
  });
});
