/**
 * Issue 20 end to end: the built server (`node dist/server.js`) as a child process against the
 * FakeGitHub served over HTTP, receiving signed webhooks built from real @octokit/webhooks-examples
 * payloads. `checks` judged on other apps' check runs and commit statuses of the head commit and
 * re-evaluated on their events without a push; `approvals.ignore_contributors` for a pusher;
 * `agents.trailers`; a suite of 50 completions coalesced. One server serves every case, each in its
 * own repository. Results are read from the FakeGitHub after the server's `decision` log line.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import {
  FakeGitHub,
  sha,
  type FakeCiRun,
  type FakeCheckRun,
  type FakePullRequest,
  type FakeRepository,
  type LoggedRequest,
} from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { forPullRequest, forRepository } from "../support/payloads.js";
import type { ExamplePullRequestRef } from "../support/example-types.js";
import { ServerProcess, type LogLine } from "../support/server-process.js";
import { examplePayload, examplePayloads } from "../support/test-probot.js";

jest.setTimeout(60_000);

const APP_ID = 4243;
const INSTALLATION_ID = 778;
const OWNER = "acme-ci";
const ACTIONS = { appId: 15368, appSlug: "github-actions" };
const CIRCLECI = { appId: 18001, appSlug: "circleci-checks" };
const MEDIUM_FILES = [{ filename: "src/app.ts", status: "modified" as const, additions: 10, deletions: 2 }];

/** A policy whose default tier is medium, with `medium` as its demands; `extra` adds top-level keys. */
const policyWith = (medium: string, extra = "") => `version: 1
default_tier: medium
tiers:
  low: {}
  medium: ${medium}
  high: { approvals: 1 }
labels: { prefix: false }
${extra}`;

