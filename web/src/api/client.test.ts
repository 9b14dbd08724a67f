import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, memoryStorage, stubClient, TOKENS } from "../test-utils";
import { ApiClient, REFRESH_TOKEN_KEY, SESSION_END_KEY } from "./client";
import { ApiError, parseRetryAfter } from "./errors";

const NEW_TOKENS = { ...TOKENS, access_token: "new.access.token", refresh_token: `mr_rt_${"n".repeat(43)}` };

function signedInStorage() {
  return memoryStorage({ [REFRESH_TOKEN_KEY]: TOKENS.refresh_token });
}

afterEach(() => vi.useRealTimers());

describe("ApiClient auth", () => {
  it("logs in, keeps the refresh token in storage and sends the access token", async () => {
    const { client, calls, storage } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/instances") return json(200, { instances: [] });
      return apiError(404, "not_found", "no");
    });
    const events: string[] = [];
    client.onSession((e) => events.push(e));
    await client.login({ email: "a@example.com", password: "pw" });
    expect(storage.map.get(REFRESH_TOKEN_KEY)).toBe(TOKENS.refresh_token);
    expect(storage.map.get(REFRESH_TOKEN_KEY)).not.toContain(TOKENS.access_token);
    expect(events).toEqual(["signed-in"]);
    expect(await client.listInstances()).toEqual([]);
    expect(calls[0]!.body).toEqual({ email: "a@example.com", password: "pw" });
    expect(calls[0]!.headers["Authorization"]).toBeUndefined();
    expect(calls[1]!.headers["Authorization"]).toBe(`Bearer ${TOKENS.access_token}`);
    expect(calls[1]!.url).toBe("http://api.test/api/v1/instances");
  });

  it("restores a session from the stored refresh token", async () => {
    const { client, calls, storage } = stubClient((c) => {
      if (c.path === "/api/v1/auth/refresh") return json(200, NEW_TOKENS);
      return json(200, { id: "1", email: "a@example.com", created_at: "2026-01-01T00:00:00.000Z" });
    }, { storage: signedInStorage() });
    expect(client.hasSession()).toBe(true);
    const me = await client.me();
    expect(me.email).toBe("a@example.com");
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me"]);
    expect(calls[0]!.body).toEqual({ refresh_token: TOKENS.refresh_token });
    expect(calls[1]!.headers["Authorization"]).toBe(`Bearer ${NEW_TOKENS.access_token}`);
    expect(storage.map.get(REFRESH_TOKEN_KEY)).toBe(NEW_TOKENS.refresh_token);
  });

  it("refreshes once for many concurrent requests (single flight)", async () => {
    let refreshes = 0;
    const { client } = stubClient(async (c) => {
      if (c.path === "/api/v1/auth/refresh") {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, NEW_TOKENS);
      }
      return json(200, { instances: [] });
    }, { storage: signedInStorage() });
    await Promise.all([client.listInstances(), client.quota(), client.listApiKeys(), client.listInstances()]);
    expect(refreshes).toBe(1);
  });

  it("refreshes before the access token expires", async () => {
    let now = 1_000_000;
    const { client, calls } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/auth/refresh") return json(200, NEW_TOKENS);
      return json(200, { instances: [] });
    }, { now: () => now });
    await client.login({ email: "a@example.com", password: "pw" });
    now += (TOKENS.expires_in - 30) * 1000; // 30 s left: inside the refresh margin
    await client.listInstances();
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/instances"]);
    expect(calls[2]!.headers["Authorization"]).toBe(`Bearer ${NEW_TOKENS.access_token}`);
  });

  it("on a 401 refreshes and retries the request once", async () => {
    const { client, calls } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/auth/refresh") return json(200, NEW_TOKENS);
      if (c.headers["Authorization"] === `Bearer ${TOKENS.access_token}`) return apiError(401, "invalid_token", "expired");
      return json(200, { instances: [{ id: "db-x" }] });
    });
    await client.login({ email: "a@example.com", password: "pw" });
    const list = await client.listInstances();
    expect(list).toHaveLength(1);
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/auth/login", "/api/v1/instances", "/api/v1/auth/refresh", "/api/v1/instances"]);
  });

  it("ends the session when the refresh token is refused", async () => {
    const { client, storage } = stubClient((c) => {
      if (c.path === "/api/v1/auth/refresh") return apiError(401, "invalid_refresh_token", "spent");
      return json(200, {});
    }, { storage: signedInStorage() });
    const events: string[] = [];
    client.onSession((e) => events.push(e));
    const err = await client.quota().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("session_expired");
    expect(storage.map.has(REFRESH_TOKEN_KEY)).toBe(false);
    expect(events).toEqual(["expired"]);
    expect(client.hasSession()).toBe(false);
  });

  it("keeps the session when the API is down during a refresh", async () => {
    const { client, storage } = stubClient(() => apiError(503, "upstream_unavailable", "auth-service is down", { "Retry-After": "1" }), {
      storage: signedInStorage(),
    });
    const err = (await client.quota().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(503);
    expect(err.retryAfter).toBe(1);
    expect(err.isUnavailable).toBe(true);
    expect(storage.map.get(REFRESH_TOKEN_KEY)).toBe(TOKENS.refresh_token);
  });

  it("uses the refresh token another tab stored (read under the lock)", async () => {
    const storage = signedInStorage();
    const order: string[] = [];
    const locks = {
      request: async <T,>(_name: string, cb: () => Promise<T>) => {
        order.push("lock");
        storage.setItem(REFRESH_TOKEN_KEY, "mr_rt_from_other_tab"); // the other tab refreshed first
        return cb();
      },
    };
    const sent: unknown[] = [];
    const client = new ApiClient({
      baseUrl: "http://api.test",
      storage,
      locks,
      fetch: (async (_u: string, init: RequestInit) => {
        sent.push(JSON.parse(String(init.body ?? "null")));
        return json(200, NEW_TOKENS);
      }) as unknown as typeof fetch,
    });
    await client.refreshSession();
    expect(order).toEqual(["lock"]);
    expect(sent[0]).toEqual({ refresh_token: "mr_rt_from_other_tab" });
  });

  it("logs out: revokes on the server and forgets tokens even when that call fails", async () => {
    const { client, calls, storage } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      throw new TypeError("Failed to fetch");
    });
    await client.login({ email: "a@example.com", password: "pw" });
    const events: string[] = [];
    client.onSession((e) => events.push(e));
    await client.logout();
    expect(calls[1]!.path).toBe("/api/v1/auth/logout");
    expect(calls[1]!.headers["Authorization"]).toBe(`Bearer ${TOKENS.access_token}`);
    expect(storage.map.has(REFRESH_TOKEN_KEY)).toBe(false);
    expect(client.hasSession()).toBe(false);
    expect(events).toEqual(["signed-out"]);
  });

  it("follows another tab: a logout signs out, an expiry asks to log in again", async () => {
    for (const reason of ["signed-out", "expired"] as const) {
      const { client, storage } = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : json(200, {})));
      await client.login({ email: "a@example.com", password: "pw" });
      const events: string[] = [];
      client.onSession((e) => events.push(e));
      storage.setItem(SESSION_END_KEY, reason); // what the other tab wrote before removing the token
      storage.removeItem(REFRESH_TOKEN_KEY);
      client.followSessionEnd();
      expect(events).toEqual([reason]);
      expect(client.hasSession()).toBe(false);
    }
  });

  it("records why a session ended for the other tabs", async () => {
    const { client, storage } = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : apiError(401, "invalid_refresh_token", "spent")));
    await client.login({ email: "a@example.com", password: "pw" });
    await client.refreshSession().catch(() => undefined);
    expect(storage.map.get(SESSION_END_KEY)).toBe("expired");
  });

  it("never writes tokens to the console", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
    const { client } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/auth/refresh") return apiError(401, "invalid_refresh_token", "spent");
      return apiError(401, "invalid_token", "bad");
    });
    await client.login({ email: "a@example.com", password: "pw" });
    await client.quota().catch(() => undefined);
    await client.logout();
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  });
});

