/**
 * What must still be looked up before a decision is final: facts that cost a request each, asked
 * only when the decision can depend on them. Pure: the adapter asks, this says what.
 *   - team memberships: approving reviewers x teams of unmet approver groups and of unmet code
 *     owner groups (of the repository owner's organisation);
 *   - the permission of whoever applied the exempt label, when tests are otherwise unmet;
 *   - the permission of whoever edited the checklist (a tick counts from write access only).
 */
import type { Policy } from "../policy/schema.js";
import { unmetOwnerTeams } from "./codeowners.js";
import { summarizeReviews } from "./reviews.js";
import type { Decision, PullRequestFacts } from "./types.js";

export interface LookupContext {
  ownerIsOrganization: boolean;
  repositoryOwner: string;
  /** Who applied each label (from the timeline). */
  labelAppliedBy: Record<string, string>;
  /** Who edited the checklist in a way that changes ticks, if anyone. */
  tickEditor?: string;
}

export interface Lookups {
  memberships: { team: string; login: string }[];
  /** The exempt label as the PR spells it, and who applied it: their permission decides. */
  exemptLabel?: { name: string; appliedBy: string };
  tickEditor?: string;
}

export function lookupsNeeded(
  policy: Policy,
  facts: PullRequestFacts,
  decision: Decision,
  context: LookupContext,
): Lookups {
  const lookups: Lookups = { memberships: teamLookups(policy, facts, decision, context) };
  const tests = decision.requirements.find((r) => r.kind === "tests");
  // Label names are case-insensitive on GitHub, as in the engine: the PR's own spelling is looked up.
  const exempt = policy.tests.exempt_label.toLowerCase();
  const name = facts.labels.find((label) => label.name.toLowerCase() === exempt)?.name;
  const appliedBy = name === undefined ? undefined : context.labelAppliedBy[name];
  if (tests && !tests.met && name !== undefined && appliedBy) lookups.exemptLabel = { name, appliedBy };
  if (context.tickEditor) lookups.tickEditor = context.tickEditor;
  return lookups;
}

export function nothingToLookUp(lookups: Lookups): boolean {
  return lookups.memberships.length === 0 && !lookups.exemptLabel && !lookups.tickEditor;
}

function teamLookups(
  policy: Policy,
  facts: PullRequestFacts,
  decision: Decision,
  context: LookupContext,
): Lookups["memberships"] {
  if (!context.ownerIsOrganization) return [];
  const approvers = summarizeReviews(facts, policy.approvals.stale).approvers;
  const asked = new Set<string>();
  const memberships: Lookups["memberships"] = [];
  const ask = (team: string, login: string) => {
    const key = `${team}\n${login.toLowerCase()}`;
    if (asked.has(key)) return;
    asked.add(key);
    memberships.push({ team, login });
  };
  for (const requirement of decision.requirements) {
    if (requirement.kind !== "approvers" || requirement.met || !requirement.group?.teams?.length) continue;
    const listed = new Set((requirement.group.users ?? []).map((u) => u.toLowerCase()));
    for (const team of requirement.group.teams)
      for (const login of approvers) if (!listed.has(login.toLowerCase())) ask(team, login);
  }
  for (const team of unmetOwnerTeams(decision, context.repositoryOwner))
    for (const login of approvers) ask(team, login);
  return memberships;
}
