/**
 * What the `guardrails` check run shows: a title a developer understands in ten seconds (the tier
 * and what is missing), a summary of two short tables (why this tier, which requirements), and
 * details (all files, who ticked what, approvals that did not count). Pure: decision in, text out.
 */
import type { Decision, Reason, RequirementResult } from "../engine/types.js";
import type { PolicyProblem } from "../policy/loader.js";
import { describeGroup } from "../engine/requirements.js";
import { POLICY_PATH } from "../policy/schema.js";
import type { ChecklistState } from "../state/checklist-state.js";
import { codeSpan, MAX_OUTPUT_CHARS, neutraliseMentions, plainMarkdown, tableCell, truncate } from "../markdown.js";
import type { PolicySource } from "../policy/source.js";
import { overrideSummaryLines, overrideTitle } from "../overrides/render.js";

export const CHECK_NAME = "guardrails";
export const MAX_ANNOTATIONS_PER_REQUEST = 50;

export const REEVALUATE_ACTION = {
  label: "Re-evaluate",
  description: "Run the Guardrails evaluation again",
  identifier: "reevaluate",
} as const;

export type { PolicySource };

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "failure" | "warning" | "notice";
  title?: string;
  message: string;
}

export interface CheckOutput {
  /** The PRs the run speaks for (its external id), when one commit is the head of several. */
  coveredPullRequests?: number[];
  conclusion: "success" | "failure";
  title: string;
  summary: string;
  text: string;
  annotations: Annotation[];
}

const TIER_NAME = { low: "Low", medium: "Medium", high: "High" } as const;

export function describePolicySource(source: PolicySource): string {
  if (source.kind === "built-in")
    return "the built-in default policy (no `.github/guardrails.yml` in the repository or its owner's `.github` repository)";
  return `\`${source.repository}\` \`${source.path}\` at \`${source.commit?.slice(0, 7)}\`${source.kind === "organization" ? " (organisation default)" : ""}`;
}

export function renderDecision(
  decision: Decision,
  source: PolicySource,
  ticks: ChecklistState,
  floor?: PolicySource,
): CheckOutput {
  const unmet = decision.requirements.filter((r) => !r.met);
  const tierName = `${TIER_NAME[decision.tier]} risk`;
  const title = decision.override ? overrideTitle(decision.override) : checkTitle(decision, tierName);

  const summary = [
    ...(decision.override ? overrideSummaryLines(decision.override) : []),
    ...evaluateModeLines(decision),
    `**${tierName}**: ${decision.reasons.length ? "the tier is the highest of these reasons." : "no changed files."}`,
    "",
    ...reasonTable(decision.reasons),
    "",
    `**Requirements**: ${decision.requirements.length - unmet.length} of ${decision.requirements.length} met.`,
    "",
    "| | Requirement | Status | How to meet it |",
    "|---|---|---|---|",
    ...decision.requirements.map(requirementRow),
    "",
    floor
      ? `Policies: ${describePolicySource(source)}, and in addition the enforced organisation policy ${describePolicySource({ ...floor, kind: "repository" })} (\`enforce: true\`): the tier is the higher of the two, and both sets of requirements apply.`
      : `Policy: ${describePolicySource(source)}.`,
  ].join("\n");

  // Rule descriptions, messages, items and reasons come from a policy or a commenter: inert mentions.
  const text = truncate(neutraliseMentions(detailsText(decision, ticks)), MAX_OUTPUT_CHARS);
  return {
    conclusion: decision.conclusion,
    title: truncate(neutraliseMentions(title), 200),
    summary: truncate(neutraliseMentions(summary), MAX_OUTPUT_CHARS),
    text,
    annotations: proposedPolicyAnnotations(decision),
  };
}

/**
 * The tier and what is missing. In evaluate mode (`mode: evaluate`, a trial) the check passes, so
 * the title starts `Evaluate mode ·` and says what would fail under enforcement.
 */
function checkTitle(decision: Decision, tierName: string): string {
  const blocking = decision.requirements.filter((r) => !r.met && r.mode !== "evaluate");
  const trial = decision.requirements.filter((r) => !r.met && r.mode === "evaluate");
  const trialNote = trial.length ? `would fail: ${trial.map(shortMissing).join(", ")}` : "";
  if (decision.mode === "evaluate") {
    return `Evaluate mode · ${tierName} · ${trialNote || `would pass: all ${decision.requirements.length} requirements met`}`;
  }
  if (blocking.length === 0) {
    return trial.length
      ? `Evaluate mode · ${tierName} · enforced requirements met; the policy on trial ${trialNote}`
      : `${tierName} · all ${decision.requirements.length} requirements met`;
  }
  return `${tierName} · missing: ${blocking.map(shortMissing).join(", ")}${trial.length ? ` · on trial, ${trialNote}` : ""}`;
}

