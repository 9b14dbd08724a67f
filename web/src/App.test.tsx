import { screen, waitFor, within } from "@testing-library/react";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { REFRESH_TOKEN_KEY } from "./api/client";
import { App } from "./App";
import { apiError, json, memoryStorage, stubClient, TOKENS } from "./test-utils";

const user = { id: "1", email: "me@example.com", created_at: "2026-11-26T14:00:00.000Z" };
const quota = { instances: { used: 0, limit: 10 }, memory_mb: { used: 0, limit: 1024 } };

describe("App session", () => {
  it("asks for the password over the page when the session ends, then carries on", async () => {
    window.history.replaceState(null, "", "/");
    let refreshes = 0;
    // Access tokens that live 1 s: every request refreshes first. The second refresh is refused.
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: TOKENS.refresh_token });
    const { client } = stubClient((c) => {
      if (c.path === "/api/v1/auth/refresh") {
        refreshes++;
        return refreshes === 1 ? json(200, { ...TOKENS, expires_in: 1 }) : apiError(401, "invalid_refresh_token", "spent");
      }
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/auth/me") return json(200, user);
      if (c.path === "/api/v1/quota") return json(200, quota);
      return json(200, { instances: [] });
    }, { storage });
    render(<App client={client} />);
    const dialog = await screen.findByRole("dialog", { name: "Your session has expired" });
    expect(screen.getByRole("heading", { name: "Instances" })).toBeTruthy(); // the page stays
    expect((within(dialog).getByLabelText("Email") as HTMLInputElement).value).toBe("me@example.com");
    await userEvent.type(within(dialog).getByLabelText("Password"), "pw");
    await userEvent.click(within(dialog).getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(window.location.pathname).toBe("/");
  });

  it("sends a visitor without a session to the login page and back afterwards", async () => {
    window.history.replaceState(null, "", "/api-keys");
    const { client } = stubClient((c) => {
      if (c.path === "/api/v1/auth/login") return json(200, TOKENS);
      if (c.path === "/api/v1/auth/me") return json(200, user);
      return json(200, { api_keys: [] });
    });
    render(<App client={client} />);
    await screen.findByRole("heading", { name: "Log in" });
    expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fapi-keys");
    await userEvent.type(screen.getByLabelText("Email"), "me@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "pw");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await screen.findByRole("heading", { name: "API keys" });
    expect(window.location.pathname).toBe("/api-keys");
  });

  it("shows an outage page with a retry when the API is down at start", async () => {
    window.history.replaceState(null, "", "/");
    const storage = memoryStorage({ [REFRESH_TOKEN_KEY]: TOKENS.refresh_token });
    const { client } = stubClient(() => {
      throw new TypeError("Failed to fetch");
    }, { storage });
    render(<App client={client} />);
    expect(await screen.findByRole("heading", { name: "The console cannot reach the API" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
    expect(storage.map.get(REFRESH_TOKEN_KEY)).toBe(TOKENS.refresh_token); // still signed in
  });
});
