/**
 * A policy push over many open PRs, against the built server and a GitHub stand-in that enforces
 * GitHub's secondary limits (the `fanout` benchmark and test/operations/fan-out-limits.e2e.test.ts
 * share it).
 *
 * One organisation repository, one installation, N open PRs on `main`. Each PR already has the
 * app's completed `success` check from the old policy (no approval needed) and its `risk:medium`
 * label; every other PR has an approval. The push changes the policy to one approval: the PRs
 * without one must end `failure`, the others `success` (a new output: one check write each; the
 * label stays). The PRs were last updated in an order unrelated to their numbers.
 *
 * Time can run scaled (FANOUT_TIME_SCALE for the app, `timeScale` of the stand-in's limits): a
 * minute and an hour pass `timeScale` times faster for both, so that hours of GitHub's limits run
 * in seconds; the elapsed time is reported scaled back.
 */
import { performance } from "node:perf_hooks";
import { CHECK_NAME } from "../../src/render/check-output.js";
import { FakeGitHub, sha, type FakePullRequest, type FakeRepository } from "./fake-github.js";
import {
  GITHUB_SECONDARY_LIMITS,
  GitHubStandIn,
  type PrimaryRateLimit,
  type SecondaryLimits,
} from "./github-stand-in.js";
import { forRepository } from "./payloads.js";
import { ServerProcess } from "./server-process.js";
import { examplePayloads } from "./test-probot.js";
import type { PushExample } from "./example-types.js";

export const POLICY_PUSH_APP_ID = 5151;
export const POLICY_PUSH_INSTALLATION_ID = 5252;

const OLD_POLICY = `version: 1
default_tier: medium
tiers:
  medium: { approvals: 0 }
labels:
  prefix: "risk:"
`;

export const NEW_POLICY = `version: 1
default_tier: medium
tiers:
  medium: { approvals: 1 }
labels:
  prefix: "risk:"
`;

export interface PolicyPushOptions {
  pullRequests: number;
  /** How many times faster than real time the limits' minute and hour pass (1: real time). */
  timeScale: number;
  /** The app's budget (FANOUT_WRITES_PER_MINUTE / _PER_HOUR); the app's defaults (60 / 400) if not given. */
  appWritesPerMinute?: number;
  appWritesPerHour?: number;
  /** The stand-in's limits; GitHub's (80 / 500) if not given. */
  githubLimits?: SecondaryLimits;
  /** Gives up (and fails) after this long, wall clock. */
  timeoutMs: number;
  /**
   * Repositories of the one installation (default 1), the PRs spread over them, each getting its
   * own policy push; replicas of the server (default 1): push i goes to replica i mod replicas.
   */
  repositories?: number;
  replicas?: number;
  /** REDIS_URL for every replica (they then share the installation's write budget). */
  redisUrl?: string;
  /** The installation's primary rate limit, in real time (the app defers below 200 left). */
  primaryRateLimit?: PrimaryRateLimit;
}

export interface PolicyPushResult {
  pullRequests: number;
  /** Content-creating requests GitHub (the stand-in) accepted. */
  writes: number;
  secondaryLimitErrors: number;
  /** Requests refused for the primary rate limit. */
  primaryLimitErrors: number;
  /** Every request GitHub (the stand-in) got. */
  requests: number;
  /** Log lines of the app saying the rate limit is low and it waits for the reset. */
  rateLimitWaits: number;
  /** PRs whose head has exactly one guardrails check, completed, with the conclusion the new policy gives. */
  correct: number;
  /** Of them, the PRs expected to fail (no approval). */
  expectedFailures: number;
  /** From the push to the last write GitHub accepted: wall clock, and scaled back to GitHub's time. */
  wallMs: number;
  githubMs: number;
  /** The least time GitHub's hourly limit allows for `writes`: writes / (limit per hour) hours. */
  boundMs: number;
  /** The most writes in any sliding minute and hour (scaled), as GitHub saw them. */
  maxPerMinute: number;
  maxPerHour: number;
  /** Log lines of the app saying the budget was spent and it waits. */
  budgetWaits: number;
  /** The app's progress line at the end said this many PRs were re-evaluated, and failed. */
  evaluated: number;
  failed: number;
  /** Largest distance between the order PRs were written in and most-recently-updated-first. */
  maxOutOfOrder: number;
  /** Log lines at level error or above. */
  errorLines: number;
  /** What the push delivery was answered. */
  deliveryStatus: number;
  /** When each write GitHub accepted arrived, in GitHub's time (ms) since the push. */
  writeTimes: number[];
}

