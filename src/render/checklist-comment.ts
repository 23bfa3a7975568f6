/**
 * The sticky comment's body: the checklist as a task list with who ticked what, the break-glass
 * section, and the signed state (src/state/checklist-state.ts) at the end. Pure.
 */
import { flattenLine, neutraliseMentions } from "../markdown.js";
import {
  COMMENT_MARKER,
  encodeState,
  tickOf,
  type ChecklistState,
  type PullRequestKey,
} from "../state/checklist-state.js";

export interface ChecklistCommentInput {
  tierLabel: string;
  items: readonly string[];
  state: ChecklistState;
  /** Items the enforced organisation policy asks for (said above the list, which stays plain). */
  organizationItems?: readonly string[];
  /** The break-glass section (src/overrides/render.ts), shown above the list. */
  overrideLines?: readonly string[];
}

/** The comment body: marker, task list with who ticked what, and the signed state. */
export function renderChecklistComment(secret: string, pr: PullRequestKey, input: ChecklistCommentInput): string {
  const lines = [
    COMMENT_MARKER,
    `### Guardrails checklist · ${input.tierLabel}`,
    "",
    "Tick each item once it is true; Guardrails re-evaluates the PR when you do. Only people with write access can tick, and the check records who did.",
    "",
  ];
  if (input.overrideLines?.length) lines.push(...input.overrideLines.flatMap((line) => [line, ""]));
  if (input.organizationItems?.length) {
    lines.push(
      `From the organisation policy (enforced for every repository): ${input.organizationItems.map((item) => `“${flattenLine(item)}”`).join(", ")}. The others come from this repository's policy.`,
      "",
    );
  }
  for (const item of input.items) {
    const record = tickOf(input.state.ticks, item);
    lines.push(`- [${record ? "x" : " "}] ${item}${record ? ` <sub>ticked by @${record.by}</sub>` : ""}`);
  }
  // Every tick stays in the signed state, also of items not required now: when the PR's tier
  // goes down and back up, the item comes back ticked, by whom it was (ticks survive re-renders).
  return withState(lines, encodeState(secret, pr, input.state));
}

/**
 * The visible lines with every mention made inert (an issue comment notifies whoever it mentions,
 * and items, reasons and notes come from a policy or a commenter), then the signed state.
 */
function withState(visible: readonly string[], state: string): string {
  return [...visible.map(neutraliseMentions), "", state].join("\n");
}

/** The body once no checklist is needed any more (the comment stays, so the history is readable). */
export function renderNoChecklistComment(
  secret: string,
  pr: PullRequestKey,
  state: ChecklistState,
  overrideLines: readonly string[] = [],
  hadChecklist = true,
): string {
  if (overrideLines.length === 0) {
    return withState(
      [
        COMMENT_MARKER,
        "### Guardrails checklist",
        "",
        hadChecklist
          ? "No checklist is required for this pull request any more."
          : "This pull request needs no checklist. The app keeps here who pushed to it, whose approvals do not count.",
      ],
      encodeState(secret, pr, state),
    );
  }
  return withState(
    [
      COMMENT_MARKER,
      "### Guardrails",
      "",
      ...overrideLines.flatMap((line) => [line, ""]),
      hadChecklist ? "No checklist is required for this pull request." : "This pull request needs no checklist.",
    ],
    encodeState(secret, pr, state),
  );
}
