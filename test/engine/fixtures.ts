/**
 * Small builders of policies and pull-request facts, so the engine's tables stay one line a case.
 * Every builder returns fresh objects: the engine caches compiled policies per object.
 */
import { evaluate } from "../../src/engine/evaluate.js";
import type {
  ChangedFile,
  ChecklistTick,
  Decision,
  Label,
  Permission,
  PullRequestFacts,
  RequirementKind,
  RequirementResult,
  Review,
  ReviewState,
} from "../../src/engine/types.js";
import { policySchema, type Policy, type PolicyInput } from "../../src/policy/schema.js";

export const HEAD = "head000000000000000000000000000000000000";
export const OLD = "old0000000000000000000000000000000000000";
export const AUTHOR = "dev";

/** A policy from its YAML-shaped input, with the schema's defaults filled in. */
export function policy(input: Omit<PolicyInput, "version"> = {}): Policy {
  return policySchema.parse({ version: 1, ...input });
}

/** Tiers that demand nothing, so a table about the tier is not distracted by requirements. */
export const NO_REQUIREMENTS = { low: {}, medium: {}, high: {} } as const;

export function facts(overrides: Partial<PullRequestFacts> = {}): PullRequestFacts {
  return {
    headSha: HEAD,
    author: { login: AUTHOR, isBot: false },
    title: "Change something",
    body: "",
    headBranch: "feature",
    files: [],
    filesComplete: true,
    labels: [],
    reviews: [],
    teamMembers: {},
    coAuthors: [],
    trailers: [],
    checklist: [],
    ...overrides,
  };
}

/** A modified file with `lines` added lines. */
export function file(path: string, lines = 1, extra: Partial<ChangedFile> = {}): ChangedFile {
  return { path, status: "modified", additions: lines, deletions: 0, ...extra };
}

export function added(path: string, lines = 1): ChangedFile {
  return { path, status: "added", additions: lines, deletions: 0 };
}

export function removed(path: string, lines = 1): ChangedFile {
  return { path, status: "removed", additions: 0, deletions: lines };
}

export function renamed(from: string, to: string, lines = 0): ChangedFile {
  return { path: to, previousPath: from, status: "renamed", additions: lines, deletions: 0 };
}

/** `count` distinct modified files under `dir`, one line each unless told. */
export function manyFiles(count: number, dir = "misc", lines = 1): ChangedFile[] {
  return Array.from({ length: count }, (_, i) => file(`${dir}/f${i}.txt`, lines));
}

export interface ReviewOptions {
  commit?: string;
  association?: string;
  bot?: boolean;
}

export function review(state: ReviewState, author: string, options: ReviewOptions = {}): Review {
  return {
    author,
    state,
    commitId: options.commit ?? HEAD,
    authorAssociation: options.association ?? "MEMBER",
    authorIsBot: options.bot ?? false,
  };
}

export const approve = (author: string, options?: ReviewOptions): Review => review("APPROVED", author, options);
export const requestChanges = (author: string, options?: ReviewOptions): Review =>
  review("CHANGES_REQUESTED", author, options);
export const comment = (author: string, options?: ReviewOptions): Review => review("COMMENTED", author, options);
export const dismissed = (author: string, options?: ReviewOptions): Review => review("DISMISSED", author, options);

export function label(name: string, appliedBy?: Permission | { login: string; permission: Permission }): Label {
  if (appliedBy === undefined) return { name };
  return {
    name,
    appliedBy: typeof appliedBy === "string" ? { login: "maintainer", permission: appliedBy } : appliedBy,
  };
}

export function ticks(...items: string[]): ChecklistTick[] {
  return items.map((item) => ({ item, tickedBy: "reviewer" }));
}

export function run(p: Policy, f: Partial<PullRequestFacts> = {}): Decision {
  return evaluate(p, facts(f));
}

/** The one requirement of a kind; fails the test when there is none or more than one. */
export function requirement(decision: Decision, kind: RequirementKind): RequirementResult {
  const found = decision.requirements.filter((r) => r.kind === kind);
  if (found.length !== 1) {
    throw new Error(
      `expected one "${kind}" requirement, found ${found.length}: ${JSON.stringify(decision.requirements)}`,
    );
  }
  return found[0]!;
}

export function kinds(decision: Decision): RequirementKind[] {
  return decision.requirements.map((r) => r.kind);
}

/** `kind:tier` of every reason, sorted, for compact comparison. */
export function reasonSummary(decision: Decision): string[] {
  return decision.reasons.map((r) => `${r.kind}:${r.tier}`).sort();
}
