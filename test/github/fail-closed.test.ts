/**
 * Fail closed: whatever goes wrong while gathering facts or writing results, the PR's one check
 * run ends in `failure` with a plain message and the Re-evaluate button, never in success.
 */
import { describe, expect, it } from "@jest/globals";
import type { LoggedRequest } from "../support/fake-github.js";
import {
  bodyOf,
  checkWrites,
  FILES,
  manyFiles,
  POLICY,
  REEVALUATE,
  sha,
  useFakeGitHubNetwork,
  World,
} from "./harness.js";

useFakeGitHubNetwork();

const FAILED_TITLE = "Evaluation failed · the pull request is blocked until it succeeds";
const NOT_ACCESSIBLE = {
  message: "Resource not accessible by integration",
  documentation_url: "https://docs.github.com/rest",
};

type Fault = { predicate: (r: LoggedRequest) => boolean; response: { status: number; body?: unknown } };

const files: Fault["predicate"] = (r) => r.method === "GET" && r.path.endsWith("/pulls/2/files");
const snapshot: Fault["predicate"] = (r) => r.operation === "GuardrailsPullRequest";
const blob: Fault["predicate"] = (r) => r.path.includes("/git/blobs/");
const labelAdd: Fault["predicate"] = (r) => r.method === "POST" && r.path.endsWith("/issues/2/labels");
const comment: Fault["predicate"] = (r) => r.method === "POST" && r.path.endsWith("/issues/2/comments");

const cases: [string, Fault, string][] = [
  [
    "GitHub 500 on the files list",
    { predicate: files, response: { status: 500, body: { message: "Server Error" } } },
    "GitHub answered 500 on GET /repos/Codertocat/Hello-World/pulls/2/files",
  ],
  [
    "403 Resource not accessible by integration on the files list",
    { predicate: files, response: { status: 403, body: NOT_ACCESSIBLE } },
    "the app lacks a permission (403) on GET /repos/Codertocat/Hello-World/pulls/2/files: Resource not accessible by integration",
  ],
  [
    "403 Resource not accessible by integration on adding the label",
    { predicate: labelAdd, response: { status: 403, body: NOT_ACCESSIBLE } },
    "the app lacks a permission (403) on POST /repos/Codertocat/Hello-World/issues/2/labels: Resource not accessible by integration",
  ],
  [
    "403 Resource not accessible by integration on posting the comment",
    { predicate: comment, response: { status: 403, body: NOT_ACCESSIBLE } },
    "the app lacks a permission (403) on POST /repos/Codertocat/Hello-World/issues/2/comments",
  ],
  [
    "GitHub 502 on the GraphQL snapshot",
    { predicate: snapshot, response: { status: 502, body: { message: "Bad Gateway" } } },
    "GitHub answered 502 on POST /graphql",
  ],
  [
    "a GraphQL error response",
    {
      predicate: snapshot,
      response: {
        status: 200,
        body: {
          data: { repository: null, orgPolicy: null },
          errors: [{ type: "FORBIDDEN", path: ["repository"], message: "Resource not accessible by integration" }],
        },
      },
    },
    "GitHub's GraphQL API answered with errors: Resource not accessible by integration",
  ],
  [
    "GitHub 500 on the policy blob",
    { predicate: blob, response: { status: 500, body: { message: "Server Error" } } },
    "GitHub answered 500 on GET /repos/Codertocat/Hello-World/git/blobs/",
  ],
];

/** Every check run write of the test, with its conclusion (undefined for in-progress writes). */
const conclusions = (w: World) => checkWrites(w.since()).map((r) => bodyOf(r).conclusion);

/** The head's one run is a completed failure naming `problem`, with the Re-evaluate button; no pass was ever written. */
function expectOneFailingRun(w: World, headSha: string, problem: string): void {
  const runs = w.checkRuns(headSha);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({
    headSha,
    status: "completed",
    conclusion: "failure",
    title: FAILED_TITLE,
    actions: [REEVALUATE],
  });
  expect(runs[0]!.summary).toContain(problem);
  expect(runs[0]!.summary).toContain("Press **Re-evaluate** to try again");
  expect(conclusions(w)).not.toContain("success");
}

