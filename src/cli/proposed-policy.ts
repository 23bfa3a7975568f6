/**
 * A branch that edits the policy file, as the app sees its PR: the decision still comes from
 * BASE's policy, and the head's version (the proposed policy) must load, or the `proposed_policy`
 * requirement fails with its problems at line:column of the head's file. With --preview, the
 * proposed policy's own decision on the same facts.
 */
import { loadPolicy } from "../policy/loader.js";
import { POLICY_PATH, type Policy } from "../policy/schema.js";
import type { Decision, PullRequestFacts } from "../engine/types.js";
import { CliError } from "./errors.js";
import { readFileAtCommit, type Git } from "./git.js";
import type { Preview } from "../report/check-report.js";

export interface ProposedPolicy {
  /** The engine's fact: the proposed file's problems, or that the branch deletes it. */
  fact: NonNullable<PullRequestFacts["proposedPolicy"]>;
  /** The proposed policy, when it loads. */
  policy?: Policy;
  /** Where problems point: HEAD_REF:.github/guardrails.yml. */
  label: string;
}

/** The head's policy file when it differs from BASE's (changed, added or deleted), else undefined. */
export function proposedPolicyOf(
  git: Git,
  range: { baseRef: string; baseSha: string; headRef: string; headSha: string },
  organization: boolean,
): ProposedPolicy | undefined {
  const label = `${range.headRef}:${POLICY_PATH}`;
  const base = readFileAtCommit(git, range.baseSha, POLICY_PATH, `${range.baseRef}:${POLICY_PATH}`);
  let head: string | undefined;
  try {
    head = readFileAtCommit(git, range.headSha, POLICY_PATH, label);
  } catch (error) {
    // A symbolic link or a folder in its place: not a policy the app could load.
    if (!(error instanceof CliError)) throw error;
    return { label, fact: { problems: [{ line: 1, column: 1, message: error.message }] } };
  }
  if (head === base) return undefined;
  if (head === undefined) return { label, fact: { problems: [], removed: true } };
  const result = loadPolicy(head, { organization });
  return result.ok
    ? { label, fact: { problems: [] }, policy: result.policy }
    : { label, fact: { problems: result.problems } };
}

export function previewOf(proposed: ProposedPolicy | undefined, decide: (policy: Policy) => Decision): Preview {
  if (!proposed) return { message: `this branch does not change ${POLICY_PATH}: nothing to preview` };
  if (proposed.fact.removed)
    return {
      message: `this branch deletes ${POLICY_PATH}: once merged, the organisation policy or the built-in default applies`,
    };
  if (!proposed.policy) return { message: `the proposed ${POLICY_PATH} has problems: no preview until it loads` };
  const decision = decide(proposed.policy);
  const unmet = decision.requirements.filter((r) => !r.met).map((r) => r.kind);
  return {
    message: `under the proposed policy this branch would be ${decision.tier} (${
      unmet.length ? `${decision.conclusion}: ${[...new Set(unmet)].join(", ")} unmet` : "every requirement met"
    }); the decision above still comes from the base's policy`,
    decision,
  };
}
