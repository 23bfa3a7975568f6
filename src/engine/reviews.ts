/**
 * Which reviews count. A reviewer's state is their latest APPROVED or CHANGES_REQUESTED review
 * (COMMENTED does not replace it; DISMISSED removes it). It counts only when the reviewer is not
 * the PR author, not a bot, and an OWNER, MEMBER or COLLABORATOR; with `approvals.stale: discard`
 * an approval counts only on the current head commit. A change request blocks on any commit.
 */
import type { PullRequestFacts, Review } from "./types.js";

const TRUSTED_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export interface ReviewSummary {
  /** Logins whose approval is valid, in the order they approved. */
  approvers: string[];
  /** Logins whose latest review requests changes. */
  changesRequestedBy: string[];
  /** Approvals that do not count, and why: shown so nobody wonders where their approval went. */
  ignored: { login: string; why: string }[];
}

export function summarizeReviews(facts: PullRequestFacts, stale: "discard" | "keep"): ReviewSummary {
  const latest = new Map<string, Review>();
  for (const review of facts.reviews) {
    const key = review.author.toLowerCase();
    if (review.state === "APPROVED" || review.state === "CHANGES_REQUESTED") {
      latest.delete(key); // re-insert so the map keeps the order of each reviewer's latest review
      latest.set(key, review);
    } else if (review.state === "DISMISSED") {
      latest.delete(key);
    }
  }

  const summary: ReviewSummary = { approvers: [], changesRequestedBy: [], ignored: [] };
  const author = facts.author.login.toLowerCase();
  for (const [key, review] of latest) {
    const why = invalidReviewer(review, key, author);
    if (review.state === "CHANGES_REQUESTED") {
      if (!why) summary.changesRequestedBy.push(review.author);
      continue;
    }
    if (why) summary.ignored.push({ login: review.author, why });
    else if (stale === "discard" && review.commitId !== facts.headSha) {
      summary.ignored.push({ login: review.author, why: `approved an older commit (${review.commitId.slice(0, 7)})` });
    } else if (
      stale === "discard" &&
      facts.baseChangedAt !== undefined &&
      !(Date.parse(review.submittedAt ?? "") > Date.parse(facts.baseChangedAt))
    ) {
      // Retargeted after the approval: the same head, another base, another diff (fail closed on an unknown time).
      summary.ignored.push({ login: review.author, why: "approved before the PR's base branch was changed" });
    } else summary.approvers.push(review.author);
  }
  return summary;
}

function invalidReviewer(review: Review, login: string, author: string): string | undefined {
  if (login === author) return "is the PR author";
  if (review.authorIsBot || login.endsWith("[bot]")) return "is a bot";
  if (!TRUSTED_ASSOCIATIONS.has(review.authorAssociation.toUpperCase())) {
    return `is not a collaborator (association ${review.authorAssociation || "NONE"})`;
  }
  return undefined;
}
