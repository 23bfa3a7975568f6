/**
 * Review finding: `approvals.ignore_contributors` in the app. The engine discounts contributors
 * from `facts.contributors`, but the pipeline never gathers them (no commit authors/committers in
 * the snapshot, no synchronize senders kept): a reviewer who pushed to the PR still counts.
 */
import { describe, expect, it } from "@jest/globals";
import { useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const INDEPENDENT = `version: 1
default_tier: medium
tiers:
  low: {}
  medium:
    approvals: 1
  high: {}
approvals:
  ignore_contributors: true
labels: { prefix: false }
`;

describe("approvals.ignore_contributors in the app", () => {
  it("does not count an approval by someone who pushed to the PR (synchronize sender)", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: [{ filename: "src/app.ts", status: "modified", additions: 3, deletions: 1 }],
    });
    // mallory pushes a commit to alice's PR branch ...
    await w.receive(
      "pull_request",
      w.pullRequestEvent("synchronize", pr, (p) => {
        (p as unknown as { sender: { login: string } }).sender.login = "mallory";
      }),
    );
    // ... and approves it.
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    const runs = w.checkRuns();
    const newest = runs[runs.length - 1]!;
    // Spec: a pusher is a contributor and does not count; the PR must still miss an approval.
    expect(newest.conclusion).toBe("failure");
  });
});
