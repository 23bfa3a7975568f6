/**
 * Turns what the app did into metric updates, in one place, so the evaluation code only reports
 * outcomes and never names a metric.
 */
import type { DelegationObservation } from "./delegation.js";
import {
  evaluationDuration,
  evaluationErrors,
  evaluations,
  overrides,
  overridesRefused,
  pullRequests,
  reviewWait,
  tierChanges,
  timeToFirstPass,
} from "./metrics.js";

export interface ObservedEvaluation {
  status: "evaluated" | "skipped" | "policy_error" | "error";
  tier?: "low" | "medium" | "high";
  conclusion?: "success" | "failure";
  /** The policy's mode: `evaluate` (a trial) concludes success whatever is unmet. */
  mode?: "enforce" | "evaluate";
  agentAuthored?: boolean;
  observations?: DelegationObservation[];
  overrideEvents?: (
    | { kind: "override" }
    | { kind: "override_refused"; refusal: { code: string } }
    | { kind: "override_withdrawn" }
    | { kind: "override_ended" }
  )[];
}

/** The event that triggered an evaluation, as a label: `pull_request.opened` → `pull_request`. */
export function triggerLabel(event: string): string {
  const name = event.split(".")[0] ?? "other";
  return /^[a-z_]{1,40}$/.test(name) ? name : "other";
}

export function recordEvaluation(outcome: ObservedEvaluation, event: string, seconds: number): void {
  const trigger = triggerLabel(event);
  if (outcome.status === "skipped") return;
  evaluationDuration.observe({ status: outcome.status }, seconds);
  if (outcome.status === "evaluated" && outcome.tier && outcome.conclusion) {
    evaluations.inc({
      tier: outcome.tier,
      conclusion: outcome.conclusion,
      trigger,
      agent: String(outcome.agentAuthored === true),
      mode: outcome.mode === "evaluate" ? "evaluate" : "enforce",
    });
  } else {
    evaluationErrors.inc({ kind: outcome.status, trigger });
  }
  for (const observation of outcome.observations ?? []) recordDelegation(observation);
  for (const event of outcome.overrideEvents ?? []) {
    if (event.kind === "override") overrides.inc();
    else if (event.kind === "override_refused") overridesRefused.inc({ reason: event.refusal.code });
  }
}

/** An override command refused before any evaluation (e.g. its author cannot have write access). */
export function recordOverrideRefused(reason: string): void {
  overridesRefused.inc({ reason });
}

export function recordDelegation(observation: DelegationObservation): void {
  switch (observation.kind) {
    case "new_pull_request":
      pullRequests.inc({ agent: String(observation.agent) });
      break;
    case "first_pass":
      timeToFirstPass.observe({ tier: observation.tier, agent: String(observation.agent) }, observation.seconds);
      break;
    case "review_wait":
      reviewWait.observe({ tier: observation.tier }, observation.seconds);
      break;
    case "tier_change":
      tierChanges.inc({ from: observation.from, to: observation.to });
      break;
  }
}
