/**
 * Which webhook events lead to an evaluation, and the exact requests each one makes. Every
 * payload is a real example from @octokit/webhooks-examples, adjusted to the fake's PRs.
 */
import { describe, expect, it } from "@jest/globals";
import {
  bodyOf,
  checkWrites,
  completedCheck,
  examplePayload,
  FILES,
  POLICY,
  POLICY_PATH,
  sha,
  sorted,
  useFakeGitHubNetwork,
  World,
} from "./harness.js";
import type { FakePullRequest } from "../support/fake-github.js";
import type { PullRequestExample } from "../support/example-types.js";

useFakeGitHubNetwork();

const MEDIUM_UNMET = "Medium risk · missing: 1 more approval";
const MEDIUM_MET = "Medium risk · all 2 requirements met";

/** A world with a medium PR #2 (one source file) under POLICY. */
function mediumPullRequest(options: ConstructorParameters<typeof World>[0] = {}) {
  const w = new World({ policy: POLICY, ...options });
  const pr = w.addPullRequest({ number: 2, title: "Tidy the app", body: "Small change", files: FILES.medium });
  return { w, pr };
}

/** Every request of a first evaluation of PR #2 of a repository with a policy (one files page). */
function firstEvaluationCalls(w: World, runId: number, extra: string[] = []): string[] {
  return [
    `GET ${w.base}/pulls/2/files?page=1`,
    "POST /graphql GuardrailsPullRequest",
    `GET ${w.base}/git/blobs/${w.fake.requests
      .find((r) => r.path.includes("/git/blobs/"))!
      .path.split("/")
      .pop()}`,
    // The run is shown in progress at once because the policy blob takes another round trip.
    `POST ${w.base}/check-runs`,
    `PATCH ${w.base}/check-runs/${runId}`,
    `POST ${w.base}/labels`,
    `POST ${w.base}/issues/2/labels`,
    ...extra,
  ];
}

describe("pull_request events that evaluate", () => {
  const cases: [string, string, (payload: PullRequestExample) => void][] = [
    ["opened", "opened", () => undefined],
    ["reopened", "reopened", () => undefined],
    ["synchronize", "synchronize", () => undefined],
    ["ready_for_review", "ready_for_review", () => undefined],
    ["labeled", "labeled", (p) => (p.label!.name = "bug")],
    ["unlabeled", "unlabeled", (p) => (p.label!.name = "bug")],
    // No `edited` example exists: an `opened` one becomes an edit of the title, body or base.
    [
      "edited (title)",
      "opened",
      (p) => Object.assign(p, { action: "edited", changes: { title: { from: "Old title" } } }),
    ],
    ["edited (body)", "opened", (p) => Object.assign(p, { action: "edited", changes: { body: { from: "Old body" } } })],
    [
      "edited (base)",
      "opened",
      (p) =>
        Object.assign(p, {
          action: "edited",
          changes: { base: { ref: { from: "develop" }, sha: { from: sha("develop") } } },
        }),
    ],
  ];

  it.each(cases)("%s: one check run on the head, the tier label, nothing else", async (_name, example, adjust) => {
    const { w, pr } = mediumPullRequest();
    const payload = w.pullRequestEvent(example, pr, adjust);
    await w.receive("pull_request", payload);

    const runs = w.checkRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      headSha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      title: MEDIUM_UNMET,
    });
    expect(sorted(w.calls())).toEqual(sorted(firstEvaluationCalls(w, runs[0]!.id)));

    const [start, complete] = checkWrites(w.since());
    expect(bodyOf(start)).toEqual({
      name: "guardrails",
      head_sha: pr.headSha,
      status: "in_progress",
      external_id: "2",
      output: { title: "Evaluating…", summary: "Guardrails is gathering the facts of this pull request." },
    });
    expect(bodyOf(complete)).toEqual(
      completedCheck({
        conclusion: "failure",
        title: MEDIUM_UNMET,
        externalId: "2",
        summary: [
          "| no rule matches | medium | 1 file: `src/app.ts` |",
          "| ❌ | Approvals <sub>tier:medium</sub> | 1 approval required, 0 valid |",
          "| ✅ | No change requests |",
          `Policy: \`Codertocat/Hello-World\` \`${POLICY_PATH}\` at \`${w.repo.branches.master!.sha.slice(0, 7)}\``,
        ],
      }),
    );
    const labelWrites = w.since().filter((r) => r.path.endsWith("/labels"));
    expect(labelWrites.map(bodyOf)).toEqual([
      { name: "risk:medium", color: "fbca04", description: "Guardrails: medium risk" },
      { labels: ["risk:medium"] },
    ]);
    // No checklist at medium: no comment.
    expect(pr.comments).toEqual([]);
  });

  it("edited without a change of title, body or base makes no GitHub call at all", async () => {
    const { w, pr } = mediumPullRequest();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", pr, (p) => Object.assign(p, { action: "edited", changes: {} })),
    );
    expect(w.fake.requests).toEqual([]);
  });
});

