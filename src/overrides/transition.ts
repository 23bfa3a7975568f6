/**
 * How the break-glass record in the signed state moves, one evaluation at a time. Pure: the state,
 * the head, the command (if this evaluation handles one) and its authorization in; the next state
 * and the audit events out.
 *
 * - A new head commit ends an override (it approved another diff).
 * - A policy that no longer allows its author ends it.
 * - A command is applied once: a comment id not above the newest one applied is ignored (a
 *   redelivery, or an older command handled late).
 * - A grant lands only on a head the person could have seen: Guardrails had evaluated this PR at
 *   the current head before the command was written, and the head was not force-pushed since
 *   (a force-push can bring back a head evaluated long ago). Otherwise it is refused.
 * - Every change of the override counts up `seq`, kept in the signed state and in the head's check
 *   run: a state older than the run's (a writer pasting an earlier comment back) is not trusted.
 * - A refusal changes nothing but the note the sticky comment shows.
 */
import {
  authorizeOverride,
  overrideNoLongerAllowed,
  type Authorization,
  type PolicyInForce,
} from "../engine/override.js";
import type { OverrideRecord } from "../engine/types.js";
import type { ChecklistState, EndedOverrideRecord, OverrideRefusalRecord } from "../state/checklist-state.js";
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
  author: string;
  policies: readonly PolicyInForce[];
  now: string;
  command?: CommandInput;
  /** Who asked, as looked up (permission, teams); absent when no command or no lookup was needed. */
  authorization?: Authorization;
  /** When Guardrails first evaluated this PR at the current head (its decision record on the head's run). */
  headEvaluatedSince?: string | null;
  /** When the PR's head branch was last force-pushed (the timeline), if ever. */
  headForcePushedAt?: string | null;
  /** The override `seq` the head's check run records for this PR. */
  runOverrideSeq?: number;
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
  // Each change counts up from the higher of the two records, so a state that lost its block
  // (a writer deleted it) still moves past what the run says.
  const bump = (s: ChecklistState): ChecklistState => ({ ...s, seq: Math.max(overrideSeq(s), runSeq) + 1 });

  // A state older than what the app last wrote on this head (someone pasted an earlier one back).
  if (next.override && overrideSeq(next) < runSeq) delete next.override;

  // What ends an override in force, first reason first: a new head, a policy that no longer
  // allows its author, or its author's access or team membership as GitHub says now.
  if (next.override) {
    const held = next.override;
    const lostAccess = input.overriderNow && !input.overriderNow.ok ? input.overriderNow.refusal.message : undefined;
    const notAllowed = overrideNoLongerAllowed(held, input.policies, input.author) ?? lostAccess;
    const ending =
      held.head !== input.headSha
        ? { how: "new_head" as const, note: `the head moved to ${input.headSha.slice(0, 7)}` }
        : notAllowed
          ? { how: "no_longer_allowed" as const, note: notAllowed }
          : undefined;
    if (ending) {
      const ended: EndedOverrideRecord = { ...held, ...ending, endedAt: input.now };
      next = bump({ ...withoutOverride(next), ended });
      events.push({ kind: "override_ended", record: ended });
    }
  }
  // A refusal is shown while its head is the head.
  if (next.refused && next.refused.head !== input.headSha) delete next.refused;

  const command = input.command;
  if (!command || command.commentId <= (next.lastCommand ?? 0)) return { state: next, events };
  const beforeCommand = next;
  next = { ...next, lastCommand: command.commentId };

  const refuse = (code: string, message: string) => {
    const refusal: OverrideRefusalRecord = {
      by: command.by,
      at: command.at,
      head: input.headSha,
      code,
      message,
      commentId: command.commentId,
    };
    events.push({ kind: "override_refused", refusal });
    // The same person refused for the same reason on the same head: the comment already says so,
    // so nothing is written again (anyone can comment, as often as they like).
    const shown = next.refused;
    if (
      shown &&
      shown.by.toLowerCase() === command.by.toLowerCase() &&
      shown.code === code &&
      shown.head === input.headSha
    )
      return { state: beforeCommand, events };
    return { state: { ...next, refused: refusal }, events };
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
  // Withdrawing is safe whenever it comes; granting is not, on a commit the person never saw.
  if (command.command.kind === "grant") {
    const written = Date.parse(command.at);
    const seen = Date.parse(input.headEvaluatedSince ?? "");
    const forcePushed = Date.parse(input.headForcePushedAt ?? "");
    // Same second or unknown times: the order is unknown, so refused (fail closed).
    if (!(seen <= written) || (input.headForcePushedAt != null && !(forcePushed < written))) {
      return refuse(
        "head_moved",
        `the pull request's head is now ${input.headSha.slice(0, 7)}, which was not its head when the command was written; write it again if it should apply to this commit`,
      );
    }
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
    via: authorization.via,
    commentId: command.commentId,
  };
  const granted: ChecklistState = bump({ ...next, override: record });
  delete granted.refused;
  delete granted.ended;
  events.push({ kind: "override", record });
  return { state: granted, events };
}

function withoutOverride(state: ChecklistState): ChecklistState {
  const { override: _, ...rest } = state;
  return rest;
}
