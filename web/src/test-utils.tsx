// Test helpers: a real ApiClient whose fetch is stubbed at the boundary, and a render wrapper.
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";
import { ApiClient } from "./api/client";
import { ClientContext } from "./hooks";

export interface Call {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "X-Request-Id": "req-test", ...headers },
  });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { code, message, request_id: "req-err" } }, headers);
}

export const TOKENS = {
  access_token: "aaa.bbb.ccc",
  refresh_token: `mr_rt_${"r".repeat(43)}`,
  token_type: "Bearer" as const,
  expires_in: 900,
};

export function memoryStorage(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

/** A client on http://api.test whose fetch calls `handler`; `calls` records every request. */
export function stubClient(handler: Handler, opts: { storage?: ReturnType<typeof memoryStorage>; now?: () => number } = {}) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const u = new URL(url);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call: Call = {
      method: init?.method ?? "GET",
      url,
      path: u.pathname,
      headers,
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return handler(call);
  });
  const storage = opts.storage ?? memoryStorage();
  const client = new ApiClient({
    baseUrl: "http://api.test/",
    fetch: fetchMock as unknown as typeof fetch,
    storage,
    locks: null,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { client, calls, fetchMock, storage };
}

export function renderWithClient(client: ApiClient, ui: ReactNode) {
  return render(<ClientContext.Provider value={client}>{ui}</ClientContext.Provider>);
}
