import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Instance } from "../../api/types";
import { renderWithClient, stubClient } from "../../test-utils";
import { ConnectionDetails } from "./ConnectionDetails";

const instance: Instance = {
  id: "db-aaaaaaaaaaaa", name: "cache", status: "running", desired_state: "running", pending_change: false,
  memory_limit_mb: 64, eviction_policy: "noeviction", persistence: "aof-everysec", password: "S3CRET",
  endpoint: { host: "127.0.0.1", port: 16000, shared_port: 6379 },
  redis_cli: "redis-cli -u redis://default:S3CRET@127.0.0.1:16000", url: "redis://default:S3CRET@127.0.0.1:16000",
  rest_token: "RESTTOKEN", created_at: "2026-11-26T14:00:00.000Z", updated_at: "2026-11-26T14:00:00.000Z",
};

describe("ConnectionDetails", () => {
  it("hides secrets until asked and copies the real value", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const { client } = stubClient(() => new Response(null, { status: 500 }));
    renderWithClient(client, <ConnectionDetails instance={instance} />);
    expect(document.body.textContent).not.toContain("S3CRET");
    expect(document.body.textContent).not.toContain("RESTTOKEN");
    expect(screen.getByText("http://api.test/rest/db-aaaaaaaaaaaa")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Copy redis-cli" }));
    expect(writeText).toHaveBeenCalledWith("redis-cli -u redis://default:S3CRET@127.0.0.1:16000");
    expect(await screen.findByText("Copied")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Show secrets" }));
    expect(screen.getByText("RESTTOKEN")).toBeTruthy();
    expect(document.body.textContent).toContain('redis.Redis.from_url("redis://default:S3CRET@127.0.0.1:16000"');
  });
});
