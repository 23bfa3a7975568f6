/**
 * The organisation floor (`enforce: true` in the organisation policy): the organisation policy
 * judges every pull request in addition to the repository's own. Each policy judges the PR on
 * its own facts-in, decision-out terms; the PR's tier is the higher of the two tiers and it must
 * meet both sets of requirements. Every reason and requirement then says which policy it came
 * from (`policy`), and the organisation's requirement sources read `org:<source>`.
 */
import type { Policy } from "../policy/schema.js";
import { TIERS } from "../policy/schema.js";
import { concludeRequirements, evaluate } from "./evaluate.js";
import type { Decision, PullRequestFacts } from "./types.js";

/** Whether an organisation policy is a floor for the owner's repositories. */
export function isFloor(policy: Policy): boolean {
  return policy.enforce === true;
}

export function evaluateWithFloor(
  repositoryPolicy: Policy,
  organizationPolicy: Policy,
  facts: PullRequestFacts,
): Decision {
  return combineWithFloor(evaluate(repositoryPolicy, facts), evaluate(organizationPolicy, facts));
}

/** Pure combination of the repository's decision and the organisation's, on the same facts. */
export function combineWithFloor(repository: Decision, organization: Decision): Decision {
  const tier = TIERS[Math.max(TIERS.indexOf(repository.tier), TIERS.indexOf(organization.tier))]!;
  // "No change requests" judges the same reviews under both policies: shown once, enforced when
  // either policy enforces it.
  const organizationRequirements = organization.requirements.filter(
    (r) => r.kind !== "changes_requested" || !repository.requirements.some((own) => own.kind === "changes_requested"),
  );
  const enforcedChangeRequests = organization.requirements.some(
    (r) => r.kind === "changes_requested" && r.mode !== "evaluate",
  );
  const requirements = [
    ...repository.requirements.map((r) => {
      const own = { ...r, policy: "repository" as const };
      if (r.kind === "changes_requested" && enforcedChangeRequests) delete own.mode;
      return own;
    }),
    ...organizationRequirements.map((r) => ({
      ...r,
      sources: r.sources.map((source) => (source === "always" ? source : `org:${source}`)),
      policy: "organization" as const,
    })),
  ];
  return {
    tier,
    // Each policy keeps its own mode: an organisation floor on trial never weakens the repository's
    // enforced requirements, and a repository on trial never weakens an enforced floor.
    ...concludeRequirements(requirements),
    reasons: [
      ...repository.reasons.map((r) => ({ ...r, policy: "repository" as const })),
      ...organization.reasons.map((r) => ({ ...r, policy: "organization" as const })),
    ],
    requirements,
    checklist: [...new Set([...repository.checklist, ...organization.checklist])],
    agentAuthored: repository.agentAuthored || organization.agentAuthored,
    policyChanged: repository.policyChanged || organization.policyChanged,
    size: repository.size,
    ...((repository.ticketReferences ?? organization.ticketReferences)
      ? { ticketReferences: repository.ticketReferences ?? organization.ticketReferences! }
      : {}),
    // One CODEOWNERS for both policies: its problems once.
    ...(repository.codeOwnersProblems ? { codeOwnersProblems: repository.codeOwnersProblems } : {}),
  };
}
