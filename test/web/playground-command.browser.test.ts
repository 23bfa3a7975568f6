/**
 * `guardrails playground` in a real browser, as a newcomer meets it: the built binary started with
 * no credentials (test/support/playground-process.ts), Debian's Chromium driven by playwright-core.
 * A person pastes `git diff --numstat` output (with a line of a patch among it) into the paths,
 * sees the files taken and the bad line shown as a problem, tries `codeowners: true` and a team
 * approver group: unmet and saying why without team members, met once the team is given; a
 * CODEOWNERS line GitHub ignores is shown at its line. The page's decision equals the command's
 * POST /api/simulate answer for the same input. A screenshot is left in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { assertBuilt } from "../cli/helpers.js";
import { PlaygroundProcess } from "../support/playground-process.js";

jest.setTimeout(120_000);

/** What the functions Playwright runs in the page use of it (this program has no DOM types). */
interface PageElement {
  textContent: string | null;
  children: { length: number };
}
declare const document: { querySelector(selector: string): PageElement | null };
declare const navigator: { clipboard: { writeText(text: string): Promise<void> } };

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

const POLICY = `version: 1
default_tier: medium
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
    require:
      approvers:
        - teams: [security]
tiers:
  low: {}
  medium: {}
  high:
    codeowners: true
`;
/** As `git diff --numstat main...` prints it (tabs), with a line of a patch pasted along. */
const NUMSTAT = [
  "12\t3\tsrc/auth/login.ts",
  "0\t0\tsrc/{util => auth}/token.ts",
  "@@ -1,3 +1,4 @@",
  "-\t-\tassets/logo.png",
  "0\t14\tdocs/old.md",
].join("\n");

let playground: PlaygroundProcess;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  assertBuilt();
  playground = await PlaygroundProcess.start();
  profile = mkdtempSync(join(tmpdir(), "guardrails-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 900 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: playground.origin });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await playground?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function setPolicy(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

/** The requirement's list item of this kind's name, as the page shows it. */
const requirement = (page: Page, name: string) => page.locator("#requirements li", { hasText: name });
const waitForText = (page: Page, selector: string, text: string) =>
  page.waitForFunction(({ s, t }) => document.querySelector(s)?.textContent?.includes(t) === true, {
    s: selector,
    t: text,
  });

describe("guardrails playground in Chromium", () => {
  it("takes pasted numstat output, codeowners and a team approver, and shows what is missing and why", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(playground.url!);
    await page.waitForSelector("body[data-ready='true']");
    await setPolicy(page, POLICY);
    for (const id of ["#approvals", "#codeowners", "#teams", "#labels", "#coAuthors"]) await page.fill(id, "");

    // A real paste from the clipboard into the emptied paths box.
    await page.fill("#paths", "");
    await page.evaluate((text) => navigator.clipboard.writeText(text), NUMSTAT);
    await page.focus("#paths");
    await page.keyboard.press("Control+V");
    expect(await page.locator("#paths").inputValue()).toBe(NUMSTAT);
    await waitForText(page, "#paths-problems", "line 3: a line of a patch");
    expect(await page.locator("#paths-problems li").allTextContents()).toEqual([
      "line 3: a line of a patch, not a path: paste the output of git diff --numstat or --name-status",
    ]);
    await waitForText(page, "#request", "src/util/token.ts");
    const sent = JSON.parse((await page.locator("#request").textContent())!) as {
      pull_request: { files: { path: string }[] };
    };
    expect(sent.pull_request.files).toEqual([
      { path: "src/auth/login.ts", additions: 12, deletions: 3 },
      { path: "src/auth/token.ts", previous_path: "src/util/token.ts", additions: 0, deletions: 0 },
      { path: "assets/logo.png", additions: 0, deletions: 0 },
      { path: "docs/old.md", additions: 0, deletions: 14 },
    ]);
    await waitForText(page, "#tier", "High risk");
    expect(await page.locator("#reasons").textContent()).toContain(
      "src/auth/token.ts (renamed from src/util/token.ts)",
    );

    // CODEOWNERS and an approval, but no team members: both unmet, and the page says why.
    await page.fill("#codeowners", "/src/auth/ @acme/security\n!docs/ @mona\n");
    await page.fill("#approvals", "alice");
    await waitForText(page, "#codeowners-problems", "2:1");
    await waitForText(page, "#requirements", "no members given for @acme/security");
    expect(await requirement(page, "Code owners").getAttribute("class")).toBe("unmet");
    expect(await requirement(page, "Approvers").textContent()).toContain("no members given for team security");
    expect(await page.locator("#conclusion").textContent()).toMatch(/^fails/);

    // alice is in the team: the approver group and the code owners are met, and the check passes.
    await page.fill("#teams", "acme/security: alice, erin");
    await page.waitForFunction(() => document.querySelector("#conclusion")?.textContent?.startsWith("passes"));
    expect(await requirement(page, "Code owners").getAttribute("class")).toBe("met");
    expect(await requirement(page, "Code owners").textContent()).toContain("@acme/security: alice");
    expect(await requirement(page, "Approvers").getAttribute("class")).toBe("met");

    // A team line the page cannot read is shown, not guessed at.
    await page.fill("#teams", "acme/security: alice\nsecurity alice");
    await waitForText(page, "#teams-problems", "line 2: expected org/team: login, login");

    // The command's API answers exactly what the page shows.
    await page.fill("#teams", "acme/security: alice");
    await page.waitForFunction(() => document.querySelector("#teams-problems")?.children.length === 0);
    const request = await page.locator("#request").textContent();
    const shown = await page.locator("#decision-json").textContent();
    const answer = await fetch(`${playground.origin}/api/simulate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: request!,
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(shown);
    expect(JSON.parse(shown!)).toMatchObject({ tier: "high", conclusion: "success" });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "playground-command.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
