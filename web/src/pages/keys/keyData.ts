// The Redis commands behind the key browser, one place per type, so the page stays declarative.
import type { RespValue } from "../../api/types";

export type KeyType = "string" | "hash" | "list" | "set" | "zset" | "stream" | "none" | string;

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
    case "stream": return ["XRANGE", key, "-", "+", "COUNT", String(ITEM_LIMIT)];
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
    case "stream": return ["XADD", key, "*", first, second];
    default: return null;
  }
}

export function removeCommand(type: KeyType, key: string, pair: Pair): string[] | null {
  switch (type) {
    case "hash": return ["HDEL", key, pair[0]];
    case "list": return pair[1] === undefined ? null : ["LREM", key, "1", pair[1]];
    case "set": return ["SREM", key, pair[0]];
    case "zset": return ["ZREM", key, pair[0]];
    case "stream": return ["XDEL", key, pair[0]];
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

// ---- streams ----

export interface StreamEntry {
  id: string;
  fields: Pair[];
}

/** XRANGE's reply, [[id, [field, value, ...]], ...], as entries (fields as a RESP3 map work too). */
export function toStreamEntries(reply: RespValue): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: StreamEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== "string") continue;
    out.push({ id: item[0], fields: toPairs("hash", item[1] ?? null) });
  }
  return out;
}

// ---- sets: a member has no value to edit, so "editing" one replaces it ----

/**
 * SADD the new member, then SREM the old one: two calls (MULTI is not available over the command
 * route), ordered so that a failure in between leaves both members, never neither.
 */
export function replaceMemberCommands(key: string, from: string, to: string): string[][] {
  return from === to ? [] : [["SADD", key, to], ["SREM", key, from]];
}

// ---- validation ----

/** Scores as Redis parses them (strtod): 1, -2.5, .5, 1e3, inf, -inf. */
export function isScore(s: string): boolean {
  return /^[+-]?(inf|infinity|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i.test(s.trim()) && s.trim() === s;
}

export const SCORE_ERROR = "Enter the score as a number, like 1, -2.5, 1e3 or inf.";
export const TTL_ERROR = "Enter the TTL as a whole number of seconds, 1 or more, or leave it empty for no expiry.";

export function isTtl(s: string): boolean {
  return /^[1-9]\d{0,11}$/.test(s);
}

// ---- the "Add a key" form ----

/** The types the form creates, with the label the type selector shows. */
export const CREATABLE_TYPES = [
  ["string", "String"],
  ["hash", "Hash"],
  ["list", "List"],
  ["set", "Set"],
  ["zset", "Sorted set"],
  ["stream", "Stream"],
] as const;

export type CreatableType = (typeof CREATABLE_TYPES)[number][0];

/** One slot per kind of input: switching type keeps what was typed in a slot both types share. */
export type FieldName = "value" | "field" | "element" | "member" | "score";

export const FIELD_LABELS: Record<FieldName, string> = {
  value: "Value",
  field: "Field",
  element: "Element",
  member: "Member",
  score: "Score",
};

export const TYPE_FIELDS: Record<CreatableType, FieldName[]> = {
  string: ["value"],
  hash: ["field", "value"],
  list: ["element"],
  set: ["member"],
  zset: ["member", "score"],
  stream: ["field", "value"],
};

export interface NewKey {
  type: CreatableType;
  key: string;
  fields: Record<FieldName, string>;
  ttl: string; // "" for no expiry
}

export function emptyNewKey(type: CreatableType = "string"): NewKey {
  return { type, key: "", fields: { value: "", field: "", element: "", member: "", score: "" }, ttl: "" };
}

export type NewKeyErrors = Partial<Record<"key" | "ttl" | FieldName, string>>;

export function validateNewKey(k: NewKey): NewKeyErrors {
  const errors: NewKeyErrors = {};
  if (k.key === "") errors.key = "Enter a key name.";
  if (k.type === "zset" && !isScore(k.fields.score)) errors.score = SCORE_ERROR;
  if (k.ttl !== "" && !isTtl(k.ttl)) errors.ttl = TTL_ERROR;
  return errors;
}

/** The command that creates the key with its first item (strings: refusing to overwrite, with the TTL). */
export function createCommand(k: NewKey): string[] {
  const f = k.fields;
  switch (k.type) {
    case "string": return ["SET", k.key, f.value, "NX", ...(k.ttl ? ["EX", k.ttl] : [])];
    case "hash": return ["HSET", k.key, f.field, f.value];
    case "list": return ["RPUSH", k.key, f.element];
    case "set": return ["SADD", k.key, f.member];
    case "zset": return ["ZADD", k.key, f.score, f.member];
    case "stream": return ["XADD", k.key, "*", f.field, f.value];
  }
}

export class KeyExistsError extends Error {
  constructor(key: string) {
    super(`A key named ${key} already exists. Open it from the list to edit it, or choose another name.`);
  }
}

export interface Created {
  row: KeyRow;
  /** Set when the key was created but its EXPIRE failed: the key lives on, without an expiry. */
  expireError: unknown;
  /** The TTL asked for ("" for none), to offer again after a failed EXPIRE. */
  ttl: string;
}

type Run = (cmd: string[]) => Promise<RespValue>;

/**
 * Creates the key, refusing to overwrite one. Strings do it in one atomic SET NX EX. Other types
 * need EXISTS, then the write, then EXPIRE: separate calls, since MULTI is not available over the
 * command route, so a key created by someone else between the check and the write would get our
 * item added (never replaced), and a failed EXPIRE leaves the created key without an expiry.
 */
export async function createKey(run: Run, k: NewKey): Promise<Created> {
  if (k.type !== "string" && (await run(["EXISTS", k.key])) !== 0) throw new KeyExistsError(k.key);
  const reply = await run(createCommand(k));
  if (k.type === "string" && reply === null) throw new KeyExistsError(k.key); // SET NX refused
  const done = (ttl: number, expireError: unknown = null): Created => ({ row: { key: k.key, type: k.type, ttl }, expireError, ttl: k.ttl });
  if (k.ttl === "") return done(-1);
  if (k.type === "string") return done(Number(k.ttl)); // set by SET's EX
  try {
    await run(["EXPIRE", k.key, k.ttl]);
    return done(Number(k.ttl));
  } catch (e) {
    return done(-1, e);
  }
}
