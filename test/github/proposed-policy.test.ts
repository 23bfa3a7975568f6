/**
 * A PR that changes the policy file is judged by the base's policy, and its proposed version is
 * checked on the PR: problems fail the check with annotations at the head file's line and column;
 * a valid one gets a preview of what it would do, to this PR and to the other open PRs.
 */
import { describe, expect, it } from "@jest/globals";
import { blobId, bodyOf, checkWrites, POLICY, POLICY_PATH, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const POLICY_FILE = [{ filename: POLICY_PATH, status: "modified" as const, additions: 1, deletions: 1 }];
const BROKEN =
  "version: 1\ndefault_tier: meduim\nrules:\n  - name: docs\n    tier: low\n    paths: [docs/**]\n    colour: blue\n";
/** POLICY plus a rule that makes payments high. */
const STRICTER = POLICY.replace(
  "rules:\n",
  'rules:\n  - name: payments\n    tier: high\n    paths: ["src/payments/**"]\n',
);

describe("the proposed policy on its own PR", () => {
  it("with problems: the check fails, says how many, and annotates each at its line in the head's file", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: POLICY_FILE, headPolicy: BROKEN });
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    // The proposed blob is read in the same round as the base's.
    expect(
      w
        .since(mark)
        .filter((r) => r.path.includes("/git/blobs/"))
        .map((r) => r.path)
        .sort(),
    ).toEqual([`${w.base}/git/blobs/${blobId(POLICY)}`, `${w.base}/git/blobs/${blobId(BROKEN)}`].sort());
    const run = w.checkRuns()[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.title).toMatch(/^High risk · missing: .*the proposed policy has 2 problems$/);
    expect(run.summary).toContain(
      "| ❌ | Proposed policy <sub>policy_change</sub> | the proposed policy has 2 problems, the first at line 2, column 15:",
    );
    const annotations = checkWrites(w.since(mark)).flatMap((r) => bodyOf(r).output?.annotations ?? []);
    expect(annotations).toEqual([
      expect.objectContaining({
        path: POLICY_PATH,
        start_line: 2,
        start_column: 15,
        annotation_level: "failure",
        message: expect.stringContaining('did you mean "medium"?'),
      }),
      expect.objectContaining({
        path: POLICY_PATH,
        start_line: 7,
        start_column: 5,
        message: expect.stringContaining('unknown key "colour"'),
      }),
    ]);
    // The decision itself still comes from the base's policy.
    expect(run.summary).toContain("| policy change | high |");
  });

  it("valid: the requirement is met, and the details preview this PR and the other open PRs into the same base", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: POLICY_FILE, headPolicy: STRICTER });
    w.addPullRequest({
      number: 5,
      files: [{ filename: "src/payments/refund.ts", status: "modified", additions: 3, deletions: 0 }],
    });
    w.addPullRequest({ number: 6, files: [{ filename: "docs/a.md", status: "modified", additions: 1, deletions: 0 }] });
    w.addPullRequest({
      number: 7,
      baseRef: "release",
      files: [{ filename: "src/payments/x.ts", status: "modified", additions: 1, deletions: 0 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const run = w.checkRuns()[0]!;
    expect(run.summary).toContain(
      `| ✅ | Proposed policy <sub>policy_change</sub> | the proposed ${POLICY_PATH} is valid |`,
    );
    expect(run.text).toContain("#### Preview: what the proposed policy would do");
    expect(run.text).toContain(
      "Tiers of 2 other open PRs into the same base (newest first), now → with the proposed policy:",
    );
    expect(run.text).toContain("- #5 medium → high (rule `payments`)");
    expect(run.text).toContain("- 1 other keeps its tier");
    expect(run.text).not.toContain("#7");
    // One query for the preview, cached: the next event reads it from memory.
    expect(w.calls().filter((c) => c.includes("GuardrailsPreview"))).toHaveLength(1);
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.calls().filter((c) => c.includes("GuardrailsPreview"))).toHaveLength(1);
  });

  it("a proposed policy over 256 KiB fails the check without being read (the PR author chose its size)", async () => {
    const w = new World({ policy: POLICY });
    const huge = `version: 1\n${"# padding padding padding padding padding padding padding\n".repeat(5000)}`;
    const pr = w.addPullRequest({ number: 2, files: POLICY_FILE, headPolicy: huge });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.calls().filter((c) => c.includes(blobId(huge)))).toEqual([]);
    expect(w.checkRuns()[0]).toMatchObject({
      conclusion: "failure",
      title: expect.stringMatching(/the proposed policy has 1 problem$/),
    });
  });

  it("a PR that does not touch the policy reads neither the head's policy nor any preview", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({
      number: 2,
      files: [{ filename: "src/a.ts", status: "modified", additions: 1, deletions: 0 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.calls().filter((c) => c.includes("/git/blobs/"))).toEqual([`GET ${w.base}/git/blobs/${blobId(POLICY)}`]);
    expect(w.calls().some((c) => c.includes("Preview"))).toBe(false);
    expect(w.checkRuns()[0]!.summary).not.toContain("Proposed policy");
  });

  it("the organisation policy's PR previews its effect on open PRs of the owner's other repositories", async () => {
    const w = new World({
      policy: POLICY,
      orgPolicy: "version: 1\ndefault_tier: low\ntiers: { low: {}, medium: {}, high: {} }\n",
      ownerType: "Organization",
    });
    const org = w.fake.repos.get("codertocat/.github")!;
    const floor =
      'version: 1\nenforce: true\ndefault_tier: low\nrules:\n  - name: workflows\n    tier: high\n    paths: [".github/workflows/**"]\ntiers: { low: {}, medium: {}, high: {} }\n';
    const edit = w.fake.addPullRequest(org, {
      number: 9,
      author: { login: "Codertocat" },
      files: POLICY_FILE,
      headPolicy: floor,
    });
    w.addPullRequest({
      number: 3,
      files: [{ filename: ".github/workflows/ci.yml", status: "modified", additions: 1, deletions: 0 }],
    });
    const payload = w.pullRequestEvent("opened", edit);
    payload.repository = { ...payload.repository, name: ".github", full_name: "Codertocat/.github" };
    payload.pull_request.base.repo = payload.repository;
    await w.receive("pull_request", payload);

    const run = w.fake.checkRunsFor(org)[0]!;
    expect(run.text).toContain("Tiers of 1 open PR of the owner's other repositories (newest first)");
    // Hello-World has its own policy (medium for the workflow); the enforced floor makes it high.
    expect(run.text).toContain(
      "- Codertocat/Hello-World#3 medium → high (rule `workflows` of the organisation policy)",
    );
  });
});

