// The public API's shapes, written from docs/api/openapi.yaml (components/schemas). openapi.test.ts
// reads that file and fails when a schema's properties or the routes drift from what is here.

export type Timestamp = string; // RFC 3339 UTC with milliseconds

export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

export interface Credentials {
  email: string;
  password: string;
}

export interface RefreshRequest {
  refresh_token: string;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
}

export interface User {
  id: string;
  email: string;
  created_at: Timestamp;
}

export interface Registered extends TokenPair {
  user: User;
}

export const EVICTION_POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export const PERSISTENCE_MODES = ["aof-everysec", "aof-always", "snapshot", "none"] as const;
export type Persistence = (typeof PERSISTENCE_MODES)[number];

export type InstanceStatus = "provisioning" | "running" | "stopped" | "deleting" | "error";

export interface InstanceCreate {
  name: string;
  memory_limit_mb: number;
  eviction_policy?: EvictionPolicy;
  persistence?: Persistence;
}

export type InstanceUpdate = Partial<InstanceCreate>;

export interface Endpoint {
  host: string | null;
  port: number | null;
  shared_port: number | null;
}

export interface Instance {
  id: string;
  name: string;
  status: InstanceStatus;
  status_message?: string;
  desired_state: "running" | "stopped" | "deleted";
  pending_change: boolean;
  memory_limit_mb: number;
  eviction_policy: EvictionPolicy;
  persistence: Persistence;
  password: string | null;
  endpoint: Endpoint;
  redis_cli: string | null;
  url: string | null;
  rest_token: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InstanceList {
  instances: Instance[];
}

export interface CommandRequest {
  command: string[];
}

/** A RESP reply as JSON: nil is null, maps are objects, a nested error is {"error": "..."}. */
export type RespValue = string | number | boolean | null | RespValue[] | { [key: string]: RespValue };

export interface CommandResult {
  result: RespValue;
}

export interface QuotaUsage {
  used: number;
  limit: number;
}

export interface Quota {
  instances: QuotaUsage;
  memory_mb: QuotaUsage;
}

export type AuditAction =
  | "instance.create"
  | "instance.update"
  | "instance.start"
  | "instance.stop"
  | "instance.delete"
  | "api_key.create"
  | "api_key.revoke"
  | "instance.reprovision"
  | "instance.error";

export interface AuditEvent {
  id: string;
  at: Timestamp;
  actor: { type: "user" | "system"; user_id: string | null; api_key_id: string | null };
  action: AuditAction;
  target: { type: "instance" | "api_key"; id: string };
  details: Record<string, unknown>;
  remote_address: string | null;
  request_id: string | null;
}

export interface AuditLog {
  events: AuditEvent[];
  next_before: string | null;
}

export interface ApiKeyCreate {
  name: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface ApiKeyCreated {
  id: string;
  name: string;
  prefix: string;
  key: string;
  created_at: Timestamp;
  last_used_at?: null;
}

export interface ApiKeyList {
  api_keys: ApiKey[];
}

export const METRICS_WINDOWS = ["15m", "1h", "24h"] as const;
export type MetricsWindow = (typeof METRICS_WINDOWS)[number];

export type Column = (number | null)[];

export const METRIC_NAMES = [
  "ops_per_sec",
  "used_memory",
  "maxmemory",
  "keys",
  "clients",
  "hit_ratio",
  "evictions_per_sec",
  "expired_per_sec",
  "latency_p50_us",
  "latency_p99_us",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type MetricsSample = { timestamp_ms: number; status: "running" | "stopped" } & {
  [K in MetricName]: number | null;
};

export interface InstanceMetrics {
  instance_id: string;
  window: MetricsWindow;
  resolution_seconds: 1 | 60;
  timestamps: number[];
  series: Partial<Record<MetricName, Column>>;
  latest: MetricsSample | null;
  node_manager?: string;
  /** When monitoring expects the next sample, from now: live charts ask again just after it. */
  next_sample_in_ms?: number;
}

/** REST data API (Upstash protocol): one entry per pipelined command. */
export type RestResultEntry = { result: RespValue } | { error: string };

/**
 * Every property of each schema, checked at compile time against the interfaces above
 * (`exactKeys`) and at test time against openapi.yaml (openapi.test.ts).
 */
type ExactKeys<T> = <K extends readonly (keyof T)[]>(
  ...keys: K & ([keyof T] extends [K[number]] ? unknown : ["missing a key of the type"])
) => K;
function exactKeys<T>(): ExactKeys<T> {
  return (...keys) => keys;
}

export const SCHEMA_KEYS = {
  Credentials: exactKeys<Credentials>()("email", "password"),
  RefreshRequest: exactKeys<RefreshRequest>()("refresh_token"),
  TokenPair: exactKeys<TokenPair>()("access_token", "refresh_token", "token_type", "expires_in"),
  Registered: exactKeys<Registered>()(
    "access_token",
    "refresh_token",
    "token_type",
    "expires_in",
    "user",
  ),
  User: exactKeys<User>()("id", "email", "created_at"),
  InstanceCreate: exactKeys<InstanceCreate>()(
    "name",
    "memory_limit_mb",
    "eviction_policy",
    "persistence",
  ),
  InstanceUpdate: exactKeys<InstanceUpdate>()(
    "name",
    "memory_limit_mb",
    "eviction_policy",
    "persistence",
  ),
  Instance: exactKeys<Instance>()(
    "id",
    "name",
    "status",
    "status_message",
    "desired_state",
    "pending_change",
    "memory_limit_mb",
    "eviction_policy",
    "persistence",
    "password",
    "endpoint",
    "redis_cli",
    "url",
    "rest_token",
    "created_at",
    "updated_at",
  ),
  InstanceList: exactKeys<InstanceList>()("instances"),
  CommandRequest: exactKeys<CommandRequest>()("command"),
  CommandResult: exactKeys<CommandResult>()("result"),
  Quota: exactKeys<Quota>()("instances", "memory_mb"),
  QuotaUsage: exactKeys<QuotaUsage>()("used", "limit"),
  AuditEvent: exactKeys<AuditEvent>()(
    "id",
    "at",
    "actor",
    "action",
    "target",
    "details",
    "remote_address",
    "request_id",
  ),
  AuditLog: exactKeys<AuditLog>()("events", "next_before"),
  ApiKeyCreate: exactKeys<ApiKeyCreate>()("name"),
  ApiKey: exactKeys<ApiKey>()("id", "name", "prefix", "created_at", "last_used_at"),
  ApiKeyCreated: exactKeys<ApiKeyCreated>()(
    "id",
    "name",
    "prefix",
    "key",
    "created_at",
    "last_used_at",
  ),
  ApiKeyList: exactKeys<ApiKeyList>()("api_keys"),
  InstanceMetrics: exactKeys<InstanceMetrics>()(
    "instance_id",
    "window",
    "resolution_seconds",
    "timestamps",
    "series",
    "latest",
    "node_manager",
    "next_sample_in_ms",
  ),
  MetricsSample: exactKeys<MetricsSample>()(
    "timestamp_ms",
    "status",
    ...METRIC_NAMES,
  ),
} as const;

/** Optional properties (absent from the schema's `required`). */
export const OPTIONAL_KEYS: Partial<Record<keyof typeof SCHEMA_KEYS, readonly string[]>> = {
  InstanceCreate: ["eviction_policy", "persistence"],
  InstanceUpdate: ["name", "memory_limit_mb", "eviction_policy", "persistence"],
  Instance: ["status_message"],
  InstanceMetrics: ["node_manager", "next_sample_in_ms"],
  ApiKeyCreated: ["last_used_at"],
};
