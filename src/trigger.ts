/**
 * What to evaluate and why: the PR a webhook (or a resumed or fanned-out entry) names, and the
 * event that asks for it. Plain data, so the scheduler can record it and the pipeline can run it.
 */
import type { CommandInput } from "./overrides/transition.js";

export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
  /** The head the event speaks of: where a failure is written when nothing else is known. */
  headSha?: string;
  /** The payload's file count, so that every files page can be fetched in the first round. */
  changedFiles?: number;
  /** The head before a push (`synchronize`): its run carries the PR's delegation record forward. */
  previousHeadSha?: string;
}

export interface Trigger {
  event: string;
  /** An explicit re-run: write the check even when nothing changed. */
  force?: boolean;
  /** The check run the user asked to re-run. */
  checkRunId?: number;
  /**
   * The event can make the head's existing pass stale (a push, a PR opened or reopened on a commit
   * that already has a run, a new base): that run is taken out of `success` first.
   */
  resetsPass?: boolean;
  /** When the event happened (the PR's `updated_at` in its payload): a pass completed later is not stale. */
  at?: string;
  /**
   * Break-glass commands (`/guardrails override …`) written in comments on the PR: one per
   * delivery, several when commands arriving together share one evaluation (src/webhooks/command-batches.ts).
   */
  overrideCommands?: CommandInput[];
  /** A person's edit of the checklist comment. */
  tickEdit?: TickEdit;
  /**
   * The heads the push events this evaluation covers brought (its own, and those of the author's
   * pushes joined into it): an evaluation at another head did not bring it (src/pipeline/judge.ts).
   */
  pushedHeads?: string[];
  /** Who pushed (the sender of `synchronize`): kept in the signed state for `approvals.ignore_contributors`. */
  pusher?: string;
}

export interface TickEdit {
  commentId: number;
  editor: string;
  editedBody: string;
  previousBody?: string;
  at: string;
}