describe("events the app does not act on", () => {
  const cases: [string, string, (w: World) => object][] = [
    ["pull_request.closed", "pull_request", (w) => w.pullRequestEvent("closed", w.repo.pulls.get(2)!)],
    ["pull_request.assigned", "pull_request", (w) => w.pullRequestEvent("assigned", w.repo.pulls.get(2)!)],
    [
      "pull_request.converted_to_draft",
      "pull_request",
      (w) => w.pullRequestEvent("converted_to_draft", w.repo.pulls.get(2)!),
    ],
    [
      "pull_request.review_requested",
      "pull_request",
      (w) => w.pullRequestEvent("review_requested", w.repo.pulls.get(2)!),
    ],
    ["issue_comment.created", "issue_comment", (w) => w.stamp(examplePayload("issue_comment", "created"))],
    [
      "check_run.created",
      "check_run",
      (w) =>
        w.checkRunEvent(
          "created",
          { id: 5, headSha: w.repo.pulls.get(2)!.headSha },
          { pullRequests: [w.repo.pulls.get(2)!] },
        ),
    ],
    [
      "check_suite.completed",
      "check_suite",
      (w) =>
        Object.assign(w.checkSuiteRerequestedEvent(w.repo.pulls.get(2)!.headSha, [w.repo.pulls.get(2)!]), {
          action: "completed",
        }),
    ],
    [
      "push of a tag",
      "push",
      (w) => ({ ...w.pushEvent("master", [{ modified: [POLICY_PATH] }]), ref: "refs/tags/v1.0.0" }),
    ],
    ["push deleting a branch", "push", (w) => ({ ...w.pushEvent("master", []), deleted: true })],
  ];

  it.each(cases)("%s makes no GitHub call", async (_name, event, build) => {
    const { w } = mediumPullRequest();
    const payload = build(w);
    await w.receive(event, payload);
    expect(w.fake.requests).toEqual([]);
  });
});

describe("pull_request_review", () => {
  it("submitted, edited and dismissed re-evaluate; only a change of the decision writes", async () => {
    const { w, pr } = mediumPullRequest();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;

    // An approval on the head makes the medium PR pass: the same run is updated, nothing else.
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    let mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }));
    // A pass is written after a fresh look at the commit's runs (another PR may share the head).
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `GET ${w.base}/commits/${pr.headSha}/check-runs`,
        `PATCH ${w.base}/check-runs/${run.id}`,
      ]),
    );
    expect(bodyOf(checkWrites(w.since(mark))[0])).toEqual(
      completedCheck({
        conclusion: "success",
        title: MEDIUM_MET,
        externalId: "2",
        summary: ["| ✅ | Approvals <sub>tier:medium</sub> | 1 approval required, 1 valid (reviewer) |"],
      }),
    );

    // Editing the review's text changes nothing: read, but write nothing.
    mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("edited", pr, { user: "reviewer", state: "APPROVED" }));
    expect(sorted(w.calls(mark))).toEqual(
      sorted([`GET ${w.base}/pulls/2/files?page=1`, "POST /graphql GuardrailsPullRequest"]),
    );

    // Dismissing the approval fails the check again.
    pr.reviews.push({ user: "reviewer", state: "DISMISSED", commit: pr.headSha, association: "MEMBER" });
    mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("dismissed", pr, { user: "reviewer", state: "DISMISSED" }));
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `PATCH ${w.base}/check-runs/${run.id}`,
      ]),
    );
    expect(bodyOf(checkWrites(w.since(mark))[0])).toEqual(
      completedCheck({ conclusion: "failure", title: MEDIUM_UNMET, externalId: "2" }),
    );
    expect(w.checkRuns()).toHaveLength(1);
  });
});

