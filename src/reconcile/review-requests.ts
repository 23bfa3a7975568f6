/**
 * `approvals.request_reviews: true`: while an `approvers` or `codeowners` requirement is unmet,
 * request reviews from the users and teams that could meet it. Never the author or a bot, nobody
 * already requested or already approving, at most 15, once per head commit: the request is
 * remembered in the head's check run (a marker line in its summary, which only this app writes),
 * so a redelivery or an unrelated event on the same head requests nothing. A refused request is
 * logged and never fails the check or the delivery.
 */
import { parseOwner } from "../engine/codeowners.js";
import type { Decision } from "../engine/types.js";
import type { Policy } from "../policy/schema.js";
import { previousRequestLine, requestLine } from "../state/review-request-marker.js";

export const MAX_REVIEW_REQUESTS = 15;

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
          const parsed = parseOwner(owner);
          if (parsed?.kind === "team" && lower(parsed.org) === org) addTeam(parsed.slug);
          else if (parsed?.kind === "user") addUser(parsed.login);
        }
      }
    }
  }
  // At most 15 in all, users first (they are named; a team is many people).
  const users = plan.users.slice(0, MAX_REVIEW_REQUESTS);
  return { users, teams: plan.teams.slice(0, MAX_REVIEW_REQUESTS - users.length) };
}

export function describePlan(plan: ReviewRequestPlan): string {
  return [...plan.users.map((u) => `@${u}`), ...plan.teams.map((t) => `team ${t}`)].join(", ");
}

/**
 * Once per head commit: the line a previous evaluation of this head wrote stays (nothing is
 * requested again); else the plan's request, when it asks anyone. `previousSummary` is the head's
 * check run summary.
 */
export function reviewRequestStep(
  plan: ReviewRequestPlan,
  previousSummary: string | null | undefined,
): { line: string } | { request: ReviewRequestPlan } {
  const previous = previousRequestLine(previousSummary);
  if (previous) return { line: previous };
  if (plan.users.length + plan.teams.length === 0) return { line: "" };
  return { request: plan };
}

/** The summary line after the request was made or refused. */
export function reviewRequestLine(plan: ReviewRequestPlan, refused?: { status?: number }): string {
  if (!refused) return requestLine(`Reviews requested from ${describePlan(plan)}.`);
  return requestLine(
    `Review request for ${describePlan(plan)} refused by GitHub${refused.status ? ` (${refused.status})` : ""}; request them by hand.`,
  );
}
