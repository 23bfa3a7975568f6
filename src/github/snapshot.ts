/**
 * One GraphQL request for everything an evaluation needs except the changed files: the PR as it
 * is now, its reviews, labels and who applied them, commit messages (co-author trailers), the
 * app's own checklist comment, the app's check run on the head commit, and where the policy
 * lives (the blob ids at the base branch's tip and in the owner's `.github` repository).
 * The REST files list is fetched beside it, because GraphQL does not give a rename's old path.
 */
import { coAuthorsOf } from "../engine/co-authors.js";
import type { Review, ReviewState } from "../engine/types.js";
import { CHECK_NAME } from "../render/check-output.js";
import { COMMENT_MARKER } from "../state/checklist-state.js";
import type { ObservedCheckRun } from "../reconcile/check.js";
import { CODEOWNERS_PATHS } from "../policy/codeowners.js";
import type { GitHub } from "./octokit.js";

const CODEOWNERS_ALIASES = ["codeownersGithub", "codeownersRoot", "codeownersDocs"] as const;

/** GraphQL fields of the base commit: one per place GitHub looks for CODEOWNERS. */
const CODEOWNERS_FIELDS = CODEOWNERS_ALIASES.map(
  (alias, i) => `${alias}: file(path: "${CODEOWNERS_PATHS[i]}") { object { ... on Blob { oid byteSize } } }`,
).join(" ");

type RawFile = { object?: { oid?: string; byteSize?: number } | null } | null | undefined;
type RawCodeOwnersFields = Partial<Record<(typeof CODEOWNERS_ALIASES)[number], RawFile>>;

export interface CodeOwnersLocation {
  repository: string;
  path: string;
  blobOid: string;
  byteSize?: number;
}

/** The first of the three places that holds a CODEOWNERS, or null. */
function codeOwnersLocation(repository: string, target: RawCodeOwnersFields): CodeOwnersLocation | null {
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

export const SNAPSHOT_QUERY = /* GraphQL */ `
  query GuardrailsPullRequest($owner: String!, $name: String!, $number: Int!, $policyPath: String!, $appId: Int!, $checkName: String!, $previousHead: GitObjectID!, $withPreviousHead: Boolean!) {
    repository(owner: $owner, name: $name) {
      nameWithOwner
      previousHead: object(oid: $previousHead) @include(if: $withPreviousHead) {
        ... on Commit { checkSuites(first: 10, filterBy: { appId: $appId }) { nodes { checkRuns(first: 10, filterBy: { checkName: $checkName }) { nodes { databaseId text } } } } }
      }
      owner { __typename login }
      pullRequest(number: $number) {
        state
        title
        body
        headRefName
        headRefOid
        baseRefName
        changedFiles
        author { __typename login }
        baseRef { target { oid ... on Commit { file(path: $policyPath) { object { ... on Blob { oid byteSize } } } ${CODEOWNERS_FIELDS} } } }
        labels(first: 100) { nodes { name } }
        reviewRequests(first: 100) { nodes { requestedReviewer { __typename ... on User { login } ... on Bot { login } ... on Team { slug } } } }
        headForcePushes: timelineItems(last: 1, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT]) { nodes { ... on HeadRefForcePushedEvent { createdAt } } }
        baseRefChanges: timelineItems(last: 1, itemTypes: [BASE_REF_CHANGED_EVENT, AUTOMATIC_BASE_CHANGE_SUCCEEDED_EVENT, BASE_REF_FORCE_PUSHED_EVENT]) {
          nodes { ... on BaseRefChangedEvent { createdAt } ... on AutomaticBaseChangeSucceededEvent { createdAt } ... on BaseRefForcePushedEvent { createdAt } }
        }
        labelEvents: timelineItems(last: 100, itemTypes: [LABELED_EVENT]) {
          nodes { ... on LabeledEvent { actor { __typename login } label { name } } }
        }
        reviews(first: 100) {
          pageInfo { hasNextPage endCursor }
          nodes { author { __typename login } state authorAssociation submittedAt commit { oid } }
        }
        commits(last: 100) { totalCount nodes { commit { message } } }
        headCommit: commits(last: 1) {
          nodes {
            commit {
              oid
              proposedPolicy: file(path: $policyPath) { object { ... on Blob { oid byteSize } } }
              associatedPullRequests(first: 30) { totalCount nodes { number state headRefOid } }
              checkSuites(first: 10, filterBy: { appId: $appId }) {
                nodes { checkRuns(first: 10, filterBy: { checkName: $checkName }) { nodes { databaseId externalId completedAt status conclusion title summary text } } }
              }
            }
          }
        }
        firstComments: comments(first: 100) { totalCount pageInfo { endCursor } nodes { databaseId body viewerDidAuthor } }
        lastComments: comments(last: 100) { pageInfo { startCursor } nodes { databaseId body viewerDidAuthor } }
      }
    }
    orgPolicy: repository(owner: $owner, name: ".github") {
      nameWithOwner
      defaultBranchRef { target { oid ... on Commit { file(path: $policyPath) { object { ... on Blob { oid byteSize } } } } } }
    }
  }
`;

const REVIEWS_PAGE_QUERY = /* GraphQL */ `
  query GuardrailsReviews($owner: String!, $name: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        reviews(first: 100, after: $after) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            author {
              __typename
              login
            }
            state
            authorAssociation
            submittedAt
            commit {
              oid
            }
          }
        }
      }
    }
  }
`;

const COMMENTS_PAGE_QUERY = /* GraphQL */ `
  query GuardrailsComments($owner: String!, $name: String!, $number: Int!, $after: String!) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        comments(first: 100, after: $after) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            databaseId
            body
            viewerDidAuthor
          }
        }
      }
    }
  }
`;

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
  /** False when the PR has more commits than were read (their trailers are unknown). */
  commitsComplete: boolean;
  comment: { id: number; body: string } | null;
  checkRun: ExistingCheckRun | null;
  /**
   * The other open PRs whose head is this PR's head commit (one commit, several PRs: the check on
   * it must hold for all of them); `complete` is false when GitHub listed fewer than it has.
   */
  sharedHead: { numbers: number[]; complete: boolean };
  /** The text of the app's newest run on the head before a push (asked for on `synchronize` only). */
  previousHeadRunText: string | null;
}

