/**
 * `mode: evaluate` in the app (issue 21): a trial's check passes and says what would fail, its
 * evaluations are counted with `mode="evaluate"`, a push of the policy to enforce fails the same
 * PR, and `guardrails audit` over the runs the app wrote reports what the trial would have failed.
 */
import { afterAll, afterEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { run } from "../../src/cli/run.js";
import type { Io } from "../../src/cli/io.js";
import { readMetrics, sampleValue } from "../support/prometheus.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { FILES, POLICY, POLICY_PATH, sha, TEST_APP_ID, World } from "./harness.js";
import type { FakePullRequest } from "../support/fake-github.js";

const TRIAL = `${POLICY}mode: evaluate\n`;

const servers: GitHubStandIn[] = [];
// Each World mounts its FakeGitHub on nock; the audit talks to a stand-in over real HTTP, so the net stays open.
afterEach(() => {
  nock.cleanAll();
});
afterAll(async () => {
  for (const server of servers) await server.stop();
});

function merged(pr: FakePullRequest, mergedAt: string): void {
  pr.state = "MERGED";
  pr.createdAt = new Date(Date.parse(mergedAt) - 3_600_000).toISOString();
  pr.mergedAt = mergedAt;
  pr.updatedAt = mergedAt;
  pr.mergedBy = "maintainer";
}

async function audit(w: World, args: string[]): Promise<string> {
  const server = await new GitHubStandIn({ fake: w.fake }).start();
  servers.push(server);
  const out: string[] = [];
  const io: Io = {
    cwd: process.cwd(),
    stdout: (t) => void out.push(t),
    stderr: () => undefined,
    stdoutIsTTY: false,
    env: { GITHUB_TOKEN: "a-token", GITHUB_API_URL: server.baseUrl, GUARDRAILS_APP_ID: String(TEST_APP_ID) },
  };
  expect(await run(["audit", "--repo", `${w.owner}/${w.name}`, ...args], io)).toBe(0);
  return out.join("");
}

describe("mode: evaluate in the app", () => {
  it("a failing PR passes with an Evaluate mode title that says what would fail; counted with mode=evaluate", async () => {
    const w = new World({ policy: TRIAL });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    const before = await readMetrics();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const after = await readMetrics();

    const [check] = w.checkRuns(pr.headSha);
    expect(check).toMatchObject({ conclusion: "success" });
    expect(check!.title).toBe("Evaluate mode · Medium risk · would fail: 1 more approval");
    expect(check!.summary).toContain("Under enforcement this pull request would **fail**.");
    const labels = { tier: "medium", conclusion: "success", mode: "evaluate" };
    expect(
      sampleValue(after, "guardrails_evaluations_total", labels) -
        sampleValue(before, "guardrails_evaluations_total", labels),
    ).toBe(1);
  });

  it("a push of the policy to enforce fails the same PR", async () => {
    const w = new World({ policy: TRIAL });
    const pr = w.addPullRequest({ number: 3, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(w.checkRuns(pr.headSha)[0]).toMatchObject({ conclusion: "success" });

    w.fake.setPolicy(w.repo, "master", POLICY);
    await w.receive("push", w.pushEvent("master", [{ modified: [POLICY_PATH] }]));
    const [check] = w.checkRuns(pr.headSha);
    expect(check).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval" });
  });

  it("guardrails audit over a trial's runs: would_fail per merged PR and per tier", async () => {
    const w = new World({ policy: TRIAL });
    w.repo.collaborators = { alice: "write" };
    const unmet = w.addPullRequest({ number: 4, title: "Unreviewed", files: FILES.medium });
    const met = w.addPullRequest({ number: 5, title: "Docs", files: FILES.low, headSha: sha("docs") });
    await w.receive("pull_request", w.pullRequestEvent("opened", unmet));
    await w.receive("pull_request", w.pullRequestEvent("opened", met));
    const mergedAt = new Date(Date.now() + 3_600_000).toISOString();
    merged(unmet, mergedAt);
    merged(met, mergedAt);
    const period = ["--since", new Date(Date.now() - 86_400_000).toISOString(), "--until", mergedAt];

    const { records } = JSON.parse(await audit(w, [...period, "--json"])) as {
      records: { number: number; bypassed: boolean; mode: string; would_fail: boolean }[];
    };
    const by = Object.fromEntries(records.map((r) => [r.number, r]));
    // The trial's check passed: not bypassed, but enforcement would have failed #4.
    expect(by[4]).toMatchObject({ bypassed: false, mode: "evaluate", would_fail: true });
    expect(by[5]).toMatchObject({ bypassed: false, mode: "evaluate", would_fail: false });

    const { summary } = JSON.parse(await audit(w, [...period, "--summary", "--json"])) as {
      summary: { tier: string; merged: number; would_fail: number }[];
    };
    expect(summary.map((s) => [s.tier, s.merged, s.would_fail])).toEqual([
      ["low", 1, 0],
      ["medium", 1, 1],
      ["high", 0, 0],
      ["unknown", 0, 0],
    ]);
    const csv = (await audit(w, [...period, "--csv"])).split("\r\n");
    expect(csv[0]).toMatch(/,mode,would_fail$/);
    expect(csv.find((line) => line.startsWith("4,"))).toMatch(/,evaluate,true$/);
  });
});