describe("re-runs: check_run.rerequested, check_run.requested_action, check_suite.rerequested", () => {
  /** After a first evaluation: the run, and the requests a forced re-evaluation of it makes. */
  async function evaluated() {
    const { w, pr } = mediumPullRequest();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    const rerun = [
      `PATCH ${w.base}/check-runs/${run.id}`, // in progress
      `GET ${w.base}/pulls/2/files?page=1`,
      "POST /graphql GuardrailsPullRequest",
      `PATCH ${w.base}/check-runs/${run.id}`, // completed
    ];
    return { w, pr, run, rerun };
  }

  const cases: [string, "rerequested" | "requested_action", "listed" | "external_id" | "commit"][] = [
    ["rerequested, the PR listed in the payload", "rerequested", "listed"],
    ["rerequested from a fork (no PR listed, the run's external id)", "rerequested", "external_id"],
    ["rerequested with neither: the commit's PRs are asked", "rerequested", "commit"],
    ["requested_action reevaluate", "requested_action", "listed"],
  ];

  it.each(cases)("%s writes the run again even though nothing changed", async (_name, action, how) => {
    const { w, pr, run, rerun } = await evaluated();
    const mark = w.mark();
    const payload = w.checkRunEvent(
      action,
      { id: run.id, headSha: pr.headSha },
      how === "listed" ? { pullRequests: [pr] } : how === "external_id" ? { externalId: "2" } : {},
    );
    await w.receive("check_run", payload);

    const expected = how === "commit" ? [`GET ${w.base}/commits/${pr.headSha}/pulls`, ...rerun] : rerun;
    expect(sorted(w.calls(mark))).toEqual(sorted(expected));
    const [progress, complete] = checkWrites(w.since(mark));
    expect(bodyOf(progress)).toEqual({
      status: "in_progress",
      output: { title: "Evaluating…", summary: "Guardrails is evaluating this pull request again." },
    });
    expect(bodyOf(complete)).toEqual(completedCheck({ conclusion: "failure", title: MEDIUM_UNMET, externalId: "2" }));
    expect(w.checkRuns()).toHaveLength(1);
  });

  const ignored: [
    string,
    "rerequested" | "requested_action",
    { appId?: number; name?: string; identifier?: string },
  ][] = [
    ["another app's run", "rerequested", { appId: 2, name: "randscape" }],
    ["a run of this app with another name", "rerequested", { name: "lint" }],
    ["an action other than reevaluate", "requested_action", { identifier: "lgtm|26764" }],
  ];

  it.each(ignored)("%s is ignored without a GitHub call", async (_name, action, options) => {
    const { w, pr, run } = await evaluated();
    const mark = w.mark();
    await w.receive(
      "check_run",
      w.checkRunEvent(action, { id: run.id, headSha: pr.headSha }, { pullRequests: [pr], ...options }),
    );
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });

  it("check_suite.rerequested of this app re-evaluates and writes; another app's suite is ignored", async () => {
    const { w, pr, run } = await evaluated();
    let mark = w.mark();
    await w.receive("check_suite", w.checkSuiteRerequestedEvent(pr.headSha, [pr], 29310));
    expect(w.fake.requests.slice(mark)).toEqual([]);

    mark = w.mark();
    await w.receive("check_suite", w.checkSuiteRerequestedEvent(pr.headSha, [pr]));
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `PATCH ${w.base}/check-runs/${run.id}`,
      ]),
    );
    expect(bodyOf(checkWrites(w.since(mark))[0])).toEqual(
      completedCheck({ conclusion: "failure", title: MEDIUM_UNMET, externalId: "2" }),
    );
  });
});

