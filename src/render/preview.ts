/**
 * The preview of a proposed policy, for the check's details: what it would do to this PR and to
 * the tiers of other open PRs (src/github/proposed-policy.ts reads them). Pure: advice, not a
 * decision.
 */
import { evaluate } from "../engine/evaluate.js";
import { combineWithFloor, isFloor } from "../engine/floor.js";
import type { ChangedFile, Decision, PullRequestFacts } from "../engine/types.js";
import type { LoadResult } from "../policy/loader.js";
import { TIERS, type Policy, type Tier } from "../policy/schema.js";

/** What one preview may read: one GraphQL query, at most this many PRs and files per PR. */
export const PREVIEW_BUDGET = {
  queries: 1,
  pullRequests: 20,
  filesPerPullRequest: 100,
  repositories: 5,
  pullRequestsPerRepository: 4,
} as const;
/**
 * Who may see the organisation preview: its check on `.github` is read by everyone who can read
 * `.github` (often the public), and a PR's author chooses the proposed policy, so rules per path,
 * size or author could probe other repositories. Only members of the organisation get it (never
 * an outsider's fork PR, nor an outside collaborator), and it covers public repositories only.
 */
export function mayPreviewOrganization(authorAssociation: string | undefined): boolean {
  return authorAssociation === "OWNER" || authorAssociation === "MEMBER";
}

/** An open PR as the preview sees it: enough facts for a tier. */
export interface PreviewPullRequest {
  repository: string;
  number: number;
  author: { login: string; isBot: boolean };
  title: string;
  headBranch: string;
  files: ChangedFile[];
  /** False when the PR has more files than the preview read. */
  filesComplete: boolean;
  /** For the organisation preview: the repository's own policy (undefined: none; a result: loaded). */
  ownPolicy?: LoadResult;
}

export interface PreviewInput {
  /** The policies as they are now and as proposed. */
  current: Policy;
  proposed: Policy;
  /** This PR's facts and what the current policy decided. */
  facts: PullRequestFacts;
  decision: Decision;
  /** organization: the PR edits the organisation policy, and `others` are PRs of other repositories. */
  scope: "repository" | "organization";
  others: PreviewPullRequest[];
  /** How many open PRs there were in all (beyond what was read: "… and N more"). */
  totalOthers: number;
  /** The organisation preview was not made: the PR's author is not a member of the organisation. */
  withheld?: "outsider";
}

const TIER_RANK = (tier: Tier) => TIERS.indexOf(tier);

/** The preview's Markdown, for the check's details. Pure. */
export function renderPreview(input: PreviewInput): string {
  const own = evaluate(input.proposed, input.facts);
  const lines = [
    "#### Preview: what the proposed policy would do",
    "",
    `This PR's decision still comes from the current policy (${input.decision.tier}, ${input.decision.conclusion}). Under the proposed policy it would be **${own.tier}** (${
      own.conclusion === "success"
        ? "every requirement met"
        : `missing: ${own.requirements
            .filter((r) => !r.met)
            .map((r) => r.kind)
            .join(", ")}`
    }).`,
    "",
  ];
  const changes: string[] = [];
  let unchanged = 0;
  for (const pr of input.others) {
    const before = tierUnder(input, pr, "current");
    const after = tierUnder(input, pr, "proposed");
    if (before === undefined || after === undefined) {
      changes.push(`- ${label(input, pr)}: not previewed (its repository's own policy does not load)`);
      continue;
    }
    if (before.tier === after.tier) {
      unchanged++;
      continue;
    }
    const direction = TIER_RANK(after.tier) > TIER_RANK(before.tier) ? "" : " (lower)";
    changes.push(
      `- ${label(input, pr)} ${before.tier} → ${after.tier}${direction} (${why(after)})${pr.filesComplete ? "" : " (from its first 100 files)"}`,
    );
  }
  const where =
    input.scope === "organization" ? "open PRs of the owner's other repositories" : "other open PRs into the same base";
  if (input.withheld)
    lines.push(
      "Other repositories are not previewed for a pull request by someone outside the organisation (its readers may not read them).",
    );
  else if (input.others.length === 0) lines.push(`No ${where} to preview.`);
  else {
    const count = input.others.length;
    lines.push(
      `Tiers of ${count} ${count === 1 ? where.replace("PRs", "PR") : where} (newest first), now → with the proposed policy:`,
      "",
    );
    lines.push(...(changes.length ? changes : ["- none changes tier"]));
    if (unchanged > 0 && changes.length > 0)
      lines.push(unchanged === 1 ? "- 1 other keeps its tier" : `- ${unchanged} others keep their tier`);
    const more = input.totalOthers - input.others.length;
    if (more > 0) lines.push(`- … and ${more} more not previewed`);
  }
  lines.push(
    "",
    `The preview reads ${input.scope === "organization" ? `up to ${PREVIEW_BUDGET.repositories} repositories (public repositories only, for members of the organisation: every reader of this check can read them) with ${PREVIEW_BUDGET.pullRequestsPerRepository} open PRs each` : `up to ${PREVIEW_BUDGET.pullRequests} open PRs`} and ${PREVIEW_BUDGET.filesPerPullRequest} files of each in one GraphQL query, and judges tiers only (files, size and the author; not commit trailers, renames' old paths or approvals).`,
    "",
  );
  return lines.join("\n");
}

