/**
 * The GraphQL of the snapshot (one request for everything an evaluation needs but the changed
 * files) and its follow-up pages, with the shapes GitHub answers in.
 */
import { CODEOWNERS_PATHS } from "../policy/codeowners.js";
import type { ReviewState } from "../engine/types.js";
import type { ObservedCheckRun } from "../reconcile/check.js";

export const CODEOWNERS_ALIASES = ["codeownersGithub", "codeownersRoot", "codeownersDocs"] as const;

/** GraphQL fields of the base commit: one per place GitHub looks for CODEOWNERS. */
const CODEOWNERS_FIELDS = CODEOWNERS_ALIASES.map(
  (alias, i) => `${alias}: file(path: "${CODEOWNERS_PATHS[i]}") { object { ... on Blob { oid byteSize } } }`,
).join(" ");

type RawFile = { object?: { oid?: string; byteSize?: number } | null } | null | undefined;
export type RawCodeOwnersFields = Partial<Record<(typeof CODEOWNERS_ALIASES)[number], RawFile>>;

/**
 * How many check suites of the head commit are read (GitHub Actions makes one per workflow) and
 * how many runs of each: past either, `checks` cannot be judged and fail closed.
 */
export const CI_SUITES = 50;
export const CI_RUNS_PER_SUITE = 100;

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
        commits(last: 100) { totalCount nodes { commit { message author { user { login } } committer { user { login } } } } }
        headCommit: commits(last: 1) {
          nodes {
            commit {
              oid
              proposedPolicy: file(path: $policyPath) { object { ... on Blob { oid byteSize } } }
              associatedPullRequests(first: 30) { totalCount nodes { number state headRefOid } }
              checkSuites(first: 10, filterBy: { appId: $appId }) {
                nodes { checkRuns(first: 10, filterBy: { checkName: $checkName }) { nodes { databaseId externalId completedAt status conclusion title summary text } } }
              }
              ciSuites: checkSuites(first: ${CI_SUITES}) {
                totalCount
                nodes { app { databaseId slug } checkRuns(first: ${CI_RUNS_PER_SUITE}) { totalCount nodes { databaseId name status conclusion permalink detailsUrl startedAt completedAt } } }
              }
              status { contexts { context state targetUrl } }
            }
          }
        }
        firstComments: comments(first: 100) { totalCount pageInfo { endCursor } nodes { databaseId body viewerDidAuthor } }
        lastComments: comments(last: 100) { pageInfo { startCursor } nodes { databaseId body viewerDidAuthor createdAt authorAssociation author { __typename login } } }
      }
    }
    orgPolicy: repository(owner: $owner, name: ".github") {
      nameWithOwner
      defaultBranchRef { target { oid ... on Commit { file(path: $policyPath) { object { ... on Blob { oid byteSize } } } } } }
    }
  }
`;

export const REVIEWS_PAGE_QUERY = /* GraphQL */ `
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

export const COMMENTS_PAGE_QUERY = /* GraphQL */ `
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

export interface Actor {
  __typename?: string;
  login: string;
}
export interface RawReview {
  author: Actor | null;
  state: ReviewState;
  authorAssociation: string;
  submittedAt: string | null;
  commit: { oid: string } | null;
}
export interface ReviewsConnection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: RawReview[];
}
export interface RawComment {
  databaseId: number;
  body: string;
  viewerDidAuthor: boolean;
  /** Asked for the last 100 comments only (a withdrawal is read again from them). */
  createdAt?: string;
  /** Asked for the last 100 comments only: who is looked up first when an `off` is read again. */
  authorAssociation?: string;
  author?: { __typename?: string; login: string } | null;
}
/** A commit of the PR: its message (trailers) and the GitHub users of its author and committer. */
export interface RawCommit {
  message: string;
  author?: { user: { login: string } | null } | null;
  committer?: { user: { login: string } | null } | null;
}
/** A check suite on the head commit, with the app that posted it and its runs. */
export interface RawCiSuite {
  app: { databaseId: number; slug: string } | null;
  checkRuns: {
    totalCount: number;
    nodes: {
      databaseId: number;
      name: string;
      status: string;
      conclusion: string | null;
      permalink?: string | null;
      detailsUrl?: string | null;
      startedAt?: string | null;
      completedAt?: string | null;
    }[];
  };
}
/** A commit status context (GraphQL's StatusState: SUCCESS, FAILURE, ERROR, PENDING, EXPECTED). */
export interface RawStatusContext {
  context: string;
  state: string;
  targetUrl?: string | null;
}
export interface RawFileTarget {
  oid: string;
  file?: { object?: { oid?: string; byteSize?: number } | null } | null;
}
export interface RawSnapshot {
  repository: {
    nameWithOwner: string;
    owner: Actor;
    previousHead?: {
      checkSuites?: { nodes: { checkRuns: { nodes: { databaseId: number; text: string | null }[] } }[] };
    } | null;
    pullRequest: {
      state: "OPEN" | "CLOSED" | "MERGED";
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
      commits: { totalCount: number; nodes: { commit: RawCommit }[] };
      headCommit: {
        nodes: {
          commit: {
            oid: string;
            proposedPolicy?: { object?: { oid?: string; byteSize?: number } | null } | null;
            associatedPullRequests?: {
              totalCount: number;
              nodes: { number: number; state: string; headRefOid: string }[];
            } | null;
            checkSuites: { nodes: { checkRuns: { nodes: (ObservedCheckRun & { databaseId: number })[] } }[] };
            ciSuites?: { totalCount: number; nodes: RawCiSuite[] } | null;
            status?: { contexts: RawStatusContext[] } | null;
          };
        }[];
      };
      firstComments: { totalCount: number; pageInfo: { endCursor: string | null }; nodes: RawComment[] };
      lastComments: { pageInfo: { startCursor: string | null }; nodes: RawComment[] };
    } | null;
  } | null;
  orgPolicy: { nameWithOwner: string; defaultBranchRef: { target: RawFileTarget | null } | null } | null;
}