interface Actor {
  __typename?: string;
  login: string;
}
interface RawReview {
  author: Actor | null;
  state: ReviewState;
  authorAssociation: string;
  submittedAt: string | null;
  commit: { oid: string } | null;
}
interface ReviewsConnection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: RawReview[];
}
interface RawComment {
  databaseId: number;
  body: string;
  viewerDidAuthor: boolean;
}
interface RawFileTarget {
  oid: string;
  file?: { object?: { oid?: string; byteSize?: number } | null } | null;
}
interface RawSnapshot {
  repository: {
    nameWithOwner: string;
    owner: Actor;
    previousHead?: {
      checkSuites?: { nodes: { checkRuns: { nodes: { databaseId: number; text: string | null }[] } }[] };
    } | null;
    pullRequest: {
      state: PullRequestSnapshot["state"];
      title: string;
      body: string;
      headRefName: string;
      headRefOid: string;
      baseRefName: string;
      changedFiles: number;
      author: Actor | null;
      baseRef: { target: (RawFileTarget & RawCodeOwnersFields) | null } | null;
      labels: { nodes: { name: string }[] };
      reviewRequests?: {
        nodes: ({ requestedReviewer: { __typename?: string; login?: string; slug?: string } | null } | null)[];
      } | null;
      baseRefChanges?: { nodes: ({ createdAt?: string } | null)[] } | null;
      headForcePushes?: { nodes: ({ createdAt?: string } | null)[] } | null;
      labelEvents: { nodes: ({ actor: Actor | null; label: { name: string } } | null)[] };
      reviews: ReviewsConnection;
      commits: { totalCount: number; nodes: { commit: { message: string } }[] };
      headCommit: {
        nodes: {
          commit: {
            oid: string;
            proposedPolicy?: { object?: { oid?: string; byteSize?: number } | null } | null;
            associatedPullRequests?: {
              totalCount: number;
              nodes: { number: number; state: string; headRefOid: string }[];
            } | null;
            checkSuites: { nodes: { checkRuns: { nodes: (ExistingCheckRun & { databaseId: number })[] } }[] };
          };
        }[];
      };
      firstComments: { totalCount: number; pageInfo: { endCursor: string | null }; nodes: RawComment[] };
      lastComments: { pageInfo: { startCursor: string | null }; nodes: RawComment[] };
    } | null;
  } | null;
  orgPolicy: { nameWithOwner: string; defaultBranchRef: { target: RawFileTarget | null } | null } | null;
}