function label(input: PreviewInput, pr: PreviewPullRequest): string {
  return input.scope === "organization" ? `${pr.repository}#${pr.number}` : `#${pr.number}`;
}

function why(decision: Decision): string {
  const top = decision.reasons.find((r) => r.tier === decision.tier);
  if (!top) return "no changed files";
  if (top.kind === "rule")
    return `rule \`${top.rule}\`${top.policy === "organization" ? " of the organisation policy" : ""}`;
  return top.kind.replace("_", " ");
}

function factsOf(pr: PreviewPullRequest): PullRequestFacts {
  return {
    headSha: "",
    author: pr.author,
    title: pr.title,
    body: "",
    headBranch: pr.headBranch,
    files: pr.files,
    // The preview reads a bounded number of files: judge those it has (the caption says so).
    filesComplete: true,
    labels: [],
    reviews: [],
    teamMembers: {},
    coAuthors: [],
    trailers: [],
    checklist: [],
  };
}

/** A PR's decision under the current or the proposed policy (with the organisation floor where it applies). */
function tierUnder(input: PreviewInput, pr: PreviewPullRequest, which: "current" | "proposed"): Decision | undefined {
  const policy = which === "current" ? input.current : input.proposed;
  const facts = factsOf(pr);
  if (input.scope === "repository") return evaluate(policy, facts);
  // The organisation policy: alone where a repository has none, as a floor where it enforces.
  if (!pr.ownPolicy) return evaluate(policy, facts);
  if (!pr.ownPolicy.ok) return undefined;
  const own = evaluate(pr.ownPolicy.policy, facts);
  return isFloor(policy) ? combineWithFloor(own, evaluate(policy, facts)) : own;
}

export type PreviewRead =
  | { others: PreviewPullRequest[]; total: number; scope: "repository" | "organization"; withheld?: "outsider" }
  | { failed: string };

/** The preview section for the details, when the proposed policy is valid. */
export function previewSection(
  read: PreviewRead | undefined,
  current: Policy,
  proposed: { result?: LoadResult } | undefined,
  facts: PullRequestFacts,
  decision: Decision,
): string | undefined {
  if (!read || !proposed?.result?.ok) return undefined;
  if ("failed" in read)
    return `#### Preview: what the proposed policy would do\n\nThe open pull requests could not be read for a preview (${read.failed}); the decision does not depend on it.\n`;
  return renderPreview({
    current,
    proposed: proposed.result.policy,
    facts,
    decision,
    scope: read.scope,
    others: read.others,
    totalOthers: read.total,
    ...(read.withheld ? { withheld: read.withheld } : {}),
  });
}
