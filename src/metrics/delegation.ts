/**
 * Delegation figures, observed from the decisions the app makes: is a PR new to the app, did it
 * just pass for the first time, did the approvals it waited for just arrive, did it change tier.
 *
 * Pure: the record of what a PR went through so far, plus a decision, give the next record and the
 * observations to count. The record travels with the PR's check run (a hidden line of the run's
 * text, see `src/state/delegation-record.ts`), so replicas and restarts see the same history; the app only
 * counts the observations once that run is written.
 */
import type { Decision } from "../engine/types.js";
import type { Tier } from "../policy/schema.js";
import type { DelegationRecord } from "../state/delegation-record.js";

export type { DelegationRecord };

export type DelegationObservation =
  | { kind: "new_pull_request"; agent: boolean }
  | { kind: "first_pass"; tier: Tier; agent: boolean; seconds: number }
  | { kind: "review_wait"; tier: Tier; seconds: number }
  | { kind: "tier_change"; from: Tier; to: Tier };

const APPROVAL_KINDS = new Set(["approvals", "approvers", "codeowners"]);

export function advanceDelegation(
  previous: DelegationRecord | undefined,
  decision: Pick<Decision, "tier" | "conclusion" | "requirements" | "agentAuthored">,
  now: Date,
): { record: DelegationRecord; observations: DelegationObservation[] } {
  const at = now.toISOString();
  const agent = decision.agentAuthored;
  const observations: DelegationObservation[] = [];
  const record: DelegationRecord = previous
    ? { ...previous, tier: decision.tier, agent }
    : { first: at, tier: decision.tier, agent };
  if (!previous) observations.push({ kind: "new_pull_request", agent });
  else if (previous.tier !== decision.tier)
    observations.push({ kind: "tier_change", from: previous.tier, to: decision.tier });

  const approvals = decision.requirements.filter((r) => APPROVAL_KINDS.has(r.kind));
  const approvalsMet = approvals.every((r) => r.met);
  if (approvals.length > 0 && !approvalsMet && record.asked === undefined) record.asked = at;
  if (record.asked !== undefined && record.met === undefined && approvals.length > 0 && approvalsMet) {
    record.met = at;
    observations.push({ kind: "review_wait", tier: decision.tier, seconds: secondsBetween(record.asked, at) });
  }
  if (decision.conclusion === "success" && record.passed === undefined) {
    record.passed = at;
    observations.push({ kind: "first_pass", tier: decision.tier, agent, seconds: secondsBetween(record.first, at) });
  }
  return { record, observations };
}

function secondsBetween(from: string, to: string): number {
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}
