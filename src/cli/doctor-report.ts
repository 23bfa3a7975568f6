/**
 * `guardrails doctor`'s findings from what was read: the policy and CODEOWNERS at the default
 * branch with their problems, and the enforcement health of the branch (src/enforcement/health.ts);
 * rendered as one screen, or as JSON (`DOCTOR_OUTPUT_VERSION`, docs/cli.md).
 */
import { classify, type EnforcementHealth, type Finding } from "../enforcement/health.js";
import { loadPolicy, type PolicyProblem } from "../policy/loader.js";
import { parseCodeOwners } from "../policy/codeowners.js";
import type { FileText, RepositoryReading } from "./doctor-read.js";
import { printable } from "./format.js";

export const DOCTOR_OUTPUT_VERSION = 1;
/** Problems listed per file on the screen (the JSON has them all). */
const PROBLEMS_SHOWN = 5;

export interface FileReport {
  path: string;
  /** The repository it was read from (the organisation policy's is OWNER/.github). */
  repository: string;
  ok: boolean;
  problems: PolicyProblem[];
}

export interface DoctorReport extends Omit<EnforcementHealth, "findings"> {
  version: number;
  repository: string;
  commit: string;
  /** Whether a pull request can be merged without this app's passing check (exit 1). */
  bypassable: boolean;
  /** Which policy decides pull requests into the default branch. */
  decidingPolicy: "repository" | "organization" | "built-in";
  policy: FileReport | null;
  organizationPolicy: (FileReport & { enforce: boolean }) | null;
  codeowners: FileReport | null;
  findings: Finding[];
}

export function doctorReport(reading: RepositoryReading, appId: number, checkName: string): DoctorReport {
  const health = classify(reading.enforcement, { checkName, appId });
  const policy = reading.policy ? policyReport(reading.repository, reading.policy, false).report : null;
  const org = reading.organizationPolicy
    ? policyReport(reading.organizationPolicy.repository, reading.organizationPolicy, true)
    : null;
  const codeowners = reading.codeOwners ? codeOwnersReport(reading.repository, reading.codeOwners) : null;
  const { findings, ...rest } = health;
  return {
    version: DOCTOR_OUTPUT_VERSION,
    repository: reading.repository,
    commit: reading.commit,
    ...rest,
    bypassable: health.enforcement !== "pinned",
    decidingPolicy: policy ? "repository" : org ? "organization" : "built-in",
    policy,
    organizationPolicy: org ? { ...org.report, enforce: org.enforce } : null,
    codeowners,
    findings: [...fileFindings(reading.branch, policy, org?.report, codeowners), ...findings],
  };
}

/** A policy file loaded as the app loads it; `enforce`: an organisation policy that applies in addition. */
function policyReport(
  repository: string,
  file: FileText,
  organization: boolean,
): { report: FileReport; enforce: boolean } {
  const result =
    "text" in file
      ? loadPolicy(file.text, { organization })
      : { ok: false as const, problems: [{ line: 1, column: 1, message: file.unreadable }] };
  const report: FileReport = { path: file.path, repository, ok: result.ok, problems: result.ok ? [] : result.problems };
  return { report, enforce: result.ok && result.policy.enforce === true };
}

function codeOwnersReport(repository: string, file: FileText): FileReport {
  if (!("text" in file))
    return { path: file.path, repository, ok: false, problems: [{ line: 1, column: 1, message: file.unreadable }] };
  const problems = [...parseCodeOwners(file.text).problems];
  return { path: file.path, repository, ok: problems.length === 0, problems };
}

function fileFindings(
  branch: string,
  policy: FileReport | null,
  org: FileReport | undefined,
  codeowners: FileReport | null,
): Finding[] {
  const out: Finding[] = [];
  for (const file of [policy, org]) {
    if (!file || file.ok) continue;
    out.push({
      severity: "error",
      message: `${file.repository}:${file.path} has ${plural(file.problems.length, "problem")}: every pull request it governs fails its check until it is fixed`,
      fix: `Fix ${file.path} on the default branch of ${file.repository} (guardrails validate lists every problem)`,
    });
  }
  if (codeowners && !codeowners.ok)
    out.push({
      severity: "warning",
      message: `${codeowners.path} has ${plural(codeowners.problems.length, "problem")}: GitHub skips those lines, so their files have no owners`,
      fix: `Fix ${codeowners.path} on ${branch}`,
    });
  return out;
}

