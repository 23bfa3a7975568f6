/**
 * Break glass through the real app and the FakeGitHub: `/guardrails override <reason>` granted,
 * refused for each reason (changing nothing but the sticky comment's note), ended by a push,
 * withdrawn, seen by a replica after a restart, and kept as the signed state, not the comment.
 */
import { describe, expect, it } from "@jest/globals";
import { readDecisionRecords } from "../../src/state/decision-record.js";
import type { FakePullRequest } from "../support/fake-github.js";
import {
  blobId,
  checkWrites,
  FILES,
  POLICY,
  POLICY_PATH,
  sha,
  useFakeGitHubNetwork,
  World,
} from "../github/harness.js";

useFakeGitHubNetwork();

const OVERRIDES = `overrides:
  users: [cto, author-admin]
  teams: [sre-oncall]
`;
const REASON = "INC-42: payments down, hotfix approved on the bridge call";

let nextCommentId = 900_000;

/** A high-risk PR #2 (auth files, no approval, no ticks): failing, with the app's comment. */
async function failingHighPullRequest(
  policy = POLICY + OVERRIDES,
  options: { ownerType?: "Organization" | "User"; author?: string } = {},
) {
  const w = new World({ policy, captureLogs: true, ownerType: options.ownerType ?? "Organization" });
  w.repo.collaborators = { cto: "write", alice: "admin", reader: "read", oncaller: "write", "author-admin": "admin" };
  w.repo.teams = { "sre-oncall": ["oncaller"] };
  const pr = w.addPullRequest({
    number: 2,
    files: FILES.high,
    ...(options.author ? { author: { login: options.author } } : {}),
  });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  return { w, pr };
}

/** Writes the comment on the fake (as GitHub would) and delivers `issue_comment.created`. */
async function comment(
  w: World,
  pr: FakePullRequest,
  body: string,
  author: string,
  extra: { authorType?: "User" | "Bot"; at?: string; viaApp?: string } = {},
) {
  const id = ++nextCommentId;
  pr.comments.push({ id, body, user: author, byApp: false });
  const mark = w.mark();
  const { viaApp, ...rest } = extra;
  const payload = w.commentCreatedEvent(pr, { id, body, author, ...rest });
  if (viaApp) payload.comment.performed_via_github_app = { id: 4242, slug: viaApp, name: viaApp };
  await w.receive("issue_comment", payload);
  return { id, mark };
}

const stickyOf = (pr: FakePullRequest) => pr.comments.find((c) => c.byApp)!;
const auditLines = (w: World) => w.logs.filter((l) => typeof l.audit === "string");

