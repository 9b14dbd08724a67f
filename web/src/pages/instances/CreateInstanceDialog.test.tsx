import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { apiError, json, renderWithClient, stubClient, TOKENS } from "../../test-utils";
import { CreateInstanceDialog } from "./CreateInstanceDialog";

const quota = { instances: { used: 1, limit: 10 }, memory_mb: { used: 64, limit: 1024 } };

async function setup(handler: Parameters<typeof stubClient>[0]) {
  const s = stubClient((c) => (c.path === "/api/v1/auth/login" ? json(200, TOKENS) : handler(c)));
  await s.client.login({ email: "a@example.com", password: "pw" });
  const onCreated = vi.fn();
  const onClose = vi.fn();
  renderWithClient(s.client, <CreateInstanceDialog quota={quota} onCreated={onCreated} onClose={onClose} />);
  return { ...s, onCreated, onClose };
}

describe("CreateInstanceDialog", () => {
  it("is a labelled dialog with one line per eviction policy", async () => {
    await setup(() => json(201, {}));
    expect(screen.getByRole("dialog", { name: "Create an instance" })).toBeTruthy();
    expect(screen.getAllByRole("radio")).toHaveLength(8);
    expect(screen.getByText(/least recently used keys \(a typical cache\)/)).toBeTruthy();
    expect(screen.getByText("960 MB left in your quota.")).toBeTruthy();
  });

  it("validates the name and the memory against the quota", async () => {
    const { calls } = await setup(() => json(201, {}));
    await userEvent.clear(screen.getByLabelText("Memory limit (MB)"));
    await userEvent.type(screen.getByLabelText("Memory limit (MB)"), "2000");
    await userEvent.click(screen.getByRole("button", { name: "Create instance" }));
    expect(screen.getByText("Enter a name.")).toBeTruthy();
    expect(screen.getByText("Your quota leaves 960 MB.")).toBeTruthy();
    expect(calls).toHaveLength(1);
  });

  it("sends the chosen settings", async () => {
    const { calls, onCreated } = await setup(() => json(201, { id: "db-aaaaaaaaaaaa", name: "cache" }));
    await userEvent.type(screen.getByLabelText("Name"), "cache");
    await userEvent.click(screen.getByRole("radio", { name: /allkeys-lru/ }));
    await userEvent.selectOptions(screen.getByLabelText("Persistence"), "none");
    await userEvent.click(screen.getByRole("button", { name: "Create instance" }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(calls[1]!.body).toEqual({ name: "cache", memory_limit_mb: 64, eviction_policy: "allkeys-lru", persistence: "none" });
  });

  it("keeps the form and shows the reason when the server refuses", async () => {
    await setup(() => apiError(409, "name_taken", "you already have an instance named 'cache'"));
    await userEvent.type(screen.getByLabelText("Name"), "cache");
    await userEvent.click(screen.getByRole("button", { name: "Create instance" }));
    expect((await screen.findByRole("alert")).textContent).toBe("you already have an instance named 'cache'");
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("cache");
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
  });

  it("closes on Escape", async () => {
    const { onClose } = await setup(() => json(201, {}));
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });
});
