/**
 * Merge queues run required checks on a merge group commit. Guardrails answers there with the
 * current conclusion of the queued PR's own guardrails check (the group's ref names the PR), so a
 * repository with a merge queue is never stuck, and a PR whose check is not green cannot slip
 * through the queue.
 */
import type { Logger } from "pino";
import { POLICY_PATH } from "../policy/schema.js";
import { GitHubWriter } from "../github/apply.js";
import { describeError } from "../github/errors.js";
import type { GitHub } from "../github/octokit.js";
import { fetchSnapshot } from "../github/snapshot.js";
import type { CheckOutput } from "../render/check-output.js";
import { readDecisionRecords, writeDecisionRecords } from "../state/decision-record.js";
import { coveredBy } from "../state/external-id.js";

export async function evaluateMergeGroup(
  github: GitHub,
  log: Logger,
  repo: { owner: string; repo: string },
  group: { head_sha: string; head_ref: string },
  appId: number,
): Promise<CheckOutput> {
  const match = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.head_ref);
  let output: CheckOutput;
  if (!match) {
    output = failure(`the merge group ref ${group.head_ref} does not name a pull request`);
  } else {
    const number = Number(match[1]);
    try {
      const snapshot = await fetchSnapshot(github, { ...repo, number }, appId, POLICY_PATH);
      const run = snapshot.checkRun;
      const passed = run?.status.toUpperCase() === "COMPLETED" && run.conclusion?.toUpperCase() === "SUCCESS";
      // The run on the head holds for every open PR with that head only if it says it covers them
      // all (src/pipeline/shared-head.ts): a run written before another PR took the same head does not.
      const covered = new Set(coveredBy(run?.externalId));
      const uncovered = snapshot.sharedHead.complete
        ? [number, ...snapshot.sharedHead.numbers].filter((n) => !covered.has(n))
        : undefined;
      output =
        passed && uncovered?.length === 0
          ? {
              conclusion: "success",
              title: `PR #${number} meets its guardrails`,
              summary: `The guardrails check of PR #${number} passed on its head commit \`${snapshot.headSha.slice(0, 7)}\`: ${run?.title ?? ""}`,
              text: "",
              annotations: [],
            }
          : !passed
            ? failure(
                `the guardrails check of PR #${number} has not passed on its head commit (${run ? `${run.status.toLowerCase()}, ${(run.conclusion ?? "no conclusion").toLowerCase()}` : "no check yet"})`,
              )
            : uncovered === undefined
              ? failure(
                  `GitHub listed only part of the pull requests with the head commit of PR #${number}, so the check on it may not hold for all of them`,
                )
              : failure(
                  `the guardrails check on the head commit of PR #${number} does not yet cover PR #${uncovered.join(", #")}, which has the same head; it is evaluated again with every event of these PRs`,
                );
      // The PR's decision record travels with the group's run (the audit trail of what was merged).
      const record = readDecisionRecords(run?.text)[String(number)];
      if (record) output = { ...output, text: writeDecisionRecords(output.text, { [String(number)]: record }) };
    } catch (error) {
      output = failure(describeError(error));
    }
  }
  await new GitHubWriter(github, repo).completeRun(group.head_sha, undefined, undefined, output);
  log.info(
    { repository: `${repo.owner}/${repo.repo}`, mergeGroup: group.head_ref, conclusion: output.conclusion },
    "merge group decision",
  );
  return output;
}

function failure(why: string): CheckOutput {
  return {
    conclusion: "failure",
    title: "Merge group blocked by guardrails",
    summary: `Blocked: ${why}.`,
    text: "",
    annotations: [],
  };
}
