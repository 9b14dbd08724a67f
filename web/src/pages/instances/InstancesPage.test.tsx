import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import { InstancesPage } from "./InstancesPage";

const quota = { instances: { used: 0, limit: 10 }, memory_mb: { used: 0, limit: 1024 } };
const instance = {
  id: "db-aaaaaaaaaaaa", name: "cache", status: "running", desired_state: "running", pending_change: false,
  memory_limit_mb: 64, eviction_policy: "allkeys-lru", persistence: "aof-everysec", password: "p",
  endpoint: { host: "127.0.0.1", port: 16000, shared_port: 6379 }, redis_cli: "redis-cli -u redis://default:p@127.0.0.1:16000",
  url: "redis://default:p@127.0.0.1:16000", rest_token: "t", created_at: new Date().toISOString(), updated_at: new Date().toISOString(),
};

async function setup(handler: Parameters<typeof stubClient>[0]) {
  const s = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : handler(c)));
  await s.client.login({ email: "a@example.com", password: "pw" });
  renderWithClient(s.client, <InstancesPage />);
  return s;
}

describe("InstancesPage", () => {
  it("invites to create the first instance", async () => {
    await setup((c) => (c.path === "/api/v1/quota" ? json(200, quota) : json(200, { instances: [] })));
    expect(await screen.findByRole("heading", { name: "Create your first instance" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create instance" })).toBeTruthy();
  });

  it("lists name, status, memory used vs limit, endpoint and age", async () => {
    await setup((c) => {
      if (c.path === "/api/v1/quota") return json(200, quota);
      if (c.path.endsWith("/metrics")) return json(200, { latest: { used_memory: 16 * 1024 * 1024 }, timestamps: [], series: {} });
      return json(200, { instances: [instance] });
    });
    expect(await screen.findByRole("link", { name: "cache" })).toBeTruthy();
    expect(screen.getByText("Running")).toBeTruthy();
    expect(screen.getByText("127.0.0.1:16000")).toBeTruthy();
    expect(screen.getByText("just now")).toBeTruthy();
    expect(await screen.findByText("16.0 MB of 64.0 MB")).toBeTruthy();
  });

  it("shows an outage in the page with a retry, not a blank screen", async () => {
    await setup(() => apiError(503, "upstream_unavailable", "backend is unavailable", { "Retry-After": "1" }));
    const alert = await screen.findByText(/temporarily unavailable/);
    expect(alert.textContent).toContain("backend is unavailable");
    expect(screen.getAllByRole("button", { name: "Try again" }).length).toBeGreaterThan(0);
  });
});