describe("merge_group.checks_requested", () => {
  const groupSha = sha("merge-group");

  it.each([
    ["a PR whose guardrails check passed", "success", true],
    ["a PR whose guardrails check failed", "failure", false],
  ] as const)("answers on the group's head for %s: %s", async (_name, conclusion, approved) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 104, files: FILES.medium });
    if (approved) pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    await w.receive("merge_group", w.mergeGroupEvent(104, groupSha));

    expect(w.calls(mark)).toEqual(["POST /graphql GuardrailsPullRequest", `POST ${w.base}/check-runs`]);
    const body = bodyOf(checkWrites(w.since(mark))[0]);
    expect(body).toMatchObject({
      name: "guardrails",
      head_sha: groupSha,
      status: "completed",
      conclusion,
      external_id: "merge-group",
      actions: [],
    });
    expect(body.output?.title).toBe(approved ? "PR #104 meets its guardrails" : "Merge group blocked by guardrails");
    if (!approved)
      expect(body.output?.summary).toContain(
        "the guardrails check of PR #104 has not passed on its head commit (completed, failure)",
      );
    expect(w.checkRuns(groupSha)).toHaveLength(1);
  });

  it("fails the group of a PR that has no guardrails check yet", async () => {
    const w = new World({ policy: POLICY });
    w.addPullRequest({ number: 104, files: FILES.low });
    await w.receive("merge_group", w.mergeGroupEvent(104, groupSha));
    expect(w.calls()).toEqual(["POST /graphql GuardrailsPullRequest", `POST ${w.base}/check-runs`]);
    expect(w.checkRuns(groupSha)[0]).toMatchObject({
      conclusion: "failure",
      summary: expect.stringContaining("(no check yet)"),
    });
  });
});

