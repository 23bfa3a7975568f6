/**
 * Attacks on break glass found in review, through the real app and the FakeGitHub: each test says
 * what an attacker does and what the contract promises.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import type { FakePullRequest } from "../support/fake-github.js";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const OVERRIDES = `overrides:
  users: [cto]
  teams: [sre-oncall]
`;
const REASON = "INC-42 hotfix";
let nextCommentId = 950_000;
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

function world(policy = POLICY + OVERRIDES): World {
  const w = new World({ policy, captureLogs: true, ownerType: "Organization" });
  w.repo.collaborators = { cto: "admin", mallory: "write", oncaller: "write" };
  w.repo.teams = { "sre-oncall": ["oncaller"] };
  return w;
}

async function comment(w: World, pr: FakePullRequest, body: string, author: string, at?: string) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  await w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author, ...(at ? { at } : {}) }));
  return id;
}

const stickyOf = (pr: FakePullRequest) => pr.comments.find((c) => c.byApp)!;

async function push(w: World, pr: FakePullRequest, head: string) {
  const before = pr.headSha;
  pr.headSha = head;
  await w.receive(
    "pull_request",
    w.pullRequestEvent("synchronize", pr, (p) => (p.before = before)),
  );
}

describe("review 11: the head_moved guard and heads seen before", () => {
  it("a command written before a force-push back to an earlier head is not applied to that head", async () => {
    const w = world();
    // The author's malicious head Y is evaluated first (it fails), then a benign X is pushed on top.
    const evil = sha("evil head");
    const pr = w.addPullRequest({ number: 2, files: FILES.high, headSha: evil, author: { login: "mallory" } });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "failure" });
    await tick();
    await push(w, pr, sha("benign head"));
    await tick();
    // The CTO reviews X and writes the command now...
    const writtenAt = new Date().toISOString();
    await tick();
    // ...and before the app handles it, the author force-pushes back to Y (its run exists from
    // before); GitHub records the force-push in the PR's timeline.
    pr.headForcePushedAt = new Date(Date.now() + 1000).toISOString();
    await push(w, pr, evil);
    const id = ++nextCommentId;
    pr.comments.push({ id, body: `/guardrails override ${REASON}`, user: "cto", byApp: false });
    await w.receive(
      "issue_comment",
      w.commentCreatedEvent(pr, { id, body: `/guardrails override ${REASON}`, author: "cto", at: writtenAt }),
    );
    // The contract: the override applies to the head the person saw; Y was pushed after the command.
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.checkRuns(evil)[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("review 11: signed states pasted back by a writer", () => {
  async function overriddenOnX() {
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.high, author: { login: "mallory" } });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    return { w, pr, x: pr.headSha, grantedBody: stickyOf(pr).body };
  }

  /** The author (write access) restores the sticky comment's body; GitHub sends issue_comment.edited. */
  async function paste(w: World, pr: FakePullRequest, body: string) {
    const sticky = stickyOf(pr);
    const previous = sticky.body;
    sticky.body = body;
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(pr, { id: sticky.id, body: previous }, { body, editor: "mallory" }),
    );
  }

  it("an override ended by a push does not come back when the head returns to its commit and the old state is pasted", async () => {
    const { w, pr, x, grantedBody } = await overriddenOnX();
    await push(w, pr, sha("more changes"));
    expect(w.signedState(pr).ended).toMatchObject({ how: "new_head" });
    pr.headForcePushedAt = new Date().toISOString();
    await push(w, pr, x);
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    await paste(w, pr, grantedBody);
    // "A new head commit ends it": the override must stay ended.
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    expect(pr.labels).not.toContain("risk:overridden");
  });

  it("a withdrawn override does not come back after an evaluation error wiped the run's replay guard", async () => {
    const { w, pr, x, grantedBody } = await overriddenOnX();
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    // One evaluation fails (GitHub answers 502 to the files list once): the run gets an error record.
    w.fake.failNext((r) => r.method === "GET" && r.path === `${w.base}/pulls/2/files`, { status: 502 });
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(readDecisionRecords(w.checkRuns(x)[0]!.text)["2"]).toMatchObject({ error: expect.any(String) });
    // The error record keeps the override counter of the record it replaces.
    expect(readDecisionRecords(w.checkRuns(x)[0]!.text)["2"]!.overrideSeq).toBe(2);
    await paste(w, pr, grantedBody);
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).override).toBeUndefined();
  });
});

describe("review 11: what an outsider's command costs and says", () => {
  it("an outsider without write access costs no team lookups (permission first), however many teams the policy lists", async () => {
    const teams = Array.from({ length: 20 }, (_, i) => `team-${i}`);
    const w = world(POLICY + `overrides:\n  users: [cto]\n  teams: [${teams.join(", ")}]\n`);
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    // Any GitHub user can comment on a public repository's PR, as often as they like.
    await comment(w, pr, `/guardrails override ${REASON}`, "drive-by");
    const calls = w.calls(mark);
    expect(w.signedState(pr).refused).toMatchObject({ by: "drive-by" });
    expect(calls.filter((c) => c.includes("/memberships/"))).toEqual([]);
  });

  it("a refused command does not make the app @mention the people allowed to override", async () => {
    // A low-risk PR: no checklist, so no sticky comment until the refusal creates one (mentions ping on creation).
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(pr.comments.filter((c) => c.byApp)).toEqual([]);
    await comment(w, pr, `/guardrails override ${REASON}`, "drive-by");
    const body = stickyOf(pr).body;
    expect(body).toContain("may not override");
    // "@cto" outside a code span is a mention: the outsider makes the app ping the CTO at will.
    expect(body.replace(/`[^`]*`/g, "")).not.toMatch(/(^|[^\w`])@cto\b/);
  });

  it("repeated commands by an outsider cost one evaluation's reads each but no further writes (the installation's write budget is shared)", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "drive-by");
    const mark = w.mark();
    for (let i = 0; i < 5; i++) await comment(w, pr, `/guardrails override ${REASON} ${i}`, "drive-by");
    // The same person refused for the same reason on the same head: the note already says so.
    expect(w.writesSince(mark).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it("a command posted through another GitHub App acting for an allowed person is not that person's own command", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const id = ++nextCommentId;
    pr.comments.push({ id, body: `/guardrails override ${REASON}`, user: "cto", byApp: false });
    const payload = w.commentCreatedEvent(pr, { id, body: `/guardrails override ${REASON}`, author: "cto" });
    // A user-to-server token of some integration the CTO once authorised (chat bot, CI helper).
    payload.comment.performed_via_github_app = { id: 4242, slug: "chatops-helper", name: "ChatOps helper" };
    await w.receive("issue_comment", payload);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });
});
