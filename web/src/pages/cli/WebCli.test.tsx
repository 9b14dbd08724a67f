import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import { WebCli } from "./WebCli";

async function setup(handler: Parameters<typeof stubClient>[0]) {
  const s = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : handler(c)));
  await s.client.login({ email: "a@example.com", password: "pw" });
  renderWithClient(s.client, <WebCli instanceId="db-aaaaaaaaaaaa" prompt="127.0.0.1:16000" />);
  return { ...s, input: screen.getByRole("textbox", { name: "Command" }) };
}

describe("WebCli", () => {
  it("sends the tokenized command and prints the reply like redis-cli", async () => {
    const { input, calls } = await setup(() => json(200, { result: ["0", ["a", "b"]] }));
    await userEvent.type(input, 'SCAN 0 MATCH "user *"{Enter}');
    await screen.findByText((t) => t.includes('2) 1) "a"'));
    expect(calls[1]!.body).toEqual({ command: ["SCAN", "0", "MATCH", "user *"] });
    expect((input as HTMLInputElement).value).toBe("");
  });

  it("shows a command error in red", async () => {
    const { input } = await setup(() => apiError(400, "command_error", "ERR unknown command 'FOO'"));
    await userEvent.type(input, "FOO{Enter}");
    const out = await screen.findByText("(error) ERR unknown command 'FOO'");
    expect(out.className).toContain("cli-error");
  });

  it("puts the line back when the API cannot be reached", async () => {
    const { input } = await setup(() => {
      throw new TypeError("Failed to fetch");
    });
    await userEvent.type(input, "SET k v{Enter}");
    await screen.findByText(/Cannot reach the MiniRedis API/);
    await waitFor(() => expect((input as HTMLInputElement).value).toBe("SET k v"));
  });

  it("refuses an unbalanced quote without sending anything", async () => {
    const { input, calls } = await setup(() => json(200, { result: "OK" }));
    await userEvent.type(input, 'SET k "open{Enter}');
    await screen.findByText(/Invalid argument/);
    expect(calls).toHaveLength(1); // the login only
    expect((input as HTMLInputElement).value).toBe('SET k "open');
  });

  it("walks the history with Up and Down and keeps the draft", async () => {
    const { input } = await setup(() => json(200, { result: "PONG" }));
    await userEvent.type(input, "PING{Enter}");
    await screen.findByText("PONG");
    await userEvent.type(input, "ECHO x{Enter}");
    await waitFor(() => expect(screen.getAllByText("PONG").length).toBeGreaterThan(0));
    await waitFor(() => expect((input as HTMLInputElement).readOnly).toBe(false));
    await userEvent.type(input, "draft");
    fireEvent.keyDown(input, { key: "ArrowUp" });
    expect((input as HTMLInputElement).value).toBe("ECHO x");
    fireEvent.keyDown(input, { key: "ArrowUp" });
    expect((input as HTMLInputElement).value).toBe("PING");
    fireEvent.keyDown(input, { key: "ArrowDown" });
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect((input as HTMLInputElement).value).toBe("draft");
  });
});
