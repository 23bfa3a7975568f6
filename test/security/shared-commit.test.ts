/**
 * One commit, several PRs. GitHub reads required checks per commit: two open PRs can share a head
 * (the same branch into `main` and into a branch that already holds the change, or a fork's PR).
 * The run on that commit must be the conjunction of every such PR, each judged under its own base;
 * an event on any of them re-evaluates all; the merge queue trusts the run only when it covers
 * every PR with that head. Before the fix, PR B's evaluation rewrote the run to B's own success.
 */
import { describe, expect, it } from "@jest/globals";
import { COMMENT_MARKER } from "../../src/state/checklist-state.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { bodyOf, checkWrites, sha, useFakeGitHubNetwork, World } from "../github/harness.js";
import { DOCS_AUTH } from "../support/policies.js";

useFakeGitHubNetwork();

const POLICY = DOCS_AUTH;

const HEAD = sha("shared head");
const AUTH = [{ filename: "src/auth/login.ts", status: "modified" as const, additions: 5, deletions: 1 }];
const DOCS = [{ filename: "docs/login.md", status: "modified" as const, additions: 2, deletions: 0 }];

/** PR #1 into main (auth: failing) and PR #2 with the same head into `weak` (docs only: passing on its own). */
function twoPullRequests(): { w: World; a: FakePullRequest; b: FakePullRequest } {
  const w = new World({ policy: POLICY });
  w.repo.branches.weak = { sha: sha("weak tip"), policy: POLICY };
  const a = w.addPullRequest({ number: 1, headSha: HEAD, headRef: "feature", files: AUTH });
  const b = w.addPullRequest({ number: 2, headSha: HEAD, headRef: "feature", baseRef: "weak", files: DOCS });
  return { w, a, b };
}

const approve = (pr: FakePullRequest) =>
  pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });

