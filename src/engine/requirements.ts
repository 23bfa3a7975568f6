/**
 * The requirements of a PR: the union of its tier's, its matching rules', the agent section's and
 * the policy-change section's, each judged against the facts with a one-line "how to meet it".
 */
import type { ApproverGroup, CheckSpec, RequirementSpec } from "../policy/schema.js";
import { judgeChecks } from "./checks.js";
import { judgeCodeOwners } from "./codeowners.js";
import type { CompiledPolicy } from "./compile.js";
import { notCountedNote, type ReviewSummary } from "./reviews.js";
import { plural, type ClassifiedFile } from "./tier.js";
import { searchTickets } from "./tickets.js";
import { canWrite, type PullRequestFacts, type RequirementResult, type RequirementSource } from "./types.js";

export interface MergedRequirements {
  approvals?: { count: number; sources: RequirementSource[] };
  approvers: { group: ApproverGroup; sources: RequirementSource[] }[];
  codeowners?: RequirementSource[];
  tests?: RequirementSource[];
  ticket?: RequirementSource[];
  checklist: { item: string; sources: RequirementSource[] }[];
  checks: { check: CheckSpec; sources: RequirementSource[] }[];
}

/** Union: approvals take the maximum; groups, checklist items and checks concatenate without duplicates. */
export function mergeRequirements(
  specs: { source: RequirementSource; spec: RequirementSpec | undefined }[],
): MergedRequirements {
  const merged: MergedRequirements = { approvers: [], checklist: [], checks: [] };
  for (const { source, spec } of specs) {
    if (!spec) continue;
    if (spec.approvals !== undefined && spec.approvals > 0) {
      if (!merged.approvals || spec.approvals > merged.approvals.count)
        merged.approvals = { count: spec.approvals, sources: [source] };
      else if (spec.approvals === merged.approvals.count) merged.approvals.sources.push(source);
    }
    for (const group of spec.approvers ?? []) {
      const key = groupKey(group);
      const existing = merged.approvers.find((entry) => groupKey(entry.group) === key);
      if (existing) addSource(existing.sources, source);
      else merged.approvers.push({ group, sources: [source] });
    }
    if (spec.codeowners) addSource((merged.codeowners ??= []), source);
    if (spec.tests) addSource((merged.tests ??= []), source);
    if (spec.ticket) addSource((merged.ticket ??= []), source);
    for (const item of spec.checklist ?? []) {
      const existing = merged.checklist.find((entry) => entry.item === item);
      if (existing) addSource(existing.sources, source);
      else merged.checklist.push({ item, sources: [source] });
    }
    for (const check of spec.checks ?? []) {
      const key = checkKey(check);
      const existing = merged.checks.find((entry) => checkKey(entry.check) === key);
      if (existing) addSource(existing.sources, source);
      else merged.checks.push({ check, sources: [source] });
    }
  }
  return merged;
}

/** Names match exactly (as GitHub names runs); app slugs in any case; conclusions in any order. */
function checkKey(check: CheckSpec): string {
  return JSON.stringify([check.name, check.app?.toLowerCase() ?? null, [...new Set(check.conclusions)].sort()]);
}

function addSource(sources: RequirementSource[], source: RequirementSource): void {
  if (!sources.includes(source)) sources.push(source);
}

function groupKey(group: ApproverGroup): string {
  const norm = (list?: string[]) =>
    [...(list ?? [])]
      .map((s) => s.toLowerCase())
      .sort()
      .join(",");
  return `${norm(group.teams)}|${norm(group.users)}|${group.count}`;
}

