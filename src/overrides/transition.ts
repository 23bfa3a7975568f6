/**
 * How the break-glass record in the signed state moves, one evaluation at a time. Pure: the state,
 * the head, the command (if this evaluation handles one) and its authorization in; the next state
 * and the audit events out.
 *
 * - A new head commit ends an override (it approved another diff), and so does a new base (a
 *   retarget brings another diff) or a head that left and came back (the head's current stint began
 *   after the grant: a pasted state can never bring an ended override back).
 * - A policy that no longer allows its author ends it.
 * - A command is applied once: a comment id not above the newest one applied is ignored (a
 *   redelivery, or an older command handled late). A withdrawal is the exception: by an allowed
 *   person it always applies to an override given before it (a refusal handled first cannot hide it).
 * - A grant lands only on the head and base the person saw: Guardrails had evaluated this PR at
 *   the current head before the command was written, the base did not change since, and the head
 *   did not change after that evaluation (a force-push since can have rewound and fast-forwarded
 *   back, the synchronize not handled yet): then which head the person saw is unknown, and only a
 *   command naming the commit (`/guardrails override abc1234 <reason>`) is granted.
 * - Every change of the override counts up `seq`, kept in the signed state and in the head's check
 *   run: a state older than the run's (a writer pasting an earlier comment back) is not trusted.
 * - A refusal changes nothing but the note the sticky comment shows, and is shown at most once per
 *   person and head (MAX_REFUSED_SHOWN people a head): a repeated or different refusal of someone
 *   already refused on this head writes nothing (the log and the metric still count it), so an
 *   outsider's comments cost no writes.
 */
import {
  authorizeOverride,
  overrideNoLongerAllowed,
  type Authorization,
  type PolicyInForce,
} from "../engine/override.js";
import type { OverrideRecord } from "../engine/types.js";
import {
  MAX_REFUSED_SHOWN,
  type ChecklistState,
  type EndedOverrideRecord,
  type OverrideRefusalRecord,
} from "../state/checklist-state.js";
import type { OverrideCommand } from "./command.js";

export interface CommandInput {
  command: OverrideCommand;
  by: string;
  isBot: boolean;
  commentId: number;
  /** When the comment was created. */
  at: string;
  /** The GitHub App the comment was posted through on the person's behalf, if any. */
  viaApp?: string;
}

export interface TransitionInput {
  headSha: string;
  /** The PR's base branch now. */
  baseBranch: string;
  /** When the PR's base last changed (retarget or base force-push, the timeline), if ever. */
  baseChangedAt?: string | null;
  author: string;
  policies: readonly PolicyInForce[];
  now: string;
  command?: CommandInput;
  /** Who asked, as looked up (permission, teams); absent when no command or no lookup was needed. */
  authorization?: Authorization;
  /**
   * When Guardrails first evaluated this PR at the current head in its current stint (its decision
   * record on the head's run, started again by an event that brings the head back).
   */
  headEvaluatedSince?: string | null;
  /** When the PR's head branch was last force-pushed (the timeline), if ever. */
  headForcePushedAt?: string | null;
  /** The override `seq` the head's check run records for this PR. */
  runOverrideSeq?: number;
  /**
   * Comments written since the override in force was given could not all be read (more than the
   * snapshot's last 100): a withdrawal among them would be lost, so the override ends.
   */
  withdrawalsUnseen?: boolean;
  /**
   * More people wrote `/guardrails override off` since it was given than one evaluation looks up:
   * an allowed one among those not looked up would be lost, so the override ends.
   */
  withdrawalsNotLookedUp?: number;
  /**
   * The override's author judged again now (permission, team membership): someone who lost write
   * access or left the team it was given through no longer holds it open.
   */
  overriderNow?: Authorization;
}

export type OverrideEvent =
  | { kind: "override"; record: OverrideRecord }
  | { kind: "override_refused"; refusal: OverrideRefusalRecord }
  | { kind: "override_withdrawn"; record: EndedOverrideRecord }
  | { kind: "override_ended"; record: EndedOverrideRecord };

/** The override `seq` of a state (0: never changed). */
export function overrideSeq(state: ChecklistState): number {
  return state.seq ?? 0;
}

