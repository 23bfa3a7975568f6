/**
 * Attempts to get a pull request past the guardrails, one test each, as a PR author or an
 * outsider would try them: through the policy, the base branch, reviews, the diff, labels, the
 * checklist comment, forged webhooks and GitHub's own limits. Every payload is a real example
 * from @octokit/webhooks-examples adjusted to the fake's PRs; the app runs in-process against a
 * FakeGitHub. None of them ends in a passing check. docs/security.md lists each attempt, how the
 * app stops it and this file's test name (and the tests elsewhere that cover it too).
 */
import { describe, expect, it } from "@jest/globals";
import { request as httpRequest } from "node:http";
import { pino } from "pino";
import { Probot } from "probot";
import { guardrailsApp } from "../../src/webhooks/app.js";
import { encodeState } from "../../src/state/checklist-state.js";
import { renderChecklistComment } from "../../src/render/checklist-comment.js";
import { boundPort, createHttpServer } from "../../src/http/http-server.js";
import type { FakeComment, FakePullRequest } from "../support/fake-github.js";
import { signature } from "../support/server-process.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, TEST_STATE_SECRET, UnthrottledOctokit } from "../support/test-probot.js";
import {
  blobId,
  CHECKLIST,
  FILES,
  LAX,
  manyFiles,
  POLICY,
  POLICY_PATH,
  sha,
  useFakeGitHubNetwork,
  World,
} from "../github/harness.js";

useFakeGitHubNetwork();

/** Stricter than POLICY: medium needs two approvals. */
const STRICT = POLICY.replace("  medium:\n    approvals: 1", "  medium:\n    approvals: 2");

/** The PR's head check: exactly one run, completed, failing. */
function expectBlocked(w: World, pr: FakePullRequest, title: string | RegExp): void {
  const runs = w.checkRuns(pr.headSha);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  if (typeof title === "string") expect(runs[0]!.title).toBe(title);
  else expect(runs[0]!.title).toMatch(title);
  // Nothing on this head was ever written as passing.
  expect(w.fake.checkRuns.filter((run) => run.headSha === pr.headSha && run.conclusion === "success")).toEqual([]);
}

async function opened(w: World, pr: FakePullRequest): Promise<void> {
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
}

describe("the policy", () => {
  it("editing the policy in the PR: the weakened policy in the head is ignored, and the PR is high for changing it", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({
      number: 2,
      title: "Relax the guardrails",
      files: [
        { filename: POLICY_PATH, status: "modified", additions: 3, deletions: 20 },
        { filename: "src/auth/login.ts", status: "modified", additions: 1, deletions: 1 },
      ],
    });
    // The PR's own branch carries the lax policy; GitHub would serve it at the head commit.
    w.repo.branches[pr.headRef] = { sha: pr.headSha, policy: LAX };
    w.fake.blobs.set(blobId(LAX), LAX);
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);

    expect(
      w
        .since()
        .filter((r) => r.path.includes("/git/blobs/"))
        .map((r) => r.path),
    ).toEqual([`${w.base}/git/blobs/${blobId(POLICY)}`]);
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
    expect(w.checkRuns()[0]!.summary).toContain("| policy change | high |");
  });

  it.each([
    ["deleting the policy file", { filename: POLICY_PATH, status: "removed" as const, additions: 0, deletions: 30 }],
    [
      "renaming the policy file away",
      {
        filename: ".github/guardrails.yml.off",
        previous_filename: POLICY_PATH,
        status: "renamed" as const,
        additions: 0,
        deletions: 0,
      },
    ],
  ])("%s in the PR is a policy change: high", async (_name, file) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: [file] });
    await opened(w, pr);
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
    expect(w.checkRuns()[0]!.summary).toContain("| policy change | high |");
  });
});

