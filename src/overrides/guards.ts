/** What binds an override to what people saw: the PR's decision record on the head's run, and the timeline. */
import type { DecisionRecord } from "../state/decision-record.js";

export function overrideGuards(
  snapshot: { headSha: string; headForcePushedAt?: string },
  record: DecisionRecord | undefined,
): { headEvaluatedSince: string | null; headForcePushedAt: string | null; runOverrideSeq?: number } {
  return {
    headEvaluatedSince: record?.head === snapshot.headSha ? (record.headSince ?? null) : null,
    headForcePushedAt: snapshot.headForcePushedAt ?? null,
    ...(record?.overrideSeq !== undefined ? { runOverrideSeq: record.overrideSeq } : {}),
  };
}