export class PullRequestNotFoundError extends Error {}

/** The snapshot query; errors that only concern the owner's `.github` repository mean "no org policy". */
export async function fetchSnapshot(
  github: GitHub,
  pr: { owner: string; repo: string; number: number; previousHeadSha?: string },
  appId: number,
  policyPath: string,
): Promise<PullRequestSnapshot> {
  const previousHead =
    pr.previousHeadSha && /^[0-9a-f]{40}$/i.test(pr.previousHeadSha) ? pr.previousHeadSha : undefined;
  const variables = {
    owner: pr.owner,
    name: pr.repo,
    number: pr.number,
    policyPath,
    appId,
    checkName: CHECK_NAME,
    // The variable must be a valid object id even when the field is left out.
    previousHead: previousHead ?? "0000000000000000000000000000000000000000",
    withPreviousHead: previousHead !== undefined,
  };
  let raw: RawSnapshot;
  try {
    raw = await github.graphql<RawSnapshot>(SNAPSHOT_QUERY, variables);
  } catch (error) {
    const partial = error as { errors?: { path?: (string | number)[]; type?: string }[]; data?: RawSnapshot };
    // Only "there is no such repository" means no organisation policy: any other error could hide
    // an enforced floor, so it fails the evaluation (closed).
    const onlyOrg =
      partial.errors?.length && partial.errors.every((e) => e.path?.[0] === "orgPolicy" && e.type === "NOT_FOUND");
    if (!onlyOrg || !partial.data) throw error;
    raw = { ...partial.data, orgPolicy: null };
  }
  const repository = raw.repository;
  const pull = repository?.pullRequest;
  if (!repository || !pull)
    throw new PullRequestNotFoundError(`pull request ${pr.owner}/${pr.repo}#${pr.number} was not found`);

  const reviews = pull.reviews.nodes.map(toReview);
  let cursor = pull.reviews.pageInfo.hasNextPage ? pull.reviews.pageInfo.endCursor : null;
  while (cursor) {
    // Reviews decide approvals and change requests: read them all, however many.
    const page = await github.graphql<{ repository: { pullRequest: { reviews: ReviewsConnection } } }>(
      REVIEWS_PAGE_QUERY,
      { owner: pr.owner, name: pr.repo, number: pr.number, after: cursor },
    );
    const more = page.repository.pullRequest.reviews;
    reviews.push(...more.nodes.map(toReview));
    cursor = more.pageInfo.hasNextPage ? more.pageInfo.endCursor : null;
  }

  // Keyed by label names a triager chooses: no prototype, so `constructor` is just a label.
  const labelAppliedBy = Object.create(null) as Record<string, string>;
  for (const event of pull.labelEvents.nodes) {
    if (event?.actor && event.label) labelAppliedBy[event.label.name] = restLogin(event.actor);
  }

  const headCommit = pull.headCommit.nodes[0]?.commit;
  const runs =
    headCommit && headCommit.oid === pull.headRefOid
      ? headCommit.checkSuites.nodes.flatMap((suite) => suite.checkRuns.nodes)
      : [];
  const newestRun = runs.sort((a, b) => b.databaseId - a.databaseId)[0];

  return {
    repository: repository.nameWithOwner,
    ownerIsOrganization: repository.owner.__typename === "Organization",
    state: pull.state,
    title: pull.title ?? "",
    body: pull.body ?? "",
    headBranch: pull.headRefName,
    headSha: pull.headRefOid,
    baseBranch: pull.baseRefName,
    changedFiles: pull.changedFiles,
    author: { login: pull.author ? restLogin(pull.author) : "ghost", isBot: pull.author?.__typename === "Bot" },
    basePolicy: pull.baseRef?.target ? location(repository.nameWithOwner, pull.baseRef.target) : null,
    ...(pull.baseRef?.target
      ? { codeOwnersBlob: codeOwnersLocation(repository.nameWithOwner, pull.baseRef.target) }
      : {}),
    headPolicy:
      headCommit && headCommit.oid === pull.headRefOid
        ? location(repository.nameWithOwner, { oid: headCommit.oid, file: headCommit.proposedPolicy ?? null })
        : null,
    orgPolicy: raw.orgPolicy?.defaultBranchRef?.target
      ? location(raw.orgPolicy.nameWithOwner, raw.orgPolicy.defaultBranchRef.target)
      : null,
    labels: pull.labels.nodes.map((label) => label.name),
    requestedReviewers: requestedReviewersOf(pull.reviewRequests?.nodes ?? []),
    // A force-push of the head without a readable time counts as now (an override must come after it).
    ...(pull.headForcePushes && pull.headForcePushes.nodes.length > 0
      ? { headForcePushedAt: pull.headForcePushes.nodes.at(-1)?.createdAt ?? "unknown time" }
      : {}),
    // The latest retarget, automatic retarget or base force-push: any of them can change the diff
    // under the same head. One without a readable time discards every approval (fail closed).
    ...(pull.baseRefChanges && pull.baseRefChanges.nodes.length > 0
      ? { baseChangedAt: pull.baseRefChanges.nodes.at(-1)?.createdAt ?? "unknown time" }
      : {}),
    labelAppliedBy,
    reviews,
    coAuthors: coAuthorsOf(pull.commits.nodes.map((node) => node.commit.message)),
    commitsComplete: pull.commits.totalCount <= pull.commits.nodes.length,
    comment: await findOwnComment(github, pr, pull.firstComments, pull.lastComments),
    sharedHead: sharedHeadOf(
      headCommit && headCommit.oid === pull.headRefOid ? headCommit.associatedPullRequests : null,
      pull.headRefOid,
      pr.number,
    ),
    checkRun: newestRun
      ? {
          id: newestRun.databaseId,
          externalId: newestRun.externalId ?? null,
          completedAt: newestRun.completedAt ?? null,
          status: newestRun.status,
          conclusion: newestRun.conclusion,
          title: newestRun.title,
          summary: newestRun.summary,
          text: newestRun.text,
        }
      : null,
    previousHeadRunText:
      (repository.previousHead?.checkSuites?.nodes.flatMap((suite) => suite.checkRuns.nodes) ?? []).sort(
        (a, b) => b.databaseId - a.databaseId,
      )[0]?.text ?? null,
  };
}

