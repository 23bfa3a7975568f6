/**
 * One evaluation of one pull request: gather → judge → plan → apply, with the two guards of the
 * check as named steps (the early in-progress write, src/pipeline/run.ts; the fresh look under
 * the commit's lock before a pass, src/pipeline/shared-head.ts). Any error ends in a failing
 * check that says what went wrong (fail closed, src/pipeline/fail.ts).
 */
import { GitHubWriter } from "../github/apply.js";
import type { PullRequestSnapshot } from "../github/snapshot.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import { logFields, repoOf, type EvaluationDeps, type EvaluationOutcome } from "./deps.js";
import { failEvaluation } from "./fail.js";
import { gatherFirstRound, gatherSecondRound, needsAnotherRound } from "./gather.js";
import { bringsHead, judge, type DecisionJudgement, type JudgeInput } from "./judge.js";
import { logOverrideEvent } from "./override.js";
import { publishDecision, publishPolicyError } from "./publish.js";
import { settleStartedRun, showInProgress, takeRun, type RunState } from "./run.js";

export async function evaluatePullRequest(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  trigger: Trigger,
): Promise<EvaluationOutcome> {
  const started = Date.now();
  const writer = new GitHubWriter(deps.github, repoOf(target));
  let snapshot: PullRequestSnapshot | undefined;
  let run: RunState | undefined;
  try {
    // Gather, first round: the snapshot and the files pages the payload announced.
    const first = await gatherFirstRound(deps, target);
    snapshot = first.snapshot;
    if (snapshot.state !== "OPEN")
      return { status: "skipped", writes: writer.writes, reason: `pull request is ${snapshot.state.toLowerCase()}` };
    // Guard 1: the early in-progress write (a stale pass is taken out of `success` before anything else).
    const taken = takeRun(writer, target, trigger, snapshot);
    run = taken.run;
    if (taken.stalePass) await taken.progress;
    if (needsAnotherRound(deps, target, snapshot)) showInProgress(writer, run, snapshot, target.number);
    // Gather, second round: policies, CODEOWNERS, the proposed policy and the remaining files pages.
    const gathered = await gatherSecondRound(deps, target, first);
    await settleStartedRun(run);
    await taken.progress;
    // Judge: pure decision, with the lookups it depends on and the break-glass transition.
    const judgement = await judge(deps, target, gathered, {
      ...commandsOf(trigger),
      ...(bringsHead(trigger, target, snapshot.headSha) ? { bringsHead: true } : {}),
      now: new Date().toISOString(),
    });
    if (judgement.kind === "policy_error") {
      await publishPolicyError(writer, target, gathered, judgement, run);
      deps.log.info(
        {
          ...logFields(target, snapshot.headSha),
          policy: judgement.source,
          problems: judgement.problems.length,
          writes: writer.writes,
        },
        "policy error",
      );
      return { status: "policy_error", conclusion: "failure", writes: writer.writes };
    }
    for (const event of judgement.events)
      logOverrideEvent(deps.log, `${target.owner}/${target.repo}`, target.number, event);
    // Plan and apply: review requests, the check (guard 2 inside), the comment, the labels.
    const observations = await publishDecision(deps, writer, target, trigger, gathered, judgement, run);
    logDecision(deps, target, trigger, snapshot, judgement, writer.writes, started, gathered.resolved);
    return {
      status: "evaluated",
      tier: judgement.decision.tier,
      conclusion: judgement.decision.conclusion,
      mode: judgement.decision.mode,
      writes: writer.writes,
      agentAuthored: judgement.decision.agentAuthored,
      observations,
      ...(judgement.events.length ? { overrideEvents: judgement.events } : {}),
    };
  } catch (error) {
    return failEvaluation(deps, writer, target, trigger, run, snapshot, error);
  }
}

function commandsOf(trigger: Trigger): Omit<JudgeInput, "now"> {
  return {
    ...(trigger.pusher ? { pusher: trigger.pusher } : {}),
    ...(trigger.overrideCommands?.length ? { overrideCommands: trigger.overrideCommands } : {}),
    ...(trigger.tickEdit ? { tickEdit: trigger.tickEdit } : {}),
    ...(trigger.resetsPass ? { headEventAt: trigger.at ?? "" } : {}),
  };
}

function logDecision(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  trigger: Trigger,
  snapshot: PullRequestSnapshot,
  { decision }: DecisionJudgement,
  writes: number,
  started: number,
  resolved: { source: unknown; floor?: { source: unknown } },
): void {
  deps.log.info(
    {
      ...logFields(target, snapshot.headSha),
      tier: decision.tier,
      conclusion: decision.conclusion,
      mode: decision.mode,
      // `org:` marks what an enforced organisation policy asks for.
      unmet: decision.requirements
        .filter((r) => !r.met)
        .map((r) => (r.policy === "organization" ? `org:${r.kind}` : r.kind)),
      ...(decision.override ? { overriddenBy: decision.override.by } : {}),
      policy: resolved.source,
      ...(resolved.floor ? { floorPolicy: resolved.floor.source } : {}),
      event: trigger.event,
      writes,
      ms: Date.now() - started,
    },
    "decision",
  );
}