export function judgeRequirements(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
  merged: MergedRequirements,
  reviews: ReviewSummary,
  classified: ClassifiedFile[],
): RequirementResult[] {
  const results: RequirementResult[] = [];
  const ignoredNote = notCountedNote(reviews.ignored);
  const discounted = reviews.contributors;
  const contributorsNotCounted = discounted.length ? { contributorsNotCounted: discounted } : {};

  if (merged.approvals) {
    const required = merged.approvals.count;
    const have = reviews.approvers.length;
    const met = have >= required;
    results.push({
      kind: "approvals",
      met,
      required,
      approvedBy: reviews.approvers,
      ...contributorsNotCounted,
      local: false,
      sources: merged.approvals.sources,
      message: `${plural(required, "approval")} required, ${have} valid${have ? ` (${reviews.approvers.join(", ")})` : ""}${ignoredNote}`,
      howTo: met
        ? ""
        : `Get ${plural(required - have, "more approval")} on the current commit from members or collaborators of the repository other than the author (bots do not count)`,
    });
  }

  for (const { group, sources } of merged.approvers) {
    const approvedBy = reviews.approvers.filter((login) => inGroup(login, group, facts.teamMembers));
    const notCounted = discounted.filter((entry) => inGroup(entry.login, group, facts.teamMembers));
    const met = approvedBy.length >= group.count;
    results.push({
      kind: "approvers",
      met,
      required: group.count,
      approvedBy,
      ...(notCounted.length ? { contributorsNotCounted: notCounted } : {}),
      group,
      local: false,
      sources,
      message: `${plural(group.count, "approval")} from ${describeGroup(group)} required, ${approvedBy.length} so far${approvedBy.length ? ` (${approvedBy.join(", ")})` : ""}${notCountedNote(notCounted)}`,
      howTo: met
        ? ""
        : `Request a review from ${describeGroup(group)} and get ${plural(group.count - approvedBy.length, "more approval")} on the current commit`,
    });
  }

  if (merged.codeowners) {
    results.push(judgeCodeOwners(facts, reviews.approvers, merged.codeowners, reviews.contributors));
  }
  if (merged.tests) results.push(judgeTests(compiled, facts, classified, merged.tests));
  if (merged.ticket) results.push(judgeTicket(compiled, facts, merged.ticket));

  if (merged.checklist.length > 0) {
    const ticks = new Map(facts.checklist.map((tick) => [tick.item.trim(), tick.tickedBy]));
    const items = merged.checklist.map(({ item }) => ({ item, ticked: ticks.has(item), tickedBy: ticks.get(item) }));
    const open = items.filter((item) => !item.ticked);
    results.push({
      kind: "checklist",
      met: open.length === 0,
      items,
      local: false,
      sources: [...new Set(merged.checklist.flatMap((entry) => entry.sources))],
      message: `${items.length - open.length} of ${plural(items.length, "checklist item")} ticked${tickedByNote(items)}`,
      howTo: open.length ? `Tick in the Guardrails comment: ${open.map((item) => `"${item.item}"`).join(", ")}` : "",
    });
  }

  results.push(...judgeChecks(facts, merged.checks));

  const blocking = reviews.changesRequestedBy;
  results.push({
    kind: "changes_requested",
    met: blocking.length === 0,
    reviewers: blocking,
    local: false,
    sources: ["always"],
    message: blocking.length ? `changes requested by ${blocking.join(", ")}` : "no open change requests",
    howTo: blocking.length
      ? `Address the review, then ask ${blocking.join(", ")} to approve, or have the review dismissed`
      : "",
  });
  return results;
}

function inGroup(login: string, group: ApproverGroup, teamMembers: Record<string, string[]>): boolean {
  const lower = login.toLowerCase();
  if (group.users?.some((user) => user.toLowerCase() === lower)) return true;
  return (group.teams ?? []).some((team) =>
    (teamMembers[team] ?? teamMembers[team.toLowerCase()] ?? []).some((m) => m.toLowerCase() === lower),
  );
}