interface Seeded {
  repo: FakeRepository;
  pr: FakePullRequest;
  approved: boolean;
  /** 0 for the most recently updated of its repository. */
  recency: number;
}

function seed(fake: FakeGitHub, count: number, repositories: number): { repos: FakeRepository[]; prs: Seeded[] } {
  const repos = Array.from({ length: repositories }, (_, i) => {
    const repo = fake.addRepository({
      owner: "acme-push",
      name: repositories === 1 ? "monorepo" : `service-${i}`,
      policy: OLD_POLICY,
      defaultBranch: "main",
    });
    repo.labels.set("risk:medium", { color: "fbca04" });
    repo.collaborators = { "reviewer-0": "write", "reviewer-1": "write", "reviewer-2": "write" };
    return repo;
  });
  const newest = Date.UTC(2026, 11, 3, 12, 0, 0);
  const prs: Seeded[] = [];
  repos.forEach((repo, r) => {
    const inRepo = Math.floor(count / repositories) + (r < count % repositories ? 1 : 0);
    for (let number = 1; number <= inRepo; number++) {
      // A permutation of 0..inRepo-1 unrelated to the number (7919 is prime, larger than any count here).
      const recency = (number * 7919) % inRepo;
      const headSha = sha(`acme-push/${repo.name}#${number}`);
      const approved = number % 2 === 0;
      const pr = fake.addPullRequest(repo, {
        number,
        headSha,
        author: { login: `dev-${number % 7}` },
        updatedAt: new Date(newest - recency * 60_000).toISOString(),
        files: [
          { filename: `src/module-${number % 23}/part-${number}.ts`, status: "modified", additions: 12, deletions: 3 },
          {
            filename: `test/module-${number % 23}/part-${number}.test.ts`,
            status: "modified",
            additions: 20,
            deletions: 0,
          },
        ],
        labels: ["risk:medium"],
        labelEvents: [{ label: "risk:medium", actor: "guardrails[bot]" }],
        reviews: approved
          ? [
              {
                user: `reviewer-${number % 3}`,
                state: "APPROVED",
                commit: headSha,
                association: "MEMBER",
                submittedAt: "2026-12-02T10:00:00Z",
              },
            ]
          : [],
      });
      // The old policy's check: passing, written by the app.
      fake.checkRuns.push({
        repo: `acme-push/${repo.name}`,
        id: fake.id(),
        headSha,
        name: CHECK_NAME,
        appId: fake.appId,
        status: "completed",
        conclusion: "success",
        title: "Medium risk: ready to merge",
        summary: "Every requirement of the medium tier is met.",
        text: null,
        externalId: String(number),
        completedAt: "2026-12-02T10:00:00Z",
        annotations: [],
        actions: [],
      });
      prs.push({ repo, pr, approved, recency });
    }
  });
  return { repos, prs };
}

/** The push GitHub sends for a commit that changes the policy on `main`. */
function pushPayload(repo: FakeRepository): PushExample {
  const example = examplePayloads("push").find(
    (p) => p.ref.startsWith("refs/heads/") && p.deleted === false && p.commits.length > 0,
  );
  if (!example) throw new Error("no push example of a branch with commits");
  const payload = forRepository(example, repo, POLICY_PUSH_INSTALLATION_ID);
  const tip = repo.branches.main!.sha;
  payload.ref = "refs/heads/main";
  payload.after = tip;
  payload.commits = [
    {
      ...payload.commits[0],
      id: tip,
      message: "Require an approval on every PR",
      added: [],
      removed: [],
      modified: [".github/guardrails.yml"],
    },
  ];
  payload.head_commit = payload.commits[0];
  return payload;
}

