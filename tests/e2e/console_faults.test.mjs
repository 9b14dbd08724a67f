// The console when things go wrong, in headless Chromium: the API taken down under it (a real
// outage: test_console.py stops the API process while the frontend stays up) and the gateway's
// real rate limit. CONTROL_URL is test_console.py's endpoint that stops and starts the API.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BASE, createInstance, newPage, runCli, shot, signUp } from "./lib.mjs";

const CONTROL = process.env.CONTROL_URL;
assert.ok(CONTROL, "CONTROL_URL is not set");

/** Stops the API, or (re)starts it with these settings on top of the suite's. */
async function control(action, settings = {}) {
  const q = new URLSearchParams(settings).toString();
  const r = await fetch(`${CONTROL}/api/${action}${q ? `?${q}` : ""}`, { method: "POST" });
  assert.equal(r.status, 204, `control ${action}: ${r.headers.get("X-Error")}`);
}

const CANNOT_REACH = "Cannot reach the MiniRedis API. Check your connection; nothing you typed was lost.";

/** The page is never blank: the header and a heading stay on screen. */
async function assertNotBlank(page) {
  await page.getByRole("button", { name: "Log out" }).waitFor();
  assert.ok((await page.locator("main h1").count()) > 0, "the page lost its heading");
}

test("an API outage: clear messages, nothing typed is lost, and the console recovers", async () => {
  const page = await newPage();
  await signUp(page, "outage");
  await createInstance(page, "steady");
  const instanceUrl = page.url();
  await page.getByRole("link", { name: "CLI", exact: true }).click();
  assert.equal(await runCli(page, "SET before 1"), "OK");

  await control("stop");
  // A command sent while the API is down: the reason in the terminal, the line back in the input.
  const line = 'SET during "typed while the API was down"';
  assert.equal(await runCli(page, line), `(error) ${CANNOT_REACH}`);
  const input = page.getByRole("textbox", { name: "Command" });
  assert.equal(await input.inputValue(), line);
  await shot(page, "api-down-cli");

  // The charts say they are not updating; the rest of the page stays.
  await page.getByRole("link", { name: "Monitoring" }).click();
  await page.getByRole("alert").filter({ hasText: "Metrics are not updating" }).waitFor({ timeout: 15_000 });
  await assertNotBlank(page);

  // The list cannot load: a message with a way to try again, not an empty page.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Instances" }).click();
  const listAlert = page.getByRole("alert").filter({ hasText: "Could not load your instances" });
  await listAlert.waitFor();
  assert.match(await listAlert.innerText(), /Cannot reach the MiniRedis API/);
  await assertNotBlank(page);
  await shot(page, "api-down-instances");

  await control("start");
  await listAlert.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("link", { name: "steady" }).waitFor();
  assert.equal(await listAlert.count(), 0);

  // Still logged in after the outage; the line typed during it is in the history.
  await page.goto(`${instanceUrl}/cli`);
  await input.waitFor();
  await input.press("ArrowUp");
  assert.equal(await input.inputValue(), line);
  assert.equal(await runCli(page, line), "OK");
  assert.equal(await runCli(page, "GET during"), '"typed while the API was down"');
  assert.equal(await runCli(page, "GET before"), '"1"');

  // A create dialog filled in during an outage keeps every value and says why it failed.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Instances" }).click();
  await page.getByRole("link", { name: "steady" }).waitFor();
  await control("stop");
  await page.getByRole("button", { name: "Create instance" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("second");
  await dialog.getByLabel("Memory limit (MB)").fill("24");
  await dialog.getByRole("radio", { name: /volatile-ttl/ }).check();
  await dialog.getByRole("button", { name: "Create instance" }).click();
  await dialog.getByRole("alert").filter({ hasText: "Cannot reach the MiniRedis API" }).waitFor();
  assert.equal(await dialog.getByLabel("Name").inputValue(), "second");
  assert.equal(await dialog.getByLabel("Memory limit (MB)").inputValue(), "24");
  assert.ok(await dialog.getByRole("radio", { name: /volatile-ttl/ }).isChecked());
  await control("start");
  await dialog.getByRole("button", { name: "Create instance" }).click();
  await page.waitForURL(/\/instances\/db-[a-z0-9]{12}$/);
  await page.getByRole("heading", { name: "second" }).waitFor();
  await page.getByText("volatile-ttl").waitFor();
  await page.context().close();
});

test("the gateway's rate limit: the reason and when to retry, and no write lost or doubled", async () => {
  await control("start", { RATE_LIMIT_PER_USER: "100" }); // whatever the test before left
  const page = await newPage();
  await signUp(page, "limited");
  await createInstance(page, "busy");
  await page.getByRole("link", { name: "CLI", exact: true }).click();
  await page.getByRole("textbox", { name: "Command" }).waitFor();

  // One request per second per user (bursts of two), for this part only.
  await control("start", { RATE_LIMIT_PER_USER: "1" });
  const input = page.getByRole("textbox", { name: "Command" });
  let applied = 0;
  let refused = 0;
  for (let i = 0; i < 8; i++) {
    const out = await runCli(page, "INCR counter");
    if (out.startsWith("(integer)")) {
      applied++;
      assert.equal(out, `(integer) ${applied}`);
    } else {
      refused++;
      assert.match(out, /^\(error\) Too many requests\. Try again in \d+ s\.$/);
      assert.equal(await input.inputValue(), "INCR counter"); // put back, ready to send again
      await input.fill("");
    }
  }
  assert.ok(refused > 0, "eight commands in a burst were never limited");
  await shot(page, "rate-limited-cli");

  // After the wait it says, the command goes through, and every INCR counted exactly once.
  await page.waitForTimeout(2100);
  assert.equal(await runCli(page, "GET counter"), `"${applied}"`);
  await assertNotBlank(page);
  await page.context().close();
});
