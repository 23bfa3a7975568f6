/** Reads of the app's own check runs and of a PR's head by REST, for the guards and the error path. */
import { CHECK_NAME } from "../render/check-output.js";
import type { GitHub } from "./octokit.js";
import type { RepoRef } from "./apply.js";

interface ListedRun {
  id: number;
  external_id?: string | null;
  conclusion?: string | null;
  output?: { text?: string | null };
}

/** The app's newest `guardrails` run on a commit, read afresh (REST): one request. */
async function newestListedRun(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<ListedRun | undefined> {
  const response = await github.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    app_id: appId,
    filter: "latest",
  });
  const runs = (response.data as { check_runs: ListedRun[] }).check_runs;
  return runs.reduce<ListedRun | undefined>((best, run) => (!best || run.id > best.id ? run : best), undefined);
}

/** The app's newest `guardrails` run on a commit, with the PRs it covers (its external id) and its text (the records). */
export async function newestRunOn(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<{ id: number; externalId: string | null; text: string | null } | undefined> {
  const newest = await newestListedRun(github, repo, headSha, appId);
  return newest
    ? { id: newest.id, externalId: newest.external_id ?? null, text: newest.output?.text ?? null }
    : undefined;
}

/** The app's newest `guardrails` run on a commit: its conclusion and text (the decision records). */
export async function newestRunOutcome(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<{ conclusion: string | null; text: string | null } | undefined> {
  const newest = await newestListedRun(github, repo, headSha, appId);
  return newest ? { conclusion: newest.conclusion ?? null, text: newest.output?.text ?? null } : undefined;
}

/** The PR's head by REST, for a failure that came before the snapshot could say it. */
export async function headOfPullRequest(github: GitHub, repo: RepoRef, number: number): Promise<string | undefined> {
  const response = await github.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...repo,
    pull_number: number,
  });
  return (response.data as { head?: { sha?: string } }).head?.sha;
}
