/**
 * Which reviews count. A reviewer's state is their latest APPROVED or CHANGES_REQUESTED review
 * (COMMENTED does not replace it; DISMISSED removes it). It counts only when the reviewer is not
 * the PR author, not a bot, and an OWNER, MEMBER or COLLABORATOR; with `approvals.stale: discard`
 * an approval counts only on the current head commit; with `approvals.ignore_contributors` it
 * counts only from someone who did not contribute to the PR's commits. A change request blocks on
 * any commit, a contributor's too.
 */
import { noReplyLogin, valuesOf } from "./co-authors.js";
import type { ContributorWhy, PullRequestFacts, Review } from "./types.js";

const TRUSTED_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export interface ReviewSummary {
  /** Logins whose approval is valid, in the order they approved. */
  approvers: string[];
  /** Logins whose latest review requests changes. */
  changesRequestedBy: string[];
  /** Approvals that do not count, and why: shown so nobody wonders where their approval went. */
  ignored: { login: string; why: string }[];
  /** Of `ignored`, those not counted because they contributed (approvals.ignore_contributors). */
  contributors: { login: string; why: string }[];
}

export function summarizeReviews(
  facts: PullRequestFacts,
  stale: "discard" | "keep",
  ignoreContributors = false,
): ReviewSummary {
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

  const summary: ReviewSummary = { approvers: [], changesRequestedBy: [], ignored: [], contributors: [] };
  const author = facts.author.login.toLowerCase();
  const contributed = ignoreContributors ? contributionsOf(facts) : undefined;
  for (const [key, review] of latest) {
    const why = invalidReviewer(review, key, author);
    if (review.state === "CHANGES_REQUESTED") {
      if (!why) summary.changesRequestedBy.push(review.author);
      continue;
    }
    const contribution = why || !contributed ? undefined : contributed(key);
    if (why) summary.ignored.push({ login: review.author, why });
    else if (contribution) {
      summary.ignored.push({ login: review.author, why: contribution });
      summary.contributors.push({ login: review.author, why: contribution });
    } else if (stale === "discard" && review.commitId !== facts.headSha) {
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

/** "; not counted: alice pushed to this PR, bob is a bot": approvals that did not count, and why. */
export function notCountedNote(entries: { login: string; why: string }[]): string {
  return entries.length ? `; not counted: ${entries.map((entry) => `${entry.login} ${entry.why}`).join(", ")}` : "";
}

function invalidReviewer(review: Review, login: string, author: string): string | undefined {
  if (login === author) return "is the PR author";
  if (review.authorIsBot || login.endsWith("[bot]")) return "is a bot";
  if (!TRUSTED_ASSOCIATIONS.has(review.authorAssociation.toUpperCase())) {
    return `is not a collaborator (association ${review.authorAssociation || "NONE"})`;
  }
  return undefined;
}

const CONTRIBUTION_TEXT: Record<ContributorWhy, string> = {
  "pushed to this PR": "pushed to this PR",
  "authored a commit": "authored a commit of this PR",
  committed: "committed to this PR",
  "co-authored (trailer)": "is a co-author of a commit (Co-authored-by)",
};

/**
 * For `approvals.ignore_contributors`: what a login (lower case) contributed, as text, or
 * undefined. Commits nobody could read may be anyone's: then every reviewer is a possible one.
 */
function contributionsOf(facts: PullRequestFacts): (login: string) => string | undefined {
  const whys = new Map<string, Set<ContributorWhy>>();
  const add = (login: string, why: ContributorWhy) => {
    const key = login.toLowerCase();
    if (!whys.has(key)) whys.set(key, new Set());
    whys.get(key)!.add(why);
  };
  for (const contributor of facts.contributors ?? []) add(contributor.login, contributor.why);
  const coAuthors = [...facts.coAuthors, ...valuesOf(facts.trailers ?? [], "Co-authored-by")];
  for (const value of coAuthors) {
    const login = noReplyLogin(value);
    if (login) add(login, "co-authored (trailer)");
  }
  if (facts.coAuthorsComplete === false) {
    return () => "may have contributed: the PR has more commits than could be read";
  }
  const pushersUnknown = facts.pushersUnknown;
  if (pushersUnknown !== undefined) return () => `may have pushed to this PR: ${pushersUnknown}`;
  return (login) => {
    const found = whys.get(login);
    if (!found) return undefined;
    // In a fixed order, so the same facts always give the same text.
    return (Object.keys(CONTRIBUTION_TEXT) as ContributorWhy[])
      .filter((why) => found.has(why))
      .map((why) => CONTRIBUTION_TEXT[why])
      .join(" and ");
  };
}
