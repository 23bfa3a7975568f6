/**
 * Attacker review 4 of 82b238a (an evaluation at a head without this PR's record, for an event
 * that did not bring the head, takes every reviewer for a possible pusher): ways around it under
 * `approvals.ignore_contributors`, and the legitimate flows it must not block for good.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { INDEPENDENT, FILES, synchronizeBy } from "./pushers.js";

useFakeGitHubNetwork();

const newest = (w: World, head: string) => w.checkRuns(head).at(-1)!;

async function openedWorld() {
  const w = new World({ policy: INDEPENDENT });
  const pr = w.addPullRequest({ number: 7, files: FILES });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  return { w, pr, a: pr.headSha };
}

describe("review 4: the push not handled yet", () => {
  it("F1: mallory pushes B and approves; a second event at B before the synchronize must not count her approval", async () => {
    const { w, pr } = await openedWorld();
    pr.headSha = sha("mallory's commit B");
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).toBe("failure");
    // The first, blocked evaluation wrote this PR's record on B's run; any other event follows.
    await w.receive("pull_request_review", w.reviewEvent("edited", pr, { user: "mallory", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).not.toBe("success");
    expect(newest(w, pr.headSha).summary).toContain("has not been handled yet");
  });

  it("F1b: the review's evaluation fails before its snapshot; the failing record must not make the pusher known", async () => {
    const { w, pr } = await openedWorld();
    pr.headSha = sha("mallory's commit B");
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    w.fake.failNext((r) => r.operation === "GuardrailsPullRequest", { status: 502 });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    expect(readDecisionRecords(newest(w, pr.headSha).text)["7"]).toMatchObject({ error: expect.any(String) });
    await w.receive("pull_request_review", w.reviewEvent("edited", pr, { user: "mallory", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).toBe("failure");
    expect(newest(w, pr.headSha).summary).toContain("has not been handled yet");
  });

  // Fixed: an evaluation knows the heads the pushes it covers brought (`pushedHeads`, src/webhooks/schedule.ts).
  it("F2: the author's synchronize for A2 handled when GitHub's head is already mallory's B must not make B's pusher known", async () => {
    const { w, pr, a } = await openedWorld();
    const a2 = sha("author's commit A2");
    pr.headSha = a2;
    const authorPush = synchronizeBy(w, pr, pr.author.login, a);
    // mallory pushes B before the author's push is handled; she approves B.
    pr.headSha = sha("mallory's commit B");
    await w.receive("pull_request", authorPush);
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).not.toBe("success");
    // mallory's own synchronize, handled last, makes her known (the control).
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a2));
    expect(newest(w, pr.headSha).conclusion).toBe("failure");
  });

  it("F3: mallory pushes B while the PR is closed and it is reopened: her approval of B must not count", async () => {
    const { w, pr } = await openedWorld();
    pr.state = "CLOSED";
    await w.receive("pull_request", w.pullRequestEvent("closed", pr));
    pr.headSha = sha("mallory's commit B, pushed while closed");
    pr.state = "OPEN";
    await w.receive("pull_request", w.pullRequestEvent("reopened", pr));
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).not.toBe("success");
  });

  it("held: the push handled after a blocked review, a later review by another person counts (not blocked for good)", async () => {
    const { w, pr, a } = await openedWorld();
    pr.headSha = sha("author's commit B");
    pr.reviews.push({ user: "bob", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "bob", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).toBe("failure");
    await w.receive("pull_request_review", w.reviewEvent("edited", pr, { user: "bob", state: "APPROVED" }));
    await w.receive("pull_request", synchronizeBy(w, pr, pr.author.login, a));
    expect(newest(w, pr.headSha).conclusion).toBe("success");
    // Any later event keeps it so.
    await w.receive("pull_request_review", w.reviewEvent("edited", pr, { user: "bob", state: "APPROVED" }));
    expect(newest(w, pr.headSha).conclusion).toBe("success");
  });

  it("held: Re-run of the check keeps the head's record and its pushers (same run)", async () => {
    const { w, pr, a } = await openedWorld();
    pr.headSha = sha("mallory's commit B");
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a));
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    const run = newest(w, pr.headSha);
    await w.receive(
      "check_run",
      w.checkRunEvent("rerequested", { id: run.id, headSha: pr.headSha }, { pullRequests: [pr] }),
    );
    const after = newest(w, pr.headSha);
    expect(after.conclusion).toBe("failure");
    expect(after.summary).toContain("mallory");
    expect(readDecisionRecords(after.text)["7"]).toMatchObject({ pushers: ["mallory"] });
  });

  it("held: Re-run all checks (check_suite.rerequested) keeps the head's record and its pushers", async () => {
    const { w, pr, a } = await openedWorld();
    pr.headSha = sha("mallory's commit B");
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a));
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("check_suite", w.checkSuiteRerequestedEvent(pr.headSha, [pr]));
    const after = newest(w, pr.headSha);
    expect(after.conclusion).toBe("failure");
    expect(readDecisionRecords(after.text)["7"]).toMatchObject({ pushers: ["mallory"] });
    expect(readDecisionRecords(after.text)["7"]?.pushUnknown).toBeUndefined();
  });
});

describe("the author's pushes joined into one evaluation", () => {
  it("the evaluation covers the heads of every push joined into it: an independent approval of the last head counts", async () => {
    const { w, pr, a } = await openedWorld();
    const a2 = sha("author's commit A2");
    const a3 = sha("author's commit A3");
    pr.headSha = a2;
    const first = synchronizeBy(w, pr, pr.author.login, a);
    pr.headSha = a3;
    const second = synchronizeBy(w, pr, pr.author.login, a2);
    pr.reviews.push({ user: "bob", state: "APPROVED", commit: a3 });
    const mark = w.mark();
    // A re-evaluation keeps the PR's queue busy: the two pushes wait, and the second joins the first.
    const busy = w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    await Promise.all([busy, w.receive("pull_request", first), w.receive("pull_request", second)]);
    expect(w.since(mark).filter((r) => r.operation === "GuardrailsPullRequest")).toHaveLength(2);
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "bob", state: "APPROVED" }));
    expect(newest(w, a3).conclusion).toBe("success");
    expect(readDecisionRecords(newest(w, a3).text)["7"]?.pushUnknown).toBeUndefined();
  });
});