/** The one screen. */
export function renderDoctor(report: DoctorReport): string {
  const out: string[] = [];
  const p = printable;
  out.push(`${p(report.repository)}: default branch ${p(report.branch)} at ${report.commit.slice(0, 7)}`, "");
  const decides = {
    repository: "the repository's policy decides",
    organization: "no policy of its own: the organisation policy decides",
    "built-in": "no policy of its own and no organisation policy: the built-in default decides",
  }[report.decidingPolicy];
  out.push(`Policy       ${report.policy ? fileLine(report.policy) : "none"} (${decides})`);
  out.push(...problemLines(report.policy));
  if (report.organizationPolicy) {
    const role = report.organizationPolicy.enforce ? ", enforce: true (applies in addition)" : "";
    out.push(`Org policy   ${p(report.organizationPolicy.repository)}: ${fileLine(report.organizationPolicy)}${role}`);
    out.push(...problemLines(report.organizationPolicy));
  }
  out.push(`CODEOWNERS   ${report.codeowners ? fileLine(report.codeowners) : "none (no file has owners)"}`);
  out.push(...problemLines(report.codeowners));
  out.push(`Check        ${enforcementLine(report)}`);
  for (const r of report.required)
    out.push(
      `               ${r.pinned ? "✓" : "✗"} ${r.where === "ruleset" ? `ruleset "${p(r.name)}"` : "branch protection"}: ${r.app === null ? "any source" : r.pinned ? `this app (${r.app})` : `app ${r.app}`}`,
    );
  out.push(`Bypass       ${bypassLine(report)}`);
  for (const b of report.bypass ?? [])
    out.push(
      `               ${p(b.actor)} (${b.mode}) in ${b.where === "ruleset" ? `ruleset "${p(b.name)}"` : "branch protection"}`,
    );
  out.push(`Merge queue  ${report.mergeQueue === null ? "unknown" : report.mergeQueue ? "set" : "not set"}`, "");
  out.push(
    report.bypassable
      ? `Verdict: NOT GUARDED (${report.enforcement}): a pull request can be merged without the Guardrails App's passing check`
      : "Verdict: guarded: merges wait for the Guardrails App's check",
  );
  if (report.findings.length) out.push("", "To fix:");
  report.findings.forEach((f, i) => {
    out.push(`  ${i + 1}. ${f.severity === "error" ? "" : "(warning) "}${p(f.message)}`, `     → ${p(f.fix)}`);
  });
  return `${out.join("\n")}\n`;
}

function fileLine(file: FileReport): string {
  return `${printable(file.path)}: ${file.ok ? "valid" : plural(file.problems.length, "problem")}`;
}

function problemLines(file: FileReport | null): string[] {
  if (!file) return [];
  const lines = file.problems
    .slice(0, PROBLEMS_SHOWN)
    .map((q) => `               ${printable(file.path)}:${q.line}:${q.column}: ${printable(q.message)}`);
  if (file.problems.length > PROBLEMS_SHOWN)
    lines.push(`               … and ${file.problems.length - PROBLEMS_SHOWN} more (--json lists them all)`);
  return lines;
}

function enforcementLine(report: DoctorReport): string {
  switch (report.enforcement) {
    case "pinned":
      return `required and pinned to this app on ${printable(report.branch)}`;
    case "required_unpinned":
      return `required on ${printable(report.branch)}, but not pinned to this app: it can be imitated`;
    case "not_required":
      return `not required on ${printable(report.branch)}: merges do not wait for it`;
    case "unknown":
      return "unknown: the settings could not all be read";
  }
}

function bypassLine(report: DoctorReport): string {
  if (report.bypass === null) return "unknown (a ruleset's bypass list is shown only to those who may edit it)";
  if (report.required.length === 0) return "nothing to bypass";
  return report.bypass.length === 0 ? "nobody" : plural(report.bypass.length, "actor") + " may merge without it:";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
