/**
 * One GraphQL request for everything an evaluation needs except the changed files: the PR as it
 * is now, its reviews, labels and who applied them, commit messages (co-author trailers), the
 * app's own checklist comment, the app's check run on the head commit, and where the policy
 * lives (the blob ids at the base branch's tip and in the owner's `.github` repository).
 * The REST files list is fetched beside it, because GraphQL does not give a rename's old path.
 */
import { trailersOf, valuesOf } from "../engine/co-authors.js";
import type { Review } from "../engine/types.js";
import { CHECK_NAME } from "../render/check-output.js";
import { COMMENT_MARKER } from "../state/checklist-state.js";
import {
  COMMENTS_PAGE_QUERY,
  REVIEWS_PAGE_QUERY,
  SNAPSHOT_QUERY,
  type RawComment,
  type RawSnapshot,
  type ReviewsConnection,
} from "./snapshot-query.js";
import type { GitHub } from "./octokit.js";
import {
  codeOwnersLocation,
  labelAppliersOf,
  location,
  newestOf,
  recentCommentsOf,
  newestRunOf,
  requestedReviewersOf,
  restLogin,
  sharedHeadOf,
  timelineOf,
  toReview,
  type PullRequestSnapshot,
  type RawPull,
  type RawRepository,
} from "./snapshot-fields.js";
import { ciOf, commitContributorsOf } from "./snapshot-ci.js";

export type { CodeOwnersLocation, ExistingCheckRun, PolicyLocation, PullRequestSnapshot } from "./snapshot-fields.js";
export { restLogin };

export class PullRequestNotFoundError extends Error {}

/** The snapshot of a PR: the query, every page of reviews, and the app's own comment. */
export async function fetchSnapshot(
  github: GitHub,
  pr: { owner: string; repo: string; number: number; previousHeadSha?: string },
  appId: number,
  policyPath: string,
): Promise<PullRequestSnapshot> {
  const raw = await querySnapshot(github, pr, appId, policyPath);
  const repository = raw.repository;
  const pull = repository?.pullRequest;
  if (!repository || !pull)
    throw new PullRequestNotFoundError(`pull request ${pr.owner}/${pr.repo}#${pr.number} was not found`);
  const [reviews, comment] = [
    await allReviews(github, pr, pull.reviews),
    await findOwnComment(github, pr, pull.firstComments, pull.lastComments),
  ];
  return {
    ...pullRequestOf(raw, repository, pull, pr.number, appId),
    reviews,
    comment,
    recentComments: recentCommentsOf(pull.lastComments.nodes),
    recentCommentsComplete: pull.firstComments.totalCount <= pull.lastComments.nodes.length,
  };
}

/** The snapshot query; errors that only concern the owner's `.github` repository mean "no org policy". */
async function querySnapshot(
  github: GitHub,
  pr: { owner: string; repo: string; number: number; previousHeadSha?: string },
  appId: number,
  policyPath: string,
): Promise<RawSnapshot> {
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
  try {
    return await github.graphql<RawSnapshot>(SNAPSHOT_QUERY, variables);
  } catch (error) {
    const partial = error as { errors?: { path?: (string | number)[]; type?: string }[]; data?: RawSnapshot };
    // Only "there is no such repository" means no organisation policy: any other error could hide
    // an enforced floor, so it fails the evaluation (closed).
    const onlyOrg =
      partial.errors?.length && partial.errors.every((e) => e.path?.[0] === "orgPolicy" && e.type === "NOT_FOUND");
    if (!onlyOrg || !partial.data) throw error;
    return { ...partial.data, orgPolicy: null };
  }
}

/** Reviews decide approvals and change requests: read them all, however many. */
async function allReviews(
  github: GitHub,
  pr: { owner: string; repo: string; number: number },
  first: ReviewsConnection,
): Promise<Review[]> {
  const reviews = first.nodes.map(toReview);
  let cursor = first.pageInfo.hasNextPage ? first.pageInfo.endCursor : null;
  while (cursor) {
    const page = await github.graphql<{ repository: { pullRequest: { reviews: ReviewsConnection } } }>(
      REVIEWS_PAGE_QUERY,
      { owner: pr.owner, name: pr.repo, number: pr.number, after: cursor },
    );
    const more = page.repository.pullRequest.reviews;
    reviews.push(...more.nodes.map(toReview));
    cursor = more.pageInfo.hasNextPage ? more.pageInfo.endCursor : null;
  }
  return reviews;
}

/** The snapshot's fields read from the query's answer (all but the paged reviews and the comment). */
function pullRequestOf(
  raw: RawSnapshot,
  repository: RawRepository,
  pull: RawPull,
  number: number,
  appId: number,
): Omit<PullRequestSnapshot, "reviews" | "comment" | "recentComments" | "recentCommentsComplete"> {
  const name = repository.nameWithOwner;
  const head = pull.headCommit.nodes[0]?.commit;
  const headCommit = head && head.oid === pull.headRefOid ? head : undefined;
  return {
    repository: name,
    ownerIsOrganization: repository.owner.__typename === "Organization",
    state: pull.state,
    title: pull.title ?? "",
    body: pull.body ?? "",
    headBranch: pull.headRefName,
    headSha: pull.headRefOid,
    baseBranch: pull.baseRefName,
    changedFiles: pull.changedFiles,
    author: { login: pull.author ? restLogin(pull.author) : "ghost", isBot: pull.author?.__typename === "Bot" },
    basePolicy: pull.baseRef?.target ? location(name, pull.baseRef.target) : null,
    ...(pull.baseRef?.target ? { codeOwnersBlob: codeOwnersLocation(name, pull.baseRef.target) } : {}),
    headPolicy: headCommit ? location(name, { oid: headCommit.oid, file: headCommit.proposedPolicy ?? null }) : null,
    orgPolicy: raw.orgPolicy?.defaultBranchRef?.target
      ? location(raw.orgPolicy.nameWithOwner, raw.orgPolicy.defaultBranchRef.target)
      : null,
    labels: pull.labels.nodes.map((label) => label.name),
    requestedReviewers: requestedReviewersOf(pull.reviewRequests?.nodes ?? []),
    ...timelineOf(pull),
    labelAppliedBy: labelAppliersOf(pull),
    ...commitTrailers(pull.commits.nodes.map((node) => node.commit.message)),
    commitsComplete: pull.commits.totalCount <= pull.commits.nodes.length,
    commitContributors: commitContributorsOf(pull.commits.nodes.map((node) => node.commit)),
    ci: ciOf(headCommit?.ciSuites, headCommit?.status?.contexts, appId),
    sharedHead: sharedHeadOf(headCommit?.associatedPullRequests ?? null, pull.headRefOid, number),
    checkRun: newestRunOf(headCommit?.checkSuites.nodes.flatMap((suite) => suite.checkRuns.nodes) ?? []),
    previousHeadRunText:
      newestOf(repository.previousHead?.checkSuites?.nodes.flatMap((suite) => suite.checkRuns.nodes) ?? [])?.text ??
      null,
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

/** The commits' trailers and their Co-authored-by values, read as the CLI reads them. */
function commitTrailers(messages: string[]): Pick<PullRequestSnapshot, "coAuthors" | "trailers"> {
  const trailers = trailersOf(messages);
  return { coAuthors: valuesOf(trailers, "Co-authored-by"), trailers };
}