describe("/guardrails override <reason>", () => {
  it("by an allowed user with write access: the check passes for this head, says who, why and what it bypasses; label and signed state follow", async () => {
    const { w, pr } = await failingHighPullRequest();
    const before = w.checkRuns(pr.headSha)[0]!;
    const labelsBefore = [...pr.labels];
    const { id, mark } = await comment(w, pr, `/guardrails override ${REASON}\nMore context below.`, "cto");

    const run = w.checkRuns(pr.headSha)[0]!;
    expect(run.id).toBe(before.id);
    expect(run).toMatchObject({
      status: "completed",
      conclusion: "success",
      title: `Overridden by @\u200dcto: ${REASON}`,
    });
    expect(run.summary).toContain("**Overridden** by @\u200dcto at ");
    expect(run.summary).toContain("It bypasses 2 unmet requirements:");
    expect(run.summary).toContain("- approvals: 1 approval required, 0 valid");
    expect(run.summary).toContain("- checklist: ");
    // The tier label stays as it is; the overridden label is added.
    expect(pr.labels).toEqual([...labelsBefore, "risk:overridden"]);
    expect(pr.labels).toContain("risk:high");

    // The record: signed state of the sticky comment, and the check's decision record.
    const state = w.signedState(pr);
    expect(state.override).toEqual({
      by: "cto",
      at: expect.any(String),
      reason: REASON,
      head: pr.headSha,
      base: pr.baseRef,
      via: ["user"],
      commentId: id,
    });
    expect(stickyOf(pr).body).toContain("**Override in force** on commit");
    const record = readDecisionRecords(run.text)["2"]!;
    expect(record).toMatchObject({
      head: pr.headSha,
      tier: "high",
      conclusion: "success",
      override: { by: "cto", reason: REASON, head: pr.headSha },
    });
    expect(record.override!.bypassed).toHaveLength(2);
    expect(
      record
        .requirements!.filter((r) => !r.met)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(["approvals", "checklist"]);

    // Exactly what it cost: the snapshot, files, one permission lookup; check, comment, labels.
    const calls = w.calls(mark);
    expect(calls).toContain(`GET ${w.base}/collaborators/cto/permission`);
    expect(calls.filter((c) => c.includes("/memberships/"))).toEqual([]);
    expect(auditLines(w)).toEqual([
      expect.objectContaining({
        audit: "override",
        by: "cto",
        reason: REASON,
        head: pr.headSha,
        repository: `${w.owner}/${w.name}`,
        pr: 2,
        msg: "override",
      }),
    ]);
  });

  it("by a member of an allowed team: granted, and the state says it was through the team", async () => {
    const { w, pr } = await failingHighPullRequest();
    const { mark } = await comment(w, pr, `/Guardrails OVERRIDE ${REASON}`, "oncaller");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: `Overridden by @\u200doncaller: ${REASON}`,
    });
    expect(w.signedState(pr).override).toMatchObject({ by: "oncaller", via: ["team:sre-oncall"] });
    expect(w.calls(mark)).toContain(`GET /orgs/${w.owner}/teams/sre-oncall/memberships/oncaller`);
  });

  it("by the author when allow_author is true", async () => {
    const { w, pr } = await failingHighPullRequest(POLICY + OVERRIDES + "  allow_author: true\n", {
      author: "author-admin",
    });
    await comment(w, pr, `/guardrails override ${REASON}`, "author-admin");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: `Overridden by @\u200dauthor-admin: ${REASON}`,
    });
  });

  const refusals: [
    string,
    {
      policy?: string;
      author?: string;
      body?: string;
      by: string;
      authorType?: "User" | "Bot";
      at?: string;
      viaApp?: string;
    },
    RegExp,
    string,
  ][] = [
    [
      "a person not listed",
      { by: "alice" },
      /@\u200dalice may not override: the policy allows `cto`, `author-admin`, team `sre-oncall`/,
      "not_allowed",
    ],
    [
      "a listed user with read access only",
      { policy: POLICY + OVERRIDES.replace("[cto, author-admin]", "[cto, reader]"), by: "reader" },
      /@\u200dreader has read access to the repository; overriding needs write access or above/,
      "permission",
    ],
    [
      "a listed user who is not a collaborator",
      { policy: POLICY + OVERRIDES.replace("[cto, author-admin]", "[cto, stranger]"), by: "stranger" },
      /@\u200dstranger has none access|@\u200dstranger has no(ne)? access/,
      "permission",
    ],
    [
      "a command posted through another GitHub App acting for a listed person",
      { by: "cto", viaApp: "chatops-helper" },
      /posted through the app chatops-helper, acting for @\u200dcto/,
      "via_app",
    ],
    [
      "a bot, even a listed one",
      {
        policy: POLICY + OVERRIDES.replace("[cto, author-admin]", "[cto, deploy-bot]"),
        by: "deploy-bot",
        authorType: "Bot",
      },
      /@\u200ddeploy-bot is a bot; only people can override/,
      "bot",
    ],
    [
      "the PR's author (allow_author is false)",
      { author: "author-admin", by: "author-admin" },
      /@\u200dauthor-admin wrote this pull request/,
      "author",
    ],
    ["a command without a reason", { body: "/guardrails override", by: "cto" }, /a reason is required/, "no_reason"],
    [
      "a command without a reason but spaces",
      { body: "/guardrails override    \nreason on the second line", by: "cto" },
      /a reason is required/,
      "no_reason",
    ],
    ["a policy without overrides", { policy: POLICY, by: "cto" }, /the policy allows no overrides/, "no_overrides"],
    [
      "a command written before Guardrails saw the current head",
      { by: "cto", at: "2020-01-01T00:00:00Z" },
      /which was not its head \(as Guardrails evaluated it\) when the command was written/,
      "head_moved",
    ],
    [
      "withdrawing when nothing is in force",
      { body: "/guardrails override off", by: "cto" },
      /there is no override in force to withdraw/,
      "nothing_to_withdraw",
    ],
  ];

  it.each(refusals)(
    "refused for %s: the check and labels stay, the sticky comment says why, an audit line is logged",
    async (_name, c, message, code) => {
      const { w, pr } = await failingHighPullRequest(c.policy, c.author ? { author: c.author } : {});
      const run = structuredClone(w.checkRuns(pr.headSha)[0]!);
      const labels = [...pr.labels];
      const { mark } = await comment(w, pr, c.body ?? `/guardrails override ${REASON}`, c.by, {
        ...(c.authorType ? { authorType: c.authorType } : {}),
        ...(c.at ? { at: c.at } : {}),
        ...(c.viaApp ? { viaApp: c.viaApp } : {}),
      });

      // Nothing changed but the note: no check write, no label write.
      expect(checkWrites(w.since(mark))).toEqual([]);
      expect(w.checkRuns(pr.headSha)[0]).toEqual(run);
      expect(pr.labels).toEqual(labels);
      expect(w.writesSince(mark).map((r) => `${r.method} ${r.path}`)).toEqual([
        `PATCH ${w.base}/issues/comments/${stickyOf(pr).id}`,
      ]);
      expect(stickyOf(pr).body).toMatch(/\*\*Override refused\*\*: the command of @/);
      expect(stickyOf(pr).body).toMatch(message);
      expect(w.signedState(pr).override).toBeUndefined();
      expect(w.signedState(pr).refused).toMatchObject({ by: c.by, code });
      expect(auditLines(w)).toEqual([expect.objectContaining({ audit: "override_refused", by: c.by, refusal: code })]);
    },
  );

  it("a comment that only mentions the command further down, or another /guardrails word, is no command and costs nothing", async () => {
    const { w, pr } = await failingHighPullRequest();
    for (const body of [
      "Should we use /guardrails override here?\n/guardrails override now",
      "/guardrails overrides please",
      "/guardrailsoverride x",
      "> /guardrails override quoted",
    ]) {
      const { mark } = await comment(w, pr, body, "cto");
      expect(w.fake.requests.slice(mark)).toEqual([]);
    }
  });

  it("the app's own comments and comments on issues are ignored without a call", async () => {
    const { w, pr } = await failingHighPullRequest();
    const payload = w.commentCreatedEvent(pr, {
      id: 1,
      body: `/guardrails override ${REASON}`,
      author: "guardrails[bot]",
    });
    payload.comment.performed_via_github_app = { id: 123, slug: "guardrails" };
    const mark = w.mark();
    await w.receive("issue_comment", payload);
    const onIssue = w.commentCreatedEvent(pr, { id: 2, body: `/guardrails override ${REASON}`, author: "cto" });
    delete onIssue.issue.pull_request;
    await w.receive("issue_comment", onIssue);
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });
});

