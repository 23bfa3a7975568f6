/**
 * Attacker review (issue 19, round after 2581005): a pusher kept only in a failing run's record
 * (issue 20, src/state/decision-record.ts `pushers`) is taken over from this head's run and from
 * the previous head's (`before` of the `synchronize`). The author's own `synchronize` is joinable:
 * when it joins an evaluation already queued (a label, a CI result), that evaluation has no
 * previous head, so the record that kept the pusher is never read, and the pusher's approval counts.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { INDEPENDENT, FILES, synchronizeBy } from "./pushers.js";

useFakeGitHubNetwork();

describe("a pusher kept in a failing record is not lost when the next push joins a queued evaluation", () => {
  it("mallory's push fails to evaluate; the author's next push joins a queued re-evaluation; mallory's approval must not count", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: FILES,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    // mallory pushes B; its evaluation fails before the comment keeps her (the record does).
    const a = pr.headSha;
    pr.headSha = sha("mallory's commit B");
    w.fake.failNext((r) => r.path === "/graphql", { status: 400, body: { message: "bad gateway" } });
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a));
    const b = pr.headSha;
    expect(readDecisionRecords(w.checkRuns(b).at(-1)!.text)["7"]).toMatchObject({ pushers: ["mallory"] });
    // The author pushes C on top while the PR's queue is busy: one evaluation runs, a plain one is
    // queued, and the author's synchronize (joinable) joins the queued one.
    pr.headSha = sha("author's commit C");
    await Promise.all([
      w.receive("pull_request", w.pullRequestEvent("labeled", pr)),
      w.receive("pull_request", w.pullRequestEvent("labeled", pr)),
      w.receive("pull_request", synchronizeBy(w, pr, pr.author.login, b)),
    ]);
    // mallory approves C (which carries her commit B).
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    const newest = w.checkRuns(pr.headSha).at(-1)!;
    expect(newest.conclusion).toBe("failure");
    expect(newest.summary).toContain("mallory");
  });
});

describe("a pusher kept in a failing record is not lost when a later evaluation of the same head fails before its snapshot", () => {
  it("mallory's push fails to evaluate; a later event on that head fails too; mallory's approval must not count", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: FILES,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const a = pr.headSha;
    pr.headSha = sha("mallory's commit B");
    w.fake.failNext((r) => r.path === "/graphql", { status: 400, body: { message: "bad gateway" } });
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a));
    expect(readDecisionRecords(w.checkRuns(pr.headSha).at(-1)!.text)["7"]).toMatchObject({ pushers: ["mallory"] });
    // Another event on the same head whose snapshot read fails as well: its failing check is written
    // over the same run, without the snapshot's text.
    w.fake.failNext((r) => r.path === "/graphql", { status: 400, body: { message: "bad gateway" } });
    await w.receive("pull_request", w.pullRequestEvent("labeled", pr));
    expect(w.checkRuns(pr.headSha).at(-1)!.conclusion).toBe("failure");
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    const newest = w.checkRuns(pr.headSha).at(-1)!;
    expect(newest.conclusion).toBe("failure");
    expect(newest.summary).toContain("mallory");
  });
});