export function describeGroup(group: ApproverGroup): string {
  const names = [...(group.teams ?? []).map((team) => `team ${team}`), ...(group.users ?? [])];
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

function judgeTests(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
  classified: ClassifiedFile[],
  sources: RequirementSource[],
): RequirementResult {
  const { policy } = compiled;
  const sourceFiles = classified.filter((c) => c.classes.some((cls) => cls.testSource)).map((c) => c.file);
  // A deleted test is not a test that comes with the code; a test counts by its new path.
  const testFiles = classified.filter((c) => c.file.status !== "removed" && c.classes[0]!.testFile).map((c) => c.file);
  const base = { kind: "tests" as const, local: true, sources };
  // Past GitHub's listing cap, source files may be among the files nobody saw: with no listed
  // source file the requirement is still owed, unless a listed test file meets it.
  const unlisted = !facts.filesComplete;
  if (sourceFiles.length === 0 && !unlisted) {
    return { ...base, met: true, message: "no source files changed (tests.source)", howTo: "" };
  }
  if (testFiles.length > 0) {
    const what =
      sourceFiles.length > 0 ? `${plural(sourceFiles.length, "source file")} changed` : "the file list is incomplete";
    return { ...base, met: true, message: `${what} with ${plural(testFiles.length, "test file")}`, howTo: "" };
  }
  // GitHub's label names are case-insensitive.
  const exempt = policy.tests.exempt_label.toLowerCase();
  const label = facts.labels.find((l) => l.name.toLowerCase() === exempt);
  if (label?.appliedBy && canWrite(label.appliedBy.permission)) {
    return {
      ...base,
      met: true,
      message: `tests waived by label "${label.name}" (applied by ${label.appliedBy.login})`,
      howTo: "",
    };
  }
  const labelNote = label
    ? label.appliedBy
      ? `; label "${label.name}" was applied by ${label.appliedBy.login} (${label.appliedBy.permission} access), which does not waive tests`
      : `; label "${label.name}" is present but who applied it is unknown, so it does not waive tests`
    : "";
  return {
    ...base,
    met: false,
    message: `${
      sourceFiles.length > 0
        ? `${plural(sourceFiles.length, "source file")} changed (${sourceFiles
            .slice(0, 3)
            .map((f) => f.path)
            .join(", ")}${sourceFiles.length > 3 ? ", …" : ""})`
        : "the file list is incomplete, so source files may have changed unseen,"
    } without a test file${labelNote}`,
    howTo: `Add or update tests matching tests.tests, or have someone with write access apply the label "${policy.tests.exempt_label}"`,
  };
}

/** Every distinct ticket reference of the title, branch name and body (at most 10), for the audit trail. */
export function findTicketReferences(compiled: CompiledPolicy, facts: PullRequestFacts): string[] {
  return searchTickets(compiled, facts).references;
}

function judgeTicket(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
  sources: RequirementSource[],
): RequirementResult {
  const { first, limits } = searchTickets(compiled, facts);
  for (const place of ["title", "body", "branch name"] as const) {
    const found = first[place];
    if (found !== undefined) {
      return {
        kind: "ticket",
        met: true,
        local: true,
        sources,
        message: `ticket ${found} referenced in the ${place}`,
        howTo: "",
        references: [found],
      };
    }
  }
  const bodyNote =
    facts.body.length > limits.body
      ? ` (the body is searched to its first ${limits.body.toLocaleString("en-US")} characters)`
      : "";
  return {
    kind: "ticket",
    met: false,
    local: true,
    sources,
    message: `no ticket reference found${bodyNote}`,
    howTo: `Mention a ticket matching /${compiled.policy.ticket.pattern}/ in the title, body or branch name`,
  };
}

/** Who ticked, for the summary's audit trail (" (by alice, maria)"); the details say which item and when. */
function tickedByNote(items: { ticked: boolean; tickedBy?: string }[]): string {
  const by = [...new Set(items.filter((item) => item.ticked && item.tickedBy).map((item) => `@${item.tickedBy}`))];
  return by.length ? ` (by ${by.join(", ")})` : "";
}
