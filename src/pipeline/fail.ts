/**
 * Fail closed: any error of an evaluation ends in a failing check that says what went wrong, on
 * the run the evaluation was writing (or the app's run on the head, or a new one). Only when no
 * failing check could be written does the outcome say so (the delivery then fails, so it shows
 * in the app's delivery log and can be redelivered).
 */
import type { GitHubWriter } from "../github/apply.js";
import { headOfPullRequest, newestRunOn, newestRunOutcome } from "../github/check-runs.js";
import { describeError } from "../github/errors.js";
import { PullRequestNotFoundError, type PullRequestSnapshot } from "../github/snapshot.js";
import { failureText, keepCoverage } from "../reconcile/run-text.js";
import { renderEvaluationError } from "../render/check-output.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import { HeadMovedError, repoOf, type EvaluationDeps, type EvaluationOutcome } from "./deps.js";
import type { RunState } from "./run.js";
import { bringsHead } from "./judge.js";
import { overrideGuard } from "../overrides/guards.js";
import { overrideSeq } from "../overrides/transition.js";
import { decodeState } from "../state/checklist-state.js";
import { pendingPushers, pushUnknownAt, readDecisionRecords, type OverrideGuard } from "../state/decision-record.js";

export async function failEvaluation(
  deps: EvaluationDeps,
  writer: GitHubWriter,
  target: PullRequestTarget,
  trigger: Trigger,
  run: RunState | undefined,
  snapshot: PullRequestSnapshot | undefined,
  error: unknown,
): Promise<EvaluationOutcome> {
  const pr = `${target.owner}/${target.repo}#${target.number}`;
  if (error instanceof PullRequestNotFoundError) {
    deps.log.info({ pr }, "pull request not found; nothing to evaluate");
    return { status: "skipped", writes: writer.writes, reason: error.message };
  }
  const message = describeError(error);
  const headSha = snapshot?.headSha ?? target.headSha;
  // A head that moved while it was read is a race the next event settles, not a fault.
  const level = error instanceof HeadMovedError ? "warn" : "error";
  deps.log[level]({ err: error, pr, head: headSha, event: trigger.event }, `evaluation failed: ${message}`);
  // An event without a head (a checklist tick, a comment) that failed before the PR was read:
  // its head is looked up, so that an old passing run there does not stay standing.
  const knownHead =
    headSha ?? (await headOfPullRequest(deps.github, repoOf(target), target.number).catch(() => undefined));
  if (!knownHead) return { status: "error", writes: writer.writes, reason: message, checkWritten: false };
  const checkWritten = await writeFailure(
    deps,
    writer,
    target,
    knownHead,
    await runToFail(deps, target, knownHead, run, snapshot),
    snapshot,
    message,
    snapshot ? failingGuard(deps, target, trigger, snapshot) : undefined,
    {
      pushers: await pushersToKeep(deps, target, trigger, snapshot),
      bringsHead: bringsHead(trigger, target, knownHead),
    },
  );
  return { status: "error", conclusion: "failure", writes: writer.writes, reason: message, checkWritten };
}

/** The run to fail, and what it carries when the snapshot did not come (its records and coverage). */
interface RunToFail {
  id?: number;
  text?: string | null;
  externalId?: string | null;
}

/**
 * The run created in progress (if its creation got through), else the one known, else the app's
 * run on the head, read with its text: its records (pushers, override guard) and the PRs it covers
 * are kept, not written over.
 */
async function runToFail(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  headSha: string,
  run: RunState | undefined,
  snapshot: PullRequestSnapshot | undefined,
): Promise<RunToFail> {
  let id = run?.id;
  if (id === undefined && run?.started) id = await run.started.catch(() => undefined);
  if (id !== undefined || snapshot) return id !== undefined ? { id } : {};
  const newest = await newestRunOn(deps.github, repoOf(target), headSha, deps.appId).catch(() => undefined);
  return newest ? { id: newest.id, text: newest.text, externalId: newest.externalId } : {};
}

async function writeFailure(
  deps: EvaluationDeps,
  writer: GitHubWriter,
  target: PullRequestTarget,
  headSha: string,
  toFail: RunToFail,
  snapshot: PullRequestSnapshot | undefined,
  message: string,
  guard: OverrideGuard | undefined,
  push: { pushers: string[]; bringsHead: boolean },
): Promise<boolean> {
  const runId = toFail.id;
  const externalId = snapshot?.checkRun?.externalId ?? toFail.externalId;
  const output = keepCoverage(renderEvaluationError(message), target.number, externalId);
  const runText = snapshot?.checkRun?.text ?? toFail.text;
  // Who pushed the head stays unknown until its push is handled, failed evaluations included.
  const pushUnknown = pushUnknownAt(readDecisionRecords(runText)[String(target.number)], push.bringsHead);
  output.text = failureText(
    output.text,
    runText,
    target.number,
    headSha,
    message,
    undefined,
    guard,
    push.pushers,
    pushUnknown,
  );
  try {
    await writer.completeRun(headSha, target.number, runId, output);
    return true;
  } catch (writeError) {
    deps.log.error({ err: writeError }, "could not write the failing check");
    // A refused update leaves the run as it was, perhaps passing: a new failing run supersedes
    // it (required checks go by the newest run of the name on the commit).
    if (runId === undefined) return false;
    try {
      await writer.completeRun(headSha, target.number, undefined, output);
      return true;
    } catch (createError) {
      deps.log.error({ err: createError }, "could not create a failing check either");
      return false;
    }
  }
}

/**
 * What a failing record keeps to guard overrides: the highest counter seen (signed state, records)
 * and the head's first evaluation as this event makes it (a push that brought the head back starts
 * it again even though the evaluation failed).
 */
function failingGuard(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  trigger: Trigger,
  snapshot: PullRequestSnapshot,
): OverrideGuard {
  const key = String(target.number);
  const signed = decodeState(deps.stateSecret, target, snapshot.comment?.body);
  return overrideGuard({
    snapshot,
    record: readDecisionRecords(snapshot.checkRun?.text)[key],
    previousHeadRecord: readDecisionRecords(snapshot.previousHeadRunText)[key],
    stateSeq: overrideSeq(signed),
    ...(trigger.resetsPass ? { headEventAt: trigger.at ?? "" } : {}),
    now: new Date().toISOString(),
  });
}

/**
 * Who pushed and is not yet in the signed state: this push's sender and the previous head's failing
 * record's (read again when the snapshot did not come, at one request; unreadable: the sender only).
 */
async function pushersToKeep(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  trigger: Trigger,
  snapshot: PullRequestSnapshot | undefined,
): Promise<string[]> {
  const previousText =
    snapshot?.previousHeadRunText ??
    (!snapshot && target.previousHeadSha
      ? (await newestRunOutcome(deps.github, repoOf(target), target.previousHeadSha, deps.appId).catch(() => undefined))
          ?.text
      : undefined);
  return pendingPushers([trigger.pusher], readDecisionRecords(previousText)[String(target.number)]?.pushers);
}
