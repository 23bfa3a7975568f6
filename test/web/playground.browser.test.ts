/**
 * The playground in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run)
 * driven by playwright-core, against the built server (dist/, `npm run build`). A person types a
 * policy with an error and sees the marker at its line, fixes it and sees the tier change, enters
 * a rename into a protected folder and sees high; the page's decision equals POST /api/simulate's
 * for the same input; a shared link reloads the same state; the page works from the keyboard,
 * fits a narrow screen and does not move while the policy is edited. A screenshot is left in
 * test-artifacts/ (not committed) for a person to look at.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ServerProcess } from "../support/server-process.js";

jest.setTimeout(120_000);

/** An element of the page, as the functions Playwright runs there use it (this program has no DOM types). */
interface PageElement {
  id: string;
  textContent: string | null;
  value: string;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number };
}

/** The page's document, inside the functions Playwright runs there. */
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const POLICY = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
  - name: vault
    description: Secrets handling
    tier: high
    paths: ["vault/**"]
tiers:
  low: {}
  medium: { approvals: 1 }
  high: { approvals: 2 }
`;
const BROKEN = POLICY.replace("    tier: low\n", "    tier: lowest\n");

let server: ServerProcess;
let context: BrowserContext;
let profile: string;
let url: string;

beforeAll(async () => {
  server = await ServerProcess.start({ appId: 1, githubHost: "127.0.0.1:9" });
  url = `http://127.0.0.1:${server.port}/playground`;
  profile = mkdtempSync(join(tmpdir(), "guardrails-chromium-"));
  // A fresh profile each run (the persistent context is how Playwright takes --user-data-dir).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 900 },
  });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function open(page: Page, address = url): Promise<void> {
  await page.goto(address);
  await page.waitForSelector("body[data-ready='true']");
}

/** Replaces the whole policy, as a paste into the editor. */
async function setPolicy(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

const tier = (page: Page) => page.locator("#tier").textContent();
const waitForTier = (page: Page, text: string) =>
  page.waitForFunction((t) => document.querySelector("#tier")?.textContent === t, text);
const box = async (page: Page, selector: string) => JSON.stringify(await page.locator(selector).boundingBox());

describe("the playground in Chromium", () => {
  it("marks a policy error at its line, shows the new tier once fixed, high for a rename into a protected folder, as /api/simulate does", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await open(page);
    // The example policy and sample PR: a session change, high under the example's auth rule.
    await waitForTier(page, "High risk");
    const layout = [await box(page, "#editor"), await box(page, "#pr-form"), await box(page, "#decision")];

    await setPolicy(page, BROKEN);
    await page.waitForSelector(".cm-lintRange-error");
    const markedLine = await page.evaluate(
      () =>
        [...document.querySelectorAll(".cm-content > .cm-line")].findIndex((line) =>
          line.querySelector(".cm-lintRange-error"),
        ) + 1,
    );
    expect(markedLine).toBe(5);
    expect(await page.locator(".cm-gutter-lint .cm-lint-marker-error").count()).toBe(1);
    await page.waitForFunction(() => document.querySelector("#problems")?.textContent?.includes("5:11"));
    expect(await tier(page)).toBe("Policy has problems");
    // Nothing moved while the error came and was shown.
    expect([await box(page, "#editor"), await box(page, "#pr-form"), await box(page, "#decision")]).toEqual(layout);

    await setPolicy(page, POLICY);
    await page.fill("#paths", "docs/guide.md +4 -1");
    await waitForTier(page, "Low risk");
    expect(await page.locator(".cm-lintRange-error").count()).toBe(0);

    await page.fill("#paths", "docs/guide.md -> vault/guide.md");
    await waitForTier(page, "High risk");
    expect(await page.locator("#reasons").textContent()).toContain("vault/guide.md (renamed from docs/guide.md)");

    // The same input to the server gives the same decision, byte for byte.
    const request = await page.locator("#request").textContent();
    const shown = await page.locator("#decision-json").textContent();
    const answer = await fetch(`http://127.0.0.1:${server.port}/api/simulate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: request!,
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(shown);
    expect(JSON.parse(shown!)).toMatchObject({
      tier: "high",
      diff: { renames: [{ from: "docs/guide.md", to: "vault/guide.md" }] },
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("reloads a shared link into the same state and decision", async () => {
    const page = await context.newPage();
    await open(page);
    await setPolicy(page, POLICY);
    await page.fill("#paths", "vault/keys.ts +10 -2\ndocs/a.md");
    await page.fill("#author", "octocat");
    await page.fill("#approvals", "alice, bob");
    await page.fill("#labels", "urgent");
    await waitForTier(page, "High risk");
    // The sample PR is high risk too: wait for the decision of the fields just filled, not the sample's.
    await page.waitForFunction(
      () => document.querySelector("#decision-json")?.textContent?.includes("vault/keys.ts") === true,
    );
    await page.click("#share");
    await page.waitForFunction(() => document.querySelector("#share-link")!.value.includes("#s="));
    const link = await page.locator("#share-link").inputValue();
    const decision = await page.locator("#decision-json").textContent();

    const again = await context.newPage();
    await open(again, link);
    await waitForTier(again, "High risk");
    await again.waitForFunction(
      () => document.querySelector("#decision-json")?.textContent?.includes("vault/keys.ts") === true,
    );
    expect(await again.locator(".cm-content").textContent()).toBe(POLICY.replace(/\n/g, ""));
    expect(await again.locator("#paths").inputValue()).toBe("vault/keys.ts +10 -2\ndocs/a.md");
    expect(await again.locator("#approvals").inputValue()).toBe("alice, bob");
    expect(await again.locator("#labels").inputValue()).toBe("urgent");
    expect(await again.locator("#decision-json").textContent()).toBe(decision);
    await Promise.all([page.close(), again.close()]);
  });

  it("is usable from the keyboard, fits a narrow screen, and leaves a screenshot", async () => {
    const page = await context.newPage();
    await open(page);
    await waitForTier(page, "High risk");
    // Tab leaves the editor for the next field: the editor is no keyboard trap.
    await page.click(".cm-content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("paths");
    // Share is reachable and works by keyboard.
    await page.focus("#share");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#share-link")!.value.includes("#s="));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => document.querySelector("#editor")!.getBoundingClientRect().width <= 390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, "playground-narrow.png"), fullPage: true });
    await page.close();
  });
});
