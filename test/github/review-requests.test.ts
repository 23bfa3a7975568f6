/**
 * approvals.request_reviews: reviews requested from who could meet an unmet approvers or
 * codeowners requirement, never the author, a bot, someone already requested or approving, at
 * most 15, once per head commit (not again on a redelivery or an unrelated event); a refused
 * request never fails the check; the summary says who was requested.
 */
import { describe, expect, it } from "@jest/globals";
import { manyFiles, sha, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const policyWith = (requestReviews: boolean) => `version: 1
approvals:
  request_reviews: ${requestReviews}
tiers:
  low: {}
  medium:
    codeowners: true
    approvers: [{ users: [dev, alice, renovate-helper], teams: [security] }]
  high: {}
`;
const CODEOWNERS = "* @lead @dependabot[bot]\n/src/ @Codertocat/backend @other-org/outsiders @lead\n";
const requests = (w: World, mark = 0) =>
  w.since(mark).filter((r) => r.method === "POST" && r.path.endsWith("/requested_reviewers"));

function world(requestReviews = true) {
  const w = new World({ policy: policyWith(requestReviews), ownerType: "Organization" });
  w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, CODEOWNERS);
  w.repo.teams = { security: ["sec"], backend: ["bee"] };
  return w;
}

describe("approvals.request_reviews: true", () => {
  it("requests the users and teams who could meet it, once per head commit, and says so", async () => {
    const w = world();
    const pr = w.addPullRequest({ number: 2, author: { login: "dev" }, files: manyFiles(2, "src") });
    pr.requestedReviewers = { users: ["renovate-helper"], teams: [] };
    pr.reviews.push({ user: "alice", state: "APPROVED", commit: pr.headSha });
    const opened = w.pullRequestEvent("opened", pr);
    await w.receive("pull_request", opened, "first");

    const [request] = requests(w);
    // Not the author (dev), not the one already requested, not alice who approves (and so meets the approvers group: security is not needed), no bot, no other organisation's team.
    expect(request!.body).toEqual({ reviewers: ["lead"], team_reviewers: ["backend"] });
    expect(requests(w)).toHaveLength(1);
    const run = w.checkRuns()[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.summary).toContain("Reviews requested from @lead, team backend.");

    // The same delivery again, and an unrelated event on the same head: no request, no write.
    let mark = w.mark();
    await w.receive("pull_request", opened, "first");
    expect(requests(w, mark)).toHaveLength(0);
    expect(w.writesSince(mark)).toHaveLength(0);
    pr.labels.push("unrelated");
    mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "unrelated")),
    );
    expect(requests(w, mark)).toHaveLength(0);
    expect(w.checkRuns()[0]!.summary).toContain("Reviews requested from @lead, team backend.");

    // A new head: alice's approval is stale, so the approvers group is unmet again; who is needed
    // and not requested yet is asked once more (never the author dev).
    pr.headSha = sha("a new head");
    mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(requests(w, mark).map((r) => r.body)).toEqual([{ reviewers: ["alice"], team_reviewers: ["security"] }]);
  });

  it("a refused request (a team without access: 422) is logged and the check is still written", async () => {
    const w = world();
    w.repo.teams = { backend: ["bee"] }; // security has no access
    const pr = w.addPullRequest({ number: 2, files: manyFiles(1, "src") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(requests(w)).toHaveLength(1);
    const run = w.checkRuns()[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.summary).toContain("refused by GitHub (422)");
  });

  it("at most 15 reviewers in one request", async () => {
    const many = Array.from({ length: 20 }, (_, i) => `@owner-${i}`).join(" ");
    const w = world();
    w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, `* ${many}\n`);
    const pr = w.addPullRequest({ number: 2, files: manyFiles(1, "lib") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const body = requests(w)[0]!.body as { reviewers: string[]; team_reviewers: string[] };
    expect(body.reviewers.length + body.team_reviewers.length).toBe(15);
  });

  it("off by default: nothing is requested", async () => {
    const w = world(false);
    const pr = w.addPullRequest({ number: 2, files: manyFiles(1, "src") });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(requests(w)).toHaveLength(0);
    expect(w.checkRuns()[0]!.summary).not.toContain("requested from");
  });
});
