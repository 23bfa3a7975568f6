/**
 * GitHub calls per evaluation, the counts that issue 4 sets as goals (docs/performance.md), in
 * addition to test/github/counts.test.ts (F = 10 and 250):
 * - a first evaluation reads at most ceil(F/100) + 3, also at GitHub's listing cap of 3000 files;
 * - the policy at a base commit is fetched once per process: not again for another PR, nor when
 *   the base moves without touching the policy, nor when two first evaluations run at once;
 * - a redelivered event writes nothing, whatever the event.
 * Counts only: timings belong to `npm run bench`.
 */
import { describe, expect, it } from "@jest/globals";
import { PolicyCache } from "../../src/github/policy-source.js";
import type { LoadResult } from "../../src/policy/loader.js";
import { blobId, FILES, manyFiles, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const readGoal = (files: number) => Math.ceil(Math.min(files, 3000) / 100) + 3;
const blobReads = (w: World, mark = 0) => w.since(mark).filter((r) => r.path.includes("/git/blobs/"));
const pageReads = (w: World, mark = 0) => w.since(mark).filter((r) => r.path.endsWith("/files"));

describe.each([3000, 3400])("a PR of %i files (GitHub lists at most 3000)", (F) => {
  it(`reads at most ceil(min(F, 3000)/100) + 3 = ${readGoal(F)} on a first evaluation: 30 pages, the snapshot, the policy`, async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(F) });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.readsSince(0).length).toBeLessThanOrEqual(readGoal(F));
    expect(pageReads(w)).toHaveLength(30);
    expect(blobReads(w)).toHaveLength(1);
    expect(w.readsSince(0)).toHaveLength(32);
  });
});

describe("with a CODEOWNERS file at the base (issue 10)", () => {
  it(`a 3000-file PR still reads at most ceil(F/100) + 3 = ${readGoal(3000)}: 30 pages, the snapshot, the policy and CODEOWNERS, the two blobs in one round`, async () => {
    const w = new World({ policy: POLICY });
    w.fake.setCodeOwners(w.repo, w.repo.defaultBranch, "* @lead\n/src/ @acme/src\n");
    const pr = w.addPullRequest({ number: 2, files: manyFiles(3000) });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(pageReads(w)).toHaveLength(30);
    expect(blobReads(w)).toHaveLength(2);
    expect(w.readsSince(0)).toHaveLength(readGoal(3000));
    // Both blobs go out before either answers: no sequential round of their own.
    const calls = w.calls();
    const blobs = calls
      .map((c, i) => [c, i] as const)
      .filter(([c]) => c.includes("/git/blobs/"))
      .map(([, i]) => i);
    expect(Math.max(...blobs) - Math.min(...blobs)).toBe(1);
    // A later evaluation reads neither blob again.
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("ready_for_review", pr));
    expect(blobReads(w, mark)).toHaveLength(0);
  });
});

describe("the policy at a base commit is fetched once per process", () => {
  it("not again for another PR of the same repository", async () => {
    const w = new World({ policy: POLICY });
    const first = w.addPullRequest({ number: 2, files: FILES.medium });
    const second = w.addPullRequest({ number: 3, headSha: sha("second head"), files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", first));
    expect(blobReads(w)).toHaveLength(1);
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("opened", second));
    expect(blobReads(w, mark)).toHaveLength(0);
    // Without the blob to wait for, the second PR reads its one page and the snapshot only.
    expect(w.readsSince(mark)).toHaveLength(2);
  });

  it("once for three first evaluations that run at the same time", async () => {
    const w = new World({ policy: POLICY });
    const prs = [2, 3, 4].map((number) =>
      w.addPullRequest({ number, headSha: sha(`head ${number}`), files: FILES.medium }),
    );
    await Promise.all(prs.map((pr) => w.receive("pull_request", w.pullRequestEvent("opened", pr))));
    expect(blobReads(w)).toHaveLength(1);
    expect(w.checkRuns().filter((run) => run.status === "completed")).toHaveLength(3);
  });

  it("not again when the base branch moves without touching the policy (the blob is the same)", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    w.repo.branches[w.repo.defaultBranch] = { sha: sha("a later commit on the base"), policy: POLICY };
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("ready_for_review", pr));
    expect(blobReads(w, mark)).toHaveLength(0);
  });

  it("once more when the policy changes, and then never again", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const changed = `${POLICY}# reviewed by the platform team\n`;
    w.fake.setPolicy(w.repo, w.repo.defaultBranch, changed);
    let mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("reopened", pr));
    expect(blobReads(w, mark).map((r) => r.path)).toEqual([`${w.base}/git/blobs/${blobId(changed)}`]);
    mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("ready_for_review", pr));
    expect(blobReads(w, mark)).toHaveLength(0);
  });
});

describe("a redelivered event writes nothing", () => {
  it.each([
    [
      "opened",
      (w: World, pr: ReturnType<World["addPullRequest"]>) =>
        ["pull_request", w.pullRequestEvent("opened", pr)] as const,
    ],
    [
      "synchronize",
      (w: World, pr: ReturnType<World["addPullRequest"]>) =>
        ["pull_request", w.pullRequestEvent("synchronize", pr)] as const,
    ],
    [
      "review submitted",
      (w: World, pr: ReturnType<World["addPullRequest"]>) => {
        pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha });
        return [
          "pull_request_review",
          w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }),
        ] as const;
      },
    ],
  ])("%s: the second delivery reads the pages and the snapshot, and writes 0", async (_, make) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: manyFiles(120) });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr), "opening");
    const [name, payload] = make(w, pr);
    await w.receive(name, payload, "the-delivery");
    const mark = w.mark();
    await w.receive(name, payload, "the-delivery");
    expect(w.writesSince(mark)).toHaveLength(0);
    expect(w.readsSince(mark)).toHaveLength(2 + 1);
  });
});

describe("the policy cache", () => {
  it("keeps the policies of 1,000 repositories visited in turn: each is loaded once", async () => {
    const cache = new PolicyCache();
    let loads = 0;
    const load = () => {
      loads++;
      return Promise.resolve({ result: { ok: true } as unknown as LoadResult, text: "" });
    };
    for (let round = 0; round < 3; round++) {
      for (let repo = 0; repo < 1000; repo++) await cache.get(`tenant-${repo}/service@${sha(`policy ${repo}`)}`, load);
    }
    expect(loads).toBe(1000);
  });
});
