// The Redis commands behind the key browser, one place per type, so the page stays declarative.
import type { RespValue } from "../../api/types";

export type KeyType = "string" | "hash" | "list" | "set" | "zset" | "none" | string;

export interface KeyRow {
  key: string;
  type: KeyType;
  ttl: number | null; // seconds; -1 no expiry; null unknown
}

/** Rows of a collection as [first, second?] pairs, e.g. [field, value] or [member, score]. */
export type Pair = [string, string | undefined];

export const ITEM_LIMIT = 200;

export function readCommand(type: KeyType, key: string): string[] | null {
  switch (type) {
    case "string": return ["GET", key];
    case "hash": return ["HGETALL", key];
    case "list": return ["LRANGE", key, "0", String(ITEM_LIMIT - 1)];
    case "set": return ["SSCAN", key, "0", "COUNT", String(ITEM_LIMIT)];
    case "zset": return ["ZRANGE", key, "0", String(ITEM_LIMIT - 1), "WITHSCORES"];
    default: return null;
  }
}

function strings(v: RespValue): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [];
}

/** Turns a read reply into rows. */
export function toPairs(type: KeyType, reply: RespValue): Pair[] {
  if (type === "hash" && reply !== null && typeof reply === "object" && !Array.isArray(reply)) {
    return Object.entries(reply).map(([k, v]) => [k, String(v)]);
  }
  if (type === "set") {
    const members = Array.isArray(reply) ? strings(reply[1] ?? []) : [];
    return members.map((m) => [m, undefined]);
  }
  const flat = strings(reply);
  if (type === "hash" || type === "zset") {
    const out: Pair[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]]);
    return out;
  }
  if (type === "list") return flat.map((v, i) => [String(i), v]);
  return [];
}

export function setCommand(type: KeyType, key: string, first: string, second: string): string[] | null {
  switch (type) {
    case "hash": return ["HSET", key, first, second];
    case "list": return ["LSET", key, first, second];
    case "zset": return ["ZADD", key, second, first];
    default: return null;
  }
}

export function addCommand(type: KeyType, key: string, first: string, second: string): string[] | null {
  switch (type) {
    case "hash": return ["HSET", key, first, second];
    case "list": return ["RPUSH", key, first];
    case "set": return ["SADD", key, first];
    case "zset": return ["ZADD", key, second, first];
    default: return null;
  }
}

export function removeCommand(type: KeyType, key: string, pair: Pair): string[] | null {
  switch (type) {
    case "hash": return ["HDEL", key, pair[0]];
    case "list": return pair[1] === undefined ? null : ["LREM", key, "1", pair[1]];
    case "set": return ["SREM", key, pair[0]];
    case "zset": return ["ZREM", key, pair[0]];
    default: return null;
  }
}

export const COLUMNS: Record<string, [string, string | null]> = {
  hash: ["Field", "Value"],
  list: ["Index", "Value"],
  set: ["Member", null],
  zset: ["Member", "Score"],
};

export function formatTtl(ttl: number | null): string {
  if (ttl === null) return "—";
  if (ttl === -1) return "no expiry";
  if (ttl === -2) return "gone";
  if (ttl < 120) return `${ttl} s`;
  if (ttl < 7200) return `${Math.round(ttl / 60)} min`;
  if (ttl < 172800) return `${Math.round(ttl / 3600)} h`;
  return `${Math.round(ttl / 86400)} days`;
}