describe("the base branch", () => {
  /** A medium PR opened against master (POLICY: one approval), approved once. */
  async function approvedMediumPullRequest(w: World) {
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    return pr;
  }

  /** GitHub's `pull_request.edited` after a change of base. */
  function retarget(w: World, pr: FakePullRequest, to: string) {
    const from = pr.baseRef;
    pr.baseRef = to;
    return w.pullRequestEvent("opened", pr, (p) =>
      Object.assign(p, { action: "edited", changes: { base: { ref: { from }, sha: { from: sha(from) } } } }),
    );
  }

  it("retargeting the PR to another base: re-evaluated with the new base's policy at its tip", async () => {
    const w = new World({ policy: POLICY });
    w.repo.branches.release = { sha: sha("release tip"), policy: STRICT };
    w.fake.blobs.set(blobId(STRICT), STRICT);
    const pr = await approvedMediumPullRequest(w);

    await w.receive("pull_request", retarget(w, pr, "release"));
    const run = w.checkRuns(pr.headSha)[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval" });
    expect(run.summary).toContain(`at \`${sha("release tip").slice(0, 7)}\`.`);
  });

  it("retargeting the PR to a base without a policy falls back to the built-in default, never to no guardrails", async () => {
    const w = new World({ policy: LAX });
    w.repo.branches.scratch = { sha: sha("scratch tip") };
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await opened(w, pr);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });

    await w.receive("pull_request", retarget(w, pr, "scratch"));
    const run = w.checkRuns(pr.headSha)[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval, tests" });
    expect(run.summary).toContain("Policy: the built-in default policy");
  });

  it("retargeting the PR to a base without a policy falls back to the organisation's policy when there is one", async () => {
    const w = new World({ policy: LAX, orgPolicy: POLICY });
    w.repo.branches.scratch = { sha: sha("scratch tip") };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await opened(w, pr);
    await w.receive("pull_request", retarget(w, pr, "scratch"));
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
    expect(w.checkRuns(pr.headSha)[0]!.summary).toContain("(organisation default)");
  });

  it("retargeting the PR to a base whose policy does not parse fails the check", async () => {
    const w = new World({ policy: POLICY });
    const broken = "version: 1\ndefault_tier: none\n";
    w.repo.branches.broken = { sha: sha("broken tip"), policy: broken };
    w.fake.blobs.set(blobId(broken), broken);
    const pr = await approvedMediumPullRequest(w);
    await w.receive("pull_request", retarget(w, pr, "broken"));
    expectBlocked(w, pr, /^Policy error · /);
  });
});

describe("reviews", () => {
  /** A medium PR (one approval needed) with the given reviews, evaluated. */
  async function reviewed(reviews: FakePullRequest["reviews"], author = "Codertocat") {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium, author: { login: author } });
    pr.reviews.push(...reviews);
    await opened(w, pr);
    return { w, pr };
  }

  it("approving one's own PR does not count", async () => {
    const { w, pr } = await reviewed([
      { user: "Codertocat", state: "APPROVED", commit: sha("Codertocat/Hello-World#2"), association: "OWNER" },
    ]);
    expectBlocked(w, pr, "Medium risk · missing: 1 more approval");
    expect(w.checkRuns()[0]!.summary).toContain("not counted: Codertocat is the PR author");
  });

  it("approving one's own PR under another letter case does not count", async () => {
    const { w, pr } = await reviewed([
      { user: "codertocat", state: "APPROVED", commit: sha("Codertocat/Hello-World#2"), association: "OWNER" },
    ]);
    expectBlocked(w, pr, "Medium risk · missing: 1 more approval");
  });

  it.each([
    ["a GitHub App's bot", { user: "helper-app[bot]", isBot: true, association: "NONE" }],
    ["a bot that is a member of the organisation", { user: "ci-bot[bot]", isBot: true, association: "MEMBER" }],
  ])("an approval by %s does not count", async (_name, reviewer) => {
    const { w, pr } = await reviewed([{ ...reviewer, state: "APPROVED", commit: sha("Codertocat/Hello-World#2") }]);
    expectBlocked(w, pr, "Medium risk · missing: 1 more approval");
    expect(w.checkRuns()[0]!.summary).toContain(`${reviewer.user} is a bot`);
  });

  it.each(["CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN"])(
    "an approval by an outsider (%s) does not count",
    async (association) => {
      const { w, pr } = await reviewed([
        { user: "outsider", state: "APPROVED", commit: sha("Codertocat/Hello-World#2"), association },
      ]);
      expectBlocked(w, pr, "Medium risk · missing: 1 more approval");
    },
  );

  it("an approval on an older commit does not count once the head moved (approvals.stale: discard)", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    const approvedHead = pr.headSha;
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: approvedHead, association: "MEMBER" });
    await opened(w, pr);
    expect(w.checkRuns(approvedHead)[0]).toMatchObject({ conclusion: "success" });

    pr.headSha = sha("pushed after the approval");
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expectBlocked(w, pr, "Medium risk · missing: 1 more approval");
  });

  it("a reviewer's approval followed by their change request counts as a change request", async () => {
    const head = sha("Codertocat/Hello-World#2");
    const { w, pr } = await reviewed([
      { user: "reviewer", state: "APPROVED", commit: head, association: "MEMBER" },
      { user: "reviewer", state: "CHANGES_REQUESTED", commit: head, association: "MEMBER" },
      { user: "reviewer", state: "COMMENTED", commit: head, association: "MEMBER" },
    ]);
    expectBlocked(w, pr, /missing: .*change request open/);
  });
});

