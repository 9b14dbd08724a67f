// Shared by the console's e2e suites (*.test.mjs): the browser, a page per test, sign-up, instance
// creation and the web CLI, against the platform test_console.py started (CONSOLE_URL).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

export const BASE = process.env.CONSOLE_URL;
assert.ok(BASE, "CONSOLE_URL is not set");
export const PASSWORD = "correct-Horse-battery-9";
// Where the journey saves a screenshot of each page (docs/screenshots/ in the repository).
export const SHOTS = process.env.SCREENSHOTS_DIR;
let browser;

export async function shot(page, name) {
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
export async function newPage(contextOptions = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  ctx.setDefaultTimeout(20_000);
  return ctx.newPage();
}

export async function signUp(page, name) {
  await page.goto(`${BASE}/signup`);
  await page.getByLabel("Email").fill(`${name}-${Date.now()}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Create your first instance" }).waitFor();
}

export async function createInstance(page, name) {
  await page.getByRole("button", { name: "Create instance" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Memory limit (MB)").fill("16");
  await page.getByRole("radio", { name: /allkeys-lru/ }).check();
  await page.getByRole("dialog").getByRole("button", { name: "Create instance" }).click();
  await page.waitForURL(/\/instances\/db-[a-z0-9]{12}$/);
  await page.getByText("Running", { exact: true }).waitFor();
}

export async function runCli(page, line) {
  const entries = page.locator(".cli-entry");
  const before = await entries.count();
  const input = page.getByRole("textbox", { name: "Command" });
  await input.fill(line);
  await input.press("Enter");
  await entries.nth(before).waitFor();
  return entries.nth(before).locator("pre").innerText();
}

