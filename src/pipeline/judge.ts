/**
 * Judge: one PR's decision from what was gathered, for the PR an event names and for every other
 * PR on a shared head alike. The policies in force decide (src/engine/decide.ts); the facts that
 * cost a request are looked up only when the decision depends on them; a checklist edit counts
 * from write access only; the break-glass state moves (a command, a new head, an overrider who
 * lost access) and an override in force makes the decision pass. Nothing is written here.
 */
import { decide, type PoliciesInForce } from "../engine/decide.js";
import { lookupsNeeded, nothingToLookUp } from "../engine/lookups.js";
import { applyOverride, policiesInForce } from "../engine/override.js";
import { summarizeReviews } from "../engine/reviews.js";
import type { Decision, PullRequestFacts } from "../engine/types.js";
import type { PolicyProblem } from "../policy/loader.js";
import type { Policy } from "../policy/schema.js";
import type { PolicySource } from "../policy/source.js";
import { overrideGuard, overrideGuards } from "../overrides/guards.js";
import { overrideSeq, type OverrideEvent } from "../overrides/transition.js";
import { applyEdit, decodeState, withPushers, type ChecklistState } from "../state/checklist-state.js";
import {
  pendingPushers,
  pushUnknownAt,
  readDecisionRecords,
  type DecisionRecords,
  type OverrideGuard,
} from "../state/decision-record.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import { repoOf, type EvaluationDeps } from "./deps.js";
import { factsOf } from "./facts.js";
import type { Gathered } from "./gather.js";
import { lookUp } from "./lookups.js";
import { settleOverride } from "./override.js";

export type Judgement = PolicyErrorJudgement | DecisionJudgement;

export interface PolicyErrorJudgement {
  kind: "policy_error";
  problems: PolicyProblem[];
  source: PolicySource;
  /** What the failing record keeps to guard overrides (the counter never goes down). */
  guard: Required<OverrideGuard>;
  /** Who pushed, not yet kept in the signed state: the failing record keeps them for the next evaluation. */
  pushers: string[];
  /** Who pushed the head is unknown: the failing record says so again (pushUnknownAt). */
  pushUnknown: boolean;
}

export interface DecisionJudgement {
  kind: "decision";
  policy: Policy;
  policies: PoliciesInForce;
  facts: PullRequestFacts;
  /** The decision before an override: what the delegation figures measure. */
  judged: Decision;
  /** The decision shown: with an override in force, passing and naming what it bypasses. */
  decision: Decision;
  state: ChecklistState;
  events: OverrideEvent[];
  /** Who counts as approving this head (review requests skip them; the decision record names them). */
  approvers: string[];
  /** The decision records on the head's run, as read. */
  runRecords: DecisionRecords;
  /** When it was judged (ISO time). */
  at: string;
  /** What the record keeps to guard overrides: the counter seen, this head's first evaluation. */
  guard: Required<OverrideGuard>;
  /** Who pushed the head is unknown: the record says so again (pushUnknownAt). */
  pushUnknown: boolean;
}

/** What the event brings to the judgement: a command or a checklist edit (the other PRs on a head: neither). */
export type JudgeInput = Pick<Trigger, "overrideCommands" | "tickEdit" | "pusher"> & {
  now: string;
  /** When the event that brought the head happened (a push, open, reopen, retarget): the head's stint starts again. */
  headEventAt?: string;
  /** The event is the one that brought the head (its push, or the PR opened on it): bringsHead(trigger). */
  bringsHead?: boolean;
  /** Why who pushed cannot be known this time (set by `judge`). */
  pushersUnknown?: string;
};

/**
 * The events that bring a head and say who pushed it. Not `reopened`: a push while the PR was
 * closed has no `synchronize`, and the reopener need not be its pusher.
 */
const HEAD_EVENTS = new Set(["pull_request.synchronize", "pull_request.opened"]);
/**
 * Whether the event is the one that brought `head`: a push or an open whose head it is (its own,
 * or one of the pushes joined into this evaluation: a push handled after the head moved on did
 * not bring the newer head).
 */
export const bringsHead = (
  trigger: Pick<Trigger, "event" | "pushedHeads">,
  target: Pick<PullRequestTarget, "headSha">,
  head: string,
): boolean =>
  HEAD_EVENTS.has(trigger.event) &&
  (trigger.pushedHeads ?? (target.headSha ? [target.headSha] : [])).some((h) => h.toLowerCase() === head.toLowerCase());

/**
 * Who pushed a head is known from its push event: an evaluation at a head for another event (a
 * review delivered or queued before the push) cannot know it, when no evaluation of that event
 * wrote this PR's record on the head's run (pushUnknownAt: records written before it say so).
 */
const PUSH_NOT_HANDLED =
  "the push that brought this commit has not been handled yet, so who pushed it is unknown (a pull request opened before Guardrails was installed learns it at its next push)";