describe("the check on a commit holds for every open PR whose head it is", () => {
  it("PR B (docs only, into another base) cannot turn PR A's failing check into a pass", async () => {
    const { w, a, b } = twoPullRequests();
    await w.receive("pull_request", w.pullRequestEvent("opened", a));
    expect(w.checkRuns(HEAD)).toEqual([expect.objectContaining({ conclusion: "failure" })]);

    // B alone would pass (low, nothing required): opening it must not make the commit pass.
    await w.receive("pull_request", w.pullRequestEvent("opened", b));
    const runs = w.checkRuns(HEAD);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      conclusion: "failure",
      title: "PR #1 blocks this commit · High risk · missing: 1 more approval",
      externalId: "1,2",
    });
    expect(runs[0]!.summary).toContain(
      "This commit is the head of 2 open pull requests: #1 (into `master`), #2 (into `weak`).",
    );
    expect(runs[0]!.summary).toContain("### PR #1 into `master`: ❌ fails");
    expect(runs[0]!.summary).toContain("### PR #2 into `weak`: ✅ passes");
    // No write on the commit ever said success.
    expect(
      checkWrites(w.since())
        .map((r) => bodyOf(r).conclusion)
        .filter(Boolean),
    ).not.toContain("success");

    // Editing B, labelling B: still the conjunction.
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", b, (p) =>
        Object.assign(p, { action: "edited", changes: { title: { from: "old" } } }),
      ),
    );
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("passes once every PR passes, and an event on either re-evaluates both", async () => {
    const { w, a, b } = twoPullRequests();
    await w.receive("pull_request", w.pullRequestEvent("opened", a));
    await w.receive("pull_request", w.pullRequestEvent("opened", b));
    approve(a);
    await w.receive("pull_request_review", w.reviewEvent("submitted", a, { user: "reviewer", state: "APPROVED" }));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({
      conclusion: "success",
      title: "All 2 PRs on this commit pass · #1 High risk, #2 Low risk",
    });

    // A's approval is dismissed, and the next event is B's: it judges A again and fails the commit.
    a.reviews = [];
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", b, (p) => Object.assign(p, { action: "edited", changes: { body: { from: "x" } } })),
    );
    expect(w.checkRuns(HEAD)[0]).toMatchObject({
      conclusion: "failure",
      title: "PR #1 blocks this commit · High risk · missing: 1 more approval",
    });
  });

  it("a fork's PR with the same head counts too", async () => {
    const { w, a } = twoPullRequests();
    approve(a);
    await w.receive("pull_request", w.pullRequestEvent("opened", a));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success" });
    // A fork's PR into main whose head equals the branch's head, touching more than A's diff shows.
    const fork = w.addPullRequest({
      number: 3,
      headSha: HEAD,
      headRef: "someone:feature",
      author: { login: "outsider" },
      files: [...AUTH, { filename: "src/app.ts", status: "modified", additions: 1, deletions: 0 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", fork));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({
      conclusion: "failure",
      title: "PR #3 blocks this commit · High risk · missing: 1 more approval",
      externalId: "1,2,3",
    });
  });

  it.each([
    ["the failing one first", [3, 4]],
    ["the passing one first", [4, 3]],
  ])(
    "two forks' PRs with one head that GitHub's commit-to-PR association does not list: the run still holds for both (%s)",
    async (_order, order) => {
      const w = new World({ policy: POLICY });
      w.repo.branches.weak = { sha: sha("weak tip"), policy: POLICY };
      // Into main, touching auth, not approved: fails. Into weak, docs only: passes.
      const failing = w.addPullRequest({
        number: 3,
        headSha: HEAD,
        headRef: "someone:feature",
        files: AUTH,
        unlistedByCommit: true,
      });
      const passing = w.addPullRequest({
        number: 4,
        headSha: HEAD,
        headRef: "someone:feature",
        baseRef: "weak",
        files: DOCS,
        unlistedByCommit: true,
      });
      const byNumber = { 3: failing, 4: passing } as Record<number, FakePullRequest>;
      for (const n of order) await w.receive("pull_request", w.pullRequestEvent("opened", byNumber[n]!));
      // The run's external id is how each evaluation learns of the other: the pass is never written alone.
      expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "failure", externalId: "3,4" });
      await w.receive(
        "pull_request",
        w.pullRequestEvent("opened", passing, (p) =>
          Object.assign(p, { action: "edited", changes: { body: { from: "x" } } }),
        ),
      );
      expect(w.checkRuns(HEAD)[0]).toMatchObject({
        conclusion: "failure",
        title: "PR #3 blocks this commit · High risk · missing: 1 more approval",
      });
    },
  );

  it("the merge queue passes a PR only when the run on its head covers every PR with that head", async () => {
    const { w, a, b } = twoPullRequests();
    approve(a);
    await w.receive("pull_request", w.pullRequestEvent("opened", a));
    // B exists with the same head, but the run was written before anyone judged B.
    w.checkRuns(HEAD)[0]!.externalId = "1";
    await w.receive("merge_group", w.mergeGroupEvent(1, sha("group 1")));
    const blocked = w.checkRuns(sha("group 1"))[0]!;
    expect(blocked).toMatchObject({ conclusion: "failure" });
    expect(blocked.summary).toContain("does not yet cover PR #2, which has the same head");

    await w.receive("pull_request", w.pullRequestEvent("opened", b));
    await w.receive("merge_group", w.mergeGroupEvent(1, sha("group 2")));
    expect(w.checkRuns(sha("group 2"))[0]).toMatchObject({ conclusion: "success" });
  });

  it("fails closed when more PRs share the head than it judges together", async () => {
    const w = new World({ policy: POLICY });
    const prs = Array.from({ length: 11 }, (_, i) => w.addPullRequest({ number: i + 1, headSha: HEAD, files: DOCS }));
    await w.receive("pull_request", w.pullRequestEvent("opened", prs[0]!));
    const run = w.checkRuns(HEAD)[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "Evaluation failed · the pull request is blocked until it succeeds",
    });
    expect(run.summary).toContain("11 open pull requests share this head commit");
  });

  it("ten PRs opened and closed on a victim's head do not block it: closed PRs leave the run's coverage", async () => {
    const w = new World({ policy: POLICY });
    const prs = Array.from({ length: 11 }, (_, i) => w.addPullRequest({ number: i + 1, headSha: HEAD, files: DOCS }));
    await w.receive("pull_request", w.pullRequestEvent("opened", prs[0]!));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({
      conclusion: "failure",
      externalId: prs.map((p) => p.number).join(","),
    });

    // The attacker closes their ten PRs; a fork's PR is not listed by GitHub's association either.
    for (const pr of prs.slice(1)) Object.assign(pr, { state: "CLOSED", unlistedByCommit: true });
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("reopened", prs[0]!));
    const run = w.checkRuns(HEAD)[0]!;
    expect(run).toMatchObject({ conclusion: "success", externalId: "1" });
    // One query learns which covered PRs are still open on the head, not one per PR.
    expect(w.calls(mark).filter((c) => c.includes("GuardrailsPullRequestsOnHead"))).toHaveLength(1);
  });
});

describe("fail-open windows", () => {
  it("a force-push back to an earlier head first takes that head's old pass out of success", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 1, headSha: HEAD, files: AUTH });
    approve(pr);
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success" });

    // Pushed away and back: the approval was for this commit but has since been dismissed.
    pr.reviews = [];
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("synchronize", pr, (p) =>
        Object.assign(p, {
          before: sha("elsewhere"),
          pull_request: { ...p.pull_request, updated_at: new Date().toISOString() },
        }),
      ),
    );
    const writes = w.writesSince(mark);
    expect(bodyOf(writes[0]).status).toBe("in_progress");
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("a checklist edit whose evaluation fails before the PR is read still fails the head's run", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 1, headSha: HEAD, files: AUTH });
    approve(pr);
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success" });

    // The comment event carries no head; the snapshot fails (twice: the evaluation does not retry it here).
    w.fake.failNext((r) => r.operation === "GuardrailsPullRequest", { status: 502, body: { message: "Bad Gateway" } });
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(
        pr,
        { id: 99, body: `${COMMENT_MARKER}\n- [ ] a` },
        { body: `${COMMENT_MARKER}\n- [x] a`, editor: "alice" },
      ),
    );
    expect(w.checkRuns(HEAD)[0]).toMatchObject({
      conclusion: "failure",
      title: "Evaluation failed · the pull request is blocked until it succeeds",
    });
  });
});
