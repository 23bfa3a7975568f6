/**
 * The organisation floor in the app: the owner's `.github` policy with `enforce: true` judges
 * every PR of the owner's repositories in addition to the repository's own policy; a lax
 * repository policy cannot lower it, a repository policy cannot claim it, and an organisation
 * policy that does not load fails closed (whether it enforces is unknown).
 */
import { describe, expect, it } from "@jest/globals";
import { blobId, bodyOf, LAX, POLICY_PATH, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const FLOOR = `version: 1
enforce: true
default_tier: low
rules:
  - name: infra
    tier: high
    paths: ["infra/**"]
    require:
      checklist: [Terraform plan attached]
tiers:
  low: {}
  medium: {}
  high: { approvals: 1 }
labels: { prefix: false }
`;

const INFRA = [{ filename: "infra/main.tf", status: "modified" as const, additions: 3, deletions: 1 }];
const blobReads = (w: World) =>
  w
    .since()
    .filter((r) => r.path.includes("/git/blobs/"))
    .map((r) => r.path)
    .sort();

describe("an enforced organisation policy", () => {
  it("raises a PR that the repository's lax policy would pass, and says which policy asks what", async () => {
    const w = new World({ policy: LAX, orgPolicy: FLOOR, ownerType: "Organization" });
    const pr = w.addPullRequest({ number: 2, files: INFRA });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    // Both policies are read in the same round (in parallel), each once per process.
    expect(blobReads(w)).toEqual(
      [`${w.base}/git/blobs/${blobId(LAX)}`, `/repos/${w.owner}/.github/git/blobs/${blobId(FLOOR)}`].sort(),
    );
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/1)",
    });
    expect(run.summary).toContain("| rule `infra` (organisation policy) | high |");
    expect(run.summary).toContain("| no rule matches (repository policy) | low |");
    expect(run.summary).toContain("Approvals <sub>org:tier:high</sub>");
    expect(run.summary).toContain("Checklist <sub>org:rule:infra</sub>");
    expect(run.summary).toContain("and in addition the enforced organisation policy `Codertocat/.github`");
    expect(pr.comments[0]!.body).toContain(
      "From the organisation policy (enforced for every repository): “Terraform plan attached”",
    );
    expect(pr.comments[0]!.body).toContain("- [ ] Terraform plan attached");

    // The next event reads no blob: both are cached by blob id.
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.since(mark).filter((r) => r.path.includes("/git/blobs/"))).toEqual([]);
  });

  it("without enforce, the repository's own policy decides alone", async () => {
    const w = new World({ policy: LAX, orgPolicy: FLOOR.replace("enforce: true\n", ""), ownerType: "Organization" });
    const pr = w.addPullRequest({ number: 2, files: INFRA });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: "Low risk · all 1 requirements met" });
    expect(w.checkRuns()[0]!.summary).toContain("Policy: `Codertocat/Hello-World`");
  });

  it("an organisation policy that does not load fails the repositories that have their own (it may be a floor)", async () => {
    const w = new World({ policy: LAX, orgPolicy: "version: 1\nenforce: maybe\n", ownerType: "Organization" });
    const pr = w.addPullRequest({
      number: 2,
      files: [{ filename: "docs/a.md", status: "modified", additions: 1, deletions: 0 }],
    });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: `Policy error · ${POLICY_PATH} has 1 problem` });
    expect(run.summary).toContain("`Codertocat/.github`");
  });

  it("a repository's own policy cannot say enforce: a policy error at its line", async () => {
    const w = new World({ policy: `${LAX}enforce: true\n`, ownerType: "Organization" });
    const pr = w.addPullRequest({ number: 2, files: INFRA });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ conclusion: "failure", title: `Policy error · ${POLICY_PATH} has 1 problem` });
    expect(w.fake.requests.some((r) => r.method === "POST" && r.path.endsWith("/check-runs"))).toBe(true);
    const annotations = (w
      .since()
      .filter((r) => r.path.includes("/check-runs"))
      .map((r) => bodyOf(r).output?.annotations)
      .find((a) => a?.length) ?? []) as { start_line: number; message: string }[];
    expect(annotations).toEqual([
      expect.objectContaining({
        start_line: LAX.split("\n").length,
        message: expect.stringContaining("only the organisation policy"),
      }),
    ]);
  });

  it("the .github repository's own PRs are judged by that policy once, not twice", async () => {
    const w = new World({ orgPolicy: FLOOR, ownerType: "Organization" });
    const org = w.fake.repos.get("codertocat/.github")!;
    const pr = w.fake.addPullRequest(org, { number: 3, author: { login: "Codertocat" }, files: INFRA });
    const payload = w.pullRequestEvent("opened", pr);
    payload.repository = { ...payload.repository, name: ".github", full_name: "Codertocat/.github" };
    payload.pull_request.base.repo = payload.repository;
    await w.receive("pull_request", payload);
    const run = w.fake.checkRunsFor(org)[0]!;
    expect(run.summary).not.toContain("organisation policy)");
    expect(run).toMatchObject({
      conclusion: "failure",
      title: "High risk · missing: 1 more approval, checklist (0/1)",
    });
  });
});
