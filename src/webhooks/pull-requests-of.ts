import type { Context } from "probot";
import { openPullRequestsOfCommit } from "../github/pull-requests.js";
import { coveredBy } from "../state/external-id.js";

/**
 * The PRs a check run or suite belongs to. GitHub leaves `pull_requests` empty for PRs from forks,
 * so the run's external id (the PR numbers the app stored) or the commit's PRs are asked instead.
 */
export async function pullRequestsOf(
  context: Context,
  listed: { number: number; base: { repo: { id: number } } }[] | undefined,
  externalId: string | null | undefined,
  headSha: string,
): Promise<number[]> {
  const repoId = (context.payload as { repository: { id: number } }).repository.id;
  const numbers = (listed ?? []).filter((pr) => pr.base.repo.id === repoId).map((pr) => pr.number);
  if (numbers.length > 0) return numbers;
  const covered = coveredBy(externalId);
  if (covered.length > 0) return covered;
  return openPullRequestsOfCommit(context.octokit, context.repo(), headSha);
}
