/**
 * A PR that changes the policy file: the decision still comes from the base's policy, but the
 * proposed file (the head's) is loaded too, beside the base's blob in the same round, so that
 *   - its problems fail the check (a fact for the engine: `proposed_policy`), with annotations at
 *     their line and column of the head's file;
 *   - when it is valid, the check's details preview what it would do: to this PR, and to the tiers
 *     of the other open PRs into the same base (or, for the organisation policy, of open PRs of a
 *     few other public repositories of the owner, for a PR by a member of the organisation): read by
 *     src/github/preview-read.ts in one GraphQL query (PREVIEW_BUDGET),
 *     made in the same round as the blobs, and is cached for a few minutes: it is advice, not a
 *     decision.
 */
import type { PullRequestFacts } from "../engine/types.js";
import type { LoadResult } from "../policy/loader.js";
import type { GitHub } from "./octokit.js";
import { isOrganizationLocation, load, type PolicyCache } from "./policy-source.js";
import type { PolicyLocation, PullRequestSnapshot } from "./snapshot.js";

/** Whether the PR's head holds another policy file than its base's tip (changed, added or deleted). */
export function proposesPolicy(snapshot: PullRequestSnapshot): boolean {
  if (!snapshot.headPolicy) return false;
  return (snapshot.headPolicy.blobOid ?? null) !== (snapshot.basePolicy?.blobOid ?? null);
}

export interface ProposedPolicy {
  location: PolicyLocation;
  /** undefined: the PR deletes the file. */
  result?: LoadResult;
}

/** Loads the head's policy through the same cache as every policy (by blob id). */
export async function loadProposedPolicy(
  github: GitHub,
  cache: PolicyCache,
  snapshot: PullRequestSnapshot,
): Promise<ProposedPolicy | undefined> {
  if (!proposesPolicy(snapshot)) return undefined;
  const location = snapshot.headPolicy!;
  if (!location.blobOid) return { location };
  // The same reading as every policy: refused unread past the size limit (the PR author chose it).
  const { result } = await load(
    github,
    cache,
    isOrganizationLocation(location) ? "organization" : "repository",
    location,
  );
  return { location, result };
}

/** The engine's fact: the proposed policy's problems, or that the PR deletes it. */
export function proposedPolicyFact(proposed: ProposedPolicy | undefined): PullRequestFacts["proposedPolicy"] {
  if (!proposed) return undefined;
  if (!proposed.result) return { problems: [], removed: true };
  return { problems: proposed.result.ok ? [] : proposed.result.problems };
}
