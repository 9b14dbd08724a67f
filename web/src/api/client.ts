// The typed client of the api-gateway: every public route, token refresh, and one error type.
//
// Where tokens live: the access token only in memory (this object), so a script that reads storage
// cannot take a token that works on every route for 15 minutes; the refresh token in localStorage,
// so a reload or a new tab stays signed in ("no surprise logouts"). The API offers no cookie-based
// session (the gateway does not forward cookies), so an httpOnly cookie is not an option; the
// console's CSP (script-src 'self', no inline scripts) is what keeps foreign scripts away from
// localStorage. Refresh tokens are single-use and a reused one revokes the session, so refreshes
// are single-flight inside a tab and serialized across tabs with the Web Locks API, reading the
// newest refresh token from storage once the lock is held. Tokens are never logged.

import { ApiError, parseRetryAfter } from "./errors";
import type {
  ApiKey,
  ApiKeyCreated,
  ApiKeyList,
  AuditLog,
  CommandResult,
  Credentials,
  Instance,
  InstanceCreate,
  InstanceList,
  InstanceMetrics,
  InstanceUpdate,
  MetricsWindow,
  Quota,
  Registered,
  RespValue,
  RestResultEntry,
  TokenPair,
  User,
} from "./types";

export const REFRESH_TOKEN_KEY = "miniredis.refresh_token";
/** Why the last session ended ("signed-out" or "expired"), for the other tabs to follow. */
export const SESSION_END_KEY = "miniredis.session_end";
const REFRESH_LOCK = "miniredis.refresh";
/** Refresh this long before the access token expires, so no request is sent with a stale one. */
const REFRESH_MARGIN_MS = 60_000;

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** The gateway routes this client calls; openapi.test.ts checks them against openapi.yaml. */
export const ROUTES: ReadonlyArray<readonly [Method, string]> = [
  ["POST", "/api/v1/auth/register"],
  ["POST", "/api/v1/auth/login"],
  ["POST", "/api/v1/auth/refresh"],
  ["POST", "/api/v1/auth/logout"],
  ["GET", "/api/v1/auth/me"],
  ["GET", "/api/v1/instances"],
  ["POST", "/api/v1/instances"],
  ["GET", "/api/v1/instances/{id}"],
  ["PATCH", "/api/v1/instances/{id}"],
  ["DELETE", "/api/v1/instances/{id}"],
  ["POST", "/api/v1/instances/{id}/start"],
  ["POST", "/api/v1/instances/{id}/stop"],
  ["POST", "/api/v1/instances/{id}/command"],
  ["GET", "/api/v1/instances/{id}/metrics"],
  ["GET", "/api/v1/quota"],
  ["GET", "/api/v1/audit-log"],
  ["GET", "/api/v1/api-keys"],
  ["POST", "/api/v1/api-keys"],
  ["DELETE", "/api/v1/api-keys/{id}"],
  ["POST", "/rest/{id}/pipeline"],
];

export type SessionEvent = "signed-in" | "signed-out" | "expired";

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface LockLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export interface ApiClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  storage?: KeyValueStore | null;
  locks?: LockLike | null;
  timeoutMs?: number;
  now?: () => number;
}

interface RequestOptions {
  body?: unknown;
  auth?: boolean;
  query?: Record<string, string | number | undefined>;
  bearer?: string;
}