describe("push to a base branch", () => {
  const STRICTER = POLICY.replace("  medium:\n    approvals: 1", "  medium:\n    approvals: 2");

  it("changing the policy re-evaluates that branch's open PRs with the new policy", async () => {
    const w = new World({ policy: POLICY });
    w.repo.branches.release = { sha: sha("release"), policy: POLICY };
    const prs = [2, 3].map((number) => w.addPullRequest({ number, files: FILES.medium }));
    const other = w.addPullRequest({ number: 4, files: FILES.medium, baseRef: "release" });
    for (const pr of [...prs, other]) await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    w.fake.setPolicy(w.repo, "master", STRICTER);
    const mark = w.mark();
    await w.receive("push", w.pushEvent("master", [{ modified: ["README.md"] }, { modified: [POLICY_PATH] }]));

    const newBlob = w.since(mark).filter((r) => r.path.includes("/git/blobs/"));
    expect(newBlob).toHaveLength(1); // parsed once for both PRs
    const runs = (number: number) => w.checkRuns(w.repo.pulls.get(number)!.headSha);
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls`,
        `GET ${w.base}/pulls/2/files?page=1`,
        `GET ${w.base}/pulls/3/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        "POST /graphql GuardrailsPullRequest",
        `GET ${newBlob[0]!.path}`,
        `PATCH ${w.base}/check-runs/${runs(2)[0]!.id}`,
        `PATCH ${w.base}/check-runs/${runs(3)[0]!.id}`,
      ]),
    );
    expect(w.since(mark).find((r) => r.path === `${w.base}/pulls`)!.query).toMatchObject({
      state: "open",
      base: "master",
    });
    for (const number of [2, 3]) {
      expect(runs(number)).toHaveLength(1);
      expect(runs(number)[0]).toMatchObject({
        conclusion: "failure",
        title: "Medium risk · missing: 2 more approvals",
      });
      expect(runs(number)[0]!.summary).toContain(`at \`${w.repo.branches.master!.sha.slice(0, 7)}\``);
    }
    expect(runs(4)[0]).toMatchObject({ title: MEDIUM_UNMET });
  });

  it("changing the organisation's policy re-evaluates the open PRs of the owner's repositories that have none of their own", async () => {
    const w = new World();
    const org = w.fake.addRepository({ owner: w.owner, name: ".github", ownerType: "User", policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ title: MEDIUM_UNMET });
    // A repository with a policy of its own keeps it; one with no open PR costs one request.
    const own = w.fake.addRepository({ owner: w.owner, name: "own-policy", ownerType: "User", policy: POLICY });
    const ownPr = w.fake.addPullRequest(own, { number: 7, files: FILES.medium });
    w.fake.addRepository({ owner: w.owner, name: "quiet", ownerType: "User" });

    w.fake.setPolicy(org, org.defaultBranch, STRICTER);
    const push = w.pushEvent(org.defaultBranch, [{ modified: [POLICY_PATH] }]);
    push.repository = {
      ...push.repository,
      id: org.id,
      name: ".github",
      full_name: `${w.owner}/.github`,
      default_branch: org.defaultBranch,
      master_branch: org.defaultBranch,
    };
    const mark = w.mark();
    await w.receive("push", push);

    const calls = w.calls(mark);
    expect(calls.filter((c) => c.startsWith("GET /installation/repositories"))).toHaveLength(1);
    expect(sorted(calls.filter((c) => /^GET \/repos\/[^/]+\/[^/]+\/pulls$/.test(c)))).toEqual(
      sorted([
        `GET /repos/${w.owner}/.github/pulls`,
        `GET ${w.base}/pulls`,
        `GET /repos/${w.owner}/own-policy/pulls`,
        `GET /repos/${w.owner}/quiet/pulls`,
      ]),
    );
    // The PR under the organisation's policy is judged by the new one.
    expect(w.checkRuns(pr.headSha)).toHaveLength(1);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "Medium risk · missing: 2 more approvals",
    });
    expect(w.checkRuns(pr.headSha)[0]!.summary).toContain(`${w.owner}/.github`);
    // The PR of the repository with its own policy is judged by that policy, not the new default.
    expect(w.fake.checkRunsFor(own, ownPr.headSha)[0]).toMatchObject({ title: MEDIUM_UNMET });
  });

  it("an organisation policy change lists every page of the installation's repositories", async () => {
    const w = new World();
    const org = w.fake.addRepository({ owner: w.owner, name: ".github", ownerType: "User", policy: POLICY });
    for (let i = 0; i < 150; i++) w.fake.addRepository({ owner: w.owner, name: `repo-${i}`, ownerType: "User" });
    const last = w.fake.addRepository({ owner: w.owner, name: "repo-last", ownerType: "User" });
    const pr = w.fake.addPullRequest(last, { number: 3, files: FILES.medium });
    w.fake.setPolicy(org, org.defaultBranch, STRICTER);
    const push = w.pushEvent(org.defaultBranch, [{ modified: [POLICY_PATH] }]);
    push.repository = {
      ...push.repository,
      id: org.id,
      name: ".github",
      full_name: `${w.owner}/.github`,
      default_branch: org.defaultBranch,
      master_branch: org.defaultBranch,
    };
    const mark = w.mark();
    await w.receive("push", push);
    expect(
      w
        .since(mark)
        .filter((r) => r.path === "/installation/repositories")
        .map((r) => r.query.page ?? "1"),
    ).toEqual(["1", "2"]);
    expect(w.fake.checkRunsFor(last, pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "Medium risk · missing: 2 more approvals",
    });
  });

  it("an organisation policy change whose repositories cannot be listed fails the delivery, and the .github repository's own PRs are still evaluated", async () => {
    const w = new World();
    const org = w.fake.addRepository({ owner: w.owner, name: ".github", ownerType: "User", policy: POLICY });
    const own = w.fake.addPullRequest(org, { number: 5, files: FILES.medium });
    w.fake.setPolicy(org, org.defaultBranch, STRICTER);
    w.fake.failNext((r) => r.path === "/installation/repositories", {
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    const push = w.pushEvent(org.defaultBranch, [{ modified: [POLICY_PATH] }]);
    push.repository = {
      ...push.repository,
      id: org.id,
      name: ".github",
      full_name: `${w.owner}/.github`,
      default_branch: org.defaultBranch,
      master_branch: org.defaultBranch,
    };
    await expect(w.receive("push", push)).rejects.toThrow(/Resource not accessible by integration/);
    expect(w.fake.checkRunsFor(org, own.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "Medium risk · missing: 2 more approvals",
    });
  });

  it("an organisation policy change where one repository's PRs cannot be listed still re-evaluates the others', then fails the delivery", async () => {
    const w = new World();
    const org = w.fake.addRepository({ owner: w.owner, name: ".github", ownerType: "User", policy: POLICY });
    const broken = w.fake.addRepository({ owner: w.owner, name: "broken", ownerType: "User" });
    const fine = w.fake.addRepository({ owner: w.owner, name: "fine", ownerType: "User" });
    const pr = w.fake.addPullRequest(fine, { number: 3, files: FILES.medium });
    w.fake.setPolicy(org, org.defaultBranch, STRICTER);
    w.fake.failNext((r) => r.method === "GET" && r.path === `/repos/${w.owner}/${broken.name}/pulls`, {
      status: 502,
      body: { message: "Bad Gateway" },
    });
    const push = w.pushEvent(org.defaultBranch, [{ modified: [POLICY_PATH] }]);
    push.repository = {
      ...push.repository,
      id: org.id,
      name: ".github",
      full_name: `${w.owner}/.github`,
      default_branch: org.defaultBranch,
      master_branch: org.defaultBranch,
    };
    await expect(w.receive("push", push)).rejects.toThrow(/Bad Gateway|502/);
    expect(w.fake.checkRunsFor(fine, pr.headSha)[0]).toMatchObject({
      conclusion: "failure",
      title: "Medium risk · missing: 2 more approvals",
    });
  });

  it("a policy change whose branch's open PRs cannot be listed fails the delivery, so that it shows and can be redelivered", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    w.fake.setPolicy(w.repo, "master", STRICTER);
    w.fake.failNext((r) => r.method === "GET" && r.path === `${w.base}/pulls`, {
      status: 500,
      body: { message: "Server Error" },
    });
    const mark = w.mark();
    await expect(w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]))).rejects.toThrow(
      /Server Error|500/,
    );
    expect(w.calls(mark)).toEqual([`GET ${w.base}/pulls`]);
    // The check stays as the old policy judged it: nothing but the failed delivery can show this.
    expect(w.checkRuns(pr.headSha)).toHaveLength(1);
  });

  it("a push to another branch of the .github repository does not touch the other repositories", async () => {
    const w = new World();
    const org = w.fake.addRepository({ owner: w.owner, name: ".github", ownerType: "User", policy: POLICY });
    org.branches.draft = { sha: sha("draft"), policy: STRICTER };
    const push = w.pushEvent("draft", [{ modified: [POLICY_PATH] }]);
    push.repository = {
      ...push.repository,
      id: org.id,
      name: ".github",
      full_name: `${w.owner}/.github`,
      default_branch: org.defaultBranch,
      master_branch: org.defaultBranch,
    };
    const mark = w.mark();
    await w.receive("push", push);
    expect(w.calls(mark)).toEqual([`GET /repos/${w.owner}/.github/pulls`]);
  });

  it("not touching the policy makes no GitHub call", async () => {
    const { w, pr } = mediumPullRequest();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    await w.receive(
      "push",
      w.pushEvent("master", [{ added: ["docs/new.md"], modified: ["src/app.ts"], removed: [".github/other.yml"] }]),
    );
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });
});

