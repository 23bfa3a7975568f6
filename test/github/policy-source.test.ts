/**
 * Which policy judges a PR: the base branch's tip (never the head), else the owner's `.github`
 * repository, else the built-in default; and a policy that does not parse fails the check with
 * annotations at its lines, at most 50 per request.
 */
import { describe, expect, it } from "@jest/globals";
import {
  blobId,
  bodyOf,
  checkWrites,
  FILES,
  LAX,
  POLICY,
  POLICY_PATH,
  sha,
  useFakeGitHubNetwork,
  World,
} from "./harness.js";

useFakeGitHubNetwork();

const blobReads = (w: World) =>
  w
    .since()
    .filter((r) => r.path.includes("/git/blobs/"))
    .map((r) => r.path);

describe("where the policy comes from", () => {
  it("the base branch's tip, even when the PR's head rewrites the policy (and the PR is high for it)", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({
      number: 2,
      title: "Relax the guardrails",
      files: [{ filename: POLICY_PATH, status: "modified", additions: 1, deletions: 20 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    expect(blobReads(w)).toEqual([`${w.base}/git/blobs/${blobId(POLICY)}`]);
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/2)",
    });
    expect(run.summary).toContain("| policy change | high |");
    expect(run.summary).toContain(
      `Policy: \`Codertocat/Hello-World\` \`${POLICY_PATH}\` at \`${w.repo.branches.master!.sha.slice(0, 7)}\`.`,
    );
  });

  it("a rule's description is shown beside it in the check, table cells kept intact", async () => {
    const described = POLICY.replace(
      '    tier: high\n    paths: ["src/auth/**"]',
      '    description: Sign-in | sessions\n    tier: high\n    paths: ["src/auth/**"]',
    );
    expect(described).not.toBe(POLICY);
    const w = new World({ policy: described });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]!.summary).toContain(
      "| rule `auth`: Sign-in \\| sessions | high | 1 file: `src/auth/login.ts` |",
    );
  });

  it("the tip of the PR's own base branch", async () => {
    const w = new World({ policy: POLICY });
    w.repo.branches.release = { sha: sha("release tip"), policy: LAX };
    w.fake.blobs.set(blobId(LAX), LAX);
    const pr = w.addPullRequest({ number: 2, baseRef: "release", files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(blobReads(w)).toEqual([`${w.base}/git/blobs/${blobId(LAX)}`]);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: "Low risk · all 1 requirements met" });
    expect(w.checkRuns()[0]!.summary).toContain(`at \`${sha("release tip").slice(0, 7)}\`.`);
  });

  it("the owner's .github repository when the repository has none", async () => {
    const w = new World({ orgPolicy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(blobReads(w)).toEqual([`/repos/Codertocat/.github/git/blobs/${blobId(POLICY)}`]);
    const org = w.fake.repos.get("codertocat/.github")!;
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval" });
    expect(w.checkRuns()[0]!.summary).toContain(
      `Policy: \`Codertocat/.github\` \`${POLICY_PATH}\` at \`${org.branches[org.defaultBranch]!.sha.slice(0, 7)}\` (organisation default).`,
    );
  });

  it("the repository's own policy wins over the owner's (read beside it: only its text says whether it enforces)", async () => {
    const w = new World({ policy: LAX, orgPolicy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(blobReads(w).sort()).toEqual(
      [`${w.base}/git/blobs/${blobId(LAX)}`, `/repos/Codertocat/.github/git/blobs/${blobId(POLICY)}`].sort(),
    );
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success" });
  });

  it("the built-in default when there is none, without fetching anything", async () => {
    const w = new World();
    const pr = w.addPullRequest({
      number: 2,
      files: [{ filename: ".github/workflows/ci.yml", status: "modified", additions: 2, deletions: 0 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(blobReads(w)).toEqual([]);
    // No second round trip: the run is created completed, not first in progress.
    expect(checkWrites(w.since()).map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${w.base}/check-runs`]);
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 2 more approvals, checklist (0/1)",
    });
    expect(run.summary).toContain(
      "| rule `ci-and-ownership`: CI workflows and code ownership decide what runs and who reviews | high |",
    );
    expect(run.summary).toContain("Policy: the built-in default policy");
    expect(pr.comments[0]!.body).toContain("- [ ] Rollback plan is described in the PR");
  });
});

describe("a policy that does not parse", () => {
  const BROKEN = `version: 1
default_tier: urgent
rules:
  - name: docs
    tier: low
    pathz: ["docs/**"]
`;

  it("fails the check with annotations at the policy's lines and columns; no comment, no label", async () => {
    const w = new World({ policy: BROKEN });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const writes = w.writesSince(0);
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${w.base}/check-runs`,
      `PATCH ${w.base}/check-runs/${w.checkRuns()[0]!.id}`,
    ]);
    const body = bodyOf(writes[1]);
    expect(body).toMatchObject({
      status: "completed",
      conclusion: "failure",
      actions: [{ identifier: "reevaluate", label: "Re-evaluate" }],
    });
    expect(body.output?.title).toMatch(/^Policy error · \.github\/guardrails\.yml has \d+ problems?$/);
    expect(body.output?.summary).toContain("does not parse, so no pull request can pass until it is fixed");
    expect(body.output?.summary).toContain(`- \`${POLICY_PATH}:2:15\`: `);
    expect(body.output?.summary).toContain(`- \`${POLICY_PATH}:6:5\`: `);
    const annotations = body.output?.annotations as Record<string, unknown>[];
    expect(annotations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: POLICY_PATH,
          start_line: 2,
          end_line: 2,
          start_column: 15,
          end_column: 15,
          annotation_level: "failure",
        }),
        expect.objectContaining({
          path: POLICY_PATH,
          start_line: 6,
          end_line: 6,
          start_column: 5,
          end_column: 5,
          message: expect.stringContaining('unknown key "pathz"'),
        }),
      ]),
    );
    expect(pr.comments).toEqual([]);
    expect(pr.labels).toEqual([]);
  });

  it("with more than 50 problems sends the annotations 50 per request", async () => {
    const rules = Array.from(
      { length: 60 },
      (_, i) => `  - name: r${i}\n    tier: urgent\n    paths: ["x${i}/**"]\n`,
    ).join("");
    const w = new World({ policy: `version: 1\nrules:\n${rules}` });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const run = w.checkRuns()[0]!;
    const writes = w.writesSince(0);
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${w.base}/check-runs`,
      `PATCH ${w.base}/check-runs/${run.id}`,
      `PATCH ${w.base}/check-runs/${run.id}`,
    ]);
    const counts = writes.slice(1).map((r) => bodyOf(r).output?.annotations?.length);
    expect(counts).toEqual([50, 10]);
    expect(run.annotations).toHaveLength(60);
    expect(run.annotations.map((a) => (a as { start_line: number }).start_line)).toEqual(
      Array.from({ length: 60 }, (_, i) => 4 + 3 * i),
    );
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "Policy error · .github/guardrails.yml has 60 problems",
    });
  });

  it("in the owner's .github repository fails without annotations (they can only point into this repository)", async () => {
    const w = new World({ orgPolicy: BROKEN });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const body = bodyOf(checkWrites(w.since())[1]);
    expect(body).toMatchObject({ conclusion: "failure", output: { title: expect.stringMatching(/^Policy error/) } });
    expect(body.output?.annotations).toBeUndefined();
    expect(body.output?.summary).toContain("(organisation default) does not parse");
  });

  it("a repeated event writes nothing more; fixing the policy on the base branch passes the PR", async () => {
    const w = new World({ policy: BROKEN });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    const payload = w.pullRequestEvent("opened", pr);
    await w.receive("pull_request", payload);
    const mark = w.mark();
    await w.receive("pull_request", payload);
    expect(w.writesSince(mark)).toEqual([]);

    w.fake.setPolicy(w.repo, "master", POLICY);
    await w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    expect(w.checkRuns()).toHaveLength(1);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: "Low risk · all 1 requirements met" });
    expect(pr.labels).toEqual(["risk:low"]);
  });
});
