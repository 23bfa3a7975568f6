/**
 * `approvals.request_reviews: true`: while an `approvers` or `codeowners` requirement is unmet,
 * request reviews from the users and teams that could meet it. Never the author or a bot, nobody
 * already requested or already approving, at most 15, once per head commit: the request is
 * remembered in the head's check run (a marker line in its summary, which only this app writes),
 * so a redelivery or an unrelated event on the same head requests nothing. A refused request is
 * logged and never fails the check or the delivery.
 */
import type { Logger } from "pino";
import type { Decision } from "../engine/types.js";
import type { Policy } from "../policy/schema.js";
import type { GitHub } from "./octokit.js";

export const MAX_REVIEW_REQUESTS = 15;
const MARKER = "<!-- guardrails:review-requests -->";

export interface ReviewRequestPlan {
  users: string[];
  teams: string[];
}

export interface RequestedReviewers {
  users: string[];
  teams: string[];
}

/** Who could meet the unmet approvers and codeowners requirements, minus who must not or need not be asked. */
export function planReviewRequests(
  policy: Policy,
  decision: Decision,
  context: { author: string; repositoryOwner: string; approving: string[]; requested: RequestedReviewers },
): ReviewRequestPlan {
  const plan: ReviewRequestPlan = { users: [], teams: [] };
  if (!policy.approvals.request_reviews) return plan;
  const lower = (s: string) => s.toLowerCase();
  const skipUsers = new Set([context.author, ...context.approving, ...context.requested.users].map(lower));
  const skipTeams = new Set(context.requested.teams.map(lower));
  const org = lower(context.repositoryOwner);
  const addUser = (login: string) => {
    if (login.endsWith("[bot]") || skipUsers.has(lower(login))) return;
    skipUsers.add(lower(login));
    plan.users.push(login);
  };
  const addTeam = (slug: string) => {
    if (skipTeams.has(lower(slug))) return;
    skipTeams.add(lower(slug));
    plan.teams.push(slug);
  };
  for (const requirement of decision.requirements) {
    if (requirement.met) continue;
    if (requirement.kind === "approvers" && requirement.group) {
      for (const user of requirement.group.users ?? []) addUser(user);
      for (const team of requirement.group.teams ?? []) addTeam(team);
    }
    if (requirement.kind === "codeowners") {
      for (const group of requirement.ownerGroups ?? []) {
        if (group.met) continue;
        for (const owner of group.owners) {
          const team = /^@([^/]+)\/(.+)$/.exec(owner);
          if (team) {
            if (lower(team[1]!) === org) addTeam(team[2]!);
          } else if (owner.startsWith("@")) addUser(owner.slice(1));
        }
      }
    }
  }
  // At most 15 in all, users first (they are named; a team is many people).
  const users = plan.users.slice(0, MAX_REVIEW_REQUESTS);
  return { users, teams: plan.teams.slice(0, MAX_REVIEW_REQUESTS - users.length) };
}

/** The line a previous evaluation of this head wrote, if it requested reviews. */
export function previousRequestLine(summary: string | null | undefined): string | undefined {
  if (!summary) return undefined;
  return summary.split("\n").find((line) => line.includes(MARKER));
}

function describe(plan: ReviewRequestPlan): string {
  return [...plan.users.map((u) => `@${u}`), ...plan.teams.map((t) => `team ${t}`)].join(", ");
}

/**
 * Requests the plan's reviews once per head commit and returns the summary line to show (empty
 * when nothing was or had been requested). `previousSummary` is the head's check run summary.
 */
export async function requestReviews(
  github: GitHub,
  log: Logger,
  pr: { owner: string; repo: string; number: number },
  plan: ReviewRequestPlan,
  previousSummary: string | null | undefined,
): Promise<{ line: string; writes: number }> {
  const previous = previousRequestLine(previousSummary);
  if (previous) return { line: previous, writes: 0 };
  if (plan.users.length + plan.teams.length === 0) return { line: "", writes: 0 };
  try {
    await github.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", {
      owner: pr.owner,
      repo: pr.repo,
      pull_number: pr.number,
      reviewers: plan.users,
      team_reviewers: plan.teams,
    });
    return { line: `${MARKER}Reviews requested from ${describe(plan)}.`, writes: 1 };
  } catch (error) {
    const status = (error as { status?: number }).status;
    log.warn(
      { err: error, pr: `${pr.owner}/${pr.repo}#${pr.number}`, status, reviewers: plan.users, teams: plan.teams },
      "review request refused",
    );
    return {
      line: `${MARKER}Review request for ${describe(plan)} refused by GitHub${status ? ` (${status})` : ""}; request them by hand.`,
      writes: 1,
    };
  }
}
