/**
 * The snapshot's shape, and how each of its fields is read from GitHub's answer (pure).
 */
import type { CiFacts, CommitTrailer, Contributor, Review } from "../engine/types.js";
import { CODEOWNERS_PATHS } from "../policy/codeowners.js";
import type { ObservedCheckRun } from "../reconcile/check.js";
import {
  CODEOWNERS_ALIASES,
  type Actor,
  type RawCodeOwnersFields,
  type RawFileTarget,
  type RawComment,
  type RawReview,
  type RawSnapshot,
} from "./snapshot-query.js";

export type RawRepository = NonNullable<RawSnapshot["repository"]>;
export type RawPull = NonNullable<RawRepository["pullRequest"]>;

export interface CodeOwnersLocation {
  repository: string;
  path: string;
  blobOid: string;
  byteSize?: number;
}

/** The first of the three places that holds a CODEOWNERS, or null. */
export function codeOwnersLocation(repository: string, target: RawCodeOwnersFields): CodeOwnersLocation | null {
  for (const [i, alias] of CODEOWNERS_ALIASES.entries()) {
    const blob = target[alias]?.object;
    if (blob?.oid)
      return {
        repository,
        path: CODEOWNERS_PATHS[i]!,
        blobOid: blob.oid,
        ...(blob.byteSize !== undefined ? { byteSize: blob.byteSize } : {}),
      };
  }
  return null;
}

export interface PolicyLocation {
  repository: string;
  commit: string;
  blobOid?: string;
  byteSize?: number;
}

export type ExistingCheckRun = ObservedCheckRun;

export interface PullRequestSnapshot {
  repository: string;
  ownerIsOrganization: boolean;
  state: "OPEN" | "CLOSED" | "MERGED";
  title: string;
  body: string;
  headBranch: string;
  headSha: string;
  baseBranch: string;
  changedFiles: number;
  author: { login: string; isBot: boolean };
  basePolicy: PolicyLocation | null;
  /** The base's CODEOWNERS blob (null: none; undefined: the base is unknown). */
  codeOwnersBlob?: CodeOwnersLocation | null;
  /** Users and teams whose review is requested now. */
  requestedReviewers?: { users: string[]; teams: string[] };
  /** The policy file at the PR's head (what the PR proposes), read from the same query. */
  headPolicy: PolicyLocation | null;
  orgPolicy: PolicyLocation | null;
  labels: string[];
  /** When the PR's head branch was last force-pushed, if ever (an override command must come after it). */
  headForcePushedAt?: string;
  /** When the PR's base branch last changed (a retarget), if ever. */
  baseChangedAt?: string;
  /** The latest actor to apply each label, by label name. */
  labelAppliedBy: Record<string, string>;
  reviews: Review[];
  coAuthors: string[];
  /** Every trailer line of the commits' messages (agents.trailers picks the keys). */
  trailers: CommitTrailer[];
  /** False when the PR has more commits than were read (their trailers are unknown). */
  commitsComplete: boolean;
  /** The GitHub users of the read commits' authors and committers (approvals.ignore_contributors). */
  commitContributors: Contributor[];
  /** The check runs of other apps and the commit statuses on the head commit (`checks`). */
  ci: CiFacts;
  comment: { id: number; body: string } | null;
  /** The last 100 comments of people (not this app), newest last: an `off` is read again from them. */
  recentComments: RecentComment[];
  /** Whether those are every comment of the PR (it has at most 100, the app's own included). */
  recentCommentsComplete: boolean;
  checkRun: ExistingCheckRun | null;
  /**
   * The other open PRs whose head is this PR's head commit (one commit, several PRs: the check on
   * it must hold for all of them); `complete` is false when GitHub listed fewer than it has.
   */
  sharedHead: { numbers: number[]; complete: boolean };
  /** The text of the app's newest run on the head before a push (asked for on `synchronize` only). */
  previousHeadRunText: string | null;
}

export interface RecentComment {
  id: number;
  body: string;
  by: string;
  isBot: boolean;
  at: string;
  /** GitHub's `author_association` of the comment (OWNER, MEMBER, COLLABORATOR, …). */
  association?: string;
}

/** The last comments not written by this app, as the override's withdrawal scan reads them. */
export function recentCommentsOf(nodes: readonly RawComment[]): RecentComment[] {
  return nodes.flatMap((c) =>
    c.viewerDidAuthor || !c.author || !c.createdAt
      ? []
      : [
          {
            id: c.databaseId,
            body: c.body,
            by: c.author.login,
            isBot: c.author.__typename === "Bot",
            at: c.createdAt,
            ...(c.authorAssociation ? { association: c.authorAssociation } : {}),
          },
        ],
  );
}

