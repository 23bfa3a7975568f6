/**
 * What an auditor asks of a period: every PR merged in it, what the `guardrails` check said on the
 * head that was merged (from the decision record in the check run), and whether it was merged
 * without a passing check (`bypassed`). Pure: the GitHub adapter (github-audit.ts) gathers the
 * merged PRs with their head's runs; this module judges, summarises and formats them.
 */
import type { Tier } from "../policy/schema.js";
import { readDecisionRecords, type DecisionRecord } from "../state/decision-record.js";
// Control characters of outsiders' text (titles, reasons) never reach a terminal as they are.
import { printable } from "../markdown.js";

/** A merged PR as the adapter read it (GraphQL). */
export interface MergedPullRequest {
  number: number;
  title: string;
  author: string | null;
  mergedBy: string | null;
  createdAt: string;
  mergedAt: string;
  base: string;
  /** The head commit that was merged. */
  head: string;
  /** The `guardrails` runs on that head (of the trusted app, when the adapter knows its id). */
  runs: {
    id: number;
    status: string;
    conclusion: string | null;
    completedAt: string | null;
    text: string | null;
    app: string | null;
  }[];
}

export type CheckResult = "success" | "failure" | "in_progress" | "missing";

export interface AuditRecord {
  number: number;
  title: string;
  author: string | null;
  merged_by: string | null;
  created_at: string;
  merged_at: string;
  base: string;
  head: string;
  /** The newest `guardrails` run on the merged head, as it stood. */
  guardrails: CheckResult;
  tier: Tier | null;
  approvers: string[];
  ticks: { item: string; by: string; at: string }[];
  override: { by: string; at: string; reason: string } | null;
  agent_authored: boolean | null;
  tickets: string[];
  /** Merged without a passing `guardrails` check on its head. */
  bypassed: boolean;
  /** Why it counts as bypassed (empty when it does not). */
  bypass_reason: string;
  /** Where the decision came from (the policy's repository, path and commit). */
  policy: string | null;
  /** The policy's mode when it decided: `evaluate` is a trial (the check passed whatever was unmet). */
  mode: "enforce" | "evaluate" | null;
  /** Whether enforcement would have failed the merged head (a trial's result; null without a decision). */
  would_fail: boolean | null;
}

export function auditRecord(pr: MergedPullRequest): AuditRecord {
  // GitHub's required checks go by the newest run of the name on the commit.
  const newest = [...pr.runs].sort((a, b) => b.id - a.id)[0];
  const record: DecisionRecord | undefined = newest ? readDecisionRecords(newest.text)[String(pr.number)] : undefined;
  const guardrails: CheckResult = !newest
    ? "missing"
    : newest.status.toUpperCase() !== "COMPLETED"
      ? "in_progress"
      : newest.conclusion?.toUpperCase() === "SUCCESS"
        ? "success"
        : "failure";
  // A run completed after the merge was written later (by an evaluation of another PR on the
  // same commit): what it said at the merge is not known, so it does not vouch for the merge.
  const rewrittenAfterMerge = newest?.completedAt != null && Date.parse(newest.completedAt) > Date.parse(pr.mergedAt);
  const bypassReason =
    guardrails === "missing"
      ? "no guardrails check on the merged head (the app was not installed, or the check was not required)"
      : guardrails !== "success"
        ? `the guardrails check was ${guardrails === "failure" ? "failing" : "still running"} on the merged head (merged by an administrator, or the check is not required)`
        : rewrittenAfterMerge
          ? "the guardrails check on the merged head was written after the merge; its result at the merge is unknown"
          : "";
  return {
    number: pr.number,
    title: pr.title,
    author: pr.author,
    merged_by: pr.mergedBy,
    created_at: pr.createdAt,
    merged_at: pr.mergedAt,
    base: pr.base,
    head: pr.head,
    guardrails,
    tier: record?.tier ?? null,
    approvers: record?.approvers ?? [],
    ticks: record?.ticks ?? [],
    override: record?.override
      ? { by: record.override.by, at: record.override.at, reason: record.override.reason }
      : null,
    agent_authored: record?.agentAuthored ?? null,
    tickets: record?.tickets ?? [],
    bypassed: bypassReason !== "",
    bypass_reason: bypassReason,
    policy: record?.policy ? describePolicy(record.policy) : null,
    mode: record?.error === undefined && record?.tier ? (record.mode ?? "enforce") : null,
    would_fail: wouldFail(record),
  };
}

/** From the record; a record written before `wouldFail` existed says it by its unmet requirements. */
function wouldFail(record: DecisionRecord | undefined): boolean | null {
  if (!record || record.error !== undefined || !record.requirements) return null;
  return record.wouldFail ?? record.requirements.some((requirement) => !requirement.met);
}

function describePolicy(policy: NonNullable<DecisionRecord["policy"]>): string {
  if (policy.kind === "built-in") return "built-in default";
  return `${policy.repository ?? "?"}:${policy.path ?? "?"}@${(policy.commit ?? "?").slice(0, 12)}`;
}

