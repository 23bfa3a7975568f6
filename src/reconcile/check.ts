/**
 * The check run: what GitHub shows against what the decision wants. A run already showing the
 * same output is not written again, so a redelivered event writes nothing.
 */
import type { CheckOutput } from "../render/check-output.js";

/** The app's run on the head as the snapshot read it. */
export interface ObservedCheckRun {
  id: number;
  /** The PR numbers the run covers (src/state/external-id.ts). */
  externalId?: string | null;
  /** When it was last completed. */
  completedAt?: string | null;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
}

export function sameOutput(existing: ObservedCheckRun | null, output: CheckOutput): boolean {
  return (
    existing !== null &&
    existing.status.toUpperCase() === "COMPLETED" &&
    (existing.conclusion ?? "").toLowerCase() === output.conclusion &&
    (existing.title ?? "") === output.title &&
    (existing.summary ?? "") === output.summary &&
    (existing.text ?? "") === output.text
  );
}

/** Whether the run `runId` must be written with `output` (a forced write, another run, or a change). */
export function checkNeedsWrite(
  observed: ObservedCheckRun | null,
  runId: number | undefined,
  output: CheckOutput,
  force: boolean,
): boolean {
  return force || runId !== observed?.id || !sameOutput(observed, output);
}

/**
 * Whether the head's existing pass is stale: the event can make it so (a push, an open or reopen
 * on a commit that has a run, a new base), and the pass was not completed after the event (a pass
 * completed later is this event's own, read again on a redelivery).
 */
export function isStalePass(
  observed: ObservedCheckRun | null,
  runId: number | undefined,
  event: { resetsPass?: boolean; at?: string },
): boolean {
  const completedAt = Date.parse(observed?.completedAt ?? "");
  return (
    event.resetsPass === true &&
    !(completedAt >= Date.parse(event.at ?? "")) &&
    runId !== undefined &&
    runId === observed?.id &&
    observed.status.toUpperCase() === "COMPLETED" &&
    observed.conclusion?.toUpperCase() === "SUCCESS"
  );
}
