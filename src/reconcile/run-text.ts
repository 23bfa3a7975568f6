/**
 * What a run's text keeps besides the readable details: the decision records and the delegation
 * records of every PR the run covers (src/state/), and the coverage of its external id. No write
 * may narrow what a run on the commit already says: a later pass on the same commit learns of PRs
 * GitHub does not list (fork PRs) from it, and the override guards read the records.
 */
import type { PolicySource } from "../policy/source.js";
import type { CheckOutput } from "../render/check-output.js";
import {
  errorRecord,
  readDecisionRecords,
  writeDecisionRecords,
  type DecisionRecords,
  type OverrideGuard,
} from "../state/decision-record.js";
import { readDelegationRecords, writeDelegationRecords, type DelegationRecords } from "../state/delegation-record.js";
import { coveredBy } from "../state/external-id.js";

/** A failing run keeps every PR the run on the commit already covered. */
export function keepCoverage(output: CheckOutput, own: number, externalId: string | null | undefined): CheckOutput {
  const covered = [...new Set([own, ...coveredBy(externalId)])].sort((a, b) => a - b);
  return covered.length > 1 ? { ...output, coveredPullRequests: covered } : output;
}

/**
 * A failing run's text: this PR's decision record says why it failed (keeping what guards
 * overrides, and the pushers not yet kept in the signed state), and every other record of the run stays, the delegation records too: the next
 * decision continues from them.
 */
export function failureText(
  text: string,
  runText: string | null | undefined,
  number: number,
  headSha: string,
  why: string,
  policy?: PolicySource,
  guard?: OverrideGuard,
  pushers: readonly string[] = [],
  pushUnknown = false,
): string {
  const existing = readDecisionRecords(runText);
  const records = {
    ...existing,
    [String(number)]: errorRecord(headSha, why, existing[String(number)], policy, guard, pushers, pushUnknown),
  };
  return writeDelegationRecords(writeDecisionRecords(text, records), readDelegationRecords(runText));
}

/** The output with both kinds of records in its text. */
export function withRecords(
  output: CheckOutput,
  decisions: DecisionRecords,
  delegations: DelegationRecords,
): CheckOutput {
  return { ...output, text: writeDelegationRecords(writeDecisionRecords(output.text, decisions), delegations) };
}
