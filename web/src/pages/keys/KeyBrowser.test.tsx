import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Instance, RespValue } from "../../api/types";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import KeyBrowser from "./KeyBrowser";

const instance: Instance = {
  id: "db-aaaaaaaaaaaa", name: "cache", status: "running", desired_state: "running", pending_change: false,
  memory_limit_mb: 64, eviction_policy: "noeviction", persistence: "aof-everysec", password: "pw",
  endpoint: { host: "127.0.0.1", port: 16000, shared_port: 6379 }, redis_cli: null, url: null,
  rest_token: null, created_at: "2026-11-26T14:00:00.000Z", updated_at: "2026-11-26T14:00:00.000Z",
};

/** Answers a command: a reply, or a Response for an HTTP-level failure. */
type Redis = (cmd: string[]) => RespValue | Response;

/** Renders the key browser against a stubbed API whose command route asks `redis`; records commands. */
async function setup(redis: Redis) {
  const commands: string[][] = [];
  const answer = { redis };
  const s = stubClient((c) => {
    if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
    const cmd = (c.body as { command: string[] }).command;
    commands.push(cmd);
    const r = answer.redis(cmd);
    return r instanceof Response ? r : json(200, { result: r });
  });
  await s.client.login({ email: "a@example.com", password: "pw" });
  renderWithClient(s.client, <KeyBrowser instance={instance} disabledReason={null} />);
  const form = within(screen.getByRole("form", { name: "Add a key" }));
  return { commands, form, answer };
}

const commandError = (message: string) => apiError(400, "command_error", message);
const value = (el: HTMLElement) => (el as HTMLInputElement).value;

async function fill(form: ReturnType<typeof within>, values: Record<string, string>) {
  for (const [label, v] of Object.entries(values)) {
    const input = form.getByLabelText(label);
    await userEvent.clear(input);
    await userEvent.type(input, v);
  }
}