describe("issue 20 through the built server: CI results, independent approvers, agent trailers", () => {
  const fake = new FakeGitHub(APP_ID, INSTALLATION_ID);
  const standIn = new GitHubStandIn({ fake });
  let server: ServerProcess;

  // Kept across a restart: the key that signs the comment state is derived from it.
  const webhookSecret = `whsec-${randomUUID()}`;
  const startServer = () =>
    ServerProcess.start({
      appId: APP_ID,
      githubHost: standIn.host,
      webhookSecret,
      // A delivery is answered when its evaluation ends, or 202 after this long: far beyond any here.
      env: { WEBHOOK_RESPONSE_TIMEOUT_MS: "30000" },
    });

  beforeAll(async () => {
    await standIn.start();
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await standIn.stop();
  });

  // ---- the world: one repository per case ----

  function repository(name: string, policy: string): FakeRepository {
    const repo = fake.addRepository({ owner: OWNER, name, policy, defaultBranch: "main" });
    repo.collaborators = { alice: "write", dev: "write" };
    return repo;
  }

  const fullName = (repo: FakeRepository) => `${repo.owner}/${repo.name}`;

  /** The server's decisions for a PR, in order. */
  const decisions = (repo: FakeRepository, pr: FakePullRequest): LogLine[] =>
    server
      .logs()
      .filter((line) => line.msg === "decision" && line.repository === fullName(repo) && line.pr === pr.number);

  /** Delivers one event and waits for the PR's next decision (the check is written by then). */
  async function deliver(repo: FakeRepository, pr: FakePullRequest, event: string, payload: unknown) {
    const before = decisions(repo, pr).length;
    const answer = await server.sendWebhook(event, payload);
    expect([200, 202]).toContain(answer.status);
    return server.waitFor(() => decisions(repo, pr)[before], 20_000, `decision ${before + 1} of ${pr.number}`);
  }

  /** The app's own `guardrails` run on the PR's head (exactly one). */
  function guardrailsRun(repo: FakeRepository, pr: FakePullRequest): FakeCheckRun {
    const runs = fake.checkRunsFor(repo, pr.headSha).filter((run) => run.appId === APP_ID);
    expect(runs).toHaveLength(1);
    return runs[0]!;
  }

  async function open(repo: FakeRepository, input: Partial<FakePullRequest> & { number: number }) {
    const pr = fake.addPullRequest(repo, { author: { login: "dev" }, files: MEDIUM_FILES, ...input });
    const opened = forPullRequest(examplePayload("pull_request", "opened"), repo, INSTALLATION_ID, pr);
    await deliver(repo, pr, "pull_request", opened);
    return pr;
  }

  // ---- payloads: real examples, adjusted ----

  /** An entry of `pull_requests` as GitHub lists it on a check run or suite of this repository. */
  function pullRequestRef(repo: FakeRepository, pr: FakePullRequest): ExamplePullRequestRef {
    const ref = structuredClone(examplePayload("check_run", "created").check_run.pull_requests[0]!);
    ref.number = pr.number;
    Object.assign(ref.head, { sha: pr.headSha, ref: pr.headRef });
    ref.base.ref = pr.baseRef;
    ref.base.repo = { ...ref.base.repo, id: repo.id, name: repo.name };
    return ref;
  }

  /** Another app's `check_run.created` (queued) or `.completed`, listing the PRs GitHub would. */
  function checkRunEvent(
    action: "created" | "completed",
    repo: FakeRepository,
    run: FakeCiRun,
    pullRequests: FakePullRequest[],
  ) {
    const payload = forRepository(examplePayload("check_run", action), repo, INSTALLATION_ID);
    const check = payload.check_run;
    Object.assign(check, {
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      external_id: "",
      status: run.status,
      conclusion: run.conclusion,
    });
    Object.assign(check.app, { id: run.appId, slug: run.appSlug });
    Object.assign(check.check_suite, { head_sha: run.headSha });
    check.check_suite.app.id = run.appId;
    check.pull_requests = pullRequests.map((pr) => pullRequestRef(repo, pr));
    return payload;
  }

  /** A `status` event: it lists no PRs (the app asks which open PRs have that head). */
  function statusEvent(repo: FakeRepository, commit: string, context: string, state: string) {
    const payload = forRepository(examplePayload("status"), repo, INSTALLATION_ID);
    Object.assign(payload, { sha: commit, context, state, target_url: `https://ci.example.com/${context}` });
    return payload;
  }

  /** A completed CI run: updated in the FakeGitHub first (GitHub stores it before it sends the event). */
  function complete(repo: FakeRepository, run: FakeCiRun, conclusion: string) {
    return fake.setCiRun(repo, { ...run, status: "completed", conclusion });
  }

  it("checks: [test] stays failing while test is queued, in progress, failed, neutral or skipped; passes on success, and a re-run takes it back, without a push", async () => {
    const repo = repository("ci-states", policyWith("{ checks: [test] }"));
    const pr = await open(repo, { number: 1 });
    const first = guardrailsRun(repo, pr);
    expect(first).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(first.summary).toContain("waiting for `test`");

    // The workflow starts: `test` queued (GitHub sends check_run.created), and a `lint` job completes.
    const test = fake.setCiRun(repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "queued",
      conclusion: null,
    });
    expect((await server.sendWebhook("check_run", checkRunEvent("created", repo, test, [pr]))).status).toBe(200);
    const lint = complete(
      repo,
      fake.setCiRun(repo, { headSha: pr.headSha, name: "lint", ...ACTIONS, status: "in_progress", conclusion: null }),
      "success",
    );
    expect(await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, lint, [pr]))).toMatchObject({
      event: "check_run.completed",
      conclusion: "failure",
      unmet: ["checks"],
    });
    expect(guardrailsRun(repo, pr).summary).toContain("waiting for `test` (queued)");

    // `test` runs; a `build` job completes meanwhile.
    fake.setCiRun(repo, { ...test, status: "in_progress" });
    const build = complete(
      repo,
      fake.setCiRun(repo, { headSha: pr.headSha, name: "build", ...ACTIONS, status: "in_progress", conclusion: null }),
      "success",
    );
    await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, build, [pr]));
    expect(guardrailsRun(repo, pr)).toMatchObject({ conclusion: "failure" });
    expect(guardrailsRun(repo, pr).summary).toContain("waiting for `test` (in progress)");

    for (const conclusion of ["failure", "neutral", "skipped"]) {
      const done = complete(repo, test, conclusion);
      await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, done, [pr]));
      const run = guardrailsRun(repo, pr);
      expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
      expect(run.summary).toContain(
        `\`test\` concluded ${conclusion} ([details](https://github.com/${fullName(repo)}/runs/${test.id})); needs success`,
      );
    }

    // Re-run, success: the check passes on the same head, in the same run.
    const passed = complete(repo, test, "success");
    expect(await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, passed, [pr]))).toMatchObject({
      conclusion: "success",
      unmet: [],
    });
    const run = guardrailsRun(repo, pr);
    expect(run).toMatchObject({ id: first.id, status: "completed", conclusion: "success" });
    expect(run.summary).toContain("`test` concluded success");

    // "Re-run jobs" on the same commit: a new run of `test`, queued, takes the pass back until it succeeds.
    const rerun = fake.setCiRun(repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "queued",
      conclusion: null,
    });
    expect(await deliver(repo, pr, "check_run", checkRunEvent("created", repo, rerun, [pr]))).toMatchObject({
      event: "check_run.created",
      conclusion: "failure",
    });
    expect(guardrailsRun(repo, pr)).toMatchObject({ id: first.id, conclusion: "failure" });
    expect(guardrailsRun(repo, pr).summary).toContain("waiting for `test` (queued)");
    await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, complete(repo, rerun, "success"), [pr]));
    expect(guardrailsRun(repo, pr)).toMatchObject({ id: first.id, conclusion: "success" });

    // No push: one opened event, the rest CI events (the first `created` found no pass to take back).
    expect(decisions(repo, pr).map((line) => line.event)).toEqual([
      "pull_request.opened",
      ...Array<string>(6).fill("check_run.completed"),
      "check_run.created",
      "check_run.completed",
    ]);
  });

  it("a run named test from another app fails an entry pinned to github-actions", async () => {
    const repo = repository("ci-pinned", policyWith("{ checks: [{ name: test, app: github-actions }] }"));
    const pr = await open(repo, { number: 2 });
    const impostor = fake.setCiRun(repo, {
      headSha: pr.headSha,
      name: "test",
      ...CIRCLECI,
      status: "completed",
      conclusion: "success",
    });
    await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, impostor, [pr]));
    const failed = guardrailsRun(repo, pr);
    expect(failed).toMatchObject({ conclusion: "failure" });
    expect(failed.summary).toContain(
      "waiting for `test` from the app github-actions; a run of that name by circleci-checks does not count (pinned to github-actions)",
    );

    const actions = fake.setCiRun(repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "completed",
      conclusion: "success",
    });
    await deliver(repo, pr, "check_run", checkRunEvent("completed", repo, actions, [pr]));
    expect(guardrailsRun(repo, pr)).toMatchObject({ conclusion: "success" });
  });

  it("a commit status satisfies checks: [test] where no run of that name exists", async () => {
    const repo = repository("ci-status", policyWith("{ checks: [test] }"));
    const pr = await open(repo, { number: 3 });
    expect(guardrailsRun(repo, pr)).toMatchObject({ conclusion: "failure" });

    fake.setStatus(repo, { sha: pr.headSha, context: "test", state: "success" });
    const decided = await deliver(repo, pr, "status", statusEvent(repo, pr.headSha, "test", "success"));
    expect(decided).toMatchObject({ event: "status", conclusion: "success", unmet: [] });
    const run = guardrailsRun(repo, pr);
    expect(run).toMatchObject({ conclusion: "success" });
    expect(run.summary).toContain("`test` commit status success");
    // The status event lists no PRs: the server asked GitHub which have that head.
    expect(fake.requests.some((r) => r.path === `/repos/${fullName(repo)}/commits/${pr.headSha}/pulls`)).toBe(true);
  });

  for (const ignore of [true, false]) {
    it(`an approver who pushed a commit ${ignore ? "is not counted with" : "counts without"} approvals.ignore_contributors${ignore ? ", after a restart" : ""}`, async () => {
      const repo = repository(
        `contributors-${ignore}`,
        policyWith("{ approvals: 1 }", ignore ? "approvals: { ignore_contributors: true }\n" : ""),
      );
      const pr = await open(repo, { number: 4 });
      expect(guardrailsRun(repo, pr)).toMatchObject({ conclusion: "failure" });

      // alice pushes a commit to dev's PR (synchronize, sent by alice), then approves it.
      const before = pr.headSha;
      pr.headSha = sha(`${fullName(repo)}#4 pushed by alice`);
      const pushed = forPullRequest(examplePayload("pull_request", "synchronize"), repo, INSTALLATION_ID, pr);
      Object.assign(pushed, { before, after: pr.headSha });
      Object.assign(pushed.sender, { login: "alice", type: "User" });
      await deliver(repo, pr, "pull_request", pushed);
      if (ignore) {
        // Who pushed is kept on GitHub (the signed state of the app's comment), not in the process.
        expect(pr.comments).toEqual([expect.objectContaining({ byApp: true })]);
        expect((await server.stop()).code).toBe(0);
        server = await startServer();
      }

      pr.reviews.push({ user: "alice", state: "APPROVED", commit: pr.headSha, association: "COLLABORATOR" });
      const review = forPullRequest(
        examplePayloads("pull_request_review").find((p) => p.action === "submitted")!,
        repo,
        INSTALLATION_ID,
        pr,
      );
      Object.assign(review.review, { state: "approved", commit_id: pr.headSha, author_association: "COLLABORATOR" });
      review.review.user.login = "alice";
      review.sender.login = "alice";
      const decided = await deliver(repo, pr, "pull_request_review", review);

      const run = guardrailsRun(repo, pr);
      if (ignore) {
        expect(decided).toMatchObject({ conclusion: "failure", unmet: ["approvals"] });
        expect(run).toMatchObject({ conclusion: "failure" });
        expect(run.summary).toContain("not counted: alice pushed to this PR");
      } else {
        expect(decided).toMatchObject({ conclusion: "success", unmet: [] });
        expect(run).toMatchObject({ conclusion: "success" });
        expect(run.summary).not.toContain("not counted");
      }
    });
  }

  for (const listed of [true, false]) {
    it(`a PR marked only by an Assisted-by trailer is ${listed ? "" : "not "}agent-authored when agents.trailers ${listed ? "lists" : "does not list"} it`, async () => {
      const trailers = listed ? '  trailers: ["Co-authored-by", "Assisted-by"]\n' : "";
      const repo = repository(
        `agents-${listed}`,
        policyWith("{}", `agents:\n  co_authors: ["*copilot*"]\n${trailers}  min_tier: high\n`),
      );
      const pr = await open(repo, {
        number: 5,
        commitMessages: ["Change the app\n\nAssisted-by: GitHub Copilot <copilot@github.com>"],
      });
      const [decided] = decisions(repo, pr);
      const run = guardrailsRun(repo, pr);
      if (listed) {
        expect(decided).toMatchObject({ tier: "high", conclusion: "failure", unmet: ["approvals"] });
        expect(run.title).toMatch(/^High risk/);
        expect(run.summary).toContain('Assisted-by trailer "GitHub Copilot');
        expect(run.summary).toContain('matches agents.co_authors "*copilot*"');
      } else {
        expect(decided).toMatchObject({ tier: "medium", conclusion: "success", unmet: [] });
        expect(run.title).toMatch(/^Medium risk/);
        expect(run.summary).not.toContain("agents.co_authors");
      }
    });
  }

  it("a CI suite completing 50 runs on one head costs at most 2 evaluations and 1 check write after it", async () => {
    const repo = repository("ci-suite", policyWith("{ checks: [test] }"));
    const pr = fake.addPullRequest(repo, { number: 6, author: { login: "dev" }, files: MEDIUM_FILES });
    const runs = Array.from({ length: 50 }, (_, i) =>
      fake.setCiRun(repo, {
        headSha: pr.headSha,
        name: i === 49 ? "test" : `job-${i}`,
        ...ACTIONS,
        status: "in_progress",
        conclusion: null,
      }),
    );
    const opened = forPullRequest(examplePayload("pull_request", "opened"), repo, INSTALLATION_ID, pr);
    await deliver(repo, pr, "pull_request", opened);
    expect(guardrailsRun(repo, pr).summary).toContain("waiting for `test` (in progress)");

    const mark = fake.requests.length;
    const decided = decisions(repo, pr).length;
    // Every run completes and its event is delivered at once; each answer waits for its evaluation.
    const answers = await Promise.all(
      runs.map((run) =>
        server.sendWebhook("check_run", checkRunEvent("completed", repo, complete(repo, run, "success"), [pr])),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array<number>(50).fill(200));

    const after = fake.requests.slice(mark);
    const ofRepo = (r: LoggedRequest) =>
      r.path.startsWith(`/repos/${fullName(repo)}/`) ||
      (r.operation !== undefined && (r.body as { variables?: { name?: string } }).variables?.name === repo.name);
    const evaluations = decisions(repo, pr).slice(decided);
    expect(evaluations.length).toBeGreaterThanOrEqual(1);
    expect(evaluations.length).toBeLessThanOrEqual(2);
    expect(after.filter((r) => ofRepo(r) && r.operation === "GuardrailsPullRequest").length).toBeLessThanOrEqual(2);
    const checkWrites = after.filter((r) => ofRepo(r) && r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path));
    expect(checkWrites).toHaveLength(1);
    expect(guardrailsRun(repo, pr)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(evaluations.at(-1)).toMatchObject({ event: "check_run.completed", conclusion: "success" });
  });
});
