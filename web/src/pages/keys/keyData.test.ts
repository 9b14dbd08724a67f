import { describe, expect, it } from "vitest";
import { addCommand, formatTtl, readCommand, removeCommand, setCommand, toPairs } from "./keyData";

describe("key browser commands", () => {
  it("reads each type with its command", () => {
    expect(readCommand("string", "k")).toEqual(["GET", "k"]);
    expect(readCommand("hash", "k")).toEqual(["HGETALL", "k"]);
    expect(readCommand("list", "k")).toEqual(["LRANGE", "k", "0", "199"]);
    expect(readCommand("set", "k")).toEqual(["SSCAN", "k", "0", "COUNT", "200"]);
    expect(readCommand("zset", "k")).toEqual(["ZRANGE", "k", "0", "199", "WITHSCORES"]);
    expect(readCommand("stream", "k")).toBeNull();
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
