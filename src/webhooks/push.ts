/**
 * `push` that changes the policy on a branch: the open PRs into that branch are evaluated again;
 * on the default branch of the owner's `.github` repository (the organisation policy), the open
 * PRs of the installation's other repositories too. Paced within GitHub's secondary limits
 * (src/webhooks/schedule.ts). Each listing fails on its own: the PRs that could be listed are
 * evaluated all the same, and then the delivery fails (GitHub shows it and it can be redelivered).
 */
import type { Context, Probot } from "probot";
import { ORG_POLICY_REPOSITORY } from "../github/policy-source.js";
import { openPullRequestsInto, openPullRequestsOfOtherRepositories } from "../github/pull-requests.js";
import type { FanOutItem } from "../operations/fan-out.js";
import { POLICY_PATH } from "../policy/schema.js";
import type { PullRequestTarget } from "../trigger.js";
import type { WebhookContext } from "./context.js";

type PushContext = Context<"push">;

export function onPush(app: Probot, { scheduler }: WebhookContext): void {
  app.on("push", async (context) => {
    const { payload } = context;
    if (!payload.ref.startsWith("refs/heads/") || payload.deleted || !changesPolicy(payload.commits ?? [])) return;
    const branch = payload.ref.slice("refs/heads/".length);
    const targets: FanOutItem<PullRequestTarget>[] = [];
    const failures: unknown[] = [];
    await listBranch(context, branch, targets, failures);
    if (payload.repository.name.toLowerCase() === ORG_POLICY_REPOSITORY && branch === payload.repository.default_branch)
      await listOrganization(context, targets, failures);
    const installation = String((payload as { installation?: { id?: number } }).installation?.id ?? "none");
    const fanned = await scheduler.fanOut(context, targets, installation);
    failures.push(...fanned.failed);
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(
        failures,
        `${failures.length} of the re-evaluations after the policy change failed: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; ")}`,
      );
  });
}

/** GitHub lists at most 20 commits in a push; with more (or none listed) assume the policy changed. */
function changesPolicy(commits: { added?: string[]; modified?: string[]; removed?: string[] }[]): boolean {
  return (
    commits.length === 0 ||
    commits.length >= 20 ||
    commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(POLICY_PATH))
  );
}

async function listBranch(
  context: PushContext,
  branch: string,
  targets: FanOutItem<PullRequestTarget>[],
  failures: unknown[],
) {
  const repository = context.payload.repository.full_name;
  try {
    const open = await openPullRequestsInto(context.octokit, context.repo(), branch);
    context.log.info(
      { repository, branch, pulls: open.length },
      "policy changed on a base branch: re-evaluating its open pull requests",
    );
    for (const pr of open)
      targets.push({
        target: { ...context.repo(), number: pr.number, headSha: pr.head.sha },
        ...(pr.updated_at ? { updatedAt: pr.updated_at } : {}),
      });
  } catch (error) {
    context.log.error(
      { err: error, repository, branch },
      "policy changed, but the branch's open pull requests could not be listed",
    );
    failures.push(error);
  }
}

/**
 * The owner's `.github` repository holds the organisation's default policy: a change on its default
 * branch applies to every repository without a policy of its own, so their open PRs are evaluated
 * again (those with their own policy come out unchanged and write nothing).
 */
async function listOrganization(context: PushContext, targets: FanOutItem<PullRequestTarget>[], failures: unknown[]) {
  const owner: string = context.repo().owner;
  try {
    const others = await openPullRequestsOfOtherRepositories(context.octokit, owner, ORG_POLICY_REPOSITORY);
    context.log.info(
      { owner, repositories: others.repositories, pulls: others.pulls.length },
      "organisation policy changed: re-evaluating the open pull requests of the installation's other repositories",
    );
    for (const { repo, pr } of others.pulls)
      targets.push({
        target: { owner, repo, number: pr.number, headSha: pr.head.sha },
        ...(pr.updated_at ? { updatedAt: pr.updated_at } : {}),
      });
    for (const { repo, error } of others.failed) {
      context.log.error(
        { err: error, repository: `${owner}/${repo}` },
        "organisation policy changed, but this repository's open pull requests could not be listed",
      );
      failures.push(error);
    }
  } catch (error) {
    context.log.error(
      { err: error, owner },
      "organisation policy changed, but the installation's repositories could not be listed",
    );
    failures.push(error);
  }
}
