import { describe, expect, it } from "vitest";
import type { RespValue } from "../../api/types";
import {
  addCommand,
  createCommand,
  createKey,
  emptyNewKey,
  formatTtl,
  isScore,
  isTtl,
  KeyExistsError,
  readCommand,
  removeCommand,
  replaceMemberCommands,
  setCommand,
  toPairs,
  toStreamEntries,
  validateNewKey,
  type NewKey,
} from "./keyData";

describe("key browser commands", () => {
  it("reads each type with its command", () => {
    expect(readCommand("string", "k")).toEqual(["GET", "k"]);
    expect(readCommand("hash", "k")).toEqual(["HGETALL", "k"]);
    expect(readCommand("list", "k")).toEqual(["LRANGE", "k", "0", "199"]);
    expect(readCommand("set", "k")).toEqual(["SSCAN", "k", "0", "COUNT", "200"]);
    expect(readCommand("zset", "k")).toEqual(["ZRANGE", "k", "0", "199", "WITHSCORES"]);
    expect(readCommand("stream", "k")).toEqual(["XRANGE", "k", "-", "+", "COUNT", "200"]);
    expect(readCommand("ReJSON-RL", "k")).toBeNull();
    expect(readCommand("none", "k")).toBeNull();
  });
  it("turns replies into rows", () => {
    expect(toPairs("hash", ["a", "1", "b", "2"])).toEqual([["a", "1"], ["b", "2"]]);
    expect(toPairs("hash", { a: "1" })).toEqual([["a", "1"]]);
    expect(toPairs("zset", ["m", "1.5"])).toEqual([["m", "1.5"]]);
    expect(toPairs("list", ["x", "y"])).toEqual([["0", "x"], ["1", "y"]]);
    expect(toPairs("set", ["0", ["m1", "m2"]])).toEqual([["m1", undefined], ["m2", undefined]]);
  });
  it("edits, adds and removes with the type's commands", () => {
    expect(setCommand("hash", "h", "f", "v")).toEqual(["HSET", "h", "f", "v"]);
    expect(setCommand("list", "l", "3", "v")).toEqual(["LSET", "l", "3", "v"]);
    expect(setCommand("zset", "z", "m", "2")).toEqual(["ZADD", "z", "2", "m"]);
    expect(addCommand("list", "l", "v", "")).toEqual(["RPUSH", "l", "v"]);
    expect(addCommand("set", "s", "m", "")).toEqual(["SADD", "s", "m"]);
    expect(removeCommand("list", "l", ["0", "v"])).toEqual(["LREM", "l", "1", "v"]);
    expect(removeCommand("zset", "z", ["m", "1"])).toEqual(["ZREM", "z", "m"]);
  });
  it("formats TTLs", () => {
    expect(formatTtl(-1)).toBe("no expiry");
    expect(formatTtl(30)).toBe("30 s");
    expect(formatTtl(3600)).toBe("60 min");
    expect(formatTtl(86400 * 3)).toBe("3 days");
  });
});

describe("streams", () => {
  it("turns XRANGE replies into entries", () => {
    const reply = [["1-0", ["f", "v", "g", "w"]], ["2-0", { a: "1" }]];
    expect(toStreamEntries(reply)).toEqual([
      { id: "1-0", fields: [["f", "v"], ["g", "w"]] },
      { id: "2-0", fields: [["a", "1"]] },
    ]);
    expect(toStreamEntries(null)).toEqual([]);
    expect(toStreamEntries([42, ["no-fields"]])).toEqual([{ id: "no-fields", fields: [] }]);
  });
  it("adds with an automatic id and deletes by id", () => {
    expect(addCommand("stream", "s", "f", "v")).toEqual(["XADD", "s", "*", "f", "v"]);
    expect(removeCommand("stream", "s", ["1-0", undefined])).toEqual(["XDEL", "s", "1-0"]);
  });
});

describe("set members", () => {
  it("are replaced by adding the new one before removing the old one", () => {
    expect(replaceMemberCommands("s", "a", "b")).toEqual([["SADD", "s", "b"], ["SREM", "s", "a"]]);
    expect(replaceMemberCommands("s", "a", "a")).toEqual([]);
  });
});

