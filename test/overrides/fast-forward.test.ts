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

/** The race of issue 19 item 1: the comment about X is handled before the synchronize that brought Y back. */
async function raced(body: (benign: string, evil: string) => string) {
  const w = new World({ policy: POLICY + "overrides:\n  users: [cto]\n", ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin", mallory: "write" };
  const benign = sha("benign X");
  const evil = sha("evil Y = X + a commit");
  const pr = w.addPullRequest({ number: 2, files: FILES.high, headSha: evil, author: { login: "mallory" } });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  await tick();
  pr.headForcePushedAt = new Date().toISOString();
  await push(w, pr, benign);
  await tick();
  const writtenAt = new Date(Date.now() + 1000).toISOString();
  // The fast-forward lands on GitHub; its synchronize is not handled yet when the comment is.
  pr.headSha = evil;
  const id = 990_002;
  const text = body(benign, evil);
  pr.comments.push({ id, body: text, user: "cto", byApp: false });
  await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body: text, author: "cto", at: writtenAt }));
  return { w, pr, evil };
}

it("the fast-forward race: a command handled before the synchronize is refused, and says to name the commit", async () => {
  const { w, pr, evil } = await raced(() => "/guardrails override INC-1");
  expect(w.signedState(pr).override).toBeUndefined();
  expect(w.signedState(pr).refused).toMatchObject({ code: "head_uncertain" });
  expect(pr.comments.find((c) => c.byApp)!.body).toContain(`/guardrails override ${evil.slice(0, 7)} <reason>`);
  expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "failure" });
});

it("the fast-forward race: a command naming the commit seen (X) is refused on Y", async () => {
  const { w, pr, evil } = await raced((benign) => `/guardrails override ${benign.slice(0, 7)} INC-1`);
  expect(w.signedState(pr).override).toBeUndefined();
  expect(w.signedState(pr).refused).toMatchObject({ code: "other_commit" });
  expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "failure" });
});

it("the fast-forward race: a command naming the head is granted (the person said what they saw)", async () => {
  const { w, pr, evil } = await raced((_benign, head) => `/guardrails override ${head.slice(0, 7)} INC-1`);
  expect(w.signedState(pr).override).toMatchObject({ head: evil, base: pr.baseRef });
  expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "success" });
});

it("issue 19 item 2: a retarget ends an override like a push", async () => {
  const w = new World({ policy: POLICY + "overrides:\n  users: [cto]\n", ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin" };
  w.repo.branches.staging = { sha: sha("staging tip"), policy: POLICY + "overrides:\n  users: [cto]\n" };
  const pr = w.addPullRequest({ number: 2, files: FILES.high });
  pr.baseRef = "staging";
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  await tick();
  const id = 990_003;
  const text = "/guardrails override INC-2";
  pr.comments.push({ id, body: text, user: "cto", byApp: false });
  await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body: text, author: "cto" }));
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  // Retargeted to main: the same head, another diff.
  await tick();
  pr.baseRef = w.repo.defaultBranch;
  pr.baseChangedAt = new Date().toISOString();
  await w.receive(
    "pull_request",
    w.pullRequestEvent("opened", pr, (p) =>
      Object.assign(p, {
        action: "edited",
        changes: { base: { ref: { from: "staging" }, sha: { from: sha("staging tip") } } },
      }),
    ),
  );
  expect(w.signedState(pr).override).toBeUndefined();
  expect(w.signedState(pr).ended).toMatchObject({ how: "retargeted" });
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
});
