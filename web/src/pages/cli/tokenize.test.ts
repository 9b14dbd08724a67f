import { describe, expect, it } from "vitest";
import { tokenize } from "./tokenize";

const args = (s: string) => {
  const t = tokenize(s);
  if (!t.ok) throw new Error(t.error);
  return t.args;
};

describe("tokenize (redis-cli's sdssplitargs)", () => {
  it("splits on whitespace", () => {
    expect(args("  SET   k\tv ")).toEqual(["SET", "k", "v"]);
    expect(args("")).toEqual([]);
  });
  it("keeps spaces inside double quotes and reads escapes", () => {
    expect(args('SET k "hello world"')).toEqual(["SET", "k", "hello world"]);
    expect(args('SET k "a\\"b\\\\c\\n\\t\\r"')).toEqual(["SET", "k", 'a"b\\c\n\t\r']);
    expect(args('SET k "\\x41\\x7a"')).toEqual(["SET", "k", "Az"]);
    expect(args('SET k "\\xZZ"')).toEqual(["SET", "k", "xZZ"]);
    expect(args('SET k ""')).toEqual(["SET", "k", ""]);
  });
  it("takes single quotes literally except \\'", () => {
    expect(args("SET k 'it\\'s \\n raw'")).toEqual(["SET", "k", "it's \\n raw"]);
  });
  it("joins a quoted part to a bare prefix", () => {
    expect(args('SET k ab"c d"')).toEqual(["SET", "k", "abc d"]);
  });
  it("refuses unbalanced quotes and text glued after a closing quote", () => {
    expect(tokenize('SET k "open').ok).toBe(false);
    expect(tokenize("SET k 'open").ok).toBe(false);
    expect(tokenize('SET k "a"b').ok).toBe(false);
  });
});
