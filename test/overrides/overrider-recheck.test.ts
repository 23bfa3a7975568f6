/**
 * Attacker review (issue 19): an override in force is ended when its author is no longer allowed
 * (looked up on every evaluation: src/pipeline/override.ts). That look-up is skipped in an
 * evaluation that handles a command: a failed look-up fails the check (closed), and then anyone's
 * refused command brings it back to green without the look-up ever succeeding.
 */
import { describe, expect, it } from "@jest/globals";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const REASON = "INC-42: payments down, hotfix approved on the bridge call";
let nextCommentId = 995_000;

async function comment(w: World, pr: FakePullRequest, body: string, author: string) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author }));
}

describe("an overrider who lost access is looked up in evaluations that handle a command too", () => {
  it("cto loses write access; the look-up fails once (check fails); the author's refused command must not bring the pass back", async () => {
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
    w.repo.collaborators.cto = "read";
    w.fake.failNext((r) => r.path.endsWith("/collaborators/cto/permission"), { status: 502 });
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // The PR's author (refused: not an allowed overrider) writes a command.
    await comment(w, pr, `/guardrails override ${REASON}`, pr.author.login);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).override).toBeUndefined();
  });
});