describe("the diff", () => {
  it.each([
    [
      "renaming a file out of a protected folder",
      {
        filename: "src/login.ts",
        previous_filename: "src/auth/login.ts",
        status: "renamed" as const,
        additions: 0,
        deletions: 0,
      },
    ],
    [
      "moving a protected file into the docs",
      {
        filename: "docs/login.md",
        previous_filename: "src/auth/login.ts",
        status: "renamed" as const,
        additions: 0,
        deletions: 0,
      },
    ],
    [
      "deleting a file in a protected folder",
      { filename: "src/auth/login.ts", status: "removed" as const, additions: 0, deletions: 120 },
    ],
  ])("%s keeps the protected folder's tier", async (_name, file) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: [file] });
    await opened(w, pr);
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
    expect(w.checkRuns()[0]!.summary).toContain("| rule `auth` | high |");
  });

  it("splitting a protected change across commits: the PR's whole diff counts, on every new head", async () => {
    const w = new World({ policy: POLICY });
    // First commit: docs only, approved and passing.
    const pr = w.addPullRequest({ number: 2, files: FILES.low, commitMessages: ["Docs"] });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });

    // Second commit touches auth; a third only docs again. GitHub lists the PR's files, all commits together.
    pr.commitMessages.push("Tweak login", "More docs");
    pr.files = [...FILES.low, ...FILES.high, { filename: "docs/more.md", status: "added", additions: 4, deletions: 0 }];
    pr.headSha = sha("third commit");
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
  });

  it("a PR with more files than GitHub lists (> 3000) is high and still requires approvals", async () => {
    const w = new World({ policy: POLICY });
    // Only docs in the part GitHub lists; the rest could be anything.
    const pr = w.addPullRequest({ number: 2, files: manyFiles(3001, "docs") });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
    expect(w.checkRuns()[0]!.summary).toContain("| incomplete file list | high |");
  });

  it("a payload that understates the file count does not hide files: the count GitHub reports when asked is used", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: [...manyFiles(150, "docs"), ...FILES.high] });
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", pr, (p) => (p.pull_request.changed_files = 1)),
    );
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
  });
});

describe("the author", () => {
  const AGENTS = `${POLICY}agents:
  authors: ["*[bot]"]
  min_tier: high
`;

  it("a PR opened by a GitHub App is agent-authored: GraphQL names the bot without [bot], the app puts it back so *[bot] matches", async () => {
    const w = new World({ policy: AGENTS });
    const pr = w.addPullRequest({ number: 2, files: FILES.low, author: { login: "dependabot[bot]", isBot: true } });
    await opened(w, pr);
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
    expect(w.checkRuns()[0]!.summary).toContain("author dependabot[bot] matches agents.authors");
  });

  it("a user account whose login is a bot's name without [bot] is not taken for that bot", async () => {
    const w = new World({ policy: AGENTS });
    const pr = w.addPullRequest({ number: 2, files: FILES.low, author: { login: "dependabot", isBot: false } });
    await opened(w, pr);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: expect.stringMatching(/^Low risk/) });
  });
});