describe("an override in force", () => {
  async function overridden() {
    const setup = await failingHighPullRequest();
    const granted = await comment(setup.w, setup.pr, `/guardrails override ${REASON}`, "cto");
    expect(setup.w.checkRuns(setup.pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    return { ...setup, granted };
  }

  it("is ended by a push: the new head fails, the label goes, the comment says why", async () => {
    const { w, pr } = await overridden();
    const old = pr.headSha;
    pr.headSha = sha("a push after the override");
    await w.receive(
      "pull_request",
      w.pullRequestEvent("synchronize", pr, (p) => (p.before = old)),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    expect(pr.labels).not.toContain("risk:overridden");
    expect(pr.labels).toContain("risk:high");
    const state = w.signedState(pr);
    expect(state.override).toBeUndefined();
    expect(state.ended).toMatchObject({ by: "cto", how: "new_head", head: old });
    expect(stickyOf(pr).body).toContain(
      `The override by @\u200dcto (reason \`${REASON}\`, commit \`${old.slice(0, 7)}\`) was ended at`,
    );
    expect(auditLines(w).map((l) => l.audit)).toEqual(["override", "override_ended"]);
    // The old head's run keeps its record: the override applied to that commit.
    expect(readDecisionRecords(w.checkRuns(old)[0]!.text)["2"]).toMatchObject({
      conclusion: "success",
      override: { by: "cto" },
    });
  });

  it("is withdrawn by `/guardrails override off` from an allowed person: failing again, label removed", async () => {
    const { w, pr } = await overridden();
    const { id } = await comment(w, pr, "/guardrails override OFF", "oncaller");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    expect(pr.labels).not.toContain("risk:overridden");
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "oncaller", endedByComment: id });
    expect(stickyOf(pr).body).toContain("was withdrawn by @\u200doncaller");
    expect(auditLines(w).map((l) => l.audit)).toEqual(["override", "override_withdrawn"]);
    expect(readDecisionRecords(w.checkRuns(pr.headSha)[0]!.text)["2"]).toMatchObject({
      conclusion: "failure",
      overrideSeq: 2,
    });
  });

  it("cannot be withdrawn by someone who may not override (refused; it stays in force)", async () => {
    const { w, pr } = await overridden();
    await comment(w, pr, "/guardrails override off", "alice");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    expect(w.signedState(pr).override).toMatchObject({ by: "cto" });
    expect(stickyOf(pr).body).toContain("@\u200dalice may not override");
  });

  it("is seen by a replica or a restarted process (it lives in the signed state), and holds through other events", async () => {
    const { w, pr } = await overridden();
    const replica = w.replica();
    await replica.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "alice", state: "COMMENTED" }));
    await replica.receive(
      "check_run",
      w.checkRunEvent("rerequested", w.checkRuns(pr.headSha)[0]!, { pullRequests: [pr] }),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: `Overridden by @\u200dcto: ${REASON}`,
    });
    expect(pr.labels).toContain("risk:overridden");
  });

  it("passes the merge queue, and the group's run carries the PR's decision record with the override", async () => {
    const { w } = await overridden();
    const group = sha("merge group of #2");
    await w.receive("merge_group", w.mergeGroupEvent(2, group));
    const run = w.checkRuns(group)[0]!;
    expect(run).toMatchObject({ conclusion: "success", title: "PR #2 meets its guardrails" });
    expect(readDecisionRecords(run.text)["2"]).toMatchObject({
      conclusion: "success",
      override: { by: "cto", reason: REASON },
    });
  });

  it("is not changed by editing or deleting the command comment (the record is the signed state)", async () => {
    const { w, pr, granted } = await overridden();
    const command = pr.comments.find((c) => c.id === granted.id)!;
    const mark = w.mark();
    // Edited into a withdrawal, then deleted: neither is a command.
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(
        pr,
        { id: command.id, body: command.body },
        { body: "/guardrails override off", editor: "cto", author: "cto", viaAppId: null },
      ),
    );
    const deleted = w.commentEditedEvent(
      pr,
      { id: command.id, body: command.body },
      { body: command.body, editor: "cto", author: "cto", viaAppId: null },
    );
    deleted.action = "deleted";
    delete deleted.changes;
    await w.receive("issue_comment", deleted);
    pr.comments = pr.comments.filter((c) => c.id !== command.id);
    await w.receive("check_run", w.checkRunEvent("rerequested", w.checkRuns(pr.headSha)[0]!, { pullRequests: [pr] }));
    // Neither was taken for a command: the newest command applied is still the grant.
    expect(w.signedState(pr).lastCommand).toBe(granted.id);
    expect(w.calls(mark).filter((c) => c.includes("memberships"))).toEqual([]);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: `Overridden by @\u200dcto: ${REASON}`,
    });
  });

  it("a redelivered command is applied once: after a withdrawal, the old grant delivered again changes nothing", async () => {
    const { w, pr, granted } = await overridden();
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    const replay = w.commentCreatedEvent(pr, { id: granted.id, body: `/guardrails override ${REASON}`, author: "cto" });
    await w.receive("issue_comment", replay);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).override).toBeUndefined();
  });

  it("an older signed state pasted back into the sticky comment does not bring a withdrawn override back", async () => {
    const { w, pr } = await overridden();
    const grantedBody = stickyOf(pr).body;
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // A writer restores the comment as it was while the override was in force.
    stickyOf(pr).body = grantedBody;
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(pr.labels).not.toContain("risk:overridden");
  });

  it("issue 19 item 5: push Z, retarget to a failing policy, force-push back to X, paste the old comment, retarget back: still ended", async () => {
    const { w, pr } = await overridden();
    const x = pr.headSha;
    const grantedBody = stickyOf(pr).body;
    const edited = (from: string) =>
      w.pullRequestEvent("opened", pr, (p) =>
        Object.assign(p, { action: "edited", changes: { base: { ref: { from }, sha: { from: sha(from) } } } }),
      );
    const synchronize = (before: string) =>
      w.pullRequestEvent("synchronize", pr, (p) => {
        p.before = before;
        p.pull_request.updated_at = new Date(Date.now() + 1000).toISOString();
      });
    const later = () => new Promise((resolve) => setTimeout(resolve, 20));
    // Push Z: the override ends.
    pr.headSha = sha("Z");
    await w.receive("pull_request", synchronize(x));
    expect(w.signedState(pr).override).toBeUndefined();
    // Retarget to a branch whose policy does not load.
    const broken = "version: 1\ntiers: [\n";
    w.repo.branches.broken = { sha: sha("broken tip"), policy: broken };
    w.fake.blobs.set(blobId(broken), broken);
    await later();
    pr.baseRef = "broken";
    pr.baseChangedAt = new Date().toISOString();
    await w.receive("pull_request", edited(w.repo.defaultBranch));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // Force-push back to X while the policy fails.
    await later();
    pr.headForcePushedAt = new Date().toISOString();
    pr.headSha = x;
    await w.receive("pull_request", synchronize(sha("Z")));
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    // A writer pastes the old sticky comment back, then retargets to the default branch.
    stickyOf(pr).body = grantedBody;
    await later();
    pr.baseRef = w.repo.defaultBranch;
    pr.baseChangedAt = new Date().toISOString();
    await w.receive("pull_request", edited("broken"));
    expect(w.checkRuns(x)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).override).toBeUndefined();
    expect(pr.labels).not.toContain("risk:overridden");
  });

  it("issue 19 item 6: an allowed person's `off` applies even after a newer refused command was handled first", async () => {
    const { w, pr } = await overridden();
    // The off is written first (lower id) but its delivery comes after the author's refused command.
    const offId = ++nextCommentId;
    pr.comments.push({ id: offId, body: "/guardrails override off", user: "cto", byApp: false });
    await comment(w, pr, `/guardrails override ${REASON}`, pr.author.login);
    await w.receive(
      "issue_comment",
      w.commentCreatedEvent(pr, { id: offId, body: "/guardrails override off", author: "cto" }),
    );
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("issue 19 item 6: an `off` whose evaluation failed on a GitHub error is applied by the next evaluation", async () => {
    const { w, pr } = await overridden();
    w.fake.failNext((r) => r.path.endsWith("/collaborators/cto/permission"), { status: 502 });
    await comment(w, pr, "/guardrails override off", "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    // The next event (no command): the withdrawal is read again from the PR's comments.
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).override).toBeUndefined();
    expect(w.signedState(pr).ended).toMatchObject({ how: "withdrawn", endedBy: "cto" });
    expect(pr.labels).not.toContain("risk:overridden");
  });

  it.each([
    ["loses write access", (w: World) => void (w.repo.collaborators.cto = "read")],
    ["is no longer a collaborator", (w: World) => void delete w.repo.collaborators.cto],
  ])("ends when the person who gave it %s (looked up while one is in force)", async (_name, demote) => {
    const { w, pr } = await overridden();
    demote(w);
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.calls(mark)).toContain(`GET ${w.base}/collaborators/cto/permission`);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).ended).toMatchObject({
      how: "no_longer_allowed",
      note: expect.stringContaining("overriding needs write access or above"),
    });
    expect(pr.labels).not.toContain("risk:overridden");
  });

  it("ends when its author leaves the team it was given through", async () => {
    const { w, pr } = await failingHighPullRequest();
    await comment(w, pr, `/guardrails override ${REASON}`, "oncaller");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    w.repo.teams = { "sre-oncall": [] };
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    );
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).ended).toMatchObject({ how: "no_longer_allowed", by: "oncaller" });
  });

  it("ends when the base's policy no longer lists the person", async () => {
    const { w, pr } = await overridden();
    w.fake.setPolicy(w.repo, "master", POLICY + OVERRIDES.replace("[cto, author-admin]", "[author-admin]"));
    await w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(w.signedState(pr).ended).toMatchObject({ how: "no_longer_allowed" });
    expect(stickyOf(pr).body).toContain("no longer lists @\u200dcto");
  });
});

describe("overrides under an enforced organisation policy", () => {
  const ORG = `version: 1
enforce: true
default_tier: low
rules:
  - name: auth
    tier: high
    paths: ["src/auth/**"]
tiers:
  high:
    approvals: 1
`;

  it("need the organisation policy's permission too: a repository cannot grant itself a way around the floor", async () => {
    const w = new World({ policy: POLICY + OVERRIDES, orgPolicy: ORG, ownerType: "Organization" });
    w.repo.collaborators = { cto: "admin" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
    expect(stickyOf(pr).body).toContain("the enforced organisation policy allows no overrides");
  });

  it("granted when both policies allow the person", async () => {
    const w = new World({
      policy: POLICY + OVERRIDES,
      orgPolicy: ORG + "overrides:\n  users: [cto]\n",
      ownerType: "Organization",
    });
    w.repo.collaborators = { cto: "admin" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await comment(w, pr, `/guardrails override ${REASON}`, "cto");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "success",
      title: `Overridden by @\u200dcto: ${REASON}`,
    });
    expect(w.signedState(pr).override?.via).toEqual(["user", "user"]);
  });
});