export function nextOverrideState(
  state: ChecklistState,
  input: TransitionInput,
): { state: ChecklistState; events: OverrideEvent[] } {
  const events: OverrideEvent[] = [];
  const runSeq = input.runOverrideSeq ?? 0;
  let next: ChecklistState = { ...state };
  // Each change counts up from the higher of the two records (a state whose block was deleted still moves on).
  const bump = (s: ChecklistState): ChecklistState => ({ ...s, seq: Math.max(overrideSeq(s), runSeq) + 1 });

  // A state older than what the app last wrote on this head (someone pasted an earlier one back).
  if (next.override && overrideSeq(next) < runSeq) delete next.override;

  // What ends an override in force (endingOf): a new head or base, a policy or access that no longer allows it.
  if (next.override) {
    const ending = endingOf(next.override, input);
    if (ending) {
      const ended: EndedOverrideRecord = { ...next.override, ...ending, endedAt: input.now };
      next = bump({ ...withoutOverride(next), ended });
      events.push({ kind: "override_ended", record: ended });
    }
  }
  // A refusal is shown while its head is the head.
  if (next.refused && next.refused.head !== input.headSha) delete next.refused;
  if (next.refusedOn && next.refusedOn.head !== input.headSha) delete next.refusedOn;

  const command = input.command;
  if (!command || !applies(command, next)) return { state: next, events };
  const beforeCommand = next;
  next = { ...next, lastCommand: Math.max(command.commentId, next.lastCommand ?? 0) };

  const refuse = (code: string, message: string) => {
    const refusal: OverrideRefusalRecord = {
      ...{ by: command.by, at: command.at, head: input.headSha },
      ...{ code, message, commentId: command.commentId },
    };
    events.push({ kind: "override_refused", refusal });
    return { state: withRefusal(beforeCommand, next, refusal), events };
  };
  if (command.viaApp !== undefined) {
    return refuse(
      "via_app",
      `the command was posted through the app ${command.viaApp}, acting for @${command.by}; an override must be written by the person themselves`,
    );
  }
  const authorization =
    input.authorization ??
    authorizeOverride(input.policies, { login: command.by, isBot: command.isBot, teams: [] }, input.author);
  if (!authorization.ok) return refuse(authorization.refusal.code, authorization.refusal.message);
  if (command.command.kind === "no_reason")
    return refuse(
      "no_reason",
      "a reason is required: `/guardrails override <reason>` (it is recorded and shown in the check)",
    );
  // Withdrawing is safe whenever it comes; granting is not, on a commit or base the person never saw.
  if (command.command.kind === "grant") {
    const unseen = unseenHead(command, command.command.commit, input);
    if (unseen) return refuse(unseen.code, unseen.message);
  }
  if (command.command.kind === "withdraw") {
    if (!next.override) return refuse("nothing_to_withdraw", "there is no override in force to withdraw");
    const ended: EndedOverrideRecord = {
      ...next.override,
      how: "withdrawn",
      endedAt: command.at,
      endedBy: command.by,
      endedByComment: command.commentId,
    };
    const withdrawn: ChecklistState = bump({ ...withoutOverride(next), ended });
    delete withdrawn.refused;
    events.push({ kind: "override_withdrawn", record: ended });
    return { state: withdrawn, events };
  }
  const record: OverrideRecord = {
    by: command.by,
    at: command.at,
    reason: command.command.reason,
    head: input.headSha,
    base: input.baseBranch,
    via: authorization.via,
    commentId: command.commentId,
  };
  const granted: ChecklistState = bump({ ...next, override: record });
  delete granted.refused;
  delete granted.ended;
  events.push({ kind: "override", record });
  return { state: granted, events };
}

/**
 * The state showing a refusal, unless this person was refused on this head already (or enough
 * people were): then the state before the command, and nothing is written again.
 */
function withRefusal(before: ChecklistState, next: ChecklistState, refusal: OverrideRefusalRecord): ChecklistState {
  const shownFor = before.refusedOn?.by ?? (before.refused ? [before.refused.by.toLowerCase()] : []);
  const login = refusal.by.toLowerCase();
  if (shownFor.includes(login) || shownFor.length >= MAX_REFUSED_SHOWN) return before;
  return { ...next, refused: refusal, refusedOn: { head: refusal.head, by: [...shownFor, login] } };
}

