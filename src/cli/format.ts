/**
 * Human rendering of `guardrails check`: the tier and why, each requirement with how to meet it,
 * the conclusion and the policy used. Colours only when asked (stdout is a terminal).
 */
import type { Decision, Reason } from "../engine/types.js";
import { formatCodeOwnersProblem } from "../policy/codeowners.js";
import { POLICY_PATH } from "../policy/schema.js";
import type { CheckedPolicySource, CheckReport, Preview } from "../report/check-report.js";
import { printable } from "../markdown.js";

export { printable };

/** How many files of a reason are named before "and N more". */
const FILES_SHOWN = 3;

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
}

const plain: Style = { bold: (t) => t, dim: (t) => t, green: (t) => t, red: (t) => t };

const ansi: Style = {
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  green: (t) => `\u001b[32m${t}\u001b[39m`,
  red: (t) => `\u001b[31m${t}\u001b[39m`,
};

/** Colours for a terminal, unless NO_COLOR is set or the terminal is dumb. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const wanted = stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
  return wanted ? ansi : plain;
}

export function renderHuman(report: CheckReport, style: Style = plain): string {
  const { decision, diff } = report;
  const lines: string[] = [];
  const { lines: changedLines, ignoredFiles } = decision.size;

  lines.push(
    `${style.bold(`Tier: ${decision.tier}`)}  ${style.dim(
      `${diff.base.ref}...${diff.head.ref}${diff.head.ref === "HEAD" && diff.head.branch ? ` (${diff.head.branch})` : ""}: ${plural(diff.files, "changed file")}, ${plural(changedLines, "line")}` +
        (ignoredFiles ? ` (${plural(ignoredFiles, "file")} not counted: size.ignore)` : ""),
    )}`,
  );
  if (decision.reasons.length === 0) lines.push("  no changed files");
  const tierWidth = Math.max(...decision.reasons.map((r) => r.tier.length), 0);
  const kindWidth = Math.max(...decision.reasons.map((r) => r.kind.length), 0);
  for (const reason of decision.reasons) {
    lines.push(
      `  ${reason.tier.padEnd(tierWidth)}  ${reason.kind.padEnd(kindWidth)}  ${printable(reason.message)}${filesOf(reason)}${originOf(reason.policy)}`,
    );
  }

  lines.push("", style.bold("Requirements:"));
  const kindColumn = Math.max(...decision.requirements.map((r) => r.kind.length), 0);
  for (const requirement of decision.requirements) {
    const mark = requirement.met ? style.green("✓") : style.red("✗");
    const trial = requirement.mode === "evaluate" && decision.mode !== "evaluate" ? " [evaluate mode]" : "";
    lines.push(
      `  ${mark} ${requirement.kind.padEnd(kindColumn)}  ${printable(requirement.message)}${originOf(requirement.policy)}${trial}`,
    );
    if (!requirement.met && requirement.howTo) {
      lines.push(`    ${" ".repeat(kindColumn + 2)}${style.dim(`→ ${printable(requirement.howTo)}`)}`);
    }
    // The proposed policy's problems, each where an editor finds it (as `guardrails validate` prints them).
    for (const problem of requirement.kind === "proposed_policy" ? (requirement.problems ?? []) : [])
      lines.push(
        `    ${" ".repeat(kindColumn + 2)}${printable(report.proposedPolicyLabel ?? POLICY_PATH)}:${problem.line}:${problem.column}: ${printable(problem.message)}`,
      );
  }

  lines.push(...codeOwnersProblemLines(decision, style));
  lines.push("", conclusionLine(decision, style));
  const org = report.organizationPolicy;
  // The organisation policy deciding alone was read from --org-policy, not --policy.
  lines.push(`Policy: ${org?.role === "fallback" ? `${org.path} (--org-policy)` : describePolicy(report.policy)}`);
  if (org) {
    const role = {
      fallback: "decides alone: the base has no policy of its own",
      floor: "enforced: applies in addition",
      "not enforced": "not enforced: the repository's policy decides",
    }[org.role];
    lines.push(`Organisation policy: ${org.path} (--org-policy), ${role}`);
  }
  if (report.preview) lines.push("", ...previewLines(report.preview, style));
  return `${lines.join("\n")}\n`;
}

/** The base's CODEOWNERS lines that GitHub skips, each at `path:line:column` (nothing when there are none). */
function codeOwnersProblemLines(decision: CheckReport["decision"], style: Style): string[] {
  const problems = decision.codeOwnersProblems ?? [];
  if (problems.length === 0) return [];
  return [
    "",
    style.bold(`CODEOWNERS problems (GitHub skips ${problems.length === 1 ? "this line" : "these lines"}):`),
    ...problems.map((problem) => `  ${printable(formatCodeOwnersProblem(problem))}`),
  ];
}

/** --preview: the proposed policy's tier and what it would leave unmet. */
function previewLines(preview: Preview, style: Style): string[] {
  const lines = [`${style.bold("Preview:")} ${printable(preview.message)}`];
  for (const requirement of preview.decision?.requirements.filter((r) => !r.met) ?? [])
    lines.push(`  ${style.red("✗")} ${requirement.kind}  ${printable(requirement.message)}`);
  return lines;
}

/** With an enforced organisation policy, each line says which policy it came from. */
function originOf(policy: Reason["policy"]): string {
  return policy === undefined ? "" : policy === "organization" ? " [organisation policy]" : " [repository policy]";
}

function filesOf(reason: Reason): string {
  const files = reason.files ?? [];
  if (files.length === 0) return "";
  const name = (file: string) => {
    const from = reason.renamedFrom?.[file];
    return from ? `${printable(file)} (renamed from ${printable(from)})` : printable(file);
  };
  const shown = files.slice(0, FILES_SHOWN).map(name).join(", ");
  return `: ${shown}${files.length > FILES_SHOWN ? ` and ${files.length - FILES_SHOWN} more` : ""}`;
}

function conclusionLine(decision: Decision, style: Style): string {
  const { conclusion, requirements } = decision;
  const unmet = requirements.filter((r) => !r.met);
  const head = `${style.bold("Conclusion:")} ${conclusion === "success" ? style.green(conclusion) : style.red(conclusion)}`;
  const trial = requirements.some((r) => r.mode === "evaluate")
    ? `; evaluate mode: ${unmet.some((r) => r.mode === "evaluate") ? "the policy on trial would fail under enforcement" : "the policy on trial would pass"}`
    : "";
  if (unmet.length === 0) return `${head} (every requirement is met${trial})`;
  const remote = unmet.filter((r) => !r.local).map((r) => r.kind);
  const note = remote.length ? `; ${[...new Set(remote)].join(", ")} can only be met on GitHub` : "";
  return `${head} (${unmet.length} of ${plural(requirements.length, "requirement")} unmet${note}${trial})`;
}

export function describePolicy(policy: CheckedPolicySource): string {
  const short = policy.sha ? ` (${policy.sha.slice(0, 7)})` : "";
  switch (policy.source) {
    case "ref":
      return `${policy.path}@${policy.ref}${short}`;
    case "file":
      return `${policy.path} (--policy)`;
    case "request":
      return "the policy in the request";
    case "built-in":
      return policy.ref ? `built-in default (${policy.ref} has no ${POLICY_PATH})` : "built-in default";
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