export interface TierSummary {
  tier: Tier | "unknown";
  merged: number;
  bypassed: number;
  overridden: number;
  /** Merged PRs that enforcement would have failed (under `mode: evaluate`, the trial's result). */
  would_fail: number;
  /** Median hours from opened to merged (null with no PRs). */
  median_hours_to_merge: number | null;
  /** Share of agent-authored PRs among those whose record says (0..1; null when none says). */
  agent_share: number | null;
}

const SUMMARY_TIERS = ["low", "medium", "high", "unknown"] as const;

export function summarize(records: readonly AuditRecord[]): TierSummary[] {
  return SUMMARY_TIERS.map((tier) => {
    const rows = records.filter((r) => (r.tier ?? "unknown") === tier);
    const hours = rows
      .map((r) => (Date.parse(r.merged_at) - Date.parse(r.created_at)) / 3_600_000)
      .sort((a, b) => a - b);
    const known = rows.filter((r) => r.agent_authored !== null);
    return {
      tier,
      merged: rows.length,
      bypassed: rows.filter((r) => r.bypassed).length,
      overridden: rows.filter((r) => r.override !== null).length,
      would_fail: rows.filter((r) => r.would_fail === true).length,
      median_hours_to_merge: hours.length ? round(median(hours)) : null,
      agent_share: known.length ? round(known.filter((r) => r.agent_authored).length / known.length) : null,
    };
  });
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number) => Math.round(n * 100) / 100;

// ---- formats ----

const RECORD_COLUMNS = [
  "number",
  "title",
  "author",
  "merged_by",
  "created_at",
  "merged_at",
  "base",
  "head",
  "guardrails",
  "tier",
  "approvers",
  "ticks",
  "override_by",
  "override_reason",
  "agent_authored",
  "tickets",
  "bypassed",
  "bypass_reason",
  "policy",
  "mode",
  "would_fail",
] as const;

/**
 * One CSV field (RFC 4180 quoting). A field an outsider wrote (a title) that a spreadsheet would
 * run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is prefixed with `'`.
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: unknown[]) => `${fields.map(csvField).join(",")}\r\n`;

export function recordsCsv(records: readonly AuditRecord[]): string {
  return (
    csvLine([...RECORD_COLUMNS]) +
    records
      .map((r) =>
        csvLine([
          r.number,
          r.title,
          r.author,
          r.merged_by,
          r.created_at,
          r.merged_at,
          r.base,
          r.head,
          r.guardrails,
          r.tier,
          r.approvers.join(" "),
          r.ticks.map((t) => `${t.item} (@${t.by} ${t.at})`).join("; "),
          r.override?.by,
          r.override?.reason,
          r.agent_authored,
          r.tickets.join(" "),
          r.bypassed,
          r.bypass_reason,
          r.policy,
          r.mode,
          r.would_fail,
        ]),
      )
      .join("")
  );
}

export function summaryCsv(summary: readonly TierSummary[]): string {
  return (
    csvLine(["tier", "merged", "bypassed", "overridden", "would_fail", "median_hours_to_merge", "agent_share"]) +
    summary
      .map((s) =>
        csvLine([s.tier, s.merged, s.bypassed, s.overridden, s.would_fail, s.median_hours_to_merge, s.agent_share]),
      )
      .join("")
  );
}

export function recordsText(records: readonly AuditRecord[]): string {
  if (records.length === 0) return "No pull requests were merged in the period.\n";
  return records
    .map((r) => {
      const flags = [
        r.bypassed ? `BYPASSED: ${r.bypass_reason}` : "",
        r.override ? `overridden by @${r.override.by}: ${printable(r.override.reason)}` : "",
        r.would_fail && r.mode === "evaluate" ? "would have failed under enforcement (mode: evaluate)" : "",
      ].filter(Boolean);
      return [
        `#${r.number} ${printable(r.title)}`,
        `  merged ${r.merged_at} by @${r.merged_by ?? "?"} into ${r.base} (author @${r.author ?? "?"}, head ${r.head.slice(0, 7)})`,
        `  guardrails: ${r.guardrails}${r.tier ? `, ${r.tier} risk` : ""}${r.approvers.length ? `, approved by ${r.approvers.map((a) => `@${a}`).join(", ")}` : ""}${r.agent_authored ? ", agent-authored" : ""}${r.tickets.length ? `, tickets ${r.tickets.join(" ")}` : ""}`,
        ...flags.map((f) => `  ${f}`),
      ].join("\n");
    })
    .join("\n")
    .concat("\n");
}

export function summaryText(summary: readonly TierSummary[], period: { since: string; until: string }): string {
  const rows = summary.map((s) => [
    s.tier,
    String(s.merged),
    String(s.bypassed),
    String(s.overridden),
    String(s.would_fail),
    s.median_hours_to_merge === null ? "-" : `${s.median_hours_to_merge} h`,
    s.agent_share === null ? "-" : `${Math.round(s.agent_share * 100)}%`,
  ]);
  const head = ["tier", "merged", "bypassed", "overridden", "would fail", "median open→merge", "agent share"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [`Merged ${period.since} … ${period.until}`, line(head), ...rows.map(line)].join("\n") + "\n";
}
