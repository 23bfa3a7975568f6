/**
 * The engine: a policy and the facts of a pull request in, a decision out. Pure and synchronous;
 * it knows nothing of GitHub, git or the file system.
 */
import { codeOwnersProblems } from "../policy/codeowners.js";
import type { Policy } from "../policy/schema.js";
import { compilePolicy } from "./compile.js";
import { classifyWithinBudget, withoutUnjudgeablePaths } from "./path-limits.js";
import { judgeProposedPolicy } from "./proposed-policy.js";
import { findTicketReferences, judgeRequirements, mergeRequirements } from "./requirements.js";
import { summarizeReviews } from "./reviews.js";
import { assessTier } from "./tier.js";
import type { Decision, PullRequestFacts, RequirementResult } from "./types.js";

export function evaluate(policy: Policy, given: PullRequestFacts): Decision {
  const compiled = compilePolicy(policy);
  // Too-deep paths, and the paths left when matching runs past its budget, are not judged.
  const { facts, classified } = classifyWithinBudget(compiled, withoutUnjudgeablePaths(given));
  const assessed = assessTier(compiled, facts, classified);

  // Files past GitHub's listing cap could be anything, the policy file included: then every
  // rule's requirements and the policy change's apply, so none can hide in the unlisted part.
  const unlisted = !facts.filesComplete;
  const rules = unlisted ? policy.rules.map((_, index) => index) : assessed.matchedRules;
  const merged = mergeRequirements([
    { source: `tier:${assessed.tier}`, spec: policy.tiers[assessed.tier] },
    ...rules.map((index) => ({ source: `rule:${policy.rules[index]!.name}`, spec: policy.rules[index]!.require })),
    ...(assessed.agentAuthored ? [{ source: "agents", spec: policy.agents.require }] : []),
    ...(assessed.policyChanged || unlisted ? [{ source: "policy_change", spec: policy.policy_change.require }] : []),
  ]);
  const requirements = judgeRequirements(
    compiled,
    facts,
    merged,
    summarizeReviews(facts, policy.approvals.stale, policy.approvals.ignore_contributors),
    classified,
  );
  // A PR that changes the policy must leave a policy that loads (it governs every PR once merged).
  if (assessed.policyChanged && facts.proposedPolicy) requirements.push(judgeProposedPolicy(facts.proposedPolicy));

  const tickets = findTicketReferences(compiled, facts);
  const codeOwners = codeOwnersProblems(facts.codeOwners);
  // A trial (mode: evaluate) judges everything alike; only the conclusion does not block.
  const evaluateMode = policy.mode === "evaluate";
  const judged = evaluateMode ? requirements.map((r) => ({ ...r, mode: "evaluate" as const })) : requirements;
  return {
    tier: assessed.tier,
    ...concludeRequirements(judged),
    reasons: assessed.reasons,
    requirements: judged,
    checklist: merged.checklist.map((entry) => entry.item),
    agentAuthored: assessed.agentAuthored,
    policyChanged: assessed.policyChanged,
    size: assessed.size,
    ...(tickets.length ? { ticketReferences: tickets } : {}),
    ...(codeOwners.length ? { codeOwnersProblems: codeOwners } : {}),
  };
}

/**
 * The conclusion and the mode of a decision from its requirements: it fails only on an unmet
 * requirement that is enforced; `wouldFail` says whether it would fail were every one enforced.
 */
export function concludeRequirements(
  requirements: RequirementResult[],
): Pick<Decision, "conclusion" | "mode" | "wouldFail"> {
  const blocking = requirements.some((r) => !r.met && r.mode !== "evaluate");
  const onTrial = requirements.length > 0 && requirements.every((r) => r.mode === "evaluate");
  return {
    conclusion: blocking ? "failure" : "success",
    mode: onTrial ? "evaluate" : "enforce",
    wouldFail: requirements.some((r) => !r.met),
  };
}
