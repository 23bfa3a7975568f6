/**
 * The one decision of a PR under the policies in force: the repository's (or the organisation's
 * default, or the built-in), and an enforced organisation policy as a floor beside it. The app,
 * the shared-head judge, the CLI and the simulate API all decide through here.
 */
import type { Policy } from "../policy/schema.js";
import { evaluate } from "./evaluate.js";
import { evaluateWithFloor } from "./floor.js";
import type { Decision, PullRequestFacts } from "./types.js";

export interface PoliciesInForce {
  repository: Policy;
  /** An enforced organisation policy (`enforce: true`) that judges in addition. */
  floor?: Policy;
}

export function decide(policies: PoliciesInForce, facts: PullRequestFacts): Decision {
  return policies.floor
    ? evaluateWithFloor(policies.repository, policies.floor, facts)
    : evaluate(policies.repository, facts);
}