describe("ApiClient errors", () => {
  async function signedIn(handler: Parameters<typeof stubClient>[0]) {
    const s = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : handler(c)));
    await s.client.login({ email: "a@example.com", password: "pw" });
    return s;
  }

  it("carries the server's code, message and request id", async () => {
    const { client } = await signedIn(() => apiError(409, "name_taken", "an instance named 'cache' exists"));
    const err = (await client.createInstance({ name: "cache", memory_limit_mb: 1 }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe("name_taken");
    expect(err.message).toBe("an instance named 'cache' exists");
    expect(err.requestId).toBe("req-err");
    expect(err.userMessage()).toBe("an instance named 'cache' exists");
  });

  it("reads Retry-After on 429", async () => {
    const { client } = await signedIn(() => apiError(429, "rate_limited", "slow down", { "Retry-After": "3" }));
    const err = (await client.quota().catch((e: unknown) => e)) as ApiError;
    expect(err.isRateLimited).toBe(true);
    expect(err.retryAfter).toBe(3);
    expect(err.userMessage()).toBe("Too many requests. Try again in 3 s.");
  });

  it("turns a network failure into network_error", async () => {
    const { client } = await signedIn(() => {
      throw new TypeError("Failed to fetch");
    });
    const err = (await client.quota().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.code).toBe("network_error");
    expect(err.isUnavailable).toBe(true);
    expect(err.userMessage()).toMatch(/Cannot reach the MiniRedis API/);
  });

  it("times out a request that never answers", async () => {
    const client = new ApiClient({
      baseUrl: "http://api.test",
      storage: null,
      locks: null,
      timeoutMs: 20,
      fetch: ((_u: string, init: RequestInit) =>
        new Promise((_r, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))))) as unknown as typeof fetch,
    });
    const err = (await client.login({ email: "a@example.com", password: "x" }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("timeout");
  });

  it("reports a body that is not JSON with the status", async () => {
    const { client } = await signedIn(() => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway", headers: { "X-Request-Id": "r1" } }));
    const err = (await client.quota().catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("http_502");
    expect(err.requestId).toBe("r1");
    expect(err.isUnavailable).toBe(true);
  });

  it("reports a Redis error reply as command_error", async () => {
    const { client, calls } = await signedIn(() => apiError(400, "command_error", "ERR value is not an integer or out of range"));
    const err = (await client.runCommand("db-aaaaaaaaaaaa", ["INCR", "k"]).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("command_error");
    expect(calls[1]!.body).toEqual({ command: ["INCR", "k"] });
    expect(calls[1]!.path).toBe("/api/v1/instances/db-aaaaaaaaaaaa/command");
  });
});

describe("ApiClient routes", () => {
  it("calls each route with its method, path and body", async () => {
    const { client, calls } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.method === "DELETE" && c.path.startsWith("/api/v1/api-keys/")) return json(204, null);
      if (c.method === "DELETE") return json(202, { id: "db-x", status: "deleting" });
      if (c.path.endsWith("/metrics")) return json(200, { timestamps: [] });
      if (c.path === "/api/v1/audit-log") return json(200, { events: [], next_before: null });
      if (c.path === "/api/v1/api-keys" && c.method === "GET") return json(200, { api_keys: [] });
      if (c.path.endsWith("/command")) return json(200, { result: "PONG" });
      if (c.path.startsWith("/rest/")) return json(200, [{ result: "string" }, { result: -1 }]);
      return json(200, { id: "db-x" });
    });
    await client.login({ email: "a@example.com", password: "pw" });
    await client.getInstance("db-x");
    await client.updateInstance("db-x", { memory_limit_mb: 32 });
    await client.startInstance("db-x");
    await client.stopInstance("db-x");
    expect(await client.deleteInstance("db-x")).toEqual({ id: "db-x", status: "deleting" });
    await client.metrics("db-x", "1h");
    await client.auditLog({ limit: 10, before: "42" });
    expect(await client.listApiKeys()).toEqual([]);
    await client.createApiKey("ci");
    await client.revokeApiKey("7");
    expect(await client.runCommand("db-x", ["PING"])).toBe("PONG");
    expect(await client.pipeline("db-x", "resttoken", [["TYPE", "k"], ["TTL", "k"]])).toEqual([{ result: "string" }, { result: -1 }]);
    const seen = calls.slice(1).map((c) => `${c.method} ${c.url.replace("http://api.test", "")}`);
    expect(seen).toEqual([
      "GET /api/v1/instances/db-x",
      "PATCH /api/v1/instances/db-x",
      "POST /api/v1/instances/db-x/start",
      "POST /api/v1/instances/db-x/stop",
      "DELETE /api/v1/instances/db-x",
      "GET /api/v1/instances/db-x/metrics?window=1h",
      "GET /api/v1/audit-log?limit=10&before=42",
      "GET /api/v1/api-keys",
      "POST /api/v1/api-keys",
      "DELETE /api/v1/api-keys/7",
      "POST /api/v1/instances/db-x/command",
      "POST /rest/db-x/pipeline",
    ]);
    expect(calls[2]!.body).toEqual({ memory_limit_mb: 32 });
    expect(calls[9]!.body).toEqual({ name: "ci" });
    const rest = calls[calls.length - 1]!;
    expect(rest.headers["Authorization"]).toBe("Bearer resttoken");
    expect(rest.body).toEqual([["TYPE", "k"], ["TTL", "k"]]);
  });

  it("answers null for a finished delete (204)", async () => {
    const { client } = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : json(204, null)));
    await client.login({ email: "a@example.com", password: "pw" });
    expect(await client.deleteInstance("db-x")).toBeNull();
  });

  it("reads the REST API's Upstash-style error", async () => {
    const { client } = stubClient(() => json(401, { error: "Unauthorized: bad token" }));
    const err = (await client.pipeline("db-x", "t", [["PING"]]).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(401);
    expect(err.message).toBe("Unauthorized: bad token");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("5")).toBe(5);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
    const now = Date.parse("2026-11-26T14:00:00Z");
    expect(parseRetryAfter("Thu, 26 Nov 2026 14:00:10 GMT", now)).toBe(10);
  });
});
