/**
 * Attacker review 3, finding E (fixed: an evaluation at a head the app never evaluated for the PR,
 * for an event other than the one that brought the head, takes every reviewer for a possible
 * pusher, src/pipeline/judge.ts): under
 * `approvals.ignore_contributors` the pusher of a head is known only from that head's
 * `synchronize` (its sender). An event evaluated at the new head before the `synchronize` is
 * handled (the pusher's own review delivered or queued first: GitHub does not order deliveries,
 * and a plain event may join an evaluation queued ahead of the push's) counts the pusher's
 * approval, and the check passes until the `synchronize` is handled; auto-merge merges then.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import { sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { INDEPENDENT, FILES, synchronizeBy } from "./pushers.js";

useFakeGitHubNetwork();

describe("a pusher's approval handled before the push's synchronize", () => {
  it("mallory pushes B and approves it; her review is evaluated first: the check must not pass", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: FILES,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const a = pr.headSha;
    pr.headSha = sha("mallory's commit B");
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    const beforeSynchronize = w.checkRuns(pr.headSha).at(-1)!.conclusion;
    // The check says why her approval does not count yet.
    expect(w.checkRuns(pr.headSha).at(-1)!.summary).toContain("has not been handled yet");
    await w.receive("pull_request", synchronizeBy(w, pr, "mallory", a));
    // Once the synchronize is handled, her approval no longer counts (the control).
    expect(w.checkRuns(pr.headSha).at(-1)!.conclusion).toBe("failure");
    expect(beforeSynchronize).not.toBe("success");
  });
});

describe("pushes join only a queued push's evaluation, and never one queued before a pusher's", () => {
  it("author pushes b, mallory pushes c (her evaluation fails), author pushes d: mallory's approval of d must not count", async () => {
    const w = new World({ policy: INDEPENDENT });
    const pr = w.addPullRequest({
      number: 7,
      files: FILES,
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const a = pr.headSha;
    const [b, c, d] = ["b", "c", "d"].map((h) => sha(`commit ${h}`)) as [string, string, string];
    // Each push's payload names its own head; GitHub's head is d when they are handled.
    const pushTo = (head: string, by: string, before: string) => {
      pr.headSha = head;
      return synchronizeBy(w, pr, by, before);
    };
    const pushes = [pushTo(b, pr.author.login, a), pushTo(c, "mallory", b), pushTo(d, pr.author.login, c)];
    // mallory's evaluation (the one whose previous head is b) fails before its snapshot.
    w.fake.failNext(
      (r) =>
        r.operation === "GuardrailsPullRequest" &&
        (r.body as { variables?: { previousHead?: string } }).variables?.previousHead === b,
      { status: 502 },
    );
    // A label keeps the queue busy; the author's push b queues; mallory's push c (her own
    // evaluation) and the author's push d come after it.
    await Promise.all([
      w.receive("pull_request", w.pullRequestEvent("labeled", pr)),
      ...pushes.map((p) => w.receive("pull_request", p)),
    ]);
    expect(readDecisionRecords(w.checkRuns(c).at(-1)?.text)["7"]).toMatchObject({ pushers: ["mallory"] });
    pr.reviews.push({ user: "mallory", state: "APPROVED", commit: d });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "mallory", state: "APPROVED" }));
    const newest = w.checkRuns(d).at(-1)!;
    expect(newest.conclusion).toBe("failure");
    expect(newest.summary).toContain("mallory");
  });
});
