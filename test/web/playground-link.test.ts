/**
 * The playground's state outside the browser: path lines read and written alike, the share
 * fragment decodes to what was encoded, and the check summary's link (PLAYGROUND_URL) carries the
 * PR's paths and the deciding policy, stays under its length limit by leaving paths out (and says
 * so), and appears only when the app is given the URL.
 */
import { describe, expect, it } from "@jest/globals";
import {
  decodeState,
  encodeState,
  formatPathLine,
  parsePathLine,
  simulateBody,
  type PlaygroundState,
} from "../../src/web/playground-state.js";
import { MAX_PLAYGROUND_URL_CHARS, playgroundLink } from "../../src/web/playground-link.js";
import { simulatedFacts } from "../../src/web/simulation.js";
import { POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const STATE: PlaygroundState = {
  policy: "version: 1\n",
  paths: "a.ts\nb -> c +1 -2",
  author: "mona",
  coAuthors: "",
  title: "Tëst ✓",
  branch: "b",
  body: "",
  labels: "x, y",
  approvals: "alice",
};

describe("path lines", () => {
  it("read a rename, counts and a status, and write them back the same", () => {
    expect(parsePathLine("src/a.ts")).toEqual({ path: "src/a.ts" });
    expect(parsePathLine("  docs/x.md -> vault/x.md +3 -1 ")).toEqual({
      path: "vault/x.md",
      previous_path: "docs/x.md",
      additions: 3,
      deletions: 1,
    });
    expect(parsePathLine("test/old.test.ts -0 (removed)")).toEqual({
      path: "test/old.test.ts",
      status: "removed",
      deletions: 0,
    });
    expect(parsePathLine("   ")).toBeUndefined();
    // A name that only looks like a token stays part of the path.
    expect(parsePathLine("notes (draft)")).toEqual({ path: "notes (draft)" });
    for (const file of [
      { path: "a b/c.ts", status: "modified", additions: 4, deletions: 0 },
      { path: "new/x.ts", previousPath: "old/x.ts", status: "renamed", additions: 0, deletions: 0 },
      { path: "gone.ts", status: "removed", additions: 0, deletions: 9 },
    ]) {
      const body = simulateBody({ ...STATE, paths: formatPathLine(file) });
      const [facts] = simulatedFacts(body.pull_request).files;
      expect(facts).toEqual(file);
    }
  });
});

describe("share fragment", () => {
  it("decodes to the state it encoded; a damaged one decodes to nothing", async () => {
    const fragment = await encodeState(STATE);
    expect(fragment).toMatch(/^s=[A-Za-z0-9_-]+$/);
    expect(await decodeState(`#${fragment}`)).toEqual(STATE);
    expect(await decodeState(`#${fragment.slice(0, -8)}`)).toBeUndefined();
    expect(await decodeState("#other=1")).toBeUndefined();
  });
});

describe("the check summary's playground link", () => {
  const facts = (count: number) =>
    simulatedFacts({
      files: Array.from({ length: count }, (_, i) => ({
        path: `services/payments/internal/handlers/v${i}/refund-${i}-handler.ts`,
        additions: i,
      })),
      author: "mona",
      title: "PAY-1 refunds",
      labels: ["urgent"],
      approvals: ["alice"],
    });

  async function stateOf(markdown: string): Promise<PlaygroundState> {
    const url = /\]\(([^)]+)\)/.exec(markdown)![1]!;
    expect(url.startsWith("https://guardrails.example.com/playground#s=")).toBe(true);
    return (await decodeState(url.slice(url.indexOf("#"))))!;
  }

  it("carries the paths, author, title, labels, approvals and the policy", async () => {
    const link = (await playgroundLink({
      baseUrl: "https://guardrails.example.com/",
      policy: POLICY,
      facts: facts(3),
      pullRequest: "acme/pay#7",
    }))!;
    const state = await stateOf(link);
    expect(state).toMatchObject({
      policy: POLICY,
      author: "mona",
      title: "PAY-1 refunds",
      labels: "urgent",
      approvals: "alice",
    });
    expect(state.paths.split("\n")).toEqual(
      [0, 1, 2].map((i) => `services/payments/internal/handlers/v${i}/refund-${i}-handler.ts${i ? ` +${i} -0` : ""}`),
    );
    expect(state.note).toContain("acme/pay#7");
  });

  it(`stays within ${MAX_PLAYGROUND_URL_CHARS} characters by leaving paths out, and says how many it carries`, async () => {
    const link = (await playgroundLink({
      baseUrl: "https://guardrails.example.com",
      policy: POLICY,
      facts: facts(3000),
      pullRequest: "acme/pay#7",
    }))!;
    const url = /\]\(([^)]+)\)/.exec(link)![1]!;
    expect(url.length).toBeLessThanOrEqual(MAX_PLAYGROUND_URL_CHARS);
    const state = await stateOf(link);
    const carried = state.paths.split("\n").length;
    expect(carried).toBeGreaterThan(10);
    expect(carried).toBeLessThan(3000);
    expect(state.note).toContain(`Only the first ${carried} of 3000 changed paths fit in the link.`);
    // A policy too large for any link: no link at all.
    expect(
      await playgroundLink({
        baseUrl: "https://guardrails.example.com",
        policy: `version: 1\n${Array.from({ length: 4000 }, (_, i) => `# ${i * 7919}\n`).join("")}`,
        facts: facts(1),
        pullRequest: "x",
      }),
    ).toBeUndefined();
  });

  it("is in the app's check summary with PLAYGROUND_URL, with the base's policy", async () => {
    const files = [{ filename: "src/auth/login.ts", status: "modified" as const, additions: 3, deletions: 1 }];
    const w = new World({ policy: POLICY, app: { playgroundUrl: "https://guardrails.example.com" } });
    const pr = w.addPullRequest({ number: 2, headSha: sha("linked"), files });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const summary = w.checkRuns()[0]!.summary!;
    expect(summary).toContain(
      "[Try this pull request in the policy playground](https://guardrails.example.com/playground#s=",
    );
    const state = await stateOf(summary.slice(summary.indexOf("[Try this")));
    expect(state).toMatchObject({ policy: POLICY, paths: "src/auth/login.ts +3 -1", author: "Codertocat" });
  });

  // Issue 19 item 3: readers differ. The organisation policy lives in `.github`, which readers of
  // this repository (the public, for a public one) may not be able to read.
  it("never carries the organisation policy's text into another repository's check", async () => {
    const ORG = POLICY.replace(
      "rules:\n",
      'rules:\n  - name: secret-merger-rule\n    tier: high\n    paths: ["internal/**"]\n',
    );
    const files = [{ filename: "src/auth/login.ts", status: "modified" as const, additions: 3, deletions: 1 }];
    const w = new World({
      orgPolicy: ORG,
      ownerType: "Organization",
      app: { playgroundUrl: "https://guardrails.example.com" },
    });
    const pr = w.addPullRequest({ number: 2, headSha: sha("org decided"), files });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run.summary).toContain("Codertocat/.github");
    expect(run.summary).not.toContain("playground");
    expect(`${run.summary}${run.text}`).not.toContain("secret-merger-rule");
  });

  it("is not in the summary without PLAYGROUND_URL", async () => {
    const files = [{ filename: "src/auth/login.ts", status: "modified" as const, additions: 3, deletions: 1 }];
    const without = new World({ policy: POLICY });
    const other = without.addPullRequest({ number: 2, headSha: sha("plain"), files });
    await without.receive("pull_request", without.pullRequestEvent("opened", other));
    expect(without.checkRuns()[0]!.summary).not.toContain("playground");
  });
});
