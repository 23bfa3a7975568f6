/**
 * The preview's read of other open PRs (src/render/preview.ts renders it): one GraphQL query, made
 * in the same round as the proposed blob, cached for a few minutes. It is advice, not a decision,
 * and reads only what the PR's author may see (public repositories, for the organisation's members).
 */
import type { Logger } from "pino";
import type { ChangedFile } from "../engine/types.js";
import { loadPolicy } from "../policy/loader.js";
import { POLICY_PATH } from "../policy/schema.js";
import {
  mayPreviewOrganization,
  PREVIEW_BUDGET,
  type PreviewPullRequest,
  type PreviewRead,
} from "../render/preview.js";
import type { GitHub } from "./octokit.js";
import { isOrganizationLocation } from "./policy-source.js";
import { proposesPolicy } from "./proposed-policy.js";
import type { PullRequestSnapshot } from "./snapshot.js";

const PREVIEW_TTL_MS = 10 * 60 * 1000;
const PREVIEW_CACHE_SIZE = 200;

/** What the preview reads of each PR, in both of its queries. */
const PREVIEW_PULL_FRAGMENT = /* GraphQL */ `
  fragment PreviewPull on PullRequest {
    number
    title
    headRefName
    author {
      __typename
      login
    }
    files(first: $files) {
      totalCount
      nodes {
        path
        additions
        deletions
        changeType
      }
    }
  }
`;

export const SAME_BASE_QUERY = /* GraphQL */ `
  query GuardrailsPreview($owner: String!, $name: String!, $base: String!, $first: Int!, $files: Int!) {
    repository(owner: $owner, name: $name) {
      pullRequests(baseRefName: $base, states: OPEN, first: $first, orderBy: { field: CREATED_AT, direction: DESC }) {
        totalCount
        nodes {
          ...PreviewPull
        }
      }
    }
  }
  ${PREVIEW_PULL_FRAGMENT}
`;

export const ORGANIZATION_QUERY = /* GraphQL */ `
  query GuardrailsOrganizationPreview(
    $owner: String!
    $name: String!
    $number: Int!
    $repositories: Int!
    $first: Int!
    $files: Int!
    $policyExpression: String!
  ) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        authorAssociation
      }
    }
    repositoryOwner(login: $owner) {
      repositories(
        first: $repositories
        privacy: PUBLIC
        orderBy: { field: PUSHED_AT, direction: DESC }
        isArchived: false
      ) {
        nodes {
          nameWithOwner
          name
          visibility
          policy: object(expression: $policyExpression) {
            ... on Blob {
              text
            }
          }
          pullRequests(states: OPEN, first: $first, orderBy: { field: CREATED_AT, direction: DESC }) {
            totalCount
            nodes {
              ...PreviewPull
            }
          }
        }
      }
    }
  }
  ${PREVIEW_PULL_FRAGMENT}
`;

interface RawPreviewPull {
  number: number;
  title: string;
  headRefName: string;
  author: { __typename?: string; login: string } | null;
  files: {
    totalCount: number;
    nodes: { path: string; additions: number; deletions: number; changeType: string }[];
  } | null;
}

function toPreviewPull(repository: string, raw: RawPreviewPull): PreviewPullRequest {
  const files = raw.files?.nodes ?? [];
  const isBot = raw.author?.__typename === "Bot";
  const login = raw.author
    ? isBot && !raw.author.login.endsWith("[bot]")
      ? `${raw.author.login}[bot]`
      : raw.author.login
    : "ghost";
  return {
    repository,
    number: raw.number,
    author: { login, isBot },
    title: raw.title ?? "",
    headBranch: raw.headRefName,
    files: files.map((f) => ({
      path: f.path,
      status: STATUS[f.changeType] ?? "modified",
      additions: f.additions,
      deletions: f.deletions,
    })),
    filesComplete: (raw.files?.totalCount ?? 0) <= files.length,
  };
}

const STATUS: Record<string, ChangedFile["status"]> = {
  ADDED: "added",
  DELETED: "removed",
  MODIFIED: "modified",
  RENAMED: "renamed",
  COPIED: "copied",
  CHANGED: "changed",
};