describe("labels", () => {
  /** A medium PR under a policy that wants tests, with the exempt label applied by `applier`. */
  async function exempted(
    applier: string,
    permission: "read" | "triage" | "write" | undefined,
    label = "no-tests-needed",
  ) {
    const policy = `${POLICY.replace("  medium:\n    approvals: 1", "  medium:\n    approvals: 1\n    tests: true")}tests:\n  exempt_label: no-tests-needed\n`;
    const w = new World({ policy });
    if (permission) w.repo.collaborators = { [applier]: permission };
    const pr = w.addPullRequest({
      number: 2,
      files: FILES.medium,
      labels: [label],
      labelEvents: [{ label, actor: applier }],
    });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    return { w, pr };
  }

  it.each([
    ["a reader", "read" as const],
    ["a triager", "triage" as const],
    ["someone who is not a collaborator", undefined],
  ])("the exempt label applied by %s does not waive tests", async (_name, permission) => {
    const { w, pr } = await exempted("mallory", permission);
    expectBlocked(w, pr, "Medium risk · missing: tests");
    expect(w.since().filter((r) => r.path.endsWith("/collaborators/mallory/permission"))).toHaveLength(1);
  });

  // GitHub's label names are case-insensitive: another spelling is the same label, under the same rule.
  it("the exempt label spelt in another case, applied by a writer, waives tests", async () => {
    const { w, pr } = await exempted("maria", "write", "No-Tests-Needed");
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
  });

  it("the exempt label spelt in another case, applied by a reader, does not waive tests", async () => {
    const { w, pr } = await exempted("mallory", "read", "NO-TESTS-NEEDED");
    expectBlocked(w, pr, "Medium risk · missing: tests");
  });

  it("the exempt label re-applied by a reader after a writer applied it does not waive tests (the latest applier counts)", async () => {
    const policy = `${POLICY.replace("  medium:\n    approvals: 1", "  medium:\n    approvals: 1\n    tests: true")}tests:\n  exempt_label: no-tests-needed\n`;
    const w = new World({ policy });
    w.repo.collaborators = { maria: "write", mallory: "read" };
    const pr = w.addPullRequest({
      number: 2,
      files: FILES.medium,
      labels: ["no-tests-needed"],
      labelEvents: [
        { label: "no-tests-needed", actor: "maria" },
        { label: "no-tests-needed", actor: "mallory" },
      ],
    });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    expectBlocked(w, pr, "Medium risk · missing: tests");
  });

  it("a low risk label added by the author changes nothing: the tier comes from the diff and the label is put back", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({
      number: 2,
      files: FILES.high,
      labels: ["risk:low"],
      labelEvents: [{ label: "risk:low", actor: "Codertocat" }],
    });
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "risk:low")),
    );
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
    expect(pr.labels).toEqual(["risk:high"]);
  });
});

