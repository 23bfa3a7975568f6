/**
 * Review 11, residual on main 0dccf83: the head_moved guard keys on headSince (carried while this
 * PR's record is on the same head) and on the last force-push. A head seen before can come back
 * by a fast-forward, with no force-push event: rewind to a benign ancestor (force-push), get the
 * override written, then fast-forward to the evil descendant seen before.
 */
import { expect, it } from "@jest/globals";
import { decodeState } from "../../src/state/checklist-state.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { TEST_STATE_SECRET } from "../support/test-probot.js";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

async function push(w: World, pr: FakePullRequest, head: string) {
  const before = pr.headSha;
  pr.headSha = head;
  await w.receive(
    "pull_request",
    w.pullRequestEvent("synchronize", pr, (p) => {
      p.before = before;
      p.pull_request.updated_at = new Date().toISOString();
    }),
  );
}

it("a grant written before a fast-forward back to a head evaluated long ago is not applied to it", async () => {
  const w = new World({ policy: POLICY + "overrides:\n  users: [cto]\n", ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin", mallory: "write" };
  const benign = sha("benign X");
  const evil = sha("evil Y = X + a commit");
  const pr = w.addPullRequest({ number: 2, files: FILES.high, headSha: evil, author: { login: "mallory" } });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  await tick();
  // Rewind to the benign parent: a force-push, recorded in the timeline.
  pr.headForcePushedAt = new Date().toISOString();
  await push(w, pr, benign);
  await tick();
  const writtenAt = new Date().toISOString();
  await tick();
  // After the CTO wrote the command about X: a plain fast-forward to Y (no force-push event).
  await push(w, pr, evil);
  const id = 990_001;
  pr.comments.push({ id, body: "/guardrails override INC-1", user: "cto", byApp: false });
  await w.receive(
    "issue_comment",
    w.commentCreatedEvent(pr, { id, body: "/guardrails override INC-1", author: "cto", at: writtenAt }),
  );
  const sticky = pr.comments.find((c) => c.byApp)!;
  expect(
    decodeState(TEST_STATE_SECRET, { owner: w.owner, repo: w.name, number: 2 }, sticky.body).override,
  ).toBeUndefined();
  expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "failure" });
});
