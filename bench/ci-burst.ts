/**
 * A CI suite completing 50 check runs on one PR's head within about 2 s (issue 20): the app over
 * real HTTP against the GitHub stand-in (5 ms per request), each completion delivered as its
 * `check_run.completed` arrives. Counts the evaluations (snapshot queries) and check writes in the
 * burst and after its last completion, and the time from the last completion to the passing check.
 */
import { pino } from "pino";
import { Probot } from "probot";
import { guardrailsApp } from "../src/webhooks/app.js";
import { FakeGitHub } from "../test/support/fake-github.js";
import { startGitHubStandIn } from "../test/support/github-stand-in.js";
import { examplePayload, TEST_APP_ID, TEST_PRIVATE_KEY, UnthrottledOctokit } from "../test/support/test-probot.js";
import type { Figure } from "./report.js";

const POLICY = `version: 1
default_tier: medium
tiers:
  medium: { checks: [test] }
labels: { prefix: false }
`;
const RUNS = 50;
const SPREAD_MS = 2000;
const ACTIONS = { appId: 15368, appSlug: "github-actions" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCiBurstBenchmark(): Promise<Figure[]> {
  const fake = new FakeGitHub(TEST_APP_ID, 1);
  const standIn = await startGitHubStandIn({ fake, latencyMs: 5 });
  try {
    const opened = examplePayload("pull_request", "opened");
    const [owner, name] = opened.repository.full_name.split("/") as [string, string];
    const repo = fake.addRepository({ owner, name, ownerType: "User", defaultBranch: "master", policy: POLICY });
    const pr = fake.addPullRequest(repo, {
      number: opened.number,
      headSha: opened.pull_request.head.sha,
      author: { login: "dev" },
      files: [{ filename: "src/app.ts", status: "modified", additions: 10, deletions: 2 }],
    });
    const runs = Array.from({ length: RUNS }, (_, i) =>
      fake.setCiRun(repo, {
        headSha: pr.headSha,
        name: i === RUNS - 1 ? "test" : `job-${i}`,
        ...ACTIONS,
        status: "in_progress",
        conclusion: null,
      }),
    );
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      baseUrl: standIn.baseUrl,
      log: pino({ level: "silent" }),
      Octokit: UnthrottledOctokit,
    });
    void probot.load(guardrailsApp({ appId: TEST_APP_ID, stateSecret: "bench" }));
    const payload = { ...structuredClone(opened), installation: { id: 1 } };
    await probot.receive({ id: "open", name: "pull_request", payload } as never);

    const template = examplePayload("check_run", "completed");
    const [listed] = examplePayload("check_run", "created").check_run.pull_requests;
    const deliveries: Promise<unknown>[] = [];
    const burstMark = fake.requests.length;
    let lastMark = burstMark;
    let lastAt = 0;
    for (const [i, run] of runs.entries()) {
      await sleep(SPREAD_MS / RUNS);
      fake.setCiRun(repo, { ...run, status: "completed", conclusion: "success" });
      const event = { ...structuredClone(template), installation: { id: 1 }, repository: payload.repository };
      Object.assign(event.check_run, { id: run.id, name: run.name, head_sha: pr.headSha, status: "completed" });
      event.check_run.conclusion = "success";
      event.check_run.app = { ...event.check_run.app, id: ACTIONS.appId, slug: ACTIONS.appSlug };
      event.check_run.pull_requests = [
        { ...structuredClone(listed!), number: pr.number, head: { ...listed!.head, sha: pr.headSha } },
      ];
      event.check_run.pull_requests[0]!.base.repo.id = payload.repository.id;
      if (i === RUNS - 1) {
        lastMark = fake.requests.length;
        lastAt = performance.now();
      }
      deliveries.push(probot.receive({ id: `run-${run.id}`, name: "check_run", payload: event } as never));
    }
    await Promise.all(deliveries);
    const passedAt = performance.now();
    const snapshots = (from: number) =>
      fake.requests.slice(from).filter((r) => r.operation === "GuardrailsPullRequest").length;
    const checkWrites = (from: number) =>
      fake.requests.slice(from).filter((r) => r.method !== "GET" && /\/check-runs(\/\d+)?$/.test(r.path)).length;
    const own = fake.checkRunsFor(repo, pr.headSha).at(-1);
    const g = `CI burst: ${RUNS} check runs completing within ${SPREAD_MS / 1000} s on one head`;
    return [
      {
        group: g,
        name: "evaluations in the burst",
        value: snapshots(burstMark),
        unit: "",
        goal: "≤ 3",
        met: snapshots(burstMark) <= 3,
      },
      {
        group: g,
        name: "evaluations after the last completion",
        value: snapshots(lastMark),
        unit: "",
        goal: "≤ 2",
        met: snapshots(lastMark) <= 2,
      },
      {
        group: g,
        name: "check writes after the last completion",
        value: checkWrites(lastMark),
        unit: "",
        goal: "≤ 1",
        met: checkWrites(lastMark) <= 1,
      },
      { group: g, name: "check writes in the burst", value: checkWrites(burstMark), unit: "" },
      { group: g, name: "last completion → check settled", value: passedAt - lastAt, unit: "ms" },
      {
        group: g,
        name: "the check concludes success",
        value: own?.conclusion === "success" ? 1 : 0,
        unit: "",
        goal: "1",
        met: own?.conclusion === "success",
      },
    ];
  } finally {
    await standIn.stop();
  }
}
