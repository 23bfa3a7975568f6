/**
 * The check on a commit that is the head of several open PRs holds for all of them
 * (src/render/shared-head.ts combines them). The PRs on a head come from the commit's associated
 * PRs in the snapshot and from the PR numbers the run on the commit already covers; the other PRs
 * are gathered and judged by the same steps as this one, read-only. Writes on one commit are
 * serialised (CommitLocks), and a pass is written only after the second guard: a fresh look at
 * the commit's runs inside the lock, since a snapshot read before another PR took this head (or
 * wrote its run) does not know of it, and its pass would land as a newer run over that failure.
 */
import { describeError } from "../github/errors.js";
import type { GitHubWriter } from "../github/apply.js";
import { newestRunOn } from "../github/check-runs.js";
import { MAX_COVERED_LOOKUP, pullRequestsStillOnHead } from "../github/pull-requests.js";
import type { PullRequestSnapshot } from "../github/snapshot.js";
import { checkNeedsWrite } from "../reconcile/check.js";
import { renderDecision, renderEvaluationError, renderPolicyError, type CheckOutput } from "../render/check-output.js";
import {
  combineResults,
  MAX_SHARED_PULL_REQUESTS,
  tooManyOnHead,
  type PullRequestResult,
} from "../render/shared-head.js";
import { coveredBy } from "../state/external-id.js";
import type { PullRequestTarget } from "../trigger.js";
import { logFields, repoOf, type EvaluationDeps } from "./deps.js";
import { gatherFirstRound, gatherSecondRound } from "./gather.js";
import { judge } from "./judge.js";
import type { RunState } from "./run.js";

/** The other PRs that may share this PR's head: those GitHub lists, and those the run on it covered. */
export function otherPullRequestsOnHead(snapshot: PullRequestSnapshot, own: number): number[] {
  const numbers = new Set([...snapshot.sharedHead.numbers, ...coveredBy(snapshot.checkRun?.externalId)]);
  numbers.delete(own);
  return [...numbers].sort((a, b) => a - b);
}

/** Writes this PR's check on its head commit, for every PR whose head it is. Returns the run id. */
export function writeCheckOnCommit(
  deps: EvaluationDeps,
  writer: GitHubWriter,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  run: RunState,
  own: PullRequestResult,
  withRecords: (output: CheckOutput) => CheckOutput,
): Promise<number | undefined> {
  const key = `${target.owner}/${target.repo}@${snapshot.headSha}`.toLowerCase();
  return deps.commitLocks.run(key, async () => {
    let others = otherPullRequestsOnHead(snapshot, target.number);
    let runToWrite = run.id;
    const passing = withRecords(own.output);
    if (
      passing.conclusion === "success" &&
      others.length === 0 &&
      snapshot.sharedHead.complete &&
      checkNeedsWrite(snapshot.checkRun, run.id, passing, run.force)
    ) {
      const newest = await newestRunOn(deps.github, repoOf(target), snapshot.headSha, deps.appId);
      if (newest) {
        runToWrite = newest.id;
        others = coveredBy(newest.externalId).filter((n) => n !== target.number);
      }
    }
    const output =
      others.length === 0 && snapshot.sharedHead.complete
        ? passing
        : withRecords(await combinedOutput(deps, target, snapshot, own, others));
    const force = run.force || runToWrite !== run.id;
    if (!checkNeedsWrite(snapshot.checkRun, runToWrite, output, force)) return runToWrite;
    return writer.completeRun(snapshot.headSha, target.number, runToWrite, output);
  });
}

async function combinedOutput(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  own: PullRequestResult,
  others: number[],
): Promise<CheckOutput> {
  const complete = snapshot.sharedHead.complete;
  if (complete && others.length >= MAX_SHARED_PULL_REQUESTS) others = await stillOnHead(deps, target, snapshot, others);
  const combined =
    !complete || others.length >= MAX_SHARED_PULL_REQUESTS
      ? {
          ...tooManyOnHead(target.number, others, complete),
          coveredPullRequests: [target.number, ...others].sort((a, b) => a - b),
        }
      : combineResults([
          own,
          ...(await Promise.all(others.map((n) => judgeOther(deps, target, n, snapshot.headSha)))).filter(
            (p) => p !== undefined,
          ),
        ]);
  deps.log.info(
    { ...logFields(target, snapshot.headSha), sharedWith: others, conclusion: combined.conclusion },
    "one commit, several pull requests: the check holds for all of them",
  );
  return combined;
}

/**
 * The PRs a run covers only grew (closed PRs stayed in its external id), so ten PRs opened and
 * closed on a commit blocked it for good. Before the count fails closed, the covered PRs GitHub
 * does not list as open on the commit are asked about in one query; closed, merged or moved ones
 * leave the list. Past MAX_COVERED_LOOKUP the list stays as it is (fail closed).
 */
async function stillOnHead(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  others: number[],
): Promise<number[]> {
  const listed = new Set(snapshot.sharedHead.numbers);
  const unlisted = others.filter((n) => !listed.has(n));
  if (unlisted.length === 0 || unlisted.length > MAX_COVERED_LOOKUP) return others;
  const open = new Set(await pullRequestsStillOnHead(deps.github, repoOf(target), unlisted, snapshot.headSha));
  return others.filter((n) => listed.has(n) || open.has(n));
}

/**
 * Judges another PR with the same head, without writing anything. A PR that is closed or whose
 * head moved no longer shares the commit (undefined); any failure to judge it is a failing part.
 */
export async function judgeOther(
  deps: EvaluationDeps,
  repo: { owner: string; repo: string },
  number: number,
  headSha: string,
): Promise<PullRequestResult | undefined> {
  const target = { owner: repo.owner, repo: repo.repo, number };
  try {
    const first = await gatherFirstRound(deps, target, { readOnly: true });
    if (first.snapshot.state !== "OPEN" || first.snapshot.headSha !== headSha) return undefined;
    const gathered = await gatherSecondRound(deps, target, first, { readOnly: true });
    const { baseBranch } = gathered.snapshot;
    const judgement = await judge(deps, target, gathered, { now: new Date().toISOString() });
    if (judgement.kind === "policy_error")
      return { number, baseBranch, output: renderPolicyError(judgement.problems, judgement.source) };
    const { resolved } = gathered;
    const output = renderDecision(judgement.decision, resolved.source, judgement.state, resolved.floor?.source);
    return { number, baseBranch, output, decision: judgement.decision };
  } catch (error) {
    return {
      number,
      baseBranch: "?",
      output: renderEvaluationError(
        `PR #${number}, which has the same head commit, could not be evaluated: ${describeError(error)}`,
      ),
    };
  }
}