/** The other open PRs the preview judges: of the same base, or of the owner's other repositories. */
export async function fetchPreviewPullRequests(
  github: GitHub,
  target: { owner: string; repo: string; number: number },
  baseBranch: string,
  scope: "repository" | "organization",
): Promise<PreviewPullRequests> {
  if (scope === "repository") {
    const data = await github.graphql<{
      repository: { pullRequests: { totalCount: number; nodes: RawPreviewPull[] } } | null;
    }>(SAME_BASE_QUERY, {
      owner: target.owner,
      name: target.repo,
      base: baseBranch,
      first: PREVIEW_BUDGET.pullRequests + 1,
      files: PREVIEW_BUDGET.filesPerPullRequest,
    });
    const pulls = data.repository?.pullRequests;
    const others = (pulls?.nodes ?? [])
      .filter((pr) => pr.number !== target.number)
      .slice(0, PREVIEW_BUDGET.pullRequests);
    return {
      others: others.map((pr) => toPreviewPull(`${target.owner}/${target.repo}`, pr)),
      total: Math.max(0, (pulls?.totalCount ?? 0) - 1),
    };
  }
  const data = await github.graphql<{
    repository: { pullRequest: { authorAssociation: string } | null } | null;
    repositoryOwner: {
      repositories: {
        nodes: {
          nameWithOwner: string;
          name: string;
          visibility: string;
          policy: { text?: string } | null;
          pullRequests: { totalCount: number; nodes: RawPreviewPull[] };
        }[];
      };
    } | null;
  }>(ORGANIZATION_QUERY, {
    owner: target.owner,
    name: target.repo,
    number: target.number,
    repositories: PREVIEW_BUDGET.repositories + 1,
    first: PREVIEW_BUDGET.pullRequestsPerRepository,
    files: PREVIEW_BUDGET.filesPerPullRequest,
    policyExpression: `HEAD:${POLICY_PATH}`,
  });
  // Readers differ: the check on `.github` is read by whoever can read `.github`. Only public
  // repositories are previewed (the query asks for them; checked again here), and only for a PR
  // by a member of the organisation (an outsider's fork PR could probe with a policy of its own).
  if (!mayPreviewOrganization(data.repository?.pullRequest?.authorAssociation))
    return { others: [], total: 0, withheld: "outsider" };
  const repositories = (data.repositoryOwner?.repositories.nodes ?? [])
    .filter((r) => r.visibility === "PUBLIC" && r.name.toLowerCase() !== target.repo.toLowerCase())
    .slice(0, PREVIEW_BUDGET.repositories);
  const others: PreviewPullRequest[] = [];
  let total = 0;
  for (const repository of repositories) {
    total += repository.pullRequests.totalCount;
    const ownPolicy = typeof repository.policy?.text === "string" ? loadPolicy(repository.policy.text) : undefined;
    for (const pr of repository.pullRequests.nodes)
      others.push({ ...toPreviewPull(repository.nameWithOwner, pr), ...(ownPolicy ? { ownPolicy } : {}) });
  }
  return { others, total };
}

type PreviewPullRequests = { others: PreviewPullRequest[]; total: number; withheld?: "outsider" };

/** Previews by (repository, base, current blob, proposed blob), kept a few minutes: advice, bounded. */
export class PreviewCache {
  private readonly entries = new Map<string, { at: number; value: Promise<PreviewPullRequests> }>();

  get(key: string, load: () => Promise<PreviewPullRequests>, now = Date.now()) {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < PREVIEW_TTL_MS) return hit.value;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    while (this.entries.size > PREVIEW_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

/**
 * Reads the open PRs a preview judges, started beside the proposed blob (so it adds no sequential
 * round trip) whenever the head holds another policy file; a failed read becomes a line of the
 * preview, never a failed check (the decision does not depend on it).
 */
export function startPreview(
  github: GitHub,
  log: Logger,
  target: { owner: string; repo: string; number: number },
  snapshot: PullRequestSnapshot,
  cache: PreviewCache,
): Promise<PreviewRead | undefined> {
  if (!proposesPolicy(snapshot) || !snapshot.headPolicy?.blobOid || !snapshot.basePolicy?.blobOid)
    return Promise.resolve(undefined);
  const scope = isOrganizationLocation(snapshot.basePolicy) ? "organization" : "repository";
  // The organisation preview depends on who opened the PR: one entry per PR.
  const key = `${snapshot.repository.toLowerCase()}:${snapshot.baseBranch}:${snapshot.basePolicy.blobOid}:${snapshot.headPolicy.blobOid}:${scope}${scope === "organization" ? `#${target.number}` : ""}`;
  return cache
    .get(key, () => fetchPreviewPullRequests(github, target, snapshot.baseBranch, scope))
    .then(
      (read): PreviewRead => ({ ...read, scope }),
      (error: unknown): PreviewRead => {
        log.warn(
          { err: error, repository: snapshot.repository, pr: target.number },
          "the proposed policy's preview could not read the open pull requests",
        );
        return { failed: error instanceof Error ? error.message : String(error) };
      },
    );
}