describe("the checklist comment", () => {
  /** A high PR #2 with the app's comment, approved, so only the checklist is missing. */
  async function highPullRequest() {
    const w = new World({ policy: POLICY });
    w.repo.collaborators = { alice: "write", bob: "read" };
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await opened(w, pr);
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
    return { w, pr, comment: pr.comments[0]! };
  }

  const tickAll = (body: string) =>
    CHECKLIST.reduce((text, item) => text.replace(`- [ ] ${item}`, `- [x] ${item}`), body);

  /** A person's edit of a comment, delivered as GitHub would (the comment already changed). */
  async function edit(
    w: World,
    pr: FakePullRequest,
    comment: FakeComment,
    body: string,
    editor: string,
    claims: { author?: string; viaAppId?: number | null } = {},
  ) {
    const previous = comment.body;
    comment.body = body;
    await w.receive(
      "issue_comment",
      w.commentEditedEvent(pr, { id: comment.id, body: previous }, { body, editor, ...claims }),
    );
  }

  it("a checklist ticked by someone without write access does not count, and the comment is put back", async () => {
    const { w, pr, comment } = await highPullRequest();
    const original = comment.body;
    await edit(w, pr, comment, tickAll(original), "bob");
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
    expect(comment.body).toBe(original);
  });

  it("a checklist ticked by the PR's author without write access does not count", async () => {
    const { w, pr, comment } = await highPullRequest();
    await edit(w, pr, comment, tickAll(comment.body), "Codertocat");
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
  });

  it("a comment that imitates the app's own (same marker, ticked) posted by the author counts for nothing", async () => {
    const { w, pr } = await highPullRequest();
    const imitation: FakeComment = { id: 91_000, body: "", user: "Codertocat", byApp: false };
    pr.comments.push(imitation);
    const body = renderChecklistComment(
      "a secret the author guessed",
      { owner: w.owner, repo: w.name, number: 2 },
      {
        tierLabel: "high risk",
        items: CHECKLIST,
        state: {
          ticks: Object.fromEntries(CHECKLIST.map((item) => [item, { by: "alice", at: "2026-11-23T12:00:00Z" }])),
        },
      },
    );
    imitation.body = body;
    await edit(w, pr, imitation, tickAll(body), "Codertocat", { author: "Codertocat", viaAppId: null });
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
  });

  it("an imitation comment carrying this PR's own validly signed state (copied from the app's comment) counts for nothing", async () => {
    const { w, pr, comment } = await highPullRequest();
    // The real state, signed by the app for this PR, with both items ticked by alice.
    const ticked = encodeState(
      TEST_STATE_SECRET,
      { owner: w.owner, repo: w.name, number: 2 },
      { ticks: Object.fromEntries(CHECKLIST.map((item) => [item, { by: "alice", at: "2026-11-23T12:00:00Z" }])) },
    );
    // The author deletes the app's comment and posts a copy with the signed ticks.
    pr.comments = [
      {
        id: 91_001,
        body: `${tickAll(comment.body).replace(/<!-- guardrails:state [^>]+ -->/, ticked)}`,
        user: "Codertocat",
        byApp: false,
      },
    ];
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", pr, (p) => Object.assign(p, { action: "edited", changes: { body: { from: "" } } })),
    );
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
    // The app posts its own comment again, with nothing ticked.
    expect(pr.comments.filter((c) => c.byApp)).toHaveLength(1);
    expect(pr.comments.find((c) => c.byApp)!.body).not.toContain("- [x]");
  });

  it("signed state copied from another PR into the app's comment counts for nothing", async () => {
    const { w, pr, comment } = await highPullRequest();
    const fromPr3 = encodeState(
      TEST_STATE_SECRET,
      { owner: w.owner, repo: w.name, number: 3 },
      { ticks: Object.fromEntries(CHECKLIST.map((item) => [item, { by: "alice", at: "2026-11-23T12:00:00Z" }])) },
    );
    // Someone who may edit comments pastes PR #3's state; the app reads it on the next event.
    comment.body = comment.body.replace(/<!-- guardrails:state [^>]+ -->/, fromPr3);
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
  });

  it("a hand-written state block (no valid signature) counts for nothing", async () => {
    const { w, pr, comment } = await highPullRequest();
    const payload = Buffer.from(
      JSON.stringify({
        ticks: Object.fromEntries(CHECKLIST.map((item) => [item, { by: "alice", at: "2026-11-23T12:00:00Z" }])),
      }),
    ).toString("base64url");
    comment.body = comment.body.replace(
      /<!-- guardrails:state [^>]+ -->/,
      `<!-- guardrails:state ${payload}.${"A".repeat(43)} -->`,
    );
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expectBlocked(w, pr, "High risk · missing: checklist (0/2)");
  });
});

