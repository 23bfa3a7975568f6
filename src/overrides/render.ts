/**
 * What people see of break glass: the check's title and summary while an override is in force,
 * and the section of the sticky comment that says what happened to the last command. Pure.
 * The reason is the commenter's text: shown in a code span (no links, no mentions that ping).
 */
import type { AppliedOverride } from "../engine/types.js";
import type { ChecklistState } from "../state/checklist-state.js";
import { codeSpan, flattenLine } from "../markdown.js";

/** The exact command for a head, as people should write it (it names the commit, so it binds to what they saw). */
export function overrideCommandFor(head: string, reason = "<reason>"): string {
  return `/guardrails override ${head.slice(0, 7)} ${reason}`;
}

export function overrideTitle(override: AppliedOverride): string {
  return `Overridden by @${override.by}: ${override.reason}`;
}

export function overrideSummaryLines(override: AppliedOverride): string[] {
  const bypassed = override.bypassed;
  return [
    `**Overridden** by @${override.by} at ${override.at} for commit \`${override.head.slice(0, 7)}\`${override.base !== undefined ? ` into ${codeSpan(override.base)}` : ""}: ${codeSpan(override.reason)}.`,
    "",
    `The command, as it binds: ${codeSpan(overrideCommandFor(override.head, override.reason))}.`,
    "",
    bypassed.length === 0
      ? "It bypasses nothing: every requirement is met."
      : `It bypasses ${bypassed.length} unmet requirement${bypassed.length === 1 ? "" : "s"}:`,
    ...bypassed.map(
      (r) => `- ${r.kind}${r.policy === "organization" ? " (organisation policy)" : ""}: ${flattenLine(r.message)}`,
    ),
    "",
    "The check passes for this commit and base only: a push or a retarget ends the override, `/guardrails override off` withdraws it. What the policy asks is below.",
    "",
  ];
}

/** The comment's break-glass section (empty when there is nothing to say). */
export function overrideCommentLines(state: ChecklistState): string[] {
  const lines: string[] = [];
  if (state.override) {
    const o = state.override;
    lines.push(
      `**Override in force** on commit \`${o.head.slice(0, 7)}\`${o.base !== undefined ? ` into ${codeSpan(o.base)}` : ""}: given by @${o.by} at ${o.at}, as ${codeSpan(overrideCommandFor(o.head, o.reason))}. A push or a retarget ends it; \`/guardrails override off\` withdraws it.`,
    );
  } else if (state.ended) {
    const e = state.ended;
    const how =
      e.how === "withdrawn"
        ? `withdrawn by @${e.endedBy ?? "someone"} at ${e.endedAt}`
        : e.how === "new_head" || e.how === "retargeted"
          ? `ended at ${e.endedAt}: ${e.note ?? (e.how === "new_head" ? "a new commit was pushed" : "the base changed")}`
          : `ended at ${e.endedAt}: ${e.note ?? "the policy no longer allows it"}`;
    lines.push(`The override by @${e.by} (reason ${codeSpan(e.reason)}, commit \`${e.head.slice(0, 7)}\`) was ${how}.`);
  }
  if (state.refused) {
    const r = state.refused;
    lines.push(
      `**Override refused**: the command of @${r.by} at ${r.at} changed nothing: ${flattenLine(r.message)}. Each person's first refused command on a commit is shown here; later ones are only logged.`,
    );
  }
  return lines;
}