const enc = encodeURIComponent;

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly storage: KeyValueStore | null;
  private readonly locks: LockLike | null;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private accessToken: string | null = null;
  private accessExpiresAt = 0;
  private refreshing: Promise<void> | null = null;
  private readonly listeners = new Set<(e: SessionEvent) => void>();

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    // Bound late so tests can stub globalThis.fetch after construction.
    this.fetchImpl = opts.fetch ?? ((...a) => globalThis.fetch(...a));
    this.storage = opts.storage === undefined ? defaultStorage() : opts.storage;
    this.locks = opts.locks === undefined ? defaultLocks() : opts.locks;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.now = opts.now ?? Date.now;
  }

  // ---- session ----

  onSession(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when a refresh token is stored or an access token is held. */
  hasSession(): boolean {
    return this.accessToken !== null || this.readRefreshToken() !== null;
  }

  async register(c: Credentials): Promise<Registered> {
    const r = await this.request<Registered>("POST", "/api/v1/auth/register", { body: c, auth: false });
    this.setTokens(r);
    return r;
  }

  async login(c: Credentials): Promise<TokenPair> {
    const r = await this.request<TokenPair>("POST", "/api/v1/auth/login", { body: c, auth: false });
    this.setTokens(r);
    return r;
  }

  /** Revokes the session on the server (best effort) and forgets the tokens here in any case. */
  async logout(): Promise<void> {
    try {
      if (this.hasSession()) {
        await this.request<void>("POST", "/api/v1/auth/logout");
      }
    } catch {
      // The tokens are dropped below either way; an unreachable server must not keep the user in.
    } finally {
      this.clearTokens("signed-out");
    }
  }

  me(): Promise<User> {
    return this.request("GET", "/api/v1/auth/me");
  }

  /** Trades the stored refresh token for a new pair: single-flight here, serialized across tabs. */
  refreshSession(): Promise<void> {
    if (!this.refreshing) {
      const run = () => this.doRefresh();
      const p = this.locks ? this.locks.request(REFRESH_LOCK, run) : run();
      this.refreshing = p.finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** Forget the session locally. */
  forgetSession(event: SessionEvent = "signed-out"): void {
    this.clearTokens(event);
  }

  /** Another tab removed the refresh token: end this tab's session for the same reason. */
  followSessionEnd(): void {
    let why: SessionEvent = "signed-out";
    try {
      if (this.storage?.getItem(SESSION_END_KEY) === "expired") why = "expired";
    } catch {
      // unreadable storage: treat it as a logout
    }
    this.clearTokens(why);
  }

  // ---- instances ----

  listInstances(): Promise<Instance[]> {
    return this.request<InstanceList>("GET", "/api/v1/instances").then((r) => r.instances);
  }
  createInstance(body: InstanceCreate): Promise<Instance> {
    return this.request("POST", "/api/v1/instances", { body });
  }
  getInstance(id: string): Promise<Instance> {
    return this.request("GET", `/api/v1/instances/${enc(id)}`);
  }
  updateInstance(id: string, body: InstanceUpdate): Promise<Instance> {
    return this.request("PATCH", `/api/v1/instances/${enc(id)}`, { body });
  }
  /** Resolves to the instance (status `deleting`) when the delete finishes later (202), else null. */
  async deleteInstance(id: string): Promise<Instance | null> {
    const r = await this.request<Instance | undefined>("DELETE", `/api/v1/instances/${enc(id)}`);
    return r ?? null;
  }
  startInstance(id: string): Promise<Instance> {
    return this.request("POST", `/api/v1/instances/${enc(id)}/start`);
  }
  stopInstance(id: string): Promise<Instance> {
    return this.request("POST", `/api/v1/instances/${enc(id)}/stop`);
  }
  /** Runs one command; a Redis error reply rejects with ApiError code `command_error`. */
  runCommand(id: string, command: string[]): Promise<RespValue> {
    return this.request<CommandResult>("POST", `/api/v1/instances/${enc(id)}/command`, {
      body: { command },
    }).then((r) => r.result);
  }
  metrics(id: string, window: MetricsWindow): Promise<InstanceMetrics> {
    return this.request("GET", `/api/v1/instances/${enc(id)}/metrics`, { query: { window } });
  }

  /**
   * Several commands in one request through the instance's REST data API (authorized by its
   * rest_token, not rate-limited by the gateway): the key browser reads TYPE and TTL of a page of
   * keys this way instead of two requests per key.
   */
  async pipeline(id: string, restToken: string, commands: string[][]): Promise<RestResultEntry[]> {
    return this.request("POST", `/rest/${enc(id)}/pipeline`, {
      body: commands,
      auth: false,
      bearer: restToken,
    });
  }

  // ---- account ----

  quota(): Promise<Quota> {
    return this.request("GET", "/api/v1/quota");
  }
  auditLog(opts: { limit?: number; before?: string } = {}): Promise<AuditLog> {
    return this.request("GET", "/api/v1/audit-log", { query: opts });
  }
  listApiKeys(): Promise<ApiKey[]> {
    return this.request<ApiKeyList>("GET", "/api/v1/api-keys").then((r) => r.api_keys);
  }
  createApiKey(name: string): Promise<ApiKeyCreated> {
    return this.request("POST", "/api/v1/api-keys", { body: { name } });
  }
  async revokeApiKey(id: string): Promise<void> {
    await this.request<void>("DELETE", `/api/v1/api-keys/${enc(id)}`);
  }

  // ---- plumbing ----

  private async request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    if (!auth) {
      return this.parse<T>(await this.send(method, path, opts, opts.bearer ?? null));
    }
    if (this.accessToken === null || this.accessExpiresAt - this.now() < REFRESH_MARGIN_MS) {
      await this.refreshSession();
    }
    const used = this.accessToken;
    let res = await this.send(method, path, opts, used);
    if (res.status === 401) {
      // Expired early (clock skew), or its key was rotated: refresh once unless another request
      // already did, then retry once. A second 401 is reported as it is.
      if (this.accessToken === used) {
        await this.refreshSession();
      }
      res = await this.send(method, path, opts, this.accessToken);
    }
    return this.parse<T>(res);
  }

  private async send(
    method: Method,
    path: string,
    opts: RequestOptions,
    bearer: string | null,
  ): Promise<Response> {
    let url = this.baseUrl + path;
    if (opts.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) {
        if (v !== undefined) {
          q.set(k, String(v));
        }
      }
      const s = q.toString();
      if (s) {
        url += `?${s}`;
      }
    }
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    if (bearer) {
      headers["Authorization"] = `Bearer ${bearer}`;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    try {
      const init: RequestInit = { method, headers, signal: ctl.signal, credentials: "omit" };
      if (opts.body !== undefined) {
        init.body = JSON.stringify(opts.body);
      }
      return await this.fetchImpl(url, init);
    } catch (e) {
      if (ctl.signal.aborted) {
        throw new ApiError(0, "timeout", `no answer from the API within ${this.timeoutMs / 1000} s`);
      }
      throw new ApiError(0, "network_error", `cannot reach ${this.baseUrl}: ${String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async parse<T>(res: Response): Promise<T> {
    const requestId = res.headers.get("X-Request-Id");
    const retryAfter = parseRetryAfter(res.headers.get("Retry-After"), this.now());
    if (res.status === 204) {
      return undefined as T;
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) {
          throw new ApiError(res.status, "invalid_response", "the API answered something that is not JSON", requestId);
        }
      }
    }
    if (res.ok) {
      return body as T;
    }
    const err = (body as { error?: unknown } | undefined)?.error;
    if (err && typeof err === "object") {
      const e = err as { code?: unknown; message?: unknown; request_id?: unknown };
      throw new ApiError(
        res.status,
        typeof e.code === "string" ? e.code : `http_${res.status}`,
        typeof e.message === "string" ? e.message : res.statusText || `HTTP ${res.status}`,
        typeof e.request_id === "string" ? e.request_id : requestId,
        retryAfter,
      );
    }
    // The REST data API answers Upstash's {"error": "<message>"}.
    const message = typeof err === "string" ? err : res.statusText || `HTTP ${res.status}`;
    throw new ApiError(res.status, `http_${res.status}`, message, requestId, retryAfter);
  }

  private async doRefresh(): Promise<void> {
    // Read inside the lock: another tab may have spent the token we knew and stored its successor.
    const token = this.readRefreshToken();
    if (token === null) {
      this.clearTokens("expired");
      throw sessionExpired();
    }
    let pair: TokenPair;
    try {
      pair = await this.parse<TokenPair>(
        await this.send("POST", "/api/v1/auth/refresh", { body: { refresh_token: token } }, null),
      );
    } catch (e) {
      // 401 = the session is over (expired, revoked, logged out elsewhere). Anything else (API
      // down, 429) keeps the refresh token so the next request can try again.
      if (e instanceof ApiError && (e.status === 401 || e.code === "invalid_refresh_token")) {
        this.clearTokens("expired");
        throw sessionExpired(e.requestId);
      }
      throw e;
    }
    this.setTokens(pair, false);
  }

  private setTokens(pair: TokenPair, announce = true): void {
    this.accessToken = pair.access_token;
    this.accessExpiresAt = this.now() + pair.expires_in * 1000;
    try {
      this.storage?.setItem(REFRESH_TOKEN_KEY, pair.refresh_token);
    } catch {
      // Storage full or disabled (private mode): the session lasts as long as this page.
    }
    if (announce) {
      this.emit("signed-in");
    }
  }

  private clearTokens(event: SessionEvent): void {
    const had = this.accessToken !== null || this.readRefreshToken() !== null;
    this.accessToken = null;
    this.accessExpiresAt = 0;
    try {
      if (had) this.storage?.setItem(SESSION_END_KEY, event);
      this.storage?.removeItem(REFRESH_TOKEN_KEY);
    } catch {
      // nothing to clean then
    }
    if (had || event === "signed-out") {
      this.emit(event);
    }
  }

  private readRefreshToken(): string | null {
    try {
      return this.storage?.getItem(REFRESH_TOKEN_KEY) ?? null;
    } catch {
      return null;
    }
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) {
      l(e);
    }
  }
}

function sessionExpired(requestId: string | null = null): ApiError {
  return new ApiError(401, "session_expired", "your session has expired; log in again", requestId);
}

function defaultStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function defaultLocks(): LockLike | null {
  const l = typeof navigator === "undefined" ? undefined : (navigator as { locks?: LockLike }).locks;
  return l ?? null;
}
