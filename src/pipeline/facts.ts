/** The engine's facts of a PR, from what was gathered and the signed state (the adapter's half of "facts in"). */
import type { PullRequestFacts } from "../engine/types.js";
import { ticksForEngine, type ChecklistState } from "../state/checklist-state.js";
import { proposedPolicyFact } from "../github/proposed-policy.js";
import type { Gathered } from "./gather.js";

/**
 * `pushersUnknown`: why who pushed cannot be known this time (the judgement's, src/pipeline/judge.ts);
 * more pushers than the state keeps is such a reason too.
 */
export function factsOf(gathered: Gathered, state: ChecklistState, pushersUnknown?: string): PullRequestFacts {
  const { snapshot, files, codeOwners } = gathered;
  const proposed = proposedPolicyFact(gathered.proposed);
  return {
    headSha: snapshot.headSha,
    author: snapshot.author,
    title: snapshot.title,
    body: snapshot.body,
    headBranch: snapshot.headBranch,
    files: files.files,
    filesComplete: files.complete,
    labels: snapshot.labels.map((name) => ({ name })),
    reviews: snapshot.reviews,
    ...(snapshot.baseChangedAt ? { baseChangedAt: snapshot.baseChangedAt } : {}),
    teamMembers: {},
    coAuthors: snapshot.coAuthors,
    trailers: snapshot.trailers,
    coAuthorsComplete: snapshot.commitsComplete,
    // Past the pushers the state can keep, any reviewer may have pushed (fail closed).
    ...(pushersUnknown !== undefined || state.pushersOverflow
      ? { pushersUnknown: pushersUnknown ?? "more people pushed to it than Guardrails keeps" }
      : {}),
    contributors: [
      ...snapshot.commitContributors,
      ...(state.pushers ?? []).map((login) => ({ login, why: "pushed to this PR" as const })),
    ],
    ci: snapshot.ci,
    checklist: ticksForEngine(state),
    ...(codeOwners !== undefined ? { codeOwners } : {}),
    repositoryOwner: snapshot.repository.split("/")[0]!,
    ...(proposed ? { proposedPolicy: proposed } : {}),
  };
}
