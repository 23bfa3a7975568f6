/**
 * Scale-out: two replicas of the built server with one REDIS_URL, behind a "load balancer" (the
 * benchmark, round-robin), against one GitHub stand-in. Redis is a real `redis-server` started on
 * 127.0.0.1 for the run, without persistence. Probot shares the throttling of each installation
 * through it, and the app holds a per-PR lock in it (src/github/pr-lock.ts).
 *
 * Every PR gets its events in steps, and the events of a step reach the two replicas at the same
 * time: opened on one replica and the same delivery again on the other (a redelivery landing on
 * the other replica); then, after a push and an approval, synchronize on one and the review on
 * the other; then a third push, synchronize on one and its redelivery on the other. At the end
 * every PR must have exactly one completed guardrails check run on each head it had, exactly one
 * sticky comment when its tier has a checklist (none otherwise) and exactly one risk label.
 */
import { startGitHubStandIn } from "../test/support/github-stand-in.js";
import { COMMENT_MARKER } from "../src/state/checklist-state.js";
import { CHECK_NAME } from "../src/render/check-output.js";
import { SERVER_SCRIPT } from "../test/support/server-process.js";
import { redisServerBinary, startRedisServer } from "../test/support/redis-server.js";
import { AppProcess } from "./app-process.js";
import { LATENCY_MS } from "./e2e.js";
import type { Figure } from "./report.js";
import { BENCH_APP_ID, Workload, type BenchPullRequest, type Delivery } from "./workload.js";

const PULL_REQUESTS = 50;
const INSTALLATIONS = 25;
const IDLE_TIMEOUT_MS = 120_000;

interface Outcome {
  status: number;
  replica: number;
}

interface ScenarioResult {
  events: number;
  perReplica: number[];
  seconds: number;
  oneCheckPerHead: number;
  finalCheckRight: number;
  commentRight: number;
  labelRight: number;
  needsChecklist: number;
  stillProcessing: number;
  failures: number;
}

/** The replicas against a fresh stand-in, with REDIS_URL when `redisUrl` is given. */
async function runScenario(redisUrl: string | undefined): Promise<ScenarioResult> {
  const workload = new Workload(INSTALLATIONS);
  const standIn = await startGitHubStandIn({ fake: workload.fake, latencyMs: LATENCY_MS });
  const replicas: AppProcess[] = [];
  try {
    for (const label of ["replica A", "replica B"]) {
      replicas.push(
        await AppProcess.start({
          label,
          script: SERVER_SCRIPT,
          appId: BENCH_APP_ID,
          githubHost: standIn.host,
          env: redisUrl ? { REDIS_URL: redisUrl } : {},
        }),
      );
    }
    const outcomes: Outcome[] = [];
    const send = async (replica: number, delivery: Delivery) => {
      const status = await replicas[replica]!.sendWebhook(delivery.event, delivery.payload, delivery.delivery);
      outcomes.push({ status, replica });
    };
    const prs = Array.from({ length: PULL_REQUESTS }, (_, i) =>
      workload.newPullRequest(workload.tenants[i % INSTALLATIONS]!),
    );
    /** Every head a PR had after a step. */
    const heads = new Map<BenchPullRequest, Set<string>>(prs.map((pr) => [pr, new Set<string>()]));

    // Round-robin: a PR's first event goes to replica (index mod 2), its twin to the other one.
    const steps: ((pr: BenchPullRequest, one: number, other: number) => Promise<unknown>)[] = [
      // 1. opened, and the same delivery on the other replica at the same time.
      (pr, one, other) => {
        const opened = pr.next("opened");
        return Promise.all([send(one, opened), send(other, opened)]);
      },
      // 2. a push and an approval of the new head: synchronize on one replica, the review on the other.
      (pr, one, other) => {
        const synchronize = pr.next("synchronize");
        const review = pr.next("review");
        return Promise.all([send(other, synchronize), send(one, review)]);
      },
      // 3. another push (the approval goes stale): synchronize, and its redelivery on the other replica.
      (pr, one, other) => {
        const again = pr.next("synchronize");
        return Promise.all([send(one, again), send(other, again)]);
      },
    ];

    const started = performance.now();
    for (const step of steps) {
      await Promise.all(prs.map((pr, index) => step(pr, index % 2, 1 - (index % 2))));
      // The next change waits until every evaluation of this one has finished, also those answered
      // 202 (still processing after 9 s): a push in the middle of an evaluation is another test.
      for (const replica of replicas) await replica.waitUntilIdle(IDLE_TIMEOUT_MS);
      for (const pr of prs) heads.get(pr)!.add(pr.pr.headSha);
    }
    const seconds = (performance.now() - started) / 1000;

    // The invariants, from what the stand-in's GitHub holds.
    const result: ScenarioResult = {
      events: outcomes.length,
      perReplica: [0, 1].map((replica) => outcomes.filter((o) => o.replica === replica).length),
      seconds,
      oneCheckPerHead: 0,
      finalCheckRight: 0,
      commentRight: 0,
      labelRight: 0,
      needsChecklist: prs.filter((pr) => pr.high).length,
      stillProcessing: outcomes.filter((o) => o.status === 202).length,
      failures:
        outcomes.filter((o) => o.status !== 200 && o.status !== 202).length +
        replicas.reduce((sum, r) => sum + r.errorLines, 0),
    };
    for (const pr of prs) {
      const runs = (head: string) =>
        workload.fake.checkRunsFor(pr.tenant.repo, head).filter((run) => run.name === CHECK_NAME);
      if ([...heads.get(pr)!].every((head) => runs(head).length === 1 && runs(head)[0]!.status === "completed"))
        result.oneCheckPerHead++;
      // The last push made the approval stale: the check fails for want of an approval.
      const final = runs(pr.pr.headSha);
      if (final.length === 1 && final[0]!.conclusion === "failure" && /approval/i.test(final[0]!.title ?? ""))
        result.finalCheckRight++;
      const comments = pr.pr.comments.filter((comment) => comment.byApp && comment.body.includes(COMMENT_MARKER));
      if (comments.length === (pr.high ? 1 : 0)) result.commentRight++;
      const riskLabels = pr.pr.labels.filter((label) => label.startsWith("risk:"));
      if (riskLabels.length === 1 && riskLabels[0] === (pr.high ? "risk:high" : "risk:medium")) result.labelRight++;
    }
    return result;
  } finally {
    for (const replica of replicas) await replica.stop();
    await standIn.stop();
  }
}

