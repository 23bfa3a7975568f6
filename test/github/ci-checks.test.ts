/**
 * Issue 20 through the app (Probot with the FakeGitHub on nock, real payloads): `checks` judged on
 * the head commit's runs of other apps and its commit statuses, re-evaluated on `check_run.completed`,
 * `check_suite.completed` and `status` without a new push; `approvals.ignore_contributors` with the
 * pushers kept in the signed comment state; `agents.trailers`; a burst of 50 completions coalesced.
 */
import { describe, expect, it } from "@jest/globals";
import { passMayRestOnChecks, writeDecisionRecords } from "../../src/state/decision-record.js";
import type { FakeCiRun, FakePullRequest } from "../support/fake-github.js";
import { bodyOf, checkWrites, FILES, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const ACTIONS = { appId: 15368, appSlug: "github-actions" };

const policyWith = (medium: string, extra = "") => `version: 1
default_tier: medium
tiers:
  low: {}
  medium: ${medium}
  high: {}
labels: { prefix: false }
${extra}`;

/** The newest check write of the app (creation or update) on the PR's head. */
function lastCheck(w: World) {
  return bodyOf(checkWrites(w.since()).at(-1));
}

const evaluations = (w: World, mark = 0) => w.since(mark).filter((r) => r.operation === "GuardrailsPullRequest").length;

async function completeRun(w: World, pr: FakePullRequest, run: FakeCiRun) {
  await w.receive("check_run", w.checkRunCompletedEvent(run, [pr]));
}

describe("checks: [test] on a medium PR", () => {
  it("fails while test is queued, in progress, or concluded failure, neutral or skipped; passes on success, without a push", async () => {
    const w = new World({ policy: policyWith("{ checks: [test] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    expect(lastCheck(w).output?.summary).toContain("waiting for `test`");

    const run = w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "queued",
      conclusion: null,
    });
    // Another job of the suite completes while `test` is still queued, then in progress.
    const lint = w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "lint",
      ...ACTIONS,
      status: "completed",
      conclusion: "success",
    });
    await completeRun(w, pr, lint);
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    expect(lastCheck(w).output?.summary).toContain("waiting for `test` (queued)");
    w.fake.setCiRun(w.repo, { ...run, status: "in_progress" });
    await completeRun(w, pr, lint);
    expect(lastCheck(w).output?.summary).toContain("waiting for `test` (in progress)");

    for (const conclusion of ["failure", "neutral", "skipped"]) {
      w.fake.setCiRun(w.repo, { ...run, status: "completed", conclusion });
      await completeRun(w, pr, run);
      expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
      expect(lastCheck(w).output?.summary).toContain(`\`test\` concluded ${conclusion}`);
    }
    const pushesBefore = w.since().filter((r) => r.path.endsWith("/pulls/2/files")).length;
    w.fake.setCiRun(w.repo, { ...run, status: "completed", conclusion: "success" });
    await completeRun(w, pr, run);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
    // Nothing was pushed: the head is the same and only the CI event led here.
    expect(
      checkWrites(w.since()).every((r) => bodyOf(r).head_sha === undefined || bodyOf(r).head_sha === pr.headSha),
    ).toBe(true);
    expect(pushesBefore).toBeGreaterThan(0);
  });

  it("never counts the app's own run, and ignores the app's own check_run.completed", async () => {
    const w = new World({ policy: policyWith("{ checks: [guardrails] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    const own = w.checkRuns(pr.headSha)[0]!;
    const mark = w.mark();
    await w.receive(
      "check_run",
      w.checkRunCompletedEvent(
        {
          id: own.id,
          headSha: pr.headSha,
          name: "guardrails",
          appId: w.fake.appId,
          appSlug: "guardrails",
          conclusion: "failure",
        },
        [pr],
      ),
    );
    expect(w.since(mark)).toHaveLength(0);
  });

  it("a check_suite.completed of another app re-evaluates the PR", async () => {
    const w = new World({ policy: policyWith("{ checks: [test] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "completed",
      conclusion: "success",
    });
    await w.receive("check_suite", w.checkSuiteCompletedEvent(pr.headSha, ACTIONS.appId, [pr]));
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
  });
});

describe("a CI run queued again on the same commit (a re-run)", () => {
  it("takes back a pass that rested on it until it completes, without a push", async () => {
    const w = new World({ policy: policyWith("{ checks: [test] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const first = w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "completed",
      conclusion: "success",
    });
    await completeRun(w, pr, first);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });

    // "Re-run jobs": a new run of the same name, queued on the same commit.
    const rerun = w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "queued",
      conclusion: null,
    });
    await w.receive(
      "check_run",
      w.checkRunEvent("created", rerun, { name: "test", appId: ACTIONS.appId, pullRequests: [pr] }),
    );
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    expect(lastCheck(w).output?.summary).toContain("waiting for `test` (queued)");

    w.fake.setCiRun(w.repo, { ...rerun, status: "completed", conclusion: "success" });
    await completeRun(w, pr, rerun);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
  });

  it("costs one read and no evaluation where the app's pass does not rest on CI", async () => {
    const w = new World({ policy: policyWith("{}") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
    const mark = w.mark();
    const runs = Array.from({ length: 10 }, () =>
      w.fake.setCiRun(w.repo, { headSha: pr.headSha, name: "build", ...ACTIONS, status: "queued", conclusion: null }),
    );
    await Promise.all(
      runs.map((run) =>
        w.receive(
          "check_run",
          w.checkRunEvent("created", run, { name: "build", appId: ACTIONS.appId, pullRequests: [pr] }),
        ),
      ),
    );
    expect(w.calls(mark)).toEqual([`GET /repos/${w.owner}/${w.name}/commits/${pr.headSha}/check-runs`]);
    expect(evaluations(w, mark)).toBe(0);
  });
});

describe("passMayRestOnChecks", () => {
  it("only a pass: with a met checks requirement, or whose records cannot be read (fail closed)", () => {
    const line = (requirements: { kind: string }[]) =>
      writeDecisionRecords("details", {
        "2": {
          head: "a".repeat(40),
          conclusion: "success",
          requirements: requirements.map((r) => ({ ...r, met: true, sources: [], message: "m" })),
        },
      });
    expect(passMayRestOnChecks("success", line([{ kind: "checks" }]))).toBe(true);
    expect(passMayRestOnChecks("success", line([{ kind: "approvals" }]))).toBe(false);
    expect(passMayRestOnChecks("failure", line([{ kind: "checks" }]))).toBe(false);
    expect(passMayRestOnChecks("success", "no record line")).toBe(true);
    expect(passMayRestOnChecks("success", null)).toBe(true);
  });
});

describe("checks: an app pin and commit statuses", () => {
  it("a run named test from another app fails an entry pinned to github-actions", async () => {
    const w = new World({ policy: policyWith("{ checks: [{ name: test, app: github-actions }] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    const run = w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      appId: 999,
      appSlug: "impostor-ci",
      status: "completed",
      conclusion: "success",
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    await completeRun(w, pr, run);
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    expect(lastCheck(w).output?.summary).toContain("impostor-ci does not count (pinned to github-actions)");
    w.fake.setCiRun(w.repo, {
      headSha: pr.headSha,
      name: "test",
      ...ACTIONS,
      status: "completed",
      conclusion: "success",
    });
    await completeRun(w, pr, run);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
  });

  it("a commit status counts where no run of that name exists (the status event asks which PRs have that head)", async () => {
    const w = new World({ policy: policyWith('{ checks: ["ci/build"] }') });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    w.fake.setStatus(w.repo, { sha: pr.headSha, context: "ci/build", state: "pending" });
    let mark = w.mark();
    await w.receive("status", w.statusEvent(pr.headSha, "ci/build", "pending"));
    expect(w.calls(mark)).toContain(`GET ${w.base}/commits/${pr.headSha}/pulls`);
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    w.fake.setStatus(w.repo, { sha: pr.headSha, context: "ci/build", state: "success" });
    mark = w.mark();
    await w.receive("status", w.statusEvent(pr.headSha, "ci/build", "success"));
    expect(evaluations(w, mark)).toBe(1);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
  });
});

describe("approvals.ignore_contributors", () => {
  for (const ignore of [true, false]) {
    it(`an approver who pushed a commit ${ignore ? "is not counted" : "counts"} (ignore_contributors: ${ignore}), after a restart too`, async () => {
      const w = new World({
        policy: policyWith("{ approvals: 1 }", ignore ? "approvals: { ignore_contributors: true }\n" : ""),
      });
      const pr = w.addPullRequest({ number: 2, files: FILES.medium });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      // alice pushes a commit to dev's PR, then approves it.
      pr.headSha = "a".repeat(40);
      await w.receive(
        "pull_request",
        w.pullRequestEvent("synchronize", pr, (p) => {
          p.sender.login = "alice";
        }),
      );
      pr.reviews.push({ user: "alice", state: "APPROVED", commit: pr.headSha, association: "COLLABORATOR" });
      // A fresh app instance (a restart) knows alice pushed only from the signed comment state.
      await w
        .replica()
        .receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "alice", state: "APPROVED" }));
      if (ignore) {
        expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
        expect(lastCheck(w).output?.summary).toContain("alice pushed to this PR");
      } else {
        expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
      }
    });
  }

  it("a commit authored by the approver discounts the approval", async () => {
    const w = new World({ policy: policyWith("{ approvals: 1 }", "approvals: { ignore_contributors: true }\n") });
    const pr = w.addPullRequest({
      number: 2,
      files: FILES.medium,
      commitMessages: ["Change", "Fix"],
      commitUsers: [{ author: "dev", committer: "dev" }, { author: "bob" }],
      reviews: [{ user: "bob", state: "APPROVED", commit: "", association: "MEMBER" }],
    });
    pr.reviews[0]!.commit = pr.headSha;
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(lastCheck(w)).toMatchObject({ conclusion: "failure" });
    expect(lastCheck(w).output?.summary).toContain("bob authored a commit of this PR");
  });
});

describe("agents.trailers", () => {
  const agents = (trailers: string) => `agents:
  co_authors: ["*copilot*"]
  ${trailers}
  min_tier: high
`;
  for (const listed of [true, false]) {
    it(`a PR marked only by Assisted-by is ${listed ? "" : "not "}agent-authored when the trailer is ${listed ? "" : "not "}listed`, async () => {
      const trailers = listed ? 'trailers: ["Co-authored-by", "Assisted-by"]' : "";
      const w = new World({ policy: policyWith("{}", agents(trailers)) });
      const pr = w.addPullRequest({
        number: 2,
        files: FILES.medium,
        commitMessages: ["Change\n\nAssisted-by: GitHub Copilot <copilot@github.com>"],
      });
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));
      expect(lastCheck(w).output?.title).toMatch(listed ? /high/i : /medium/i);
    });
  }
});

describe("a CI suite completing 50 runs on one head", () => {
  it("costs at most 2 evaluations and 1 check write after the last completion", async () => {
    const w = new World({ policy: policyWith("{ checks: [test] }") });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    const runs = Array.from({ length: 50 }, (_, i) =>
      w.fake.setCiRun(w.repo, {
        headSha: pr.headSha,
        name: i === 49 ? "test" : `job-${i}`,
        ...ACTIONS,
        status: "in_progress",
        conclusion: null,
      }),
    );
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(lastCheck(w).output?.summary).toContain("waiting for `test` (in progress)");
    const mark = w.mark();
    // Each run completes and its event is delivered at once, all before the first evaluation ends.
    const deliveries = runs.map((run) => {
      w.fake.setCiRun(w.repo, { ...run, status: "completed", conclusion: "success" });
      return completeRun(w, pr, run);
    });
    await Promise.all(deliveries);
    expect(evaluations(w, mark)).toBeLessThanOrEqual(2);
    expect(checkWrites(w.since(mark))).toHaveLength(1);
    expect(lastCheck(w)).toMatchObject({ conclusion: "success" });
  });
});