describe("validation", () => {
  it("accepts scores as Redis parses them", () => {
    for (const ok of ["1", "-2.5", "+3", ".5", "1.", "1e3", "-1E-2", "inf", "-inf", "+Infinity"]) expect(isScore(ok), ok).toBe(true);
    for (const bad of ["", "abc", "1,5", "0x10", "1e", " 1", "1 ", "nan", "--1"]) expect(isScore(bad), bad).toBe(false);
  });
  it("accepts TTLs as whole positive seconds", () => {
    for (const ok of ["1", "60", "86400"]) expect(isTtl(ok), ok).toBe(true);
    for (const bad of ["", "0", "-1", "1.5", "01", "10s", "1e3"]) expect(isTtl(bad), bad).toBe(false);
  });
  it("names what is wrong in a new key, field by field", () => {
    const k: NewKey = { ...emptyNewKey("zset"), fields: { ...emptyNewKey().fields, member: "m", score: "abc" }, ttl: "0" };
    expect(validateNewKey(k)).toEqual({
      key: "Enter a key name.",
      score: "Enter the score as a number, like 1, -2.5, 1e3 or inf.",
      ttl: "Enter the TTL as a whole number of seconds, 1 or more, or leave it empty for no expiry.",
    });
    // A score only matters for sorted sets.
    expect(validateNewKey({ ...k, type: "set", key: "s", ttl: "" })).toEqual({});
  });
});

function newKey(type: NewKey["type"], fields: Partial<NewKey["fields"]>, ttl = ""): NewKey {
  const e = emptyNewKey(type);
  return { ...e, key: "k", fields: { ...e.fields, ...fields }, ttl };
}

describe("creating a key", () => {
  it("writes the first item with the type's command", () => {
    expect(createCommand(newKey("string", { value: "v" }))).toEqual(["SET", "k", "v", "NX"]);
    expect(createCommand(newKey("string", { value: "v" }, "60"))).toEqual(["SET", "k", "v", "NX", "EX", "60"]);
    expect(createCommand(newKey("hash", { field: "f", value: "v" }))).toEqual(["HSET", "k", "f", "v"]);
    expect(createCommand(newKey("list", { element: "e" }))).toEqual(["RPUSH", "k", "e"]);
    expect(createCommand(newKey("set", { member: "m" }))).toEqual(["SADD", "k", "m"]);
    expect(createCommand(newKey("zset", { member: "m", score: "1.5" }))).toEqual(["ZADD", "k", "1.5", "m"]);
    expect(createCommand(newKey("stream", { field: "f", value: "v" }))).toEqual(["XADD", "k", "*", "f", "v"]);
  });

  /** A fake `run` answering from a table of replies (an Error is thrown), recording every call. */
  function fakeRun(replies: Record<string, RespValue | Error>) {
    const calls: string[][] = [];
    const run = async (cmd: string[]) => {
      calls.push(cmd);
      const r = cmd[0]! in replies ? replies[cmd[0]!]! : "OK";
      if (r instanceof Error) throw r;
      return r;
    };
    return { run, calls };
  }

  it("sets a string and its TTL in one SET NX EX", async () => {
    const { run, calls } = fakeRun({ SET: "OK" });
    const c = await createKey(run, newKey("string", { value: "v" }, "60"));
    expect(calls).toEqual([["SET", "k", "v", "NX", "EX", "60"]]);
    expect(c).toEqual({ row: { key: "k", type: "string", ttl: 60 }, expireError: null, ttl: "60" });
  });
  it("refuses an existing string when SET NX answers nil", async () => {
    const { run } = fakeRun({ SET: null });
    await expect(createKey(run, newKey("string", { value: "v" }))).rejects.toThrow("A key named k already exists");
  });
  it("checks EXISTS before writing other types, then sets the expiry", async () => {
    const { run, calls } = fakeRun({ EXISTS: 0, SADD: 1, EXPIRE: 1 });
    const c = await createKey(run, newKey("set", { member: "m" }, "30"));
    expect(calls).toEqual([["EXISTS", "k"], ["SADD", "k", "m"], ["EXPIRE", "k", "30"]]);
    expect(c.row).toEqual({ key: "k", type: "set", ttl: 30 });
  });
  it("writes nothing when the key exists", async () => {
    const { run, calls } = fakeRun({ EXISTS: 1 });
    await expect(createKey(run, newKey("hash", { field: "f", value: "v" }))).rejects.toBeInstanceOf(KeyExistsError);
    expect(calls).toEqual([["EXISTS", "k"]]);
  });
  it("reports a failed EXPIRE without losing the created key", async () => {
    const boom = new Error("rate limited");
    const { run } = fakeRun({ EXISTS: 0, XADD: "1-0", EXPIRE: boom });
    const c = await createKey(run, newKey("stream", { field: "f", value: "v" }, "30"));
    expect(c).toEqual({ row: { key: "k", type: "stream", ttl: -1 }, expireError: boom, ttl: "30" });
  });
  it("passes a failed write on, so the form keeps its values", async () => {
    const { run } = fakeRun({ EXISTS: 0, ZADD: new Error("ERR value is not a valid float") });
    await expect(createKey(run, newKey("zset", { member: "m", score: "1" }))).rejects.toThrow("not a valid float");
  });
});
