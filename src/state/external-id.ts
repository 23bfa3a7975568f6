/**
 * A `guardrails` check run's external id: the PR numbers the run speaks for (`12`, or `12,14` when
 * one commit is the head of several PRs), or `merge-group` for a merge queue's run. It is how a
 * later evaluation on the same commit learns of PRs GitHub does not list (fork PRs).
 */
export const MERGE_GROUP_EXTERNAL_ID = "merge-group";

/** The PR numbers a run's external id names (none for anything else). */
export function coveredBy(externalId: string | null | undefined): number[] {
  if (!externalId || !/^\d+(,\d+)*$/.test(externalId)) return [];
  return externalId.split(",").map(Number);
}

/** The external id of a PR's run (undefined: a merge group's run), covering these PRs when given. */
export function externalIdOf(prNumber: number | undefined, covered?: readonly number[]): string {
  if (prNumber === undefined) return MERGE_GROUP_EXTERNAL_ID;
  return covered?.join(",") ?? String(prNumber);
}
