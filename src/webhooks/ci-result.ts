/**
 * CI results: `check_run.completed`, `check_suite.completed` (of other apps) and `status` re-evaluate
 * the open PRs whose head is that commit, so a `checks` requirement passes without a new push; a
 * `check_run.created` (a re-run queued) does when the app's pass on that commit rests on CI.
 * These are plain re-evaluations, coalesced per PR twice: events of one burst share one evaluation
 * (src/webhooks/burst.ts), and the queue joins what arrives while one runs (src/webhooks/pr-queue.ts),
 * so a suite that completes 50 runs on one head causes one or two evaluations, not 50.
 */
import type { Context, Probot } from "probot";
import { newestRunOutcome } from "../github/check-runs.js";
import { openPullRequestsWithHead } from "../github/pull-requests.js";
import { passMayRestOnChecks } from "../state/decision-record.js";
import { BurstCoalescer } from "./burst.js";
import type { WebhookContext } from "./context.js";

interface ListedPullRequest {
  number: number;
  head: { sha: string };
  base: { repo: { id: number } };
}

export function onCiResult(app: Probot, { scheduler, appId }: WebhookContext): void {
  const bursts = new BurstCoalescer();
  const created = new BurstCoalescer();
  app.on(["check_run.completed", "check_suite.completed"], async (context) => {
    const payload = context.payload;
    const item = "check_run" in payload ? payload.check_run : payload.check_suite;
    // The app's own runs are the `guardrails` check itself: never news (and never a loop).
    if (item.app?.id === appId || !item.head_sha) return;
    const numbers = await headPullRequests(context, item.pull_requests, item.head_sha);
    await reevaluate(context, scheduler, bursts, numbers, item.head_sha, `${context.name}.completed`);
  });
  // A run of another app queued on the commit (a re-run): the newest run of a name is the one that
  // counts, so a pass that rested on CI is taken back until it completes. One read per burst of a
  // head tells whether the app's pass there rests on CI at all; only then are its PRs re-evaluated.
  app.on("check_run.created", async (context) => {
    const run = context.payload.check_run;
    if (run.app?.id === appId || !run.head_sha) return;
    const repository = context.payload.repository.full_name;
    await created.run(`${repository}@${run.head_sha}`.toLowerCase(), async () => {
      const ours = await newestRunOutcome(context.octokit, context.repo(), run.head_sha, appId);
      if (!ours || !passMayRestOnChecks(ours.conclusion, ours.text)) return;
      const numbers = await headPullRequests(context, run.pull_requests, run.head_sha);
      await reevaluate(context, scheduler, bursts, numbers, run.head_sha, "check_run.created");
    });
  });
  // Every state, pending too: a status re-run on the same commit takes back a pass it gave.
  app.on("status", async (context) => {
    const { sha } = context.payload;
    const numbers = await headPullRequests(context, undefined, sha);
    await reevaluate(context, scheduler, bursts, numbers, sha, "status");
  });
}

/**
 * The PRs of this repository whose head is the commit: from the payload where GitHub lists them
 * (it leaves forks' PRs out), else asked of GitHub.
 */
async function headPullRequests(
  context: Context,
  listed: ListedPullRequest[] | undefined,
  sha: string,
): Promise<number[]> {
  const repoId = (context.payload as { repository: { id: number } }).repository.id;
  const numbers = (listed ?? [])
    .filter((pr) => pr.base.repo.id === repoId && pr.head.sha === sha)
    .map((pr) => pr.number);
  if (numbers.length > 0) return numbers;
  return openPullRequestsWithHead(context.octokit, context.repo(), sha);
}

async function reevaluate(
  context: Context,
  scheduler: WebhookContext["scheduler"],
  bursts: BurstCoalescer,
  numbers: number[],
  headSha: string,
  event: string,
): Promise<void> {
  const target = (number: number) => ({ ...context.repo(), number, headSha });
  const repository = (context.payload as { repository: { full_name: string } }).repository.full_name;
  await Promise.all(
    numbers.map((number) =>
      bursts.run(`${repository}#${number}@${headSha}`.toLowerCase(), () =>
        scheduler.schedule(context, target(number), { event }),
      ),
    ),
  );
}
