/**
 * Approvals survive a retarget: a PR into `stage` whose diff is docs only is approved; it is
 * retargeted to `main`, where its diff now holds a payments change. With `stale: discard` the
 * approval was for another diff and does not count (the timeline's BaseRefChangedEvent).
 */
import { describe, expect, it } from "@jest/globals";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { facts, file, HEAD, policy, review } from "../engine/fixtures.js";

useFakeGitHubNetwork();

const POLICY = `version: 1
default_tier: low
rules:
  - name: payments
    tier: high
    paths: ["src/payments/**"]
tiers:
  low: { approvals: 1 }
  medium: {}
  high: { approvals: 1 }
labels: { prefix: false }
`;

describe("an approval given before a retarget", () => {
  it("does not count once the PR is retargeted to a base where its diff differs", async () => {
    const w = new World({ policy: POLICY });
    w.repo.branches.stage = { sha: sha("stage tip"), policy: POLICY };
    const pr = w.addPullRequest({
      number: 2,
      baseRef: "stage",
      files: [{ filename: "docs/a.md", status: "modified", additions: 1, deletions: 0 }],
    });
    pr.reviews.push({
      user: "reviewer",
      state: "APPROVED",
      commit: pr.headSha,
      association: "MEMBER",
      submittedAt: "2026-12-01T10:00:00Z",
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });

    // Retargeted to main: the same head now brings the payments change into the diff.
    pr.baseRef = w.repo.defaultBranch;
    pr.baseChangedAt = "2026-12-01T11:00:00Z";
    pr.files = [...pr.files, { filename: "src/payments/refund.ts", status: "modified", additions: 10, deletions: 0 }];
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", pr, (p) =>
        Object.assign(p, {
          action: "edited",
          changes: { base: { ref: { from: "stage" }, sha: { from: sha("stage tip") } } },
        }),
      ),
    );
    const run = w.checkRuns(pr.headSha)[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: "High risk · missing: 1 more approval" });
    expect(run.summary).toContain("approved before the PR's base branch was changed");

    // Approved again after the retarget: it counts.
    pr.reviews.push({
      user: "reviewer",
      state: "APPROVED",
      commit: pr.headSha,
      association: "MEMBER",
      submittedAt: "2026-12-01T12:00:00Z",
    });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });

  it.each([
    [
      "GitHub's automatic retarget after the old base was merged, or a force-push of the base branch (the same timeline query)",
      "2026-12-01T11:00:00Z",
    ],
    [
      "a base change whose time GitHub does not give: no approval from before it can be told apart (fail closed)",
      "no time",
    ],
    ["a base change in the same second as the approval (order unknown: fail closed)", "2026-12-01T10:00:00Z"],
  ])("%s", async (_name, changedAt) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({
      number: 3,
      files: [{ filename: "src/payments/a.ts", status: "modified", additions: 1, deletions: 0 }],
    });
    pr.reviews.push({
      user: "reviewer",
      state: "APPROVED",
      commit: pr.headSha,
      association: "MEMBER",
      submittedAt: "2026-12-01T10:00:00Z",
    });
    pr.baseChangedAt = changedAt;
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const query = String((w.since(mark).find((r) => r.path.endsWith("/graphql"))!.body as { query: string }).query);
    expect(query).toContain(
      "itemTypes: [BASE_REF_CHANGED_EVENT, AUTOMATIC_BASE_CHANGE_SUCCEEDED_EVENT, BASE_REF_FORCE_PUSHED_EVENT]",
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval",
    });
  });

  it.each([
    ["discard: an approval before the base change does not count", "discard", "2026-12-01T10:00:00Z", false],
    ["discard: an approval after it counts", "discard", "2026-12-01T12:00:00Z", true],
    ["keep: approvals of other diffs count, by the policy's own choice", "keep", "2026-12-01T10:00:00Z", true],
  ] as const)("%s", (_name, stale, submittedAt, counts) => {
    const p = policy({
      approvals: { stale },
      tiers: { low: { approvals: 1 }, medium: { approvals: 1 }, high: { approvals: 1 } },
    });
    const decision = evaluate(
      p,
      facts({
        files: [file("a.ts")],
        reviews: [{ ...review("APPROVED", "reviewer", { commit: HEAD }), submittedAt }],
        baseChangedAt: "2026-12-01T11:00:00Z",
      }),
    );
    expect(decision.requirements.find((r) => r.kind === "approvals")?.met).toBe(counts);
  });
});
