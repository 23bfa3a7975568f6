/**
 * What binds an override to what people saw: the PR's decision records (on the head's run, and on
 * the previous head's run after a push), the signed state's counter, the timeline, and the event.
 */
import { headSinceFor, type DecisionRecord, type OverrideGuard } from "../state/decision-record.js";

export interface GuardInput {
  snapshot: { headSha: string; baseBranch: string; headForcePushedAt?: string; baseChangedAt?: string };
  /** This PR's record on the head's run, as read. */
  record: DecisionRecord | undefined;
  /** This PR's record on the previous head's run (a push), as read. */
  previousHeadRecord?: DecisionRecord | undefined;
  /** The signed state's override counter. */
  stateSeq: number;
  /** When the event that brought the head happened (a push, open, reopen, retarget), if it did. */
  headEventAt?: string;
  now: string;
}

/** The guard an evaluation writes in its record, a failing one too: the counter never goes down. */
export function overrideGuard(input: GuardInput): Required<OverrideGuard> {
  return {
    seq: Math.max(input.stateSeq, input.record?.overrideSeq ?? 0, input.previousHeadRecord?.overrideSeq ?? 0),
    headSince: headSinceFor(input.record, input.snapshot.headSha, input.headEventAt, input.now),
  };
}

/** The transition's inputs that guard overrides. */
export function overrideGuards(input: GuardInput): {
  baseBranch: string;
  baseChangedAt: string | null;
  headEvaluatedSince: string;
  headForcePushedAt: string | null;
  runOverrideSeq: number;
} {
  const guard = overrideGuard({ ...input, stateSeq: 0 });
  return {
    baseBranch: input.snapshot.baseBranch,
    baseChangedAt: input.snapshot.baseChangedAt ?? null,
    headEvaluatedSince: guard.headSince,
    headForcePushedAt: input.snapshot.headForcePushedAt ?? null,
    runOverrideSeq: guard.seq,
  };
}
