import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import { AuthForm } from "./AuthForm";

describe("AuthForm", () => {
  it("explains invalid values before calling the API", async () => {
    const { client, calls } = stubClient(() => json(201, {}));
    renderWithClient(client, <AuthForm mode="signup" onDone={() => undefined} />);
    await userEvent.type(screen.getByLabelText("Email"), "me@localhost");
    await userEvent.type(screen.getByLabelText("Password"), "abcdefgh");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByText(/domain like example.com/)).toBeTruthy();
    expect(screen.getByText(/at least 10 characters/)).toBeTruthy();
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(calls).toHaveLength(0);
  });

  it("shows the server's refusal and keeps what was typed", async () => {
    const { client } = stubClient(() => apiError(409, "email_unavailable", "this email address cannot be registered"));
    renderWithClient(client, <AuthForm mode="signup" onDone={() => undefined} />);
    await userEvent.type(screen.getByLabelText("Email"), "me@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct-Horse-battery-9");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "this email address cannot be registered");
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("me@example.com");
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("correct-Horse-battery-9");
  });

  it("says when to retry a throttled login", async () => {
    const { client } = stubClient(() => apiError(429, "too_many_attempts", "too many attempts", { "Retry-After": "8" }));
    renderWithClient(client, <AuthForm mode="login" onDone={() => undefined} />);
    await userEvent.type(screen.getByLabelText("Email"), "me@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "whatever");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Too many requests. Try again in 8 s.");
  });

  it("logs in and calls onDone", async () => {
    const { client, calls } = stubClient(() => json(200, TOKENS));
    const done = vi.fn();
    renderWithClient(client, <AuthForm mode="login" onDone={done} />);
    await userEvent.type(screen.getByLabelText("Email"), " me@example.com ");
    await userEvent.type(screen.getByLabelText("Password"), "pw");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await vi.waitFor(() => expect(done).toHaveBeenCalled());
    expect(calls[0]!.body).toEqual({ email: "me@example.com", password: "pw" });
  });
});
