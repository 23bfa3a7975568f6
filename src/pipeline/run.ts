/**
 * Which check run an evaluation writes, and the first of its two guards: the early in-progress
 * write. A re-run, or an event that makes the head's pass stale (a push back to an earlier head
 * finds that head's old run, perhaps passing under facts that no longer hold), takes the run out
 * of `success` at once, while the evaluation runs; and when gathering takes another round trip
 * and no run exists yet, the run is created in progress so the PR shows the check at once.
 */
import type { GitHubWriter } from "../github/apply.js";
import type { PullRequestSnapshot } from "../github/snapshot.js";
import { isStalePass } from "../reconcile/check.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";

export interface RunState {
  /** The run to write (undefined: a new one is created). */
  id: number | undefined;
  /** The run being created in progress, if one is. */
  started?: Promise<number>;
  /** Write the run even when it shows the same output (a re-run, a new run, a stale pass). */
  force: boolean;
}

export function takeRun(
  writer: GitHubWriter,
  target: PullRequestTarget,
  trigger: Trigger,
  snapshot: PullRequestSnapshot,
): { run: RunState; stalePass: boolean; progress: Promise<void> } {
  // A re-run of an older head's run: this evaluation is of the current head, so it goes to the
  // current head's run; the old run keeps the result of its own commit.
  const asked = target.headSha !== undefined && target.headSha !== snapshot.headSha ? undefined : trigger.checkRunId;
  const id = asked ?? snapshot.checkRun?.id;
  const stalePass = isStalePass(snapshot.checkRun, id, trigger);
  const progressRun = (trigger.force && id === trigger.checkRunId) || stalePass ? id : undefined;
  const progress = progressRun !== undefined ? writer.markInProgress(progressRun) : Promise.resolve();
  progress.catch(() => undefined);
  return { run: { id, force: trigger.force === true || stalePass }, stalePass, progress };
}

/** Creates the run in progress when none exists and gathering takes another round trip. */
export function showInProgress(
  writer: GitHubWriter,
  run: RunState,
  snapshot: PullRequestSnapshot,
  number: number,
): void {
  if (run.id !== undefined) return;
  run.started = writer.startRun(snapshot.headSha, number);
  run.started.catch(() => undefined);
  run.force = true;
}

/** The run created in progress, once its creation answered. */
export async function settleStartedRun(run: RunState): Promise<void> {
  if (run.started) run.id = await run.started;
}
