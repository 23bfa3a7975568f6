/**
 * A PR that changes the policy file is judged by the base's policy, and its proposed version must
 * load: once merged it governs every PR, and a broken one would fail them all. The adapter reads
 * the head's file and hands the loader's problems over as a fact.
 */
import { POLICY_PATH } from "../policy/schema.js";
import type { PullRequestFacts, RequirementResult } from "./types.js";

export function judgeProposedPolicy(proposed: NonNullable<PullRequestFacts["proposedPolicy"]>): RequirementResult {
  const count = proposed.problems.length;
  const base = { kind: "proposed_policy" as const, sources: ["policy_change"], local: true };
  if (proposed.removed) {
    return {
      ...base,
      met: true,
      message: `the PR deletes ${POLICY_PATH}: once merged, the organisation policy or the built-in default applies`,
      howTo: "",
    };
  }
  if (count === 0) return { ...base, met: true, message: `the proposed ${POLICY_PATH} is valid`, howTo: "" };
  const first = proposed.problems[0]!;
  return {
    ...base,
    met: false,
    problems: proposed.problems,
    message: `the proposed policy has ${count} problem${count === 1 ? "" : "s"}, the first at line ${first.line}, column ${first.column}: ${first.message}`,
    howTo: `Fix ${POLICY_PATH} in this PR (the annotations point at each problem; \`guardrails validate\` lists them too)`,
  };
}