/**
 * Issue 19 item 3: the organisation policy's preview read the owner's most recently pushed
 * repositories with the installation token, private ones included, and showed them to whoever
 * opened a PR on `.github` (often the public, from a fork).
 */
describe("the organisation policy's preview shows only what every reader of its check can read", () => {
  const FLOOR =
    'version: 1\nenforce: true\ndefault_tier: low\nrules:\n  - name: workflows\n    tier: high\n    paths: [".github/workflows/**"]\ntiers: { low: {}, medium: {}, high: {} }\n';
  const WORKFLOW = [{ filename: ".github/workflows/ci.yml", status: "modified" as const, additions: 1, deletions: 0 }];

  /** A public Hello-World with PR #3, a private `secret-plans` with PR #4 by `insider`, and a policy PR #9 on `.github`. */
  async function policyPullRequest(authorAssociation: string) {
    const w = new World({
      policy: POLICY,
      orgPolicy: "version: 1\ndefault_tier: low\ntiers: { low: {}, medium: {}, high: {} }\n",
      ownerType: "Organization",
    });
    const org = w.fake.repos.get("codertocat/.github")!;
    const secret = w.fake.addRepository({ owner: "Codertocat", name: "secret-plans" });
    secret.visibility = "PRIVATE";
    w.fake.addPullRequest(secret, { number: 4, author: { login: "insider" }, files: WORKFLOW });
    w.addPullRequest({ number: 3, files: WORKFLOW });
    const edit = w.fake.addPullRequest(org, {
      number: 9,
      author: { login: "mallory" },
      files: POLICY_FILE,
      headPolicy: FLOOR,
      authorAssociation,
    });
    const payload = w.pullRequestEvent("opened", edit);
    payload.repository = { ...payload.repository, name: ".github", full_name: "Codertocat/.github" };
    payload.pull_request.base.repo = payload.repository;
    await w.receive("pull_request", payload);
    return w.fake.checkRunsFor(org)[0]!;
  }

  it("a member's PR: public repositories only, never a private repository, its PR, path or login", async () => {
    const run = await policyPullRequest("MEMBER");
    expect(run.text).toContain(
      "- Codertocat/Hello-World#3 medium → high (rule `workflows` of the organisation policy)",
    );
    for (const hidden of ["secret-plans", "#4", "insider"]) expect(run.text).not.toContain(hidden);
    expect(run.text).toContain("public repositories only");
  });

  it.each(["NONE", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "CONTRIBUTOR", "MANNEQUIN", "COLLABORATOR"])(
    "a PR by an outsider (%s, e.g. from a fork) gets no cross-repository preview at all",
    async (association) => {
      const run = await policyPullRequest(association);
      for (const hidden of ["secret-plans", "Hello-World", "#3", "#4", "insider"])
        expect(run.text).not.toContain(hidden);
      expect(run.text).toContain("Preview: what the proposed policy would do");
      expect(run.text).toContain("not previewed for a pull request by someone outside the organisation");
    },
  );
});