export async function judge(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  gathered: Gathered,
  input: JudgeInput,
): Promise<Judgement> {
  const { resolved, snapshot } = gathered;
  const key = { owner: target.owner, repo: target.repo, number: target.number };
  const runRecords = readDecisionRecords(snapshot.checkRun?.text);
  const record = runRecords[String(target.number)];
  const previousHeadRecord = readDecisionRecords(snapshot.previousHeadRunText)[String(target.number)];
  // A push by someone else joins the pushers the comment's state keeps (written with the comment),
  // with those the runs' records carry (the app alone writes them: a deleted comment loses none).
  const pushers = pendingPushers([input.pusher], record?.pushers, previousHeadRecord?.pushers);
  const decoded = decodeState(deps.stateSecret, key, snapshot.comment?.body ?? input.tickEdit?.previousBody);
  const overflow = record?.pushersOverflow === true || previousHeadRecord?.pushersOverflow === true;
  const signed = withPushers(
    overflow ? { ...decoded, pushersOverflow: true } : decoded,
    pushers,
    snapshot.author.login,
  );
  const guardInput = {
    snapshot,
    record,
    previousHeadRecord,
    stateSeq: overrideSeq(signed),
    ...(input.headEventAt !== undefined ? { headEventAt: input.headEventAt } : {}),
    now: input.now,
  };
  const guard = overrideGuard(guardInput);
  const pushUnknown = pushUnknownAt(record, input.bringsHead === true);
  // A policy that does not load decides nothing: the repository's, or the organisation's when it
  // may be a floor (unknown whether it enforces: fail closed).
  if (!resolved.result.ok)
    return {
      kind: "policy_error",
      problems: resolved.result.problems,
      source: resolved.source,
      guard,
      pushers,
      pushUnknown,
    };
  if (resolved.floor && !resolved.floor.result.ok)
    return {
      kind: "policy_error",
      problems: resolved.floor.result.problems,
      source: resolved.floor.source,
      guard,
      pushers,
      pushUnknown,
    };
  const policy = resolved.result.policy;
  const policies: PoliciesInForce = {
    repository: policy,
    ...(resolved.floor?.result.ok ? { floor: resolved.floor.result.policy } : {}),
  };
  const { facts, decision, state } = await decideWithLookups(deps, target, gathered, policies, signed, {
    ...input,
    ...(pushUnknown ? { pushersUnknown: PUSH_NOT_HANDLED } : {}),
  });
  const settled = await settleOverride(deps.github, {
    repo: repoOf(target),
    number: target.number,
    snapshot,
    state,
    guards: overrideGuards(guardInput),
    policies: policiesInForce(policy, policies.floor),
    ...(input.overrideCommands ? { commands: input.overrideCommands } : {}),
    now: input.now,
  });
  return {
    kind: "decision",
    policy,
    policies,
    facts,
    judged: decision,
    decision: applyOverride(decision, settled.state.override, snapshot.headSha),
    state: settled.state,
    events: settled.events,
    approvers: summarizeReviews(facts, policy.approvals.stale, policy.approvals.ignore_contributors).approvers,
    runRecords,
    at: input.now,
    guard: { ...guard, seq: Math.max(guard.seq, overrideSeq(settled.state)) },
    pushUnknown,
  };
}

/** The decision, decided again once the facts it depends on are looked up (only when it does). */
async function decideWithLookups(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  gathered: Gathered,
  policies: PoliciesInForce,
  signed: ChecklistState,
  input: JudgeInput,
): Promise<{ facts: PullRequestFacts; decision: Decision; state: ChecklistState }> {
  const { snapshot } = gathered;
  const facts = factsOf(gathered, signed, input.pushersUnknown);
  const decision = decide(policies, facts);
  // Only an edit of the comment the app itself wrote on this PR can tick anything.
  const edit =
    input.tickEdit && snapshot.comment?.id === input.tickEdit.commentId
      ? applyEdit(signed, input.tickEdit.editedBody, decision.checklist, input.tickEdit.editor, input.tickEdit.at)
      : undefined;
  const lookups = lookupsNeeded(policies.repository, facts, decision, {
    ownerIsOrganization: snapshot.ownerIsOrganization,
    repositoryOwner: target.owner,
    labelAppliedBy: snapshot.labelAppliedBy,
    ...(edit?.changed ? { tickEditor: input.tickEdit!.editor } : {}),
  });
  if (nothingToLookUp(lookups)) return { facts, decision, state: signed };
  const found = await lookUp(deps.github, repoOf(target), lookups, facts.labels);
  const state = edit?.changed && found.editorMayTick ? edit.state : signed;
  const looked = {
    ...factsOf(gathered, state, input.pushersUnknown),
    labels: found.labels,
    teamMembers: found.teamMembers,
  };
  return { facts: looked, decision: decide(policies, looked), state };
}
