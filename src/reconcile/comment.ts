/**
 * The sticky comment: the body the decision wants against the one GitHub shows. No comment on a
 * PR that needs no checklist and has no override (or, with `approvals.ignore_contributors`, no
 * pusher) to record; an existing one then says that no
 * checklist is needed any more (the comment stays, so its history is readable).
 */
import type { Decision } from "../engine/types.js";
import { overrideCommentLines } from "../overrides/render.js";
import { renderChecklistComment, renderNoChecklistComment } from "../render/checklist-comment.js";
import type { ChecklistState, PullRequestKey } from "../state/checklist-state.js";

export interface ObservedComment {
  id: number;
  body: string;
}

export type CommentWrite = { kind: "create"; body: string } | { kind: "update"; commentId: number; body: string };

export function planComment(
  decision: Decision,
  state: ChecklistState,
  observed: ObservedComment | null,
  signing: { secret: string; pr: PullRequestKey },
  keepPushers = false,
): CommentWrite | undefined {
  const body = desiredBody(decision, state, observed, signing, keepPushers);
  if (body === undefined || observed?.body === body) return undefined;
  return observed ? { kind: "update", commentId: observed.id, body } : { kind: "create", body };
}

function desiredBody(
  decision: Decision,
  state: ChecklistState,
  observed: ObservedComment | null,
  { secret, pr }: { secret: string; pr: PullRequestKey },
  keepPushers: boolean,
): string | undefined {
  // The break-glass section: the override in force, or what happened to the last command.
  const overrideLines = overrideCommentLines(state);
  if (decision.checklist.length === 0) {
    // Pushers are worth a new comment only where a policy discounts contributors' approvals.
    const pushersToKeep = keepPushers && (state.pushers?.length || state.pushersOverflow);
    if (!observed && overrideLines.length === 0 && !pushersToKeep) return undefined;
    return renderNoChecklistComment(secret, pr, state, overrideLines, observed !== null);
  }
  const organizationItems = decision.requirements
    .filter((r) => r.kind === "checklist" && r.policy === "organization")
    .flatMap((r) => (r.items ?? []).map((i) => i.item));
  return renderChecklistComment(secret, pr, {
    tierLabel: `${decision.tier} risk`,
    items: decision.checklist,
    state,
    organizationItems,
    overrideLines,
  });
}