describe("other apps and re-runs", () => {
  it("a passing `guardrails` check posted by another app is not the app's: the PR stays blocked, the merge queue too", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    w.fake.checkRuns.push({
      repo: `${w.owner}/${w.name}`.toLowerCase(),
      id: w.fake.id(),
      headSha: pr.headSha,
      name: "guardrails",
      appId: 999,
      status: "completed",
      conclusion: "success",
      title: "All good",
      summary: "",
      text: "",
      externalId: "2",
      annotations: [],
      actions: [],
    });
    await opened(w, pr);
    const own = w.checkRuns(pr.headSha).filter((run) => run.appId === TEST_APP_ID);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });

    const group = sha("merge group");
    await w.receive("merge_group", w.mergeGroupEvent(2, group));
    expect(w.checkRuns(group)).toEqual([expect.objectContaining({ appId: TEST_APP_ID, conclusion: "failure" })]);
  });

  it("re-running an old head's passing run evaluates the current head: the old pass does not move forward", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await opened(w, pr);
    const oldHead = pr.headSha;
    const oldRun = w.checkRuns(oldHead)[0]!;
    expect(oldRun).toMatchObject({ conclusion: "success" });

    pr.headSha = sha("auth change");
    pr.files = FILES.high;
    await w.receive(
      "check_run",
      w.checkRunEvent("rerequested", { id: oldRun.id, headSha: oldHead }, { pullRequests: [pr] }),
    );
    expectBlocked(w, pr, "High risk · missing: 1 more approval, checklist (0/2)");
  });
});

describe("webhooks", () => {
  const SECRET = "the-webhook-secret";

  /** The ingress the server runs, in-process, with the app behind it. */
  async function ingress() {
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      secret: SECRET,
      log: pino({ level: "silent" }),
      Octokit: UnthrottledOctokit,
    });
    await probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: TEST_STATE_SECRET }));
    const server = createHttpServer({
      probot,
      log: pino({ level: "silent" }),
      webhookPath: "/api/github/webhooks",
      webhookSecret: SECRET,
      inFlight: () => 0,
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const port = boundPort(server);
    const post = (body: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/api/github/webhooks",
            headers: {
              "content-type": "application/json",
              "x-github-event": "pull_request",
              "x-github-delivery": "d-1",
              ...headers,
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    return { post, close: () => server.close() };
  }

  it.each([
    ["a missing signature", () => ({}), 400],
    [
      "a signature made with another secret",
      (body: string) => ({ "x-hub-signature-256": signature("guessed-secret", body) }),
      401,
    ],
    ["the signature of another body", () => ({ "x-hub-signature-256": signature(SECRET, '{"action":"opened"}') }), 401],
    ["a sha1 signature only", () => ({ "x-hub-signature": `sha1=${"0".repeat(40)}`, "x-hub-signature-256": "" }), 400],
    ["a truncated signature", (body: string) => ({ "x-hub-signature-256": signature(SECRET, body).slice(0, 40) }), 401],
  ])("a forged webhook: %s is refused and makes no GitHub call", async (_name, headers, status) => {
    const w = new World({ policy: LAX });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    const server = await ingress();
    try {
      const body = JSON.stringify(w.pullRequestEvent("opened", pr));
      expect(await server.post(body, headers(body))).toBe(status);
      expect(w.fake.requests).toEqual([]);
      expect(w.checkRuns()).toEqual([]);
      // The same delivery, signed with the secret, is evaluated (the refusal above was the signature's).
      expect(await server.post(body, { "x-hub-signature-256": signature(SECRET, body) })).toBe(200);
      expect(w.checkRuns()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("a PR's check cannot be written from a forged check_run event: the signature is checked before anything else", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    const server = await ingress();
    try {
      const body = JSON.stringify(
        w.checkRunEvent("requested_action", { id: 1, headSha: pr.headSha }, { pullRequests: [pr] }),
      );
      expect(
        await server.post(body, {
          "x-github-event": "check_run",
          "x-hub-signature-256": signature("guessed-secret", body),
        }),
      ).toBe(401);
      expect(w.fake.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
