/**
 * How many GitHub requests an evaluation costs (docs/performance.md quotes these figures):
 * for a PR of F files, a first evaluation reads ceil(F/100) files pages + the GraphQL snapshot +
 * the policy blob; a later one (the policy is cached per app instance) reads the pages and the
 * snapshot; a redelivered event writes nothing. The files pages a payload announces are fetched
 * at once, in the first round.
 */
import { describe, expect, it } from "@jest/globals";
import { describeRequest, manyFiles, POLICY, sorted, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const pagesOf = (files: number) => Math.ceil(files / 100);
const pageCalls = (w: World, files: number) =>
  Array.from({ length: pagesOf(files) }, (_, i) => `GET ${w.base}/pulls/2/files?page=${i + 1}`);

describe.each([10, 250])("a PR of %i files", (F) => {
  it(`reads ceil(F/100) + 2 = ${pagesOf(F) + 2} on a first evaluation, ${pagesOf(F) + 1} after a review, and a redelivery writes nothing`, async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(F) });

    // First evaluation: the pages, the snapshot, the policy blob.
    const opened = w.pullRequestEvent("opened", pr);
    expect(opened.pull_request.changed_files).toBe(F);
    await w.receive("pull_request", opened, "first");
    const blob = w.since().find((r) => r.path.includes("/git/blobs/"))!;
    expect(sorted(w.readsSince(0).map(describeRequest))).toEqual(
      sorted([...pageCalls(w, F), "POST /graphql GuardrailsPullRequest", `GET ${blob.path}`]),
    );
    expect(w.readsSince(0)).toHaveLength(pagesOf(F) + 2);
    // Writes: the run in progress, its completion, the label created and added.
    expect(w.fake.writes()).toHaveLength(4);

    // The payload's file count lets every page go out in the first round, before the blob.
    const position = (line: string) => w.calls().indexOf(line);
    for (const page of pageCalls(w, F)) expect(position(page)).toBeLessThan(position(`GET ${blob.path}`));

    // A review: the policy blob is cached in the app instance.
    pr.reviews.push({ user: "reviewer", state: "COMMENTED", commit: pr.headSha });
    let mark = w.mark();
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "COMMENTED" }));
    expect(sorted(w.calls(mark))).toEqual(sorted([...pageCalls(w, F), "POST /graphql GuardrailsPullRequest"]));
    expect(w.readsSince(mark)).toHaveLength(pagesOf(F) + 1);
    expect(w.writesSince(mark)).toHaveLength(0);

    // The first delivery again.
    mark = w.mark();
    await w.receive("pull_request", opened, "first");
    expect(w.writesSince(mark)).toHaveLength(0);
    expect(w.readsSince(mark)).toHaveLength(pagesOf(F) + 1);
  });
});

describe("files pages", () => {
  it("without a file count in the payload (a review), the pages past the first follow the snapshot", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(250) });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "COMMENTED" }));
    const calls = w.calls();
    const snapshot = calls.indexOf("POST /graphql GuardrailsPullRequest");
    expect(calls.indexOf(`GET ${w.base}/pulls/2/files?page=1`)).toBeLessThan(snapshot);
    for (const page of [2, 3])
      expect(calls.indexOf(`GET ${w.base}/pulls/2/files?page=${page}`)).toBeGreaterThan(snapshot);
    // Each page once, all of them read.
    expect(calls.filter((c) => c.includes("/files?page="))).toHaveLength(3);
    expect(w.checkRuns()[0]!.text).toContain("0 changed lines in 250 files.");
  });

  it("pages are asked 100 at a time", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(250) });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const pages = w.since().filter((r) => r.path.endsWith("/files"));
    expect(pages.map((r) => r.query)).toEqual(
      expect.arrayContaining([1, 2, 3].map((page) => ({ per_page: "100", page: String(page) }))),
    );
    expect(pages).toHaveLength(3);
  });
});

describe("facts that cost a request each", () => {
  const TEAM_POLICY = `version: 1
default_tier: medium
tiers:
  medium:
    approvals: 1
    tests: true
    approvers: [{ teams: [security], count: 1 }]
`;

  it("asks team memberships of approving reviewers only, and who applied the exempt label only when it is present", async () => {
    const w = new World({ policy: TEAM_POLICY, ownerType: "Organization" });
    w.repo.teams = { security: ["bob"] };
    w.repo.collaborators = { alice: "write" };
    const pr = w.addPullRequest({
      number: 2,
      files: manyFiles(3, "src"),
      labels: ["no-tests-needed"],
      labelEvents: [{ label: "no-tests-needed", actor: "alice" }],
    });
    pr.reviews.push(
      { user: "alice", state: "APPROVED", commit: pr.headSha },
      { user: "bob", state: "APPROVED", commit: pr.headSha },
      { user: "carol", state: "COMMENTED", commit: pr.headSha },
    );
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));

    const extra = w
      .readsSince(0)
      .map(describeRequest)
      .filter((c) => c.includes("/orgs/") || c.includes("/collaborators/"));
    expect(sorted(extra)).toEqual(
      sorted([
        "GET /orgs/Codertocat/teams/security/memberships/alice",
        "GET /orgs/Codertocat/teams/security/memberships/bob",
        `GET ${w.base}/collaborators/alice/permission`,
      ]),
    );
    // snapshot, files, blob, the three lookups, and the fresh look at the commit's runs a pass is written after.
    expect(w.readsSince(0)).toHaveLength(1 + 1 + 1 + 3 + 1);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "success", title: "Medium risk · all 4 requirements met" });

    // Without the label, nobody's permission is asked (and the tests requirement fails).
    pr.labels = [];
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("unlabeled", pr, (p) => (p.label!.name = "no-tests-needed")),
    );
    expect(w.calls(mark).filter((c) => c.includes("/collaborators/"))).toEqual([]);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: tests" });
  });
});
