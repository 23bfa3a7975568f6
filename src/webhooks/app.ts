/**
 * The Probot app: which webhook events lead to which evaluation, one file per event. Everything
 * else is ignored without a GitHub call. The stores and caches of one app instance are created by
 * the caller (server.ts) and passed in; what is left out gets a fresh one here.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { ClientState } from "../github/github-client.js";
import { EnforcementCache } from "../github/enforcement-source.js";
import { PolicyCache } from "../github/policy-source.js";
import { observeEnforcement } from "../metrics/metrics.js";
import { PreviewCache } from "../github/preview-read.js";
import { CommitLocks } from "../operations/commit-locks.js";
import {
  DEFAULT_FAN_OUT_LIMITS,
  MemoryWriteBudget,
  type FanOutLimits,
  type WriteBudget,
} from "../operations/fan-out.js";
import type { PendingEvaluations } from "../operations/pending-evaluations.js";
import { noLock, type PullRequestLock } from "../operations/pr-lock.js";
import { KnownLabels } from "../reconcile/labels.js";
import { onCheckRun } from "./check-run.js";
import { onCheckSuite } from "./check-suite.js";
import { onCiResult } from "./ci-result.js";
import type { WebhookContext } from "./context.js";
import { onIssueComment } from "./issue-comment.js";
import { onMergeGroup } from "./merge-group.js";
import { PullRequestQueue } from "./pr-queue.js";
import { onPullRequest } from "./pull-request.js";
import { onPullRequestReview } from "./pull-request-review.js";
import { onPush } from "./push.js";
import { onRepositoryRuleset } from "./repository-ruleset.js";
import { onBranchProtectionRule } from "./branch-protection-rule.js";
import { Scheduler } from "./schedule.js";

export { PULL_REQUEST_ACTIONS } from "./pull-request.js";
export { REVIEW_ACTIONS } from "./pull-request-review.js";

export interface GuardrailsOptions {
  /** The GitHub App's id: only its own check runs and comments are trusted. */
  appId: number;
  /** Signs the checklist state kept in the sticky comment (the webhook secret by default). */
  stateSecret: string;
  /** The app's slug, when known, to ignore label events caused by the app itself. */
  appSlug?: string;
  queue?: PullRequestQueue;
  policyCache?: PolicyCache;
  previewCache?: PreviewCache;
  enforcementCache?: EnforcementCache;
  knownLabels?: KnownLabels;
  /** Serialises evaluations of a PR across replicas (Redis); one process needs none. */
  lock?: PullRequestLock;
  /** The write budget of policy-push re-evaluations (Redis: shared by the replicas). */
  fanOutBudget?: WriteBudget;
  fanOutLimits?: Partial<FanOutLimits>;
  /** PLAYGROUND_URL (with the playground on): the check summary links to the playground. */
  playgroundUrl?: string;
  /** The state the app's GitHub clients share (src/github/github-client.ts): the fan-out reads the rate limit left. */
  clientState?: ClientState;
  /** Evaluations scheduled and not finished, resumed after the process dies (src/operations/pending-evaluations.ts). */
  pending?: PendingEvaluations;
}

export function guardrailsApp(options: GuardrailsOptions): ApplicationFunction {
  return (app: Probot) => {
    const lock = options.lock ?? noLock;
    const enforcementCache = options.enforcementCache ?? new EnforcementCache();
    observeEnforcement(enforcementCache);
    const scheduler = new Scheduler({
      queue: options.queue ?? new PullRequestQueue(),
      lock,
      ...(options.pending ? { pending: options.pending } : {}),
      fanOutBudget:
        options.fanOutBudget ?? new MemoryWriteBudget({ ...DEFAULT_FAN_OUT_LIMITS, ...options.fanOutLimits }),
      ...(options.fanOutLimits ? { fanOutLimits: options.fanOutLimits } : {}),
      ...(options.clientState ? { clientState: options.clientState } : {}),
      deps: {
        appId: options.appId,
        stateSecret: options.stateSecret,
        policyCache: options.policyCache ?? new PolicyCache(),
        previewCache: options.previewCache ?? new PreviewCache(),
        enforcementCache,
        knownLabels: options.knownLabels ?? new KnownLabels(),
        commitLocks: new CommitLocks(options.lock),
        ...(options.playgroundUrl ? { playgroundUrl: options.playgroundUrl } : {}),
      },
    });
    scheduler.resumePending(app);
    const webhook: WebhookContext = {
      scheduler,
      appId: options.appId,
      ...(options.appSlug ? { botLogin: `${options.appSlug}[bot]`.toLowerCase() } : {}),
    };
    for (const handler of [
      onPullRequest,
      onPullRequestReview,
      onIssueComment,
      onCheckRun,
      onCheckSuite,
      onCiResult,
      onMergeGroup,
      onPush,
    ])
      handler(app, webhook);
    // No evaluation: the cached enforcement health of the repository is dropped, read again when next needed.
    onRepositoryRuleset(app, enforcementCache);
    onBranchProtectionRule(app, enforcementCache);
  };
}
