/**
 * What people see of break glass: the check's title and summary while an override is in force,
 * and the section of the sticky comment that says what happened to the last command. Pure.
 * The reason is the commenter's text: shown in a code span (no links, no mentions that ping).
 */
import type { AppliedOverride } from "../engine/types.js";
import type { ChecklistState } from "../state/checklist-state.js";
import { codeSpan, flattenLine } from "../markdown.js";

export const OVERRIDE_HELP =
  "`/guardrails override <reason>` (people the policy's `overrides` allows, with write access) makes this check pass for the current commit; a push ends it, `/guardrails override off` withdraws it.";

export function overrideTitle(override: AppliedOverride): string {
  return `Overridden by @${override.by}: ${override.reason}`;
}

export function overrideSummaryLines(override: AppliedOverride): string[] {
  const bypassed = override.bypassed;
  return [
    `**Overridden** by @${override.by} at ${override.at} for commit \`${override.head.slice(0, 7)}\`: ${codeSpan(override.reason)}.`,
    "",
    bypassed.length === 0
      ? "It bypasses nothing: every requirement is met."
      : `It bypasses ${bypassed.length} unmet requirement${bypassed.length === 1 ? "" : "s"}:`,
    ...bypassed.map(
      (r) => `- ${r.kind}${r.policy === "organization" ? " (organisation policy)" : ""}: ${flattenLine(r.message)}`,
    ),
    "",
    "The check passes for this commit only: a push ends the override, `/guardrails override off` withdraws it. What the policy asks is below.",
    "",
  ];
}

/** The comment's break-glass section (empty when there is nothing to say). */
export function overrideCommentLines(state: ChecklistState): string[] {
  const lines: string[] = [];
  if (state.override) {
    const o = state.override;
    lines.push(
      `**Override in force** on commit \`${o.head.slice(0, 7)}\`: given by @${o.by} at ${o.at}, reason ${codeSpan(o.reason)}. A push ends it; \`/guardrails override off\` withdraws it.`,
    );
  } else if (state.ended) {
    const e = state.ended;
    const how =
      e.how === "withdrawn"
        ? `withdrawn by @${e.endedBy ?? "someone"} at ${e.endedAt}`
        : e.how === "new_head"
          ? `ended at ${e.endedAt}: ${e.note ?? "a new commit was pushed"}`
          : `ended at ${e.endedAt}: ${e.note ?? "the policy no longer allows it"}`;
    lines.push(`The override by @${e.by} (reason ${codeSpan(e.reason)}, commit \`${e.head.slice(0, 7)}\`) was ${how}.`);
  }
  if (state.refused) {
    const r = state.refused;
    lines.push(`**Override refused**: the command of @${r.by} at ${r.at} changed nothing: ${flattenLine(r.message)}.`);
  }
  return lines;
}
