/**
 * CODEOWNERS in the app: read at the base from the snapshot's blob ids in the same round as the
 * policy, parsed once per blob, team membership asked only for approving reviewers, teams of
 * another organisation never count, and the check shows the owner groups.
 */
import { describe, expect, it } from "@jest/globals";
import { manyFiles, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const POLICY = `version: 1
rules:
  - name: payments
    tier: high
    paths: ["src/payments/**"]
tiers:
  low: {}
  medium: {}
  high: { codeowners: true }
`;
const CODEOWNERS = "* @lead\n/src/payments/ @Codertocat/payments\n/src/vendor/ @other-org/vendors\n";
const blobReads = (w: World, mark = 0) => w.since(mark).filter((r) => r.path.includes("/git/blobs/"));

describe("codeowners: true in the app", () => {
  it("fails until an owner approves (through a team of the repository owner), reading CODEOWNERS once, beside the policy", async () => {
    const w = new World({ policy: POLICY, ownerType: "Organization" });
    w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, CODEOWNERS);
    w.repo.teams = { payments: ["pat"] };
    const pr = w.addPullRequest({ number: 2, files: manyFiles(3, "src/payments") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const run = w.checkRuns()[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toContain("`/src/payments/` (3 files): 1 approval from @\u200dCodertocat/payments");
    expect(run.text).toContain("#### Code owners @\u200dCodertocat/payments (no owner's approval yet)");
    // Reads: the page, the snapshot, the policy blob and the CODEOWNERS blob (same round).
    expect(blobReads(w)).toHaveLength(2);
    expect(w.readsSince(0)).toHaveLength(4);

    pr.reviews.push(
      { user: "pat", state: "APPROVED", commit: pr.headSha },
      { user: "sam", state: "APPROVED", commit: pr.headSha },
    );
    const mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "pat", state: "APPROVED" }));
    expect(blobReads(w, mark)).toHaveLength(0);
    // Memberships of the approving reviewers in the owners' team, nobody else's.
    expect(
      w
        .since(mark)
        .filter((r) => r.path.includes("/memberships/"))
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/orgs/Codertocat/teams/payments/memberships/pat", "/orgs/Codertocat/teams/payments/memberships/sam"]);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success" });
  });

  it("a team of another organisation never counts, and its membership is not even asked", async () => {
    const w = new World({ policy: POLICY.replace('["src/payments/**"]', '["src/**"]'), ownerType: "Organization" });
    w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, CODEOWNERS);
    const pr = w.addPullRequest({ number: 2, files: manyFiles(1, "src/vendor") });
    pr.reviews.push({ user: "vic", state: "APPROVED", commit: pr.headSha });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure" });
    expect(w.since(0).filter((r) => r.path.includes("/memberships/"))).toEqual([]);
  });

  it("CODEOWNERS at the root counts too; without any, owned files do not exist and nothing extra is read", async () => {
    const w = new World({ policy: POLICY, ownerType: "Organization" });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(1, "src/payments") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success" });
    expect(blobReads(w)).toHaveLength(1);

    w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, "/src/ @lead\n", "CODEOWNERS");
    await w.receive("pull_request", w.pullRequestEvent("reopened", pr));
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure" });
    expect(w.checkRuns()[0]!.summary).toContain("1 approval from @\u200dlead");
  });
});
