/**
 * How the break-glass record in the signed state moves, one evaluation at a time. Pure: the state,
 * the head, the command (if this evaluation handles one) and its authorization in; the next state
 * and the audit events out.
 *
 * - A new head commit ends an override (it approved another diff).
 * - A policy that no longer allows its author ends it.
 * - A command is applied once: a comment id not above the newest one applied is ignored (a
 *   redelivery, or an older command handled late).
 * - A command written before Guardrails' run on the current head started was written about an
 *   earlier head: refused, so nobody's override lands on a commit they never saw.
 * - A refusal changes nothing but the note the sticky comment shows.
 */
import { authorizeOverride, overrideNoLongerAllowed, type Authorization, type PolicyInForce } from "../engine/override.js";
import type { OverrideRecord } from "../engine/types.js";
import type { ChecklistState, EndedOverrideRecord, OverrideRefusalRecord } from "../github/checklist-comment.js";
import type { OverrideCommand } from "./command.js";

export interface CommandInput {
  command: OverrideCommand;
  by: string;
  isBot: boolean;
  commentId: number;
  /** When the comment was created. */
  at: string;
}

export interface TransitionInput {
  headSha: string;
  author: string;
  policies: readonly PolicyInForce[];
  now: string;
  command?: CommandInput;
  /** Who asked, as looked up (permission, teams); absent when no command or no lookup was needed. */
  authorization?: Authorization;
  /** When the app's run on the head started (a command written before it is about an older head). */
  headRunStartedAt?: string | null;
  /**
   * The newest override change (grant or withdrawal comment id) the app's run on this head
   * records: a signed state older than that (pasted back into the comment) is not trusted.
   */
  runOverrideSeq?: number;
}

export type OverrideEvent =
  | { kind: "override"; record: OverrideRecord }
  | { kind: "override_refused"; refusal: OverrideRefusalRecord }
  | { kind: "override_withdrawn"; record: EndedOverrideRecord }
  | { kind: "override_ended"; record: EndedOverrideRecord };

/** The comment id of the newest grant or withdrawal the state records (0: none). */
export function overrideSeq(state: ChecklistState): number {
  return Math.max(state.override?.commentId ?? 0, state.ended?.how === "withdrawn" ? (state.ended.endedByComment ?? 0) : 0);
}

export function nextOverrideState(state: ChecklistState, input: TransitionInput): { state: ChecklistState; events: OverrideEvent[] } {
  const events: OverrideEvent[] = [];
  let next: ChecklistState = { ...state };

  // A state older than what the app last wrote on this head (someone pasted an earlier one back).
  if (next.override && overrideSeq(next) < (input.runOverrideSeq ?? 0)) delete next.override;

  if (next.override && next.override.head !== input.headSha) {
    const ended: EndedOverrideRecord = { ...next.override, how: "new_head", endedAt: input.now, note: `the head moved to ${input.headSha.slice(0, 7)}` };
    next = { ...withoutOverride(next), ended };
    events.push({ kind: "override_ended", record: ended });
  }
  if (next.override) {
    const why = overrideNoLongerAllowed(next.override, input.policies, input.author);
    if (why) {
      const ended: EndedOverrideRecord = { ...next.override, how: "no_longer_allowed", endedAt: input.now, note: why };
      next = { ...withoutOverride(next), ended };
      events.push({ kind: "override_ended", record: ended });
    }
  }
  // A refusal is shown while its head is the head.
  if (next.refused && next.refused.head !== input.headSha) delete next.refused;

  const command = input.command;
  const applied = Math.max(next.lastCommand ?? 0, input.runOverrideSeq ?? 0);
  if (!command || command.commentId <= applied) return { state: next, events };
  next.lastCommand = command.commentId;

  const refuse = (code: string, message: string) => {
    const refusal: OverrideRefusalRecord = { by: command.by, at: command.at, head: input.headSha, code, message, commentId: command.commentId };
    events.push({ kind: "override_refused", refusal });
    return { state: { ...next, refused: refusal }, events };
  };
  const authorization = input.authorization ?? authorizeOverride(input.policies, { login: command.by, isBot: command.isBot, teams: [] }, input.author);
  if (!authorization.ok) return refuse(authorization.refusal.code, authorization.refusal.message);
  if (command.command.kind === "no_reason") return refuse("no_reason", "a reason is required: `/guardrails override <reason>` (it is recorded and shown in the check)");
  // Withdrawing is safe whenever it comes; granting is not, on a commit the person never saw.
  const startedAt = Date.parse(input.headRunStartedAt ?? "");
  if (command.command.kind === "grant" && !(startedAt <= Date.parse(command.at))) {
    return refuse("head_moved", `the pull request's head is now ${input.headSha.slice(0, 7)}, which Guardrails had not evaluated when the command was written; write it again if it should apply to this commit`);
  }
  if (command.command.kind === "withdraw") {
    if (!next.override) return refuse("nothing_to_withdraw", "there is no override in force to withdraw");
    const ended: EndedOverrideRecord = { ...next.override, how: "withdrawn", endedAt: command.at, endedBy: command.by, endedByComment: command.commentId };
    const withdrawn: ChecklistState = { ...withoutOverride(next), ended };
    delete withdrawn.refused;
    events.push({ kind: "override_withdrawn", record: ended });
    return { state: withdrawn, events };
  }
  const record: OverrideRecord = { by: command.by, at: command.at, reason: command.command.reason, head: input.headSha, via: authorization.via, commentId: command.commentId };
  const granted: ChecklistState = { ...next, override: record };
  delete granted.refused;
  delete granted.ended;
  events.push({ kind: "override", record });
  return { state: granted, events };
}

function withoutOverride(state: ChecklistState): ChecklistState {
  const { override: _, ...rest } = state;
  return rest;
}
