/** Reads of open pull requests for the webhooks: of a base branch, of a commit, of the installation's other repositories. */
import type { GitHub } from "./octokit.js";

export interface OpenPullRequest {
  number: number;
  head: { sha: string };
  updated_at?: string;
}

export async function openPullRequestsInto(
  github: GitHub,
  repo: { owner: string; repo: string },
  base: string,
): Promise<OpenPullRequest[]> {
  return await github.paginate("GET /repos/{owner}/{repo}/pulls", { ...repo, state: "open", base, per_page: 100 });
}

/** The PRs GitHub associates with a commit (its commit-to-PR association): one request. */
async function pullRequestsOfCommit(github: GitHub, repo: { owner: string; repo: string }, sha: string) {
  const response = await github.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
    ...repo,
    commit_sha: sha,
  });
  return response.data as { number: number; state: string; head?: { sha?: string } }[];
}

/** The open PRs whose commits include this one. */
export async function openPullRequestsOfCommit(
  github: GitHub,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<number[]> {
  return (await pullRequestsOfCommit(github, repo, sha)).filter((pr) => pr.state === "open").map((pr) => pr.number);
}

/** The open PRs whose head is this commit (a commit inside another PR's history is not its head). */
export async function openPullRequestsWithHead(
  github: GitHub,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<number[]> {
  return (await pullRequestsOfCommit(github, repo, sha))
    .filter((pr) => pr.state === "open" && pr.head?.sha === sha)
    .map((pr) => pr.number);
}

/**
 * The open PRs of the installation's repositories of `owner` but `excluded`: one request per 100
 * repositories, then one per repository (in parallel, as the throttling allows).
 */
export async function openPullRequestsOfOtherRepositories(
  github: GitHub,
  owner: string,
  excluded: string,
): Promise<{
  repositories: number;
  pulls: { repo: string; pr: OpenPullRequest }[];
  failed: { repo: string; error: unknown }[];
}> {
  const all = (await github.paginate("GET /installation/repositories", { per_page: 100 })) as {
    name: string;
    owner: { login: string };
    archived?: boolean;
  }[];
  const repositories = all.filter(
    (r) =>
      r.owner.login.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() !== excluded && r.archived !== true,
  );
  const lists = await Promise.allSettled(
    repositories.map(
      async (r) =>
        (await github.paginate("GET /repos/{owner}/{repo}/pulls", {
          owner,
          repo: r.name,
          state: "open",
          per_page: 100,
        })) as OpenPullRequest[],
    ),
  );
  const pulls: { repo: string; pr: OpenPullRequest }[] = [];
  const failed: { repo: string; error: unknown }[] = [];
  lists.forEach((list, i) => {
    const repo = repositories[i]!.name;
    if (list.status === "fulfilled") for (const pr of list.value) pulls.push({ repo, pr });
    else failed.push({ repo, error: list.reason });
  });
  return { repositories: repositories.length, pulls, failed };
}

/** At most this many PR numbers are asked about in one query (a run's coverage longer than that fails closed). */
export const MAX_COVERED_LOOKUP = 100;

/** The query of pullRequestsStillOnHead: one aliased `pullRequest` field per number. */
export function pullRequestsOnHeadQuery(numbers: readonly number[]): string {
  const fields = numbers.map((n, i) => `p${i}: pullRequest(number: ${Math.trunc(n)}) { number state headRefOid }`);
  return `query GuardrailsPullRequestsOnHead($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`;
}

/**
 * Which of these PRs are still open with this head, in one GraphQL query (one alias per PR). A PR
 * that was closed, merged or moved no longer shares the commit, so it leaves the run's coverage.
 */
export async function pullRequestsStillOnHead(
  github: GitHub,
  repo: { owner: string; repo: string },
  numbers: readonly number[],
  headSha: string,
): Promise<number[]> {
  if (numbers.length === 0) return [];
  const data = await github.graphql<{
    repository: Record<string, { number: number; state: string; headRefOid: string } | null> | null;
  }>(pullRequestsOnHeadQuery(numbers), { owner: repo.owner, name: repo.repo });
  return Object.values(data.repository ?? {})
    .filter((pr) => pr?.state === "OPEN" && pr.headRefOid === headSha)
    .map((pr) => pr!.number);
}
