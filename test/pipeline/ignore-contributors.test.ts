/**
 * Review finding: `approvals.ignore_contributors` in the app. The engine discounts contributors
 * from `facts.contributors`, but the pipeline never gathers them (no commit authors/committers in
 * the snapshot, no synchronize senders kept): a reviewer who pushed to the PR still counts.
 */
import { describe, expect, it } from "@jest/globals";
import { MAX_PUSHERS } from "../../src/state/checklist-state.js";
import { errorRecord, readDecisionRecords } from "../../src/state/decision-record.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { FILES, INDEPENDENT, synchronizeBy } from "./pushers.js";

useFakeGitHubNetwork();

describe("approvals.ignore_contributors in the app", () => {
  it("does not count an approval by someone who pushed to the PR (synchronize sender)", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: FILES,
    });
    // mallory pushes a commit to alice's PR branch ...
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory"));
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
      files: FILES,
    });
    return { w, pr };
  };
  const pushBy = async (w: World, pr: FakePullRequest, login: string, head?: string) => {
    const before = pr.headSha;
    if (head) pr.headSha = head;
    await w.receive("pull_request", synchronizeBy(w, pr, login, before));
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
        files: FILES,
      });
      await w.receive("pull_request", synchronizeBy(w, pr, "mallory"));
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

describe("a failing record past the pushers it keeps", () => {
  it("keeps the first MAX_PUSHERS and marks the overflow (every reviewer may then be a pusher) instead of losing names", () => {
    const previous = errorRecord(
      "h",
      "earlier",
      undefined,
      undefined,
      {},
      Array.from({ length: MAX_PUSHERS }, (_, i) => `p${i}`),
    );
    expect(previous.pushersOverflow).toBeUndefined();
    const next = errorRecord("h", "again", previous, undefined, {}, ["one-more"]);
    expect(next.pushers).toHaveLength(MAX_PUSHERS);
    expect(next.pushersOverflow).toBe(true);
  });
});