export async function runScaleOutBenchmark(): Promise<Figure[]> {
  const group = `Scale-out: 2 replicas sharing one Redis, ${PULL_REQUESTS} PRs in ${INSTALLATIONS} installations, ${LATENCY_MS} ms per GitHub request`;
  const binary = redisServerBinary();
  if (!binary) {
    console.log("\nscale-out: skipped, redis-server is not installed (Debian/Ubuntu: apt-get install -y redis-server)");
    return [
      {
        group,
        name: "skipped: redis-server is not installed (apt-get install -y redis-server)",
        value: 0,
        unit: "",
        goal: "run",
        met: false,
      },
    ];
  }
  const redis = await startRedisServer();
  const client = redis.connect();
  let shared: ScenarioResult;
  let locksLeft: number;
  let limiterKeys: number;
  let writeQueueKeys: number;
  try {
    shared = await runScenario(redis.url);
    locksLeft = (await client.keys("guardrails:lock:*")).length;
    limiterKeys = (await client.keys("b_*")).length;
    // The app's own write queue (one a second per installation), shared by the replicas.
    writeQueueKeys = (await client.keys("b_octokit-write-installation-*")).length;
  } finally {
    await redis.stop();
  }
  // The control: the same run without REDIS_URL shows what the invariants catch.
  const control = await runScenario(undefined);

  const of = `of ${PULL_REQUESTS}`;
  const all = (value: number) => ({ goal: `${PULL_REQUESTS}`, met: value === PULL_REQUESTS });
  const comments = `PRs with exactly one sticky comment (${shared.needsChecklist} need a checklist), none otherwise`;
  return [
    {
      group,
      name: `throughput until both replicas are idle (${shared.events} events, ${shared.perReplica.join(" + ")})`,
      value: shared.events / shared.seconds,
      unit: "events/s",
    },
    {
      group,
      name: "PRs with exactly one completed guardrails check on each head",
      value: shared.oneCheckPerHead,
      unit: of,
      ...all(shared.oneCheckPerHead),
    },
    {
      group,
      name: "PRs whose final check fails for the stale approval",
      value: shared.finalCheckRight,
      unit: of,
      ...all(shared.finalCheckRight),
    },
    { group, name: comments, value: shared.commentRight, unit: of, ...all(shared.commentRight) },
    {
      group,
      name: "PRs with exactly one risk label, of the right tier",
      value: shared.labelRight,
      unit: of,
      ...all(shared.labelRight),
    },
    { group, name: "PR locks left in Redis", value: locksLeft, unit: "", goal: "0", met: locksLeft === 0 },
    {
      group,
      name: "throttling limiters shared in Redis (Bottleneck keys)",
      value: limiterKeys,
      unit: "",
      goal: "> 0",
      met: limiterKeys > 0,
    },
    {
      group,
      name: "of which the installations' write queues",
      value: writeQueueKeys,
      unit: "",
      goal: "> 0",
      met: writeQueueKeys > 0,
    },
    {
      group,
      name: "deliveries answered 202 (evaluation went on past 9 s)",
      value: shared.stillProcessing,
      unit: `of ${shared.events}`,
    },
    {
      group,
      name: "failed deliveries (not 200 or 202) + error log lines",
      value: shared.failures,
      unit: "",
      goal: "0",
      met: shared.failures === 0,
    },
    { group, name: "control without REDIS_URL: throughput", value: control.events / control.seconds, unit: "events/s" },
    {
      group,
      name: "control without REDIS_URL: PRs with one check on each head",
      value: control.oneCheckPerHead,
      unit: of,
    },
    {
      group,
      name: "control without REDIS_URL: PRs with the right sticky comments",
      value: control.commentRight,
      unit: of,
    },
  ];
}