/** The other open PRs with this head, from the commit's associated PRs (which also holds merged ones and PRs built on top). */
function sharedHeadOf(
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

function toReview(raw: RawReview): Review {
  return {
    author: raw.author ? restLogin(raw.author) : "ghost",
    authorIsBot: raw.author?.__typename === "Bot",
    state: raw.state,
    commitId: raw.commit?.oid ?? "",
    authorAssociation: raw.authorAssociation,
    ...(raw.submittedAt ? { submittedAt: raw.submittedAt } : {}),
  };
}

function location(repository: string, target: RawFileTarget): PolicyLocation {
  const blob = target.file?.object;
  return {
    repository,
    commit: target.oid,
    ...(blob?.oid ? { blobOid: blob.oid } : {}),
    ...(blob?.byteSize !== undefined ? { byteSize: blob.byteSize } : {}),
  };
}

const isOwnComment = (comment: RawComment) => comment.viewerDidAuthor && comment.body.includes(COMMENT_MARKER);

/**
 * The app's comment is usually among the first or the last hundred; on a PR with hundreds of
 * comments the ones between are paged through only when neither end has it.
 */
async function findOwnComment(
  github: GitHub,
  pr: { owner: string; repo: string; number: number },
  first: { totalCount: number; pageInfo: { endCursor: string | null }; nodes: RawComment[] },
  last: { pageInfo: { startCursor: string | null }; nodes: RawComment[] },
): Promise<{ id: number; body: string } | null> {
  const found = first.nodes.find(isOwnComment) ?? last.nodes.find(isOwnComment);
  if (found) return { id: found.databaseId, body: found.body };
  if (first.totalCount <= first.nodes.length + last.nodes.length) return null;
  let cursor = first.pageInfo.endCursor;
  const stopAt = new Set(last.nodes.map((c) => c.databaseId));
  while (cursor) {
    const page = await github.graphql<{
      repository: {
        pullRequest: {
          comments: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RawComment[] };
        };
      };
    }>(COMMENTS_PAGE_QUERY, { owner: pr.owner, name: pr.repo, number: pr.number, after: cursor });
    const { comments } = page.repository.pullRequest;
    const hit = comments.nodes.find(isOwnComment);
    if (hit) return { id: hit.databaseId, body: hit.body };
    if (comments.nodes.some((c) => stopAt.has(c.databaseId))) return null;
    cursor = comments.pageInfo.hasNextPage ? comments.pageInfo.endCursor : null;
  }
  return null;
}

function requestedReviewersOf(
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
