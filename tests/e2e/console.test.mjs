// The web console in headless Chromium against a real platform (CONSOLE_URL, started by
// test_console.py with a 70 s access-token lifetime, so the console refreshes every ~10 s).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const BASE = process.env.CONSOLE_URL;
assert.ok(BASE, "CONSOLE_URL is not set");
const PASSWORD = "correct-Horse-battery-9";
// Where the journey saves a screenshot of each page (docs/screenshots/ in the repository).
const SHOTS = process.env.SCREENSHOTS_DIR;
let browser;

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

before(async () => {
  // Playwright gives every launch a fresh temporary profile.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

/** A page in its own browser context: no storage shared with the other tests. */
async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(20_000);
  return ctx.newPage();
}

async function signUp(page, name) {
  await page.goto(`${BASE}/signup`);
  await page.getByLabel("Email").fill(`${name}-${Date.now()}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Create your first instance" }).waitFor();
}

async function createInstance(page, name) {
  await page.getByRole("button", { name: "Create instance" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Memory limit (MB)").fill("16");
  await page.getByRole("radio", { name: /allkeys-lru/ }).check();
  await page.getByRole("dialog").getByRole("button", { name: "Create instance" }).click();
  await page.waitForURL(/\/instances\/db-[a-z0-9]{12}$/);
  await page.getByText("Running", { exact: true }).waitFor();
}

async function runCli(page, line) {
  const entries = page.locator(".cli-entry");
  const before = await entries.count();
  const input = page.getByRole("textbox", { name: "Command" });
  await input.fill(line);
  await input.press("Enter");
  await entries.nth(before).waitFor();
  return entries.nth(before).locator("pre").innerText();
}

test("a developer signs up, creates an instance, uses it and deletes it", async () => {
  const page = await newPage();
  await page.goto(`${BASE}/`);
  await page.waitForURL(/\/login/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText(/Enter an email address like/).waitFor();
  await page.getByText(/Use at least 10 characters/).waitFor();
  await shot(page, "signup-validation");
  await signUp(page, "journey");
  await shot(page, "instances-empty");
  await createInstance(page, "cache");
  await shot(page, "instance-overview");

  // Connection details: the redis-cli line is the instance's own.
  const cliLine = await page.locator(".conn-item", { hasText: "redis-cli" }).first().locator("code").innerText();
  assert.match(cliLine, /^redis-cli -u redis:\/\/default:•+@127\.0\.0\.1:\d+$/);

  await page.getByRole("link", { name: "CLI", exact: true }).click();
  assert.equal(await runCli(page, 'SET greeting "hello world"'), "OK");
  assert.equal(await runCli(page, "GET greeting"), '"hello world"');
  assert.equal(await runCli(page, "HSET h a 1 b 2"), "(integer) 2");
  assert.equal(await runCli(page, "HGETALL h"), '1) "a"\n2) "1"\n3) "b"\n4) "2"');
  assert.equal(await runCli(page, "GET missing"), "(nil)");
  const err = await runCli(page, "INCR greeting");
  assert.equal(err, "(error) ERR value is not an integer or out of range");
  assert.ok((await page.locator(".cli-error").last().getAttribute("class")).includes("cli-error"));
  await page.getByRole("textbox", { name: "Command" }).press("ArrowUp");
  assert.equal(await page.getByRole("textbox", { name: "Command" }).inputValue(), "INCR greeting");
  await shot(page, "web-cli");

  await page.getByRole("link", { name: "Keys", exact: true }).click();
  await page.getByRole("button", { name: "Scan" }).click();
  await page.getByRole("button", { name: "h", exact: true }).click();
  await page.getByRole("button", { name: "Edit a" }).click();
  await page.getByLabel("New Value").fill("42");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator(".key-editor td", { hasText: "42" }).waitFor();
  await shot(page, "key-browser");

  await page.getByRole("link", { name: "Monitoring" }).click();
  await page.getByText("Operations / s").waitFor();
  await page.getByRole("button", { name: "1 hour" }).click();
  await page.getByText("One point per minute").waitFor();
  await page.getByRole("button", { name: "15 min", exact: true }).click();
  await page.waitForTimeout(2500); // two chart updates, so the picture shows live points
  await shot(page, "monitoring");

  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("New key name").fill("ci");
  await page.getByRole("button", { name: "Create key" }).click();
  assert.match(await page.locator(".notice-ok code").innerText(), /^mr_live_[A-Za-z0-9_-]{43}$/);
  await shot(page, "api-keys");
  await page.getByRole("button", { name: "Revoke ci" }).click();
  await page.getByRole("button", { name: "Revoke key" }).click();
  await page.getByText("No API keys yet.").waitFor();

  await page.reload(); // the session survives a reload (refresh token)
  await page.getByRole("heading", { name: "API keys" }).waitFor();

  await page.getByRole("link", { name: "Instances" }).click();
  await page.getByRole("link", { name: "cache" }).waitFor();
  await shot(page, "instances");
  await page.getByRole("link", { name: "cache" }).click();
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Stop instance" }).click();
  await page.getByRole("button", { name: "Start" }).click();
  await page.getByRole("button", { name: "Stop" }).waitFor();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByLabel(/Type cache to confirm/).fill("cache");
  await page.getByRole("button", { name: "Delete forever" }).click();
  await page.getByRole("heading", { name: "Create your first instance" }).waitFor();

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login/);
  assert.equal(await page.evaluate(() => localStorage.getItem("miniredis.refresh_token")), null);
  await page.context().close();
});

test("another user cannot see or open someone else's instance", async () => {
  const owner = await newPage();
  await signUp(owner, "owner");
  await createInstance(owner, "private");
  const url = owner.url();
  const stranger = await newPage();
  await signUp(stranger, "stranger");
  await shot(stranger, "login-new-user");
  assert.equal(await stranger.getByRole("link", { name: "private" }).count(), 0);
  await stranger.goto(url);
  await stranger.getByRole("heading", { name: "Instance not found" }).waitFor();
  await stranger.goto(url.replace(/\/instances\/(db-[a-z0-9]+)$/, "/instances/$1/cli"));
  await stranger.getByRole("heading", { name: "Instance not found" }).waitFor();
  // The owner still has it, untouched.
  await owner.reload();
  await owner.getByText("Running", { exact: true }).waitFor();
  await owner.context().close();
  await stranger.context().close();
});

test("an expired session asks for the password over the page and keeps what was typed", async () => {
  const page = await newPage();
  await signUp(page, "expiry");
  await createInstance(page, "typed");
  await page.getByRole("link", { name: "CLI", exact: true }).click();
  const input = page.getByRole("textbox", { name: "Command" });
  await input.fill('SET note "keep me"');
  // Another party ended the session: the next refresh (within ~10 s at a 70 s TTL) is refused.
  await page.evaluate(() => localStorage.setItem("miniredis.refresh_token", `mr_rt_${"x".repeat(43)}`));
  const dialog = page.getByRole("dialog", { name: "Your session has expired" });
  await dialog.waitFor({ timeout: 45_000 });
  assert.equal(await input.inputValue(), 'SET note "keep me"');
  await dialog.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await dialog.getByRole("button", { name: "Log in" }).click();
  await dialog.waitFor({ state: "detached" });
  await input.press("Enter");
  await page.locator(".cli-entry pre", { hasText: /^OK$/ }).waitFor();
  await page.context().close();
});

test("a phone-sized screen shows every page without sideways scrolling", async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  await signUp(page, "phone");
  await createInstance(page, "mobile");
  const id = page.url().split("/").pop();
  for (const path of ["/", `/instances/${id}`, `/instances/${id}/cli`, `/instances/${id}/monitoring`, "/api-keys", "/activity"]) {
    await page.goto(BASE + path);
    await page.locator("main h1").first().waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${path} is ${width}px wide`);
  }
  await page.context().close();
});