/** The latest head force-push and base change: an override must come after the first, approvals after the second. */
export function timelineOf(pull: RawPull): Pick<PullRequestSnapshot, "headForcePushedAt" | "baseChangedAt"> {
  // One without a readable time counts as now (fail closed).
  return {
    ...(pull.headForcePushes && pull.headForcePushes.nodes.length > 0
      ? { headForcePushedAt: pull.headForcePushes.nodes.at(-1)?.createdAt ?? "unknown time" }
      : {}),
    // A retarget, automatic retarget or base force-push can change the diff under the same head.
    ...(pull.baseRefChanges && pull.baseRefChanges.nodes.length > 0
      ? { baseChangedAt: pull.baseRefChanges.nodes.at(-1)?.createdAt ?? "unknown time" }
      : {}),
  };
}

export function labelAppliersOf(pull: RawPull): Record<string, string> {
  // Keyed by label names a triager chooses: no prototype, so `constructor` is just a label.
  const appliedBy = Object.create(null) as Record<string, string>;
  for (const event of pull.labelEvents.nodes) {
    if (event?.actor && event.label) appliedBy[event.label.name] = restLogin(event.actor);
  }
  return appliedBy;
}

export function newestOf<T extends { databaseId: number }>(runs: T[]): T | undefined {
  return [...runs].sort((a, b) => b.databaseId - a.databaseId)[0];
}

export function newestRunOf(runs: (ObservedCheckRun & { databaseId: number })[]): ObservedCheckRun | null {
  const run = newestOf(runs);
  if (!run) return null;
  return {
    id: run.databaseId,
    externalId: run.externalId ?? null,
    completedAt: run.completedAt ?? null,
    status: run.status,
    conclusion: run.conclusion,
    title: run.title,
    summary: run.summary,
    text: run.text,
  };
}

/** The other open PRs with this head, from the commit's associated PRs (which also holds merged ones and PRs built on top). */
export function sharedHeadOf(
  associated: { totalCount: number; nodes: { number: number; state: string; headRefOid: string }[] } | null | undefined,
  headSha: string,
  own: number,
): PullRequestSnapshot["sharedHead"] {
  if (!associated) return { numbers: [], complete: false };
  const numbers = associated.nodes
    .filter((pr) => pr.state === "OPEN" && pr.headRefOid === headSha && pr.number !== own)
    .map((pr) => pr.number);
  return {
    numbers: [...new Set(numbers)].sort((a, b) => a - b),
    complete: associated.totalCount <= associated.nodes.length,
  };
}

/**
 * An actor's login as REST, webhooks and policies spell it. GitHub's GraphQL API names a bot
 * without the `[bot]` suffix (`dependabot` for `dependabot[bot]`), so without it `*[bot]` in
 * `agents.authors` would never match a bot-authored PR. Only a Bot gets the suffix; a user's
 * login cannot contain brackets, so no user can pass for a bot this way.
 */
export function restLogin(actor: Actor): string {
  return actor.__typename === "Bot" && !actor.login.endsWith("[bot]") ? `${actor.login}[bot]` : actor.login;
}

export function toReview(raw: RawReview): Review {
  return {
    author: raw.author ? restLogin(raw.author) : "ghost",
    authorIsBot: raw.author?.__typename === "Bot",
    state: raw.state,
    commitId: raw.commit?.oid ?? "",
    authorAssociation: raw.authorAssociation,
    ...(raw.submittedAt ? { submittedAt: raw.submittedAt } : {}),
  };
}

export function location(repository: string, target: RawFileTarget): PolicyLocation {
  const blob = target.file?.object;
  return {
    repository,
    commit: target.oid,
    ...(blob?.oid ? { blobOid: blob.oid } : {}),
    ...(blob?.byteSize !== undefined ? { byteSize: blob.byteSize } : {}),
  };
}

export function requestedReviewersOf(
  nodes: ({ requestedReviewer: { __typename?: string; login?: string; slug?: string } | null } | null)[],
): { users: string[]; teams: string[] } {
  const out = { users: [] as string[], teams: [] as string[] };
  for (const node of nodes) {
    const who = node?.requestedReviewer;
    if (who?.slug) out.teams.push(who.slug);
    else if (who?.login) out.users.push(restLogin({ __typename: who.__typename, login: who.login }));
  }
  return out;
}
