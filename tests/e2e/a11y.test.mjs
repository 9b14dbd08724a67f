// Accessibility of the console in headless Chromium: axe-core's WCAG 2.1 A/AA rules on every page
// in the light and the dark theme, and the main journey done with the keyboard alone.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import { BASE, createInstance, newPage, runCli, shot, signUp } from "./lib.mjs";

// Evaluated through the DevTools protocol: the console's CSP (script-src 'self') rightly refuses
// an injected <script>.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe's serious and critical WCAG 2.1 A/AA violations on the page as it is now. */
async function violations(page) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Checks the page as it is now; every page's findings are reported together at the end. */
async function checkPage(page, what, found) {
  await page.waitForLoadState("networkidle").catch(() => {});
  for (const v of await violations(page)) found.push({ page: what, ...v });
}

for (const scheme of ["light", "dark"]) {
  test(`every page passes axe's WCAG 2.1 AA rules in the ${scheme} theme`, async () => {
    const page = await newPage({ colorScheme: scheme });
    const found = [];
    const assertAccessible = (p, what) => checkPage(p, what, found);
    await page.goto(`${BASE}/login`);
    await page.getByRole("button", { name: "Log in" }).waitFor();
    await assertAccessible(page, "login");
    await page.goto(`${BASE}/signup`);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByRole("button", { name: "Create account" }).click(); // with its errors shown
    await page.getByText(/Enter an email address/).waitFor();
    await assertAccessible(page, "sign-up with errors");

    await signUp(page, `a11y-${scheme}`);
    await assertAccessible(page, "instances, empty");
    await page.getByRole("button", { name: "Create instance" }).click();
    await page.getByRole("dialog").waitFor();
    await assertAccessible(page, "create dialog");
    await page.keyboard.press("Escape");
    await createInstance(page, `contrast-${scheme}`);
    const id = page.url().split("/").pop();
    await assertAccessible(page, "instance overview");
    if (scheme === "dark") await shot(page, "instance-overview-dark");

    await page.getByRole("link", { name: "CLI", exact: true }).click();
    await runCli(page, "SET a 1");
    await runCli(page, "INCR nope nope");
    await assertAccessible(page, "web CLI with an error");
    await page.goto(`${BASE}/instances/${id}/keys`);
    await page.getByRole("button", { name: "Scan" }).click();
    await page.getByRole("button", { name: "a", exact: true }).click();
    await assertAccessible(page, "key browser with a key open");
    await page.goto(`${BASE}/instances/${id}/monitoring`);
    await page.getByText("Operations / s").waitFor();
    await assertAccessible(page, "monitoring");
    if (scheme === "dark") await shot(page, "monitoring-dark");
    await page.goto(`${BASE}/instances/${id}/settings`);
    await page.locator("main h2").first().waitFor();
    await assertAccessible(page, "settings");
    if (scheme === "light") await shot(page, "instance-settings");
    await page.goto(`${BASE}/api-keys`);
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await assertAccessible(page, "API keys");
    await page.goto(`${BASE}/activity`);
    await page.locator("main h1").first().waitFor();
    await assertAccessible(page, "activity");
    if (scheme === "light") await shot(page, "activity");
    await page.context().close();
    // One line per rule and element, with the pages it was found on.
    const lines = new Map();
    for (const v of found) {
      const k = `${v.id} (${v.help}) at ${v.nodes.join(", ")}`;
      lines.set(k, [...(lines.get(k) ?? []), v.page]);
    }
    assert.equal(found.length, 0, [...lines].map(([k, pages]) => `${k} on: ${pages.join(", ")}`).join("\n"));
  });
}

/** Tabs forward until `locator` has the focus (at most `limit` presses). */
async function tabTo(page, locator, limit = 40) {
  for (let i = 0; i < limit; i++) {
    if (await locator.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${locator}`);
}

test("the keyboard alone creates an instance and runs a command", async () => {
  const page = await newPage();
  await signUp(page, "keyboard");
  const open = page.getByRole("button", { name: "Create instance" });
  await tabTo(page, open);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  // Focus moved into the dialog; Escape closes it and gives the focus back.
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)));
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.ok(await open.evaluate((el) => el === document.activeElement), "focus did not return to the button");

  await page.keyboard.press("Enter");
  await dialog.waitFor();
  const name = dialog.getByLabel("Name");
  await tabTo(page, name);
  await page.keyboard.type("typed");
  // Tab stays inside the dialog however far it goes.
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "Tab left the dialog");
  }
  await tabTo(page, dialog.getByRole("button", { name: "Create instance" }));
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/instances\/db-[a-z0-9]{12}$/);
  await page.getByText("Running", { exact: true }).waitFor();

  const cliTab = page.getByRole("link", { name: "CLI", exact: true });
  await tabTo(page, cliTab);
  await page.keyboard.press("Enter");
  const input = page.getByRole("textbox", { name: "Command" });
  await tabTo(page, input);
  await page.keyboard.type("PING");
  await page.keyboard.press("Enter");
  await page.locator(".cli-entry pre", { hasText: /^PONG$/ }).waitFor();
  await page.context().close();
});