function evaluateModeLines(decision: Decision): string[] {
  if (!decision.requirements.some((r) => r.mode === "evaluate")) return [];
  const which = decision.mode === "evaluate" ? "The policy is" : "One of the policies is";
  return [
    `**Evaluate mode**: ${which} on trial (\`mode: evaluate\`): its requirements are judged and shown, but never fail this check. ${decision.wouldFail ? "Under enforcement this pull request would **fail**." : "Under enforcement this pull request would pass."}`,
    "",
  ];
}

/** The proposed policy's problems, at their line and column of the head's file (the check's commit). */
function proposedPolicyAnnotations(decision: Decision): Annotation[] {
  const proposed = decision.requirements.find((r) => r.kind === "proposed_policy");
  // One request's worth: each further 50 would cost another write of the run (the summary lists them all).
  return (proposed?.problems ?? []).slice(0, MAX_ANNOTATIONS_PER_REQUEST).map((p) => ({
    path: POLICY_PATH,
    start_line: p.line,
    end_line: p.line,
    start_column: p.column,
    end_column: p.column,
    annotation_level: "failure" as const,
    title: "Guardrails: the proposed policy has a problem",
    message: `${p.message} (in the policy this PR proposes; the current policy still decides until it is merged)`,
  }));
}

function reasonTable(reasons: Reason[]): string[] {
  if (reasons.length === 0) return [];
  return [
    "| Reason | Tier | Details |",
    "|---|---|---|",
    ...reasons.map((reason) => `| ${reasonName(reason)} | ${reason.tier} | ${tableCell(reasonDetails(reason))} |`),
  ];
}

function reasonName(reason: Reason): string {
  return `${reasonKindName(reason)}${reason.policy === "organization" ? " (organisation policy)" : reason.policy === "repository" ? " (repository policy)" : ""}`;
}

function reasonKindName(reason: Reason): string {
  switch (reason.kind) {
    case "rule":
      return `rule \`${reason.rule}\`${reason.description ? `: ${tableCell(reason.description)}` : ""}`;
    case "default":
      return "no rule matches";
    case "size":
      return "diff size";
    case "agent":
      return "agent-authored";
    case "policy_change":
      return "policy change";
    case "incomplete":
      return "incomplete file list";
  }
}

function reasonDetails(reason: Reason): string {
  const files = reason.files ?? [];
  if (reason.kind === "rule" || reason.kind === "default") {
    const shown = files
      .slice(0, 3)
      .map((f) => fileName(reason, f))
      .join(", ");
    return `${files.length} file${files.length === 1 ? "" : "s"}: ${shown}${files.length > 3 ? `, … (${files.length - 3} more in details)` : ""}`;
  }
  return reason.message;
}

/** A file of a reason, with the old path of a rename: a file moved out of a protected folder says so. */
function fileName(reason: Reason, file: string): string {
  const from = reason.renamedFrom?.[file];
  return from ? `${codeSpan(file)} (renamed from ${codeSpan(from)})` : codeSpan(file);
}

const KIND_NAME: Record<RequirementResult["kind"], string> = {
  approvals: "Approvals",
  approvers: "Approvers",
  codeowners: "Code owners",
  tests: "Tests",
  ticket: "Ticket",
  checklist: "Checklist",
  checks: "CI check",
  changes_requested: "No change requests",
  proposed_policy: "Proposed policy",
};

function requirementRow(requirement: RequirementResult): string {
  const sources = requirement.sources.filter((s) => s !== "always");
  const trial = requirement.mode === "evaluate" ? " (evaluate mode)" : "";
  const name = `${KIND_NAME[requirement.kind]}${trial}${sources.length ? ` <sub>${sources.join(", ")}</sub>` : ""}`;
  return `| ${requirement.met ? "✅" : "❌"} | ${name} | ${tableCell(requirement.message)} | ${tableCell(requirement.howTo || "")} |`;
}

