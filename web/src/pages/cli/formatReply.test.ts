import { describe, expect, it } from "vitest";
import { formatReply, quoteRepr } from "./formatReply";

describe("formatReply (redis-cli's TTY output)", () => {
  it("prints scalars", () => {
    expect(formatReply(3, ["INCR", "k"])).toBe("(integer) 3");
    expect(formatReply(null, ["GET", "k"])).toBe("(nil)");
    expect(formatReply("v", ["GET", "k"])).toBe('"v"');
    expect(formatReply(1.5, ["X"])).toBe("(double) 1.5");
  });
  it("prints status replies unquoted", () => {
    expect(formatReply("OK", ["SET", "k", "v"])).toBe("OK");
    expect(formatReply("PONG", ["PING"])).toBe("PONG");
    expect(formatReply("hash", ["type", "h"])).toBe("hash");
    expect(formatReply("old", ["SET", "k", "v", "GET"])).toBe('"old"');
    expect(formatReply("hi", ["PING", "hi"])).toBe('"hi"');
  });
  it("escapes like sdscatrepr", () => {
    expect(quoteRepr('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(quoteRepr("é")).toBe('"\\xc3\\xa9"');
    expect(quoteRepr("\x01")).toBe('"\\x01"');
  });
  it("numbers arrays and indents nested ones", () => {
    expect(formatReply(["a", "1"], ["HGETALL", "h"])).toBe('1) "a"\n2) "1"');
    expect(formatReply(["0", ["k1", "k2"]], ["SCAN", "0"])).toBe('1) "0"\n2) 1) "k1"\n   2) "k2"');
    expect(formatReply([], ["KEYS", "*"])).toBe("(empty array)");
    expect(formatReply([null, 2], ["X"])).toBe("1) (nil)\n2) (integer) 2");
  });
  it("pads indexes to the widest one", () => {
    const ten = Array.from({ length: 10 }, (_, i) => String(i));
    const out = formatReply(ten, ["LRANGE", "l", "0", "-1"]).split("\n");
    expect(out[0]).toBe(' 1) "0"');
    expect(out[9]).toBe('10) "9"');
  });
  it("shows nested errors and maps", () => {
    expect(formatReply([{ error: "ERR bad" }], ["X"])).toBe("1) (error) ERR bad");
    expect(formatReply({ a: 1, b: "x" }, ["X"])).toBe('1# "a" => (integer) 1\n2# "b" => "x"');
  });
  it("prints INFO raw", () => {
    expect(formatReply("# Server\r\nredis_version:7.0.15\r\n", ["INFO"])).toBe("# Server\nredis_version:7.0.15");
  });
});
