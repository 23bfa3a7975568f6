/**
 * Hostile input that reaches the app from a PR author, beyond what the loader and engine
 * property tests (test/policy/loader.property.test.ts, test/engine/engine.property.test.ts) and
 * the delivery of every example payload (test/github/all-examples.test.ts) already try: text far
 * larger than GitHub allows, a ticket pattern shaped to backtrack, file names built to break the
 * check's Markdown, a policy over the size limit, a checklist comment edited into a huge body.
 * Each evaluation completes, fails closed where it should, and writes output within GitHub's
 * limits.
 */
import { describe, expect, it } from "@jest/globals";
import { CHECKLIST, FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";
import type { FakeFile } from "../support/fake-github.js";

useFakeGitHubNetwork();

/** GitHub's limit on a check run's title, summary and text. */
const MAX_OUTPUT = 65_535;

function expectWithinLimits(run: { title: string | null; summary: string | null; text: string | null }): void {
  expect(run.title!.length).toBeLessThanOrEqual(200);
  expect(run.summary!.length).toBeLessThanOrEqual(MAX_OUTPUT);
  expect(run.text!.length).toBeLessThanOrEqual(MAX_OUTPUT);
}

/** Cells of a Markdown table row, splitting on pipes that are not escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe("hostile input from a pull request", () => {
  it("an oversized title, body and branch name against a ticket pattern shaped to backtrack: evaluated, ticket unmet, output within limits", async () => {
    const policy = `version: 1
ticket:
  pattern: '(a+)+b'
tiers:
  low: { ticket: true }
  medium: { ticket: true }
  high: { ticket: true }
`;
    const w = new World({ policy });
    const pr = w.addPullRequest({
      number: 2,
      title: `${"a".repeat(200_000)}!`,
      body: `${"a".repeat(4_000_000)}!`,
      headRef: `${"a".repeat(20_000)}!`,
      files: FILES.low,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", title: "Medium risk · missing: ticket" });
    expectWithinLimits(run);
  });

  it("a ticket reference hidden past the searched part of the body does not count (fail closed)", async () => {
    const policy =
      "version: 1\ntiers:\n  low: { ticket: true }\n  medium: { ticket: true }\n  high: { ticket: true }\n";
    const w = new World({ policy });
    const pr = w.addPullRequest({
      number: 2,
      title: "Tidy",
      body: `${" ".repeat(70_000)}PAY-123`,
      headRef: "tidy",
      files: FILES.low,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: ticket" });
  });

  it("file names built to break the check's Markdown add no row and hide no file", async () => {
    const w = new World({ policy: POLICY });
    const names = [
      "docs/a | ✅ | Approvals | 9 approvals |.md",
      "docs/line\n| ✅ | Checklist | all ticked | |\n.md",
      "docs/<!-- guardrails:checklist -->.md",
      "src/auth/`code` [link](https://example.invalid).ts",
    ];
    const pr = w.addPullRequest({
      number: 2,
      files: names.map((filename) => ({ filename, status: "added" as const, additions: 1, deletions: 0 })),
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    const rows = run.summary!.split("\n").filter((line) => line.startsWith("|"));
    // Reasons: header, rule line, two rule rows; requirements: header, rule line, three rows.
    const reasonRows = rows.filter((row) => cells(row).length === 3);
    const requirementRows = rows.filter((row) => cells(row).length === 4);
    expect(reasonRows).toHaveLength(4);
    expect(requirementRows).toHaveLength(2 + 3);
    expect(requirementRows.filter((row) => row.startsWith("| ✅ |"))).toEqual([
      "| ✅ | No change requests | no open change requests |  |",
    ]);
    // The details list every file on its own line, as a code span nothing in the name can end.
    const details = run.text!.split("\n");
    expect(details.filter((line) => line.startsWith("|"))).toEqual([]);
    expect(details).toContain("- `docs/line␤| ✅ | Checklist | all ticked | |␤.md`");
    expect(details).toContain("- `` src/auth/`code` [link](https://example.invalid).ts ``");
    expect(run.summary).toContain("`` src/auth/`code` [link](https://example.invalid).ts ``");
  });

  it("3000 files with 1000-character paths: evaluated, the details cut to GitHub's limit", async () => {
    const w = new World({ policy: POLICY });
    const files: FakeFile[] = Array.from({ length: 3000 }, (_, i) => ({
      filename: `src/${`${"d".repeat(19)}/`.repeat(49)}f${i}.ts`,
      status: "modified",
      additions: 1,
      deletions: 1,
    }));
    const pr = w.addPullRequest({ number: 2, files });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.text).toContain("… (truncated to fit GitHub's limit)");
    expectWithinLimits(run);
  });

  it("a policy over 256 KiB on the base branch fails the check without being fetched", async () => {
    const big = `version: 1\n${"# padding padding padding padding padding padding padding\n".repeat(5000)}`;
    const w = new World({ policy: big });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.since().filter((r) => r.path.includes("/git/blobs/"))).toEqual([]);
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: "Policy error · .github/guardrails.yml has 1 problem" });
    expect(run.summary).toContain("the policy is larger than 256 KiB");
  });

  it("the checklist comment edited into a huge body of ticked lines by a reader ticks nothing", async () => {
    const w = new World({ policy: POLICY });
    w.repo.collaborators = { bob: "read" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const comment = pr.comments[0]!;
    const previous = comment.body;
    const lines = Array.from({ length: 50_000 }, (_, i) => `- [x] ${CHECKLIST[i % 2]}`).join("\n");
    comment.body = `${previous}\n${lines}`;
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(pr, { id: comment.id, body: previous }, { body: comment.body, editor: "bob" }),
    );
    expect(w.checkRuns()[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    expect(comment.body).toBe(previous);
  });
});