function shortMissing(requirement: RequirementResult): string {
  switch (requirement.kind) {
    case "approvals":
      return `${(requirement.required ?? 0) - (requirement.approvedBy?.length ?? 0)} more approval${(requirement.required ?? 0) - (requirement.approvedBy?.length ?? 0) === 1 ? "" : "s"}`;
    case "approvers":
      return `approval from ${requirement.group ? describeGroup(requirement.group) : "approvers"}`;
    case "codeowners": {
      const open = (requirement.ownerGroups ?? []).filter((g) => !g.met).length;
      return open ? `code owners (${open} group${open === 1 ? "" : "s"})` : "code owners (files not listed)";
    }
    case "tests":
      return "tests";
    case "ticket":
      return "ticket";
    case "checklist": {
      const items = requirement.items ?? [];
      return `checklist (${items.filter((i) => i.ticked).length}/${items.length})`;
    }
    case "checks": {
      const result = requirement.result;
      const state = !result || result.status !== "completed" ? "waiting" : (result.conclusion ?? "no conclusion");
      return `${requirement.check?.name ?? "CI check"} (${state})`;
    }
    case "changes_requested":
      return "change request open";
    case "proposed_policy": {
      const count = requirement.problems?.length ?? 0;
      return `the proposed policy has ${count} problem${count === 1 ? "" : "s"}`;
    }
  }
}

function detailsText(decision: Decision, ticks: ChecklistState): string {
  const out: string[] = [];
  for (const reason of decision.reasons) {
    if (!reason.files?.length) continue;
    out.push(
      `#### ${reasonName(reason)} (${reason.tier})`,
      "",
      ...reason.files.map((f) => `- ${fileName(reason, f)}`),
      "",
    );
  }
  out.push(
    "#### Size",
    "",
    `${decision.size.lines} changed lines in ${decision.size.files} files${decision.size.ignoredFiles ? `; ${decision.size.ignoredFiles} files not counted (size.ignore)` : ""}.`,
    "",
  );
  for (const group of decision.requirements.find((r) => r.kind === "codeowners")?.ownerGroups ?? []) {
    const by = group.approvedBy.length
      ? `approved by ${group.approvedBy.map((l) => `@${l}`).join(", ")}`
      : "no owner's approval yet";
    out.push(
      `#### Code owners ${group.owners.join(" or ")} (${by})`,
      "",
      ...group.files.map((f) => `- ${codeSpan(f)}`),
      "",
    );
  }
  out.push(...codeOwnersProblemsMarkdown(decision));
  const checklist = decision.requirements.find((r) => r.kind === "checklist");
  if (checklist?.items?.length) {
    out.push("#### Checklist audit", "");
    for (const item of checklist.items) {
      const record = ticks.ticks[item.item];
      out.push(`- ${item.ticked ? "☑" : "☐"} ${item.item}${record ? `: ticked by @${record.by} at ${record.at}` : ""}`);
    }
    out.push("");
  }
  return out.join("\n");
}

/**
 * The base's CODEOWNERS lines that GitHub skips, for the check's details: a heading and one item
 * per problem at `path:line:column`; nothing when there are none. The file is written by whoever
 * can push the base, so its text is shown as plain text and its @mentions notify nobody.
 */
export function codeOwnersProblemsMarkdown(decision: Decision): string[] {
  const problems = decision.codeOwnersProblems ?? [];
  if (problems.length === 0) return [];
  return [
    `#### CODEOWNERS problems (GitHub skips ${problems.length === 1 ? "this line" : "these lines"})`,
    "",
    ...problems.map(
      (p) => `- ${codeSpan(`${p.path}:${p.line}:${p.column}`)}: ${neutraliseMentions(plainMarkdown(p.message))}`,
    ),
    "",
  ];
}

export function renderPolicyError(problems: PolicyProblem[], source: PolicySource): CheckOutput {
  const path = source.path ?? ".github/guardrails.yml";
  const list = problems.map((p) => `- \`${path}:${p.line}:${p.column}\`: ${p.message}`);
  return {
    conclusion: "failure",
    title: `Policy error · ${path} has ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    summary: truncate(
      [
        `The policy ${describePolicySource(source)} does not parse, so no pull request can pass until it is fixed.`,
        "",
        ...list,
        "",
        "Fix the policy on the base branch (run `guardrails validate` locally to see the same list), then press **Re-evaluate**.",
      ].join("\n"),
      MAX_OUTPUT_CHARS,
    ),
    text: "",
    // Annotations can only point at files of this repository.
    annotations:
      source.kind === "repository"
        ? problems.map((p) => ({
            path,
            start_line: p.line,
            end_line: p.line,
            start_column: p.column,
            end_column: p.column,
            annotation_level: "failure" as const,
            title: "Guardrails policy error",
            message: `${p.message} (in the policy at the base branch)`,
          }))
        : [],
  };
}

export function renderEvaluationError(message: string): CheckOutput {
  return {
    conclusion: "failure",
    title: "Evaluation failed · the pull request is blocked until it succeeds",
    summary: [
      `Guardrails could not evaluate this pull request: ${message}`,
      "",
      "The check fails closed: an error never lets a pull request pass. Press **Re-evaluate** to try again; if it keeps failing, ask an administrator to look at the app's logs.",
    ].join("\n"),
    text: "",
    annotations: [],
  };
}
