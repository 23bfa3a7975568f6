/** What one PR's pipeline is given (created once per app instance) and what it returns. */
import type { Logger } from "pino";
import type { Decision } from "../engine/types.js";
import type { GitHub } from "../github/octokit.js";
import type { EnforcementCache } from "../github/enforcement-source.js";
import type { PolicyCache } from "../github/policy-source.js";
import type { PreviewCache } from "../github/preview-read.js";
import type { DelegationObservation } from "../metrics/delegation.js";
import type { CommitLocks } from "../operations/commit-locks.js";
import type { OverrideEvent } from "../overrides/transition.js";
import type { KnownLabels } from "../reconcile/labels.js";

export interface EvaluationDeps {
  github: GitHub;
  log: Logger;
  appId: number;
  /** Signs the checklist state in the comment. */
  stateSecret: string;
  policyCache: PolicyCache;
  previewCache: PreviewCache;
  /** Whether merges wait for the check, per repository and branch (read at most daily, or after a ruleset event). */
  enforcementCache: EnforcementCache;
  knownLabels: KnownLabels;
  /** Serialises evaluations of one commit (several PRs can share a head), across replicas with a lock store. */
  commitLocks: CommitLocks;
  /** PLAYGROUND_URL: the summary links to the playground prefilled with this PR (src/web). */
  playgroundUrl?: string;
}

export interface EvaluationOutcome {
  status: "evaluated" | "skipped" | "policy_error" | "error";
  tier?: Decision["tier"];
  conclusion?: "success" | "failure";
  mode?: Decision["mode"];
  writes: number;
  reason?: string;
  /** For an error: whether the failing check could be written (if not, the delivery fails). */
  checkWritten?: boolean;
  agentAuthored?: boolean;
  /** Delegation figures this decision moved (counted once its check run is written). */
  observations?: DelegationObservation[];
  /** Break-glass events of this evaluation (granted, refused, withdrawn, ended). */
  overrideEvents?: OverrideEvent[];
}

/** The PR changed under the evaluation: it fails closed and the newer event evaluates again. */
export class HeadMovedError extends Error {
  override name = "HeadMovedError";
}

export const repoOf = (target: { owner: string; repo: string }) => ({ owner: target.owner, repo: target.repo });

export function logFields(target: { owner: string; repo: string; number: number }, headSha: string | undefined) {
  return { repository: `${target.owner}/${target.repo}`, pr: target.number, head: headSha };
}