describe("Add a key", () => {
  it("shows the inputs of the chosen type and keeps what was typed across types", async () => {
    const { form } = await setup(() => "OK");
    const type = form.getByLabelText("Type");
    expect([...(type as HTMLSelectElement).options].map((o) => o.text)).toEqual(["String", "Hash", "List", "Set", "Sorted set", "Stream"]);
    expect(form.getByLabelText("Value")).toBeTruthy();
    expect(form.queryByLabelText("Field")).toBeNull();

    await userEvent.selectOptions(type, "hash");
    await fill(form, { Field: "name", Value: "Ada" });
    await userEvent.selectOptions(type, "zset");
    expect(form.queryByLabelText("Field")).toBeNull();
    expect(form.getByLabelText("Member")).toBeTruthy();
    expect(form.getByLabelText("Score")).toBeTruthy();
    await userEvent.selectOptions(type, "list");
    expect(form.getByLabelText("Element")).toBeTruthy();
    await userEvent.selectOptions(type, "stream");
    expect(value(form.getByLabelText("Field"))).toBe("name");
    expect(value(form.getByLabelText("Value"))).toBe("Ada");
    expect(form.getByText(/assigns the entry's ID/)).toBeTruthy();
  });

  it("refuses a score that is not a number and a bad TTL, keeping the values and sending nothing", async () => {
    const { form, commands } = await setup(() => "OK");
    await userEvent.selectOptions(form.getByLabelText("Type"), "zset");
    await fill(form, { "Key name": "board", Member: "ada", Score: "abc", "TTL in seconds (optional)": "1.5" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    expect(form.getByText("Enter the score as a number, like 1, -2.5, 1e3 or inf.")).toBeTruthy();
    expect(form.getByText(/Enter the TTL as a whole number of seconds/)).toBeTruthy();
    expect(form.getByLabelText("Score").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(form.getByLabelText("Score"));
    expect(value(form.getByLabelText("Key name"))).toBe("board");
    expect(value(form.getByLabelText("Member"))).toBe("ada");
    expect(value(form.getByLabelText("Score"))).toBe("abc");
    expect(commands).toEqual([]);
  });

  it("creates a string with SET NX EX, lists it and opens it in the editor", async () => {
    const { form, commands } = await setup((cmd) => (cmd[0] === "GET" ? "hello" : "OK"));
    await fill(form, { "Key name": "greeting", Value: "hello", "TTL in seconds (optional)": "60" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    const editor = within(await screen.findByRole("region", { name: "greeting" }));
    expect(value(await editor.findByLabelText("Value"))).toBe("hello");
    expect(commands[0]).toEqual(["SET", "greeting", "hello", "NX", "EX", "60"]);
    const row = screen.getByRole("button", { name: "greeting" }).closest("tr")!;
    expect(within(row).getByText("string")).toBeTruthy();
    expect(within(row).getByText("60 s")).toBeTruthy();
    expect(form.getByRole("status").textContent).toBe("Created key greeting.");
    expect(value(form.getByLabelText("Key name"))).toBe("");
  });

  it("refuses to overwrite an existing key and keeps the form", async () => {
    const { form, commands } = await setup((cmd) => (cmd[0] === "EXISTS" ? 1 : "OK"));
    await userEvent.selectOptions(form.getByLabelText("Type"), "hash");
    await fill(form, { "Key name": "user:1", Field: "name", Value: "Ada" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    expect((await form.findByRole("alert")).textContent).toContain("A key named user:1 already exists");
    expect(commands).toEqual([["EXISTS", "user:1"]]);
    expect(value(form.getByLabelText("Value"))).toBe("Ada");
  });

  it("refuses an existing string when SET NX answers nil", async () => {
    const { form } = await setup(() => null);
    await fill(form, { "Key name": "greeting", Value: "new" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    expect((await form.findByRole("alert")).textContent).toContain("A key named greeting already exists");
    expect(value(form.getByLabelText("Value"))).toBe("new");
  });

  it("keeps everything typed when the API refuses, and tries again on request", async () => {
    const { form, commands, answer } = await setup(() => apiError(429, "rate_limited", "slow down", { "Retry-After": "3" }));
    await userEvent.selectOptions(form.getByLabelText("Type"), "set");
    await fill(form, { "Key name": "tags", Member: "redis" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    expect((await form.findByRole("alert")).textContent).toContain("Too many requests. Try again in 3 s.");
    expect(value(form.getByLabelText("Key name"))).toBe("tags");
    expect(value(form.getByLabelText("Member"))).toBe("redis");

    answer.redis = (cmd) => ({ EXISTS: 0, SADD: 1, SSCAN: ["0", ["redis"]] } as Record<string, RespValue>)[cmd[0]!] ?? "OK";
    await userEvent.click(form.getByRole("button", { name: "Try again" }));
    const editor = within(await screen.findByRole("region", { name: "tags" }));
    expect(await editor.findByText("redis")).toBeTruthy();
    expect(commands.slice(-3)).toEqual([["EXISTS", "tags"], ["SADD", "tags", "redis"], ["SSCAN", "tags", "0", "COUNT", "200"]]);
  });

  it("names a type the instance does not support, keeping the values", async () => {
    const { form } = await setup((cmd) => (cmd[0] === "EXISTS" ? 0 : commandError("ERR unknown command 'XADD', with args beginning with: 'events'")));
    await userEvent.selectOptions(form.getByLabelText("Type"), "stream");
    await fill(form, { "Key name": "events", Field: "kind", Value: "signup" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    const alert = await form.findByRole("alert");
    expect(alert.textContent).toContain("This instance does not support stream keys: ERR unknown command 'XADD'");
    expect(within(alert).queryByRole("button", { name: "Try again" })).toBeNull();
    expect(value(form.getByLabelText("Value"))).toBe("signup");
  });

  it("moves focus to the editor of the new key", async () => {
    const { form } = await setup((cmd) => (cmd[0] === "GET" ? "v" : "OK"));
    await fill(form, { "Key name": "k", Value: "v" });
    await userEvent.keyboard("{Enter}");
    const heading = await screen.findByRole("heading", { name: "k" });
    await vi.waitFor(() => expect(document.activeElement).toBe(heading));
  });

  it("keeps a key whose EXPIRE failed and offers the TTL again in the editor", async () => {
    const replies: Record<string, RespValue> = { EXISTS: 0, RPUSH: 1, LRANGE: ["job-1"] };
    const { form } = await setup((cmd) => (cmd[0] === "EXPIRE" ? apiError(503, "unavailable", "node restarting") : replies[cmd[0]!] ?? "OK"));
    await userEvent.selectOptions(form.getByLabelText("Type"), "list");
    await fill(form, { "Key name": "jobs", Element: "job-1", "TTL in seconds (optional)": "30" });
    await userEvent.click(form.getByRole("button", { name: "Add key" }));
    expect((await form.findByRole("alert")).textContent).toMatch(/jobs was created, but setting its expiry failed .*node restarting.* saved, without an expiry/);
    const editor = within(screen.getByRole("region", { name: "jobs" }));
    expect(await editor.findByText("job-1")).toBeTruthy();
    expect(value(editor.getByLabelText("Expire in (s)"))).toBe("30");
  });
});

/** Scans once and opens `key`, whose TYPE is `type`; other commands go to `redis`. */
async function openKey(key: string, type: string, redis: Redis) {
  const s = await setup((cmd) => {
    if (cmd[0] === "SCAN") return ["0", [key]];
    if (cmd[0] === "TYPE") return type;
    if (cmd[0] === "TTL") return -1;
    return redis(cmd);
  });
  await userEvent.click(screen.getByRole("button", { name: "Scan" }));
  await userEvent.click(await screen.findByRole("button", { name: key }));
  return { ...s, editor: within(screen.getByRole("region", { name: key })) };
}

describe("Key editor", () => {
  it("shows a stream's entries, adds one with XADD * and deletes one with XDEL", async () => {
    const { editor, commands } = await openKey("events", "stream", (cmd) =>
      cmd[0] === "XRANGE" ? [["1-0", ["kind", "signup", "user", "ada"]]] : cmd[0] === "XADD" ? "2-0" : 1,
    );
    expect(await editor.findByText("1-0")).toBeTruthy();
    expect(editor.getByText("signup")).toBeTruthy();
    expect(editor.getByText("ada")).toBeTruthy();
    expect(commands).toContainEqual(["XRANGE", "events", "-", "+", "COUNT", "200"]);

    await userEvent.type(editor.getByLabelText("Entry field"), "kind");
    await userEvent.type(editor.getByLabelText("Entry value"), "login");
    await userEvent.click(editor.getByRole("button", { name: "Add entry" }));
    expect(await editor.findByText("Entry added.")).toBeTruthy();
    expect(commands).toContainEqual(["XADD", "events", "*", "kind", "login"]);
    expect(value(editor.getByLabelText("Entry field"))).toBe("");

    await userEvent.click(editor.getByRole("button", { name: "Delete entry 1-0" }));
    expect(await editor.findByText("Entry deleted.")).toBeTruthy();
    expect(commands).toContainEqual(["XDEL", "events", "1-0"]);
  });

  it("says a type it cannot show is read-only", async () => {
    const { editor, commands } = await openKey("doc", "ReJSON-RL", () => "OK");
    expect(editor.getByText(/are read-only here/)).toBeTruthy();
    expect(editor.queryByLabelText("Expire in (s)")).toBeNull();
    expect(commands.map((c) => c[0])).toEqual(["SCAN", "TYPE", "TTL"]);
  });

  it("says a key that vanished no longer exists", async () => {
    const { editor } = await openKey("gone", "none", () => "OK");
    expect(editor.getByText(/This key no longer exists/)).toBeTruthy();
  });

  it("replaces a set member by adding the new one before removing the old one", async () => {
    const { editor, commands } = await openKey("tags", "set", (cmd) => (cmd[0] === "SSCAN" ? ["0", ["redis"]] : 1));
    await userEvent.click(await editor.findByRole("button", { name: "Edit redis" }));
    const input = editor.getByLabelText("New Member");
    await userEvent.clear(input);
    await userEvent.type(input, "valkey{Enter}");
    expect(await editor.findByText("Saved.")).toBeTruthy();
    expect(commands.slice(-3, -1)).toEqual([["SADD", "tags", "valkey"], ["SREM", "tags", "redis"]]);
  });

  it("checks a new score and keeps an edit that the server refused", async () => {
    const { editor, commands, answer } = await openKey("board", "zset", (cmd) => (cmd[0] === "ZRANGE" ? ["ada", "1"] : 1));
    await userEvent.click(await editor.findByRole("button", { name: "Edit ada" }));
    const input = editor.getByLabelText("New Score");
    await userEvent.clear(input);
    await userEvent.type(input, "abc{Enter}");
    expect(editor.getByText("Enter the score as a number, like 1, -2.5, 1e3 or inf.")).toBeTruthy();
    expect(commands.some((c) => c[0] === "ZADD")).toBe(false);

    answer.redis = () => commandError("OOM command not allowed when used memory > 'maxmemory'");
    await userEvent.clear(input);
    await userEvent.type(input, "2.5{Enter}");
    expect((await editor.findByRole("alert")).textContent).toContain("OOM command not allowed");
    expect(value(editor.getByLabelText("New Score"))).toBe("2.5");
  });

  it("cancels an edit with Escape, sending nothing", async () => {
    const { editor, commands } = await openKey("user:1", "hash", (cmd) => (cmd[0] === "HGETALL" ? ["name", "Ada"] : 1));
    await userEvent.click(await editor.findByRole("button", { name: "Edit name" }));
    await userEvent.type(editor.getByLabelText("New Value"), "x{Escape}");
    expect(editor.queryByLabelText("New Value")).toBeNull();
    expect(editor.getByText("Ada")).toBeTruthy();
    expect(commands.some((c) => c[0] === "HSET")).toBe(false);
  });

  it("keeps the item to add when the server refuses it", async () => {
    const { editor, answer } = await openKey("jobs", "list", (cmd) => (cmd[0] === "LRANGE" ? ["a"] : 1));
    await editor.findByText("a");
    answer.redis = () => new Response("down", { status: 502 });
    await userEvent.type(editor.getByLabelText("Element to push"), "b");
    await userEvent.click(editor.getByRole("button", { name: "Add" }));
    expect((await editor.findByRole("alert")).textContent).toContain("temporarily unavailable");
    expect(value(editor.getByLabelText("Element to push"))).toBe("b");
  });
});