export async function runPolicyPush(options: PolicyPushOptions): Promise<PolicyPushResult> {
  const limits = { ...(options.githubLimits ?? GITHUB_SECONDARY_LIMITS), timeScale: options.timeScale };
  const fake = new FakeGitHub(POLICY_PUSH_APP_ID, POLICY_PUSH_INSTALLATION_ID);
  const { repos, prs } = seed(fake, options.pullRequests, options.repositories ?? 1);
  const standIn = await new GitHubStandIn({
    fake,
    secondaryLimits: limits,
    ...(options.primaryRateLimit ? { primaryRateLimit: options.primaryRateLimit } : {}),
  }).start();
  const env: Record<string, string> = { FANOUT_TIME_SCALE: String(options.timeScale) };
  if (options.appWritesPerMinute !== undefined) env.FANOUT_WRITES_PER_MINUTE = String(options.appWritesPerMinute);
  if (options.appWritesPerHour !== undefined) env.FANOUT_WRITES_PER_HOUR = String(options.appWritesPerHour);
  if (options.redisUrl !== undefined) env.REDIS_URL = options.redisUrl;
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < (options.replicas ?? 1); i++)
      servers.push(await ServerProcess.start({ appId: POLICY_PUSH_APP_ID, githubHost: standIn.host, env }));
    for (const repo of repos) fake.setPolicy(repo, "main", NEW_POLICY);
    const started = performance.now();
    const pushes = repos.map((repo, i) => ({
      server: servers[i % servers.length]!,
      total: prs.filter((p) => p.repo === repo).length,
      repo,
    }));
    const deliveries = await Promise.all(
      pushes.map(({ server, repo }) =>
        server.sendWebhook("push", pushPayload(repo), { delivery: `policy-push-${repo.name}` }),
      ),
    );
    // Each fan-out's last progress line says done = total (the delivery may have been answered 202 long before).
    const finished = await Promise.all(
      pushes.map(({ server, total, repo }) =>
        waitForLine(
          server,
          (line) =>
            line.includes('"policy re-evaluation: progress"') &&
            line.includes(`"id":"policy-push-${repo.name}"`) &&
            line.includes(`"done":${total},"total":${total}`),
          options.timeoutMs,
        ),
      ),
    );
    const last = finished.map((line) => JSON.parse(line) as { done: number; failed: number });
    const lastWrite = standIn.contentWrites.at(-1)?.at ?? started;
    const wallMs = lastWrite - started;

    let correct = 0;
    for (const { repo, pr, approved } of prs) {
      const runs = fake.checkRunsFor(repo, pr.headSha).filter((run) => run.name === CHECK_NAME);
      if (
        runs.length === 1 &&
        runs[0]!.status === "completed" &&
        runs[0]!.conclusion === (approved ? "success" : "failure")
      )
        correct++;
    }
    // The order each repository's checks were written in, against most recently updated first.
    const byRun = new Map(fake.checkRuns.map((run) => [run.id, { repo: run.repo, number: Number(run.externalId) }]));
    const recency = new Map(prs.map((p) => [`acme-push/${p.repo.name}#${p.pr.number}`, p.recency]));
    const seen = new Map<string, Set<number>>();
    let maxOutOfOrder = 0;
    for (const write of standIn.contentWrites) {
      const m = /\/check-runs\/(\d+)$/.exec(write.path);
      const run = m ? byRun.get(Number(m[1])) : undefined;
      if (!run) continue;
      let done = seen.get(run.repo);
      if (!done) seen.set(run.repo, (done = new Set()));
      if (done.has(run.number)) continue;
      maxOutOfOrder = Math.max(maxOutOfOrder, Math.abs(done.size - recency.get(`${run.repo}#${run.number}`)!));
      done.add(run.number);
    }
    const minute = 60_000 / options.timeScale;
    const lines = servers.flatMap((server) => server.lines);
    return {
      pullRequests: prs.length,
      writes: standIn.contentWrites.length,
      secondaryLimitErrors: standIn.secondaryLimitErrors,
      primaryLimitErrors: standIn.primaryLimitErrors,
      requests: standIn.requestCount,
      rateLimitWaits: lines.filter((line) => line.includes("the rate limit is low, waiting for its reset")).length,
      correct,
      expectedFailures: prs.filter((p) => !p.approved).length,
      wallMs,
      githubMs: wallMs * options.timeScale,
      boundMs: (standIn.contentWrites.length / limits.perHour) * 3_600_000,
      maxPerMinute: standIn.maxContentWritesIn(minute),
      maxPerHour: standIn.maxContentWritesIn(minute * 60),
      budgetWaits: lines.filter((line) => line.includes("write budget spent")).length,
      evaluated: last.reduce((sum, l) => sum + l.done, 0),
      failed: last.reduce((sum, l) => sum + l.failed, 0),
      maxOutOfOrder,
      errorLines: lines.filter((line) => /"level":(5\d|60)/.test(line)).length,
      deliveryStatus: Math.max(...deliveries.map((d) => d.status)),
      writeTimes: standIn.contentWrites.map((write) => (write.at - started) * options.timeScale),
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    await standIn.stop();
  }
}

/** Waits for a log line (checking only the lines printed since the last look). */
async function waitForLine(
  server: ServerProcess,
  match: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  let checked = 0;
  for (;;) {
    for (; checked < server.lines.length; checked++) if (match(server.lines[checked]!)) return server.lines[checked]!;
    if (performance.now() > deadline)
      throw new Error(
        `the policy push did not finish within ${timeoutMs} ms; last log lines:\n${server.lines.slice(-15).join("\n")}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
