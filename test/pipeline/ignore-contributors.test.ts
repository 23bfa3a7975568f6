/**
 * Review finding: `approvals.ignore_contributors` in the app. The engine discounts contributors
 * from `facts.contributors`, but the pipeline never gathers them (no commit authors/committers in
 * the snapshot, no synchronize senders kept): a reviewer who pushed to the PR still counts.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";

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

describe("a pusher is not lost to an evaluation that failed before the comment kept it", () => {
  const setUp = () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: [{ filename: "src/app.ts", status: "modified", additions: 3, deletions: 1 }],
    });
    return { w, pr };
  };
  const pushBy = async (w: World, pr: FakePullRequest, login: string, head?: string) => {
    const before = pr.headSha;
    if (head) pr.headSha = head;
    await w.receive(
      "pull_request",
      w.pullRequestEvent("synchronize", pr, (p) => {
        (p as unknown as { sender: { login: string } }).sender.login = login;
        (p as unknown as { before: string }).before = before;
      }),
    );
  };
  const approveBy = async (w: World, pr: FakePullRequest, login: string) => {
    pr.reviews.push({ user: login, state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: login, state: "APPROVED" }));
  };
  const newest = (w: World, pr: FakePullRequest) => w.checkRuns(pr.headSha).at(-1)!;

  it("the snapshot read failed: the failing run's record keeps the pusher, the next evaluation takes it over", async () => {
    const { w, pr } = setUp();
    w.fake.failNext((r) => r.path === "/graphql", { status: 400, body: { message: "bad gateway" } });
    await pushBy(w, pr, "mallory");
    expect(newest(w, pr)).toMatchObject({ conclusion: "failure" });
    expect(readDecisionRecords(newest(w, pr).text)["7"]).toMatchObject({ pushers: ["mallory"] });
    await approveBy(w, pr, "mallory");
    expect(newest(w, pr).conclusion).toBe("failure");
    expect(newest(w, pr).summary).toContain("mallory");
    // The decision record goes on carrying it, beside the comment's signed state.
    expect(readDecisionRecords(newest(w, pr).text)["7"]?.pushers).toEqual(["mallory"]);
  });

  it("the comment write failed after the check was written: the failing record keeps the pusher", async () => {
    const { w, pr } = setUp();
    w.fake.failNext((r) => r.method !== "GET" && r.path.includes("/issues/") && r.path.includes("comments"), {
      status: 422,
    });
    await pushBy(w, pr, "mallory");
    expect(newest(w, pr)).toMatchObject({ conclusion: "failure" });
    await approveBy(w, pr, "mallory");
    expect(newest(w, pr).conclusion).toBe("failure");
  });

  it("two failed pushes in a row by two people: both are known at the next head", async () => {
    const { w, pr } = setUp();
    w.fake.failNext((r) => r.path === "/graphql", { status: 400 });
    await pushBy(w, pr, "mallory");
    w.fake.failNext((r) => r.path === "/graphql" && r.operation === "GuardrailsPullRequest", { status: 400 });
    await pushBy(w, pr, "trent", sha("second push"));
    await approveBy(w, pr, "mallory");
    expect(newest(w, pr).conclusion).toBe("failure");
    pr.reviews.push({ user: "trent", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "trent", state: "APPROVED" }));
    expect(newest(w, pr).conclusion).toBe("failure");
    expect(newest(w, pr).summary).toMatch(/mallory[\s\S]*trent|trent[\s\S]*mallory/);
  });
});

describe("a pusher is not lost to a comment someone with write access deleted or edited", () => {
  for (const tamper of ["deleted", "garbled"] as const) {
    it(`the app's comment ${tamper} after the push: the run's record still names the pusher`, async () => {
      const w = new World({ policy: INDEPENDENT });
      const pr = w.addPullRequest({
        number: 8,
        files: [{ filename: "src/app.ts", status: "modified", additions: 3, deletions: 1 }],
      });
      await w.receive(
        "pull_request",
        w.pullRequestEvent("synchronize", pr, (p) => {
          (p as unknown as { sender: { login: string } }).sender.login = "mallory";
        }),
      );
      const sticky = pr.comments.findIndex((c) => c.byApp);
      expect(sticky).toBeGreaterThanOrEqual(0);
      if (tamper === "deleted") pr.comments.splice(sticky, 1);
      else
        pr.comments[sticky]!.body = pr.comments[sticky]!.body.replace(/guardrails:state \S+/, "guardrails:state x.y");
      pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
      await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
      const newest = w.checkRuns(pr.headSha).at(-1)!;
      expect(newest.conclusion).toBe("failure");
      expect(newest.summary).toContain("mallory");
    });
  }
});