describe("order of events", () => {
  it("a synchronize for an older head evaluates and writes the PR's current head, not the old one", async () => {
    const { w, pr } = mediumPullRequest();
    const oldHead = pr.headSha;
    pr.headSha = sha("a newer push");
    const payload = w.pullRequestEvent("synchronize", pr);
    payload.pull_request.head.sha = oldHead;
    payload.before = sha("before");
    payload.after = oldHead;
    await w.receive("pull_request", payload);

    expect(w.checkRuns(oldHead)).toEqual([]);
    expect(w.checkRuns(pr.headSha)).toHaveLength(1);
    expect(
      checkWrites(w.since())
        .map((r) => bodyOf(r).head_sha)
        .filter(Boolean),
    ).toEqual([pr.headSha]);
  });

  it("a re-run of an older head's run evaluates the current head and writes its run, not the old one", async () => {
    const { w, pr } = mediumPullRequest();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const oldHead = pr.headSha;
    const oldRun = w.checkRuns(oldHead)[0]!;
    pr.headSha = sha("pushed after the run");
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    const newRun = w.checkRuns(pr.headSha)[0]!;
    expect(newRun).toMatchObject({ conclusion: "success" });

    const mark = w.mark();
    await w.receive(
      "check_run",
      w.checkRunEvent("rerequested", { id: oldRun.id, headSha: oldHead }, { pullRequests: [pr] }),
    );
    expect(checkWrites(w.since(mark)).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH ${w.base}/check-runs/${newRun.id}`,
    ]);
    expect(w.checkRuns(oldHead)[0]).toMatchObject({
      id: oldRun.id,
      status: "completed",
      conclusion: "failure",
      title: MEDIUM_UNMET,
    });
    expect(w.checkRuns(pr.headSha)).toEqual([
      expect.objectContaining({ id: newRun.id, conclusion: "success", title: MEDIUM_MET }),
    ]);
  });

  it.each([
    [
      "opened and labeled",
      "pull_request",
      (w: World, pr: FakePullRequest) => w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "bug")),
    ],
    [
      "opened and a review",
      "pull_request_review",
      (w: World, pr: FakePullRequest) => w.reviewEvent("submitted", pr, { user: "reviewer", state: "COMMENTED" }),
    ],
    [
      "opened and a re-run of the suite",
      "check_suite",
      (w: World, pr: FakePullRequest) => w.checkSuiteRerequestedEvent(pr.headSha, [pr]),
    ],
  ] as const)("two events delivered at once (%s) make one check run and one comment", async (_name, event, second) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await Promise.all([w.receive("pull_request", w.pullRequestEvent("opened", pr)), w.receive(event, second(w, pr))]);
    expect(w.checkRuns()).toHaveLength(1);
    expect(w.checkRuns()[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    expect(pr.comments).toHaveLength(1);
    expect(w.since().filter((r) => r.method === "POST" && r.path.endsWith("/comments"))).toHaveLength(1);
    expect(w.since().filter((r) => r.method === "POST" && r.path.endsWith("/check-runs"))).toHaveLength(1);
    expect(pr.labels).toEqual(["risk:high"]);
  });

  it("an event for a PR closed since it was sent reads and writes nothing more", async () => {
    const { w, pr } = mediumPullRequest();
    pr.state = "CLOSED";
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(sorted(w.calls())).toEqual(
      sorted([`GET ${w.base}/pulls/2/files?page=1`, "POST /graphql GuardrailsPullRequest"]),
    );
    expect(w.fake.writes()).toEqual([]);
  });
});
