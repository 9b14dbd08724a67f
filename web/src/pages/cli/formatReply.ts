// Formats a reply of the command route the way redis-cli prints it on a terminal:
// (integer) 1, (nil), "quoted strings" with escapes, numbered (nested) arrays, (empty array),
// (error) for errors nested in arrays. The JSON reply cannot tell a status reply (+OK) from a bulk
// string, so the command's name decides: status-reply commands print unquoted, as redis-cli does.
import type { RespValue } from "../../api/types";

const STATUS_COMMANDS = new Set([
  "set", "setex", "psetex", "mset", "ping", "select", "flushdb", "flushall", "rename", "type",
  "lset", "ltrim", "hmset", "restore", "save", "bgsave", "bgrewriteaof", "pfmerge", "swapdb",
  "multi", "discard", "watch", "unwatch", "auth", "reset", "quit", "migrate", "shutdown",
]);
const STATUS_SUBCOMMANDS = new Set(["config set", "config resetstat", "config rewrite", "client setname",
  "client kill", "client pause", "client unpause", "client reply", "script flush", "script kill",
  "function flush", "function delete", "function restore", "xgroup create", "xgroup setid",
  "memory purge", "latency reset", "slowlog reset", "acl setuser", "acl save", "acl load"]);
// redis-cli prints these raw (their answer is a text meant to be read as is).
const RAW_COMMANDS = new Set(["info", "client list", "client info", "memory doctor", "latency doctor",
  "cluster info", "cluster nodes", "lolwut", "memory malloc-stats"]);

function commandName(args: string[]): { one: string; two: string } {
  const one = (args[0] ?? "").toLowerCase();
  return { one, two: `${one} ${(args[1] ?? "").toLowerCase()}` };
}

function isStatusCommand(args: string[]): boolean {
  const { one, two } = commandName(args);
  if (one === "set") return !args.slice(3).some((a) => a.toLowerCase() === "get");
  if (one === "ping") return args.length === 1;
  return STATUS_COMMANDS.has(one) || STATUS_SUBCOMMANDS.has(two);
}

export function isRawCommand(args: string[]): boolean {
  const { one, two } = commandName(args);
  return RAW_COMMANDS.has(one) || RAW_COMMANDS.has(two);
}

const utf8 = new TextEncoder();

/** redis-cli's sdscatrepr: quotes, \\ \" \n \r \t \a \b, other non-printable bytes as \xhh. */
export function quoteRepr(s: string): string {
  let out = '"';
  for (const b of utf8.encode(s)) {
    switch (b) {
      case 0x5c: out += "\\\\"; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      case 0x07: out += "\\a"; break;
      case 0x08: out += "\\b"; break;
      default:
        out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
    }
  }
  return `${out}"`;
}

function isErrorObject(v: RespValue): v is { error: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { error?: unknown }).error === "string";
}

function digits(n: number): number {
  return String(n).length;
}

function fmt(v: RespValue, prefix: string, status: boolean): string {
  if (v === null) return "(nil)\n";
  if (typeof v === "boolean") return `(${v ? "true" : "false"})\n`;
  if (typeof v === "number") return Number.isInteger(v) ? `(integer) ${v}\n` : `(double) ${v}\n`;
  if (typeof v === "string") return `${status ? v : quoteRepr(v)}\n`;
  if (Array.isArray(v)) {
    if (v.length === 0) return "(empty array)\n";
    const w = digits(v.length);
    const child = prefix + " ".repeat(w + 2);
    return v
      .map((el, i) => `${i === 0 ? "" : prefix}${String(i + 1).padStart(w)}) ${fmt(el, child, false)}`)
      .join("");
  }
  if (isErrorObject(v)) return `(error) ${v.error}\n`;
  const entries = Object.entries(v);
  if (entries.length === 0) return "(empty hash)\n";
  const w = digits(entries.length);
  const child = prefix + " ".repeat(w + 2);
  return entries
    .map(([k, val], i) => `${i === 0 ? "" : prefix}${String(i + 1).padStart(w)}# ${quoteRepr(k)} => ${fmt(val, child, false)}`)
    .join("");
}

/** The text redis-cli would print for `reply` to the command `args` (no trailing newline). */
export function formatReply(reply: RespValue, args: string[]): string {
  if (typeof reply === "string" && isRawCommand(args)) {
    return reply.replace(/\r\n/g, "\n").replace(/\n$/, "");
  }
  return fmt(reply, "", isStatusCommand(args)).replace(/\n$/, "");
}
