/**
 * The few lines the app's evaluation calls (src/github/evaluate-pull-request.ts): the summary with
 * the playground link appended when PLAYGROUND_URL is set, if it fits GitHub's limit. A link that
 * cannot be made never changes the decision: the summary is returned as it was.
 */
import type { PullRequestFacts } from "../engine/types.js";
import { policyTextOf, type ResolvedPolicy } from "../github/policy-source.js";
import { MAX_OUTPUT_CHARS } from "../github/render-check.js";
import { playgroundLink } from "./playground-link.js";

export async function withPlaygroundLink(
  summary: string,
  baseUrl: string,
  resolved: ResolvedPolicy,
  facts: PullRequestFacts,
  pullRequest: string,
): Promise<string> {
  const policy = policyTextOf(resolved);
  if (policy === undefined) return summary;
  const link = await playgroundLink({
    baseUrl,
    policy,
    facts,
    pullRequest,
    withFloor: resolved.floor !== undefined,
  }).catch(() => undefined);
  if (link === undefined) return summary;
  const linked = `${summary}\n\n${link}`;
  return linked.length <= MAX_OUTPUT_CHARS ? linked : summary;
}