describe("fail closed", () => {
  it.each(cases)(
    "%s: one failing check run with a plain message and the Re-evaluate action",
    async (_name, fault, message) => {
      const w = new World({ policy: POLICY });
      // High: the PR needs a comment and a label, so every write is attempted.
      const pr = w.addPullRequest({ number: 2, files: FILES.high });
      w.fake.failNext(fault.predicate, fault.response);
      await w.receive("pull_request", w.pullRequestEvent("opened", pr));

      expectOneFailingRun(w, pr.headSha, `Guardrails could not evaluate this pull request: ${message}`);
    },
  );

  it("a write refused after the check was written as passing leaves one run, failing", async () => {
    // Built-in policy and a docs change: low and passing, gathered in one round (no run in progress first).
    const w = new World();
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    w.fake.failNext(labelAdd, { status: 403, body: NOT_ACCESSIBLE });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const runs = w.checkRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ conclusion: "failure", title: FAILED_TITLE, actions: [REEVALUATE] });
    expect(runs[0]!.summary).toContain(
      "the app lacks a permission (403) on POST /repos/Codertocat/Hello-World/issues/2/labels",
    );
  });

  it("GitHub refusing the check run itself fails the delivery: nothing else could show the failure", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    const checkCreate = (r: LoggedRequest) => r.method === "POST" && r.path.endsWith("/check-runs");
    // The decision's run, then the failing run that replaces it.
    w.fake.failNext(checkCreate, { status: 403, body: NOT_ACCESSIBLE });
    w.fake.failNext(checkCreate, { status: 403, body: NOT_ACCESSIBLE });
    await expect(w.receive("pull_request", w.pullRequestEvent("opened", pr))).rejects.toThrow(
      /codertocat\/hello-world#2: no check could be written \(the app lacks a permission \(403\) on POST \/repos\/Codertocat\/Hello-World\/check-runs/,
    );
    expect(w.checkRuns()).toEqual([]);
    expect(w.since().filter(checkCreate)).toHaveLength(2);
  });

  it.each([
    ["the second page of reviews (GuardrailsReviews)", "GuardrailsReviews"],
    ["a middle page of comments, looking for the app's own (GuardrailsComments)", "GuardrailsComments"],
  ])("GitHub failing on %s fails the check", async (_name, operation) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    pr.reviews = Array.from({ length: 150 }, (_, i) => ({
      user: `reviewer-${i}`,
      state: "COMMENTED" as const,
      commit: pr.headSha,
    }));
    pr.comments = Array.from({ length: 250 }, (_, i) => ({
      id: 60_000 + i,
      body: `comment ${i}`,
      user: "Codertocat",
      byApp: false,
    }));
    w.fake.failNext((r) => r.operation === operation, { status: 502, body: { message: "Bad Gateway" } });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expectOneFailingRun(w, pr.headSha, "GitHub answered 502 on POST /graphql");
  });

  it("GitHub failing on the merge group's snapshot blocks the group with the error", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 104, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });
    const groupSha = sha("merge group");
    w.fake.failNext(snapshot, { status: 502, body: { message: "Bad Gateway" } });
    await w.receive("merge_group", w.mergeGroupEvent(104, groupSha));
    expect(w.checkRuns(groupSha)).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "failure",
        title: "Merge group blocked by guardrails",
        summary: expect.stringContaining("GitHub answered 502 on POST /graphql"),
      }),
    ]);
  });

  it("a re-run whose PR GitHub will not name (the commit's PRs cannot be listed) fails the delivery, writing nothing", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    // A suite without its PRs (as for a PR from a fork): the app asks for the commit's PRs.
    w.fake.failNext((r) => r.method === "GET" && r.path.endsWith(`/commits/${pr.headSha}/pulls`), {
      status: 500,
      body: { message: "Server Error" },
    });
    const mark = w.mark();
    await expect(w.receive("check_suite", w.checkSuiteRerequestedEvent(pr.headSha, []))).rejects.toThrow(
      /Server Error|500/,
    );
    expect(w.calls(mark)).toEqual([`GET ${w.base}/commits/${pr.headSha}/pulls`]);
  });

  it("an error after an earlier success fails the check on the PR's head", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]!.conclusion).toBe("success");

    w.fake.failNext(snapshot, { status: 502, body: { message: "Bad Gateway" } });
    const mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "COMMENTED" }));
    // Without the snapshot the existing run is looked up by REST and turned to failure in place:
    // still one run on the head.
    const passed = w.checkRuns(pr.headSha)[0]!;
    expect(w.calls(mark).filter((c) => c.includes("check-runs"))).toEqual([
      `GET ${w.base}/commits/${pr.headSha}/check-runs`,
      `PATCH ${w.base}/check-runs/${passed.id}`,
    ]);
    expect(w.checkRuns(pr.headSha)).toHaveLength(1);
    const newest = () => w.checkRuns(pr.headSha).sort((a, b) => b.id - a.id)[0]!;
    expect(newest()).toMatchObject({
      id: passed.id,
      conclusion: "failure",
      title: FAILED_TITLE,
      actions: [REEVALUATE],
    });
    expect(newest().summary).toContain("GitHub answered 502 on POST /graphql");

    // Re-evaluate (the failing run's button) once GitHub answers again: that run passes.
    const failed = newest();
    await w.receive(
      "check_run",
      w.checkRunEvent("requested_action", { id: failed.id, headSha: pr.headSha }, { pullRequests: [pr] }),
    );
    expect(newest()).toMatchObject({ id: failed.id, conclusion: "success" });
  });

  it("files listed at another head than the snapshot's (a push between the two reads) fail the check, never pass it", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low, filesListedAt: "f".repeat(40) });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expectOneFailingRun(w, pr.headSha, "the pull request's head moved while it was read (files listed at fffffff");
  });

  it("files listed before a push that the snapshot saw are listed again, and the evaluation goes on", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.low, filesListedAt: "e".repeat(40), filesListedAtPages: 1 });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.calls().filter((c) => c.includes("/pulls/2/files"))).toHaveLength(2);
    const runs = w.checkRuns(pr.headSha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("a PR lock that cannot be taken (Redis down) does not stop the evaluation", async () => {
    const w = new World({ policy: POLICY, app: { lock: { acquire: () => Promise.reject(new Error("redis down")) } } });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)).toHaveLength(1);
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "failure" });
  });

  it("an incomplete file list (past GitHub's 3000) makes the PR high and the check fail", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(3001, "docs") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const pages = w.calls().filter((c) => c.includes("/files?page="));
    expect(pages).toHaveLength(30);
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
      actions: [REEVALUATE],
    });
    expect(run.summary).toContain("| incomplete file list | high |");
    expect(conclusions(w)).not.toContain("success");
  });
});