/** What ends an override in force, first reason first (undefined: it holds). */
function endingOf(
  held: OverrideRecord,
  input: TransitionInput,
): { how: EndedOverrideRecord["how"]; note: string } | undefined {
  if (held.head !== input.headSha) return { how: "new_head", note: `the head moved to ${input.headSha.slice(0, 7)}` };
  if (!before(input.headEvaluatedSince, held.at, true))
    return { how: "new_head", note: `the head left ${input.headSha.slice(0, 7)} and came back` };
  if (retargeted(held, input)) return { how: "retargeted", note: `the base changed to ${input.baseBranch}` };
  if (input.withdrawalsUnseen)
    return {
      how: "withdrawal_unknown",
      note: "more than 100 comments were written since it was given, so Guardrails cannot tell whether one withdrew it; give it again if it should hold",
    };
  if (input.withdrawalsNotLookedUp)
    return {
      how: "withdrawal_unknown",
      note: `${input.withdrawalsNotLookedUp} more people wrote \`/guardrails override off\` since it was given than Guardrails looks up at once, so it cannot tell whether one of them withdrew it; give it again if it should hold`,
    };
  const lostAccess = input.overriderNow && !input.overriderNow.ok ? input.overriderNow.refusal.message : undefined;
  const notAllowed = overrideNoLongerAllowed(held, input.policies, input.author) ?? lostAccess;
  return notAllowed ? { how: "no_longer_allowed", note: notAllowed } : undefined;
}

/** `a` strictly before `b` (or at the same time, when `orSame`); an unknown time is never before (fail closed). */
function before(a: string | null | undefined, b: string, orSame = false): boolean {
  const x = Date.parse(a ?? "");
  const y = Date.parse(b);
  return orSame ? x <= y : x < y;
}

/** The base is not the one the override was given on, or it changed since (even back to the same name). */
function retargeted(held: OverrideRecord, input: TransitionInput): boolean {
  if (held.base !== undefined && held.base !== input.baseBranch) return true;
  return input.baseChangedAt != null && !before(input.baseChangedAt, held.at);
}

/**
 * A command applies once, in order; a withdrawal applies whenever it comes, to an override given
 * before it (a refused command handled first must not hide an allowed person's `off`).
 */
function applies(command: CommandInput, state: ChecklistState): boolean {
  if (command.commentId > (state.lastCommand ?? 0)) return true;
  const held = state.override;
  return (
    command.command.kind === "withdraw" &&
    held !== undefined &&
    (held.commentId === undefined || held.commentId < command.commentId)
  );
}

/**
 * Why a grant cannot be bound to what its writer saw, if it cannot. Same second or unknown times:
 * the order is unknown, so refused (fail closed).
 */
function unseenHead(
  command: CommandInput,
  named: string | undefined,
  input: TransitionInput,
): { code: string; message: string } | undefined {
  const short = input.headSha.slice(0, 7);
  const repeat = `\`/guardrails override ${short} <reason>\``;
  if (named !== undefined && !input.headSha.toLowerCase().startsWith(named))
    return {
      code: "other_commit",
      message: `the command names commit ${named.slice(0, 12)}, but the pull request's head is ${short}; write ${repeat} if it should apply to this commit`,
    };
  if (input.baseChangedAt != null && !before(input.baseChangedAt, command.at))
    return {
      code: "base_moved",
      message: `the pull request's base changed (it is now ${input.baseBranch}) after the command was written; write ${repeat} again if it should apply`,
    };
  if (!before(input.headEvaluatedSince, command.at, true))
    return {
      code: "head_moved",
      message: `the pull request's head is now ${short}, which was not its head (as Guardrails evaluated it) when the command was written; write ${repeat} if it should apply to this commit`,
    };
  // The head's first evaluation predates a force-push: the head was something else since, and came
  // back by a push not handled yet (the fast-forward race). Only the person can say what they saw.
  if (
    named === undefined &&
    input.headForcePushedAt != null &&
    !before(input.headForcePushedAt, input.headEvaluatedSince!)
  )
    return {
      code: "head_uncertain",
      message: `the pull request's head changed around the time the command was written, so Guardrails cannot tell which commit it was about; to override the head ${short}, repeat it naming the commit: ${repeat}`,
    };
  return undefined;
}

function withoutOverride(state: ChecklistState): ChecklistState {
  const { override: _, ...rest } = state;
  return rest;
}
