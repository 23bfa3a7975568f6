/**
 * Attacker review (issue 19 item 6, "a withdrawal is never lost"): an allowed person's `off` whose
 * own evaluation failed is applied by the next evaluation from the PR's last comments
 * (src/pipeline/override.ts `pendingWithdrawal`). Only the newest 3 `off` comments are looked up:
 * anyone who can comment (no write access needed: the scan reads every comment, and the webhook
 * refuses their own deliveries before any evaluation) writes 3 `off`s after it, and the override
 * stays in force, the check green again at the next event.
 * Fixed: each person's newest `off` only, nobody who could never be allowed looked up, likely
 * writers first; and when comments since the grant cannot all be read, the override ends.
 */
import { describe, expect, it } from "@jest/globals";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const REASON = "INC-42: payments down, hotfix approved on the bridge call";
let nextCommentId = 990_000;

async function comment(w: World, pr: FakePullRequest, body: string, author: string, deliver = true) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  if (deliver) await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author }));
}

describe("an `off` whose evaluation failed is not hidden by other people's `off` comments", () => {
  it("three outsiders' `off` comments after it: the next evaluation still withdraws the override", async () => {
    const w = new World({
      policy: POLICY + "overrides:\n  users: [cto]\n",
      captureLogs: true,
      ownerType: "Organization",
    });
    w.repo.collaborators = { cto: "write" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    // cto withdraws; a GitHub error fails that evaluation (closed: the check fails).
    w.fake.failNext((r) => r.path.endsWith("/collaborators/cto/permission"), { status: 502 });
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // Three accounts without write access write `off` too (their deliveries are refused in the webhook).
    for (const troll of ["troll1", "troll2", "troll3"]) await comment(w, pr, "/guardrails override off", troll, false);
    // The next event: cto's `off` must still apply.
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("comments since the grant that the snapshot cannot read end the override", () => {
  const setUp = async () => {
    const w = new World({
      policy: POLICY + "overrides:\n  users: [cto]\n  teams: [sre]\n",
      captureLogs: true,
      ownerType: "Organization",
    });
    w.repo.collaborators = { cto: "write" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    return { w, pr };
  };
  const label = (w: World, pr: FakePullRequest) =>
    w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );

  it("over 100 comments after it (an `off` could be among those not read): ended, the check fails", async () => {
    const { w, pr } = await setUp();
    for (let i = 0; i < 101; i++) await comment(w, pr, `chatter ${i}`, `someone${i}`, false);
    await label(w, pr);
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawal_unknown", by: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("control: 60 comments after it are all read, and the override holds", async () => {
    const { w, pr } = await setUp();
    for (let i = 0; i < 60; i++) await comment(w, pr, `chatter ${i}`, `someone${i}`, false);
    await label(w, pr);
    expect(w.signedState(pr).override).toMatchObject({ by: "cto" });
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });

  it("people's `off` comments cannot push a likely writer's out of the lookups (teams listed: anyone may be allowed)", async () => {
    const { w, pr } = await setUp();
    w.fake.failNext((r) => r.path.endsWith("/collaborators/cto/permission"), { status: 502 });
    await comment(w, pr, "/guardrails override off", "cto");
    for (const troll of ["troll1", "troll2", "troll3", "troll4"])
      await comment(w, pr, "/guardrails override off", troll, false);
    const mark = w.mark();
    await label(w, pr);
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
    // cto (a collaborator) is looked up first: no troll's access is asked.
    expect(w.calls(mark).filter((c) => c.includes("/collaborators/troll"))).toEqual([]);
  });
});
