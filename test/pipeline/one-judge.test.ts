/**
 * One judge for every PR on a shared head. The shared-head path used to judge the other PRs on a
 * commit with its own copy of the pipeline, which ran the override transition without the
 * overrider's current access: an override whose author had since lost write access still counted
 * in the combined run until that PR's own next event. The same judge now serves both.
 */
import { describe, expect, it } from "@jest/globals";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const POLICY_WITH_OVERRIDES = `${POLICY}overrides:
  users: [cto]
`;
const HEAD = sha("one head, two PRs");

async function overriddenOnSharedHead() {
  const w = new World({ policy: POLICY_WITH_OVERRIDES, ownerType: "Organization" });
  w.repo.collaborators = { cto: "write" };
  w.repo.branches.weak = { sha: sha("weak tip"), policy: POLICY_WITH_OVERRIDES };
  const high = w.addPullRequest({ number: 2, headSha: HEAD, headRef: "hotfix", files: FILES.high });
  await w.receive("pull_request", w.pullRequestEvent("opened", high));
  high.comments.push({ id: 77, body: "/guardrails override INC-7: outage", user: "cto", byApp: false });
  await w.receive(
    "issue_comment",
    w.commentCreatedEvent(high, { id: 77, body: "/guardrails override INC-7: outage", author: "cto" }),
  );
  expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success" });
  // PR #3: the same head into another branch, low risk on its own.
  const low = w.addPullRequest({ number: 3, headSha: HEAD, headRef: "hotfix", baseRef: "weak", files: FILES.low });
  await w.receive("pull_request", w.pullRequestEvent("opened", low));
  expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success", externalId: "2,3" });
  return { w, low };
}

describe("the other PRs on a shared head are judged by the same judge", () => {
  it("an override whose author lost write access stops counting in the combined run at the other PR's event", async () => {
    const { w, low } = await overriddenOnSharedHead();
    w.repo.collaborators.cto = "read";
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", low, (p) => (p.label!.name = "bug")),
    );
    // The overrider's access is looked up for PR #2 too, and its override no longer holds.
    expect(w.calls(mark)).toContain(`GET ${w.base}/collaborators/cto/permission`);
    const run = w.checkRuns(HEAD)[0]!;
    expect(run).toMatchObject({ conclusion: "failure", externalId: "2,3" });
    expect(run.title).toMatch(/^PR #2 blocks this commit/);
  });

  it("while the overrider keeps write access, the override still holds for the combined run", async () => {
    const { w, low } = await overriddenOnSharedHead();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", low, (p) => (p.label!.name = "bug")),
    );
    expect(w.checkRuns(HEAD)[0]).toMatchObject({ conclusion: "success", externalId: "2,3" });
  });
});
