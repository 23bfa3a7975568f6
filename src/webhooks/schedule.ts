/**
 * The scheduler: every evaluation goes pending → queue → lock → pipeline.
 *   - pending: recorded (signed) before it starts and removed when it settles, so a process that
 *     dies in between leaves it for a live replica or the restarted process to resume;
 *   - queue: evaluations of one PR run one at a time, plain re-evaluations coalesced (PullRequestQueue);
 *   - lock: across replicas, the PR's lock (Redis) while it runs;
 *   - pipeline: src/pipeline/evaluate.ts.
 * A policy push's re-evaluation of many PRs is recorded as pending at once and paced within
 * GitHub's secondary limits (src/operations/fan-out.ts).
 */
import type { Context, Probot } from "probot";
import { CheckNotWrittenError } from "../github/errors.js";
import type { ClientState } from "../github/github-client.js";
import { markDeliveryEvaluated } from "../metrics/deliveries.js";
import { recordEvaluation } from "../metrics/record.js";
import { paceFanOut, type FanOutItem, type FanOutLimits, type WriteBudget } from "../operations/fan-out.js";
import { startResuming, type PendingEvaluation, type PendingEvaluations } from "../operations/pending-evaluations.js";
import { signPending, trustedParts } from "../operations/pending-signature.js";
import type { PullRequestLock } from "../operations/pr-lock.js";
import type { EvaluationDeps } from "../pipeline/deps.js";
import { evaluatePullRequest } from "../pipeline/evaluate.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import { CommandBatches } from "./command-batches.js";
import type { PullRequestQueue } from "./pr-queue.js";

export interface SchedulerParts {
  queue: PullRequestQueue;
  lock: PullRequestLock;
  pending?: PendingEvaluations;
  fanOutBudget: WriteBudget;
  fanOutLimits?: Partial<FanOutLimits>;
  /** Each installation's primary rate limit left, as the app's clients saw it (a fan-out defers when low). */
  clientState?: ClientState;
  /** The pipeline's dependencies but the ones of one delivery (its client and logger). */
  deps: Omit<EvaluationDeps, "github" | "log">;
}

const installationOf = (context: Context) => (context.payload as { installation?: { id?: number } }).installation?.id;

export class Scheduler {
  private readonly commandBatches = new CommandBatches();
  /** The push evaluation of each PR that later pushes may still join, with the heads it covers. */
  private readonly pushBatches = new Map<string, { heads: Set<string>; result: Promise<unknown> | undefined }>();

  constructor(private readonly parts: SchedulerParts) {}

  /** Records, queues and runs one evaluation. `recorded`: the pending ticket a fan-out made already. */
  async schedule(context: Context, target: PullRequestTarget, trigger: Trigger, joinable = true, recorded?: string) {
    const { pending } = this.parts;
    const installationId = installationOf(context);
    const ticket =
      recorded ??
      (pending && installationId !== undefined
        ? await pending
            .add(
              signPending(this.parts.deps.stateSecret, {
                installationId,
                target,
                trigger,
                joinable,
                deliveryId: context.id,
                at: Date.now(),
              }),
            )
            .catch((error: unknown) => {
              context.log.warn(
                { err: error },
                "could not record the evaluation as pending; it would not be resumed after a crash",
              );
              return undefined;
            })
        : undefined);
    try {
      return await this.runQueued(context, target, trigger, joinable);
    } finally {
      if (ticket !== undefined)
        await pending!
          .remove(ticket)
          .catch((error: unknown) => context.log.warn({ err: error }, "could not clear the pending evaluation"));
    }
  }

  private runQueued(context: Context, target: PullRequestTarget, trigger: Trigger, joinable: boolean) {
    markDeliveryEvaluated(context.id);
    const key = `${target.owner}/${target.repo}#${target.number}`.toLowerCase();
    const deps: EvaluationDeps = { ...this.parts.deps, github: context.octokit, log: context.log };
    const [command, ...others] = trigger.overrideCommands ?? [];
    // A push that names its previous head joins only another such push's queued evaluation: that one
    // reads its own previous head's run (older), whose failing record may keep pushers; a plain one reads none.
    const join = joinable && target.previousHeadSha !== undefined ? "push" : joinable;
    if (join === "push") return this.runPush(context, key, deps, target, trigger);
    if (command === undefined || others.length > 0)
      return this.parts.queue.run(key, () => this.runLocked(context, key, deps, target, trigger), join);
    // One command: it joins the commands that wait for this PR's next evaluation.
    return this.commandBatches.add(key, command, (take) =>
      this.parts.queue.run(
        key,
        () => this.runLocked(context, key, deps, target, { ...trigger, overrideCommands: take() }),
        false,
      ),
    );
  }

  /**
   * A push joins another push's queued evaluation: that one then covers the heads both brought
   * (`pushedHeads`), so that it knows the head it finds was pushed by an event it covers.
   */
  private runPush(context: Context, key: string, deps: EvaluationDeps, target: PullRequestTarget, trigger: Trigger) {
    const heads = new Set(target.headSha ? [target.headSha] : []);
    const mine = { heads, result: undefined as Promise<unknown> | undefined };
    const result = this.parts.queue.run(
      key,
      () => {
        if (this.pushBatches.get(key) === mine) this.pushBatches.delete(key);
        return this.runLocked(context, key, deps, target, { ...trigger, pushedHeads: [...heads] });
      },
      "push",
    );
    const open = this.pushBatches.get(key);
    if (open && open.result === result) {
      for (const head of heads) open.heads.add(head);
    } else {
      mine.result = result;
      this.pushBatches.set(key, mine);
    }
    return result;
  }

  private async runLocked(
    context: Context,
    key: string,
    deps: EvaluationDeps,
    target: PullRequestTarget,
    trigger: Trigger,
  ) {
    // Without the lock (Redis down, another replica stuck) evaluate anyway: a duplicate run is
    // better than leaving a stale passing check in place.
    const release = await this.parts.lock.acquire(key).catch((error: unknown) => {
      context.log.error({ err: error, key }, "could not take the PR lock; evaluating without it");
      return () => Promise.resolve();
    });
    try {
      const started = performance.now();
      const outcome = await evaluatePullRequest(deps, target, trigger);
      recordEvaluation(outcome, trigger.event, (performance.now() - started) / 1000);
      // Nothing shows the failure on the PR (GitHub refused the check run or the token; the
      // required check is missing, which blocks the merge): fail the delivery, so that the app's
      // delivery log shows it and it can be redelivered once GitHub takes writes again.
      if (outcome.status === "error" && !outcome.checkWritten) throw new CheckNotWrittenError(key, outcome.reason);
      return outcome;
    } finally {
      await release().catch((error: unknown) => context.log.warn({ err: error, key }, "could not release the PR lock"));
    }
  }

  /**
   * A policy push's re-evaluation of many PRs: every PR is recorded as pending first (one write),
   * then they go out paced; a process that dies part-way leaves the rest recorded, and they are
   * resumed through the same pacing.
   */
  async fanOut(context: Context, targets: FanOutItem<PullRequestTarget>[], installation: string) {
    const { pending, fanOutBudget, fanOutLimits } = this.parts;
    const installationId = installationOf(context);
    const tickets =
      pending && installationId !== undefined && targets.length > 0
        ? await pending
            .addMany(
              targets.map((t) => ({
                installationId,
                target: t.target,
                trigger: { event: "push" },
                joinable: true,
                deliveryId: context.id,
                at: Date.now(),
                paced: true,
                ...(t.updatedAt ? { updatedAt: t.updatedAt } : {}),
              })),
            )
            .catch((error: unknown) => {
              context.log.warn(
                { err: error },
                "could not record the policy re-evaluation as pending; it would not be resumed after a crash",
              );
              return undefined;
            })
        : undefined;
    const ticketOf = new Map(targets.map((t, i) => [t.target, tickets?.[i]]));
    return paceFanOut(
      targets,
      async (target) => this.schedule(context, target, { event: "push" }, true, ticketOf.get(target)),
      {
        installation,
        budget: fanOutBudget,
        log: context.log,
        rateLimit: () => this.parts.clientState?.rateLimitOf(installation),
        ...(fanOutLimits ? { limits: fanOutLimits } : {}),
      },
    );
  }

  /** Resumes what a dead process left pending; paced entries of one sweep fan out again together. */
  resumePending(app: Probot): void {
    const { pending } = this.parts;
    if (!pending) return;
    const contextFor = async (installationId: number, deliveryId: string | undefined) => {
      const octokit = await app.auth(installationId);
      return {
        octokit,
        log: app.log.child({ resumed: deliveryId ?? true }),
        id: `resumed-${deliveryId ?? "unknown"}`,
        payload: { installation: { id: installationId } },
      } as unknown as Context;
    };
    let paced = new Map<number, PendingEvaluation[]>();
    const flushPaced = async () => {
      const batches = paced;
      paced = new Map();
      await Promise.all(
        [...batches].map(async ([installationId, entries]) => {
          const context = await contextFor(installationId, entries[0]!.deliveryId);
          const items = entries.map((e) => ({ target: e.target, ...(e.updatedAt ? { updatedAt: e.updatedAt } : {}) }));
          const fanned = await this.fanOut(context, items, String(installationId));
          for (const failure of fanned.failed)
            app.log.error({ err: failure, installation: installationId }, "a resumed policy re-evaluation failed");
        }),
      );
    };
    startResuming({
      pending,
      log: app.log,
      resume: async (entry) => {
        if (entry.paced) {
          if (paced.size === 0)
            setImmediate(
              () =>
                void flushPaced().catch((error: unknown) =>
                  app.log.error({ err: error }, "could not resume the policy re-evaluations"),
                ),
            );
          paced.set(entry.installationId, [...(paced.get(entry.installationId) ?? []), entry]);
          return;
        }
        const context = await contextFor(entry.installationId, entry.deliveryId);
        // Whoever can write the store could have written the entry: only a signed one keeps who
        // commented or ticked; any other is a plain re-evaluation of the PR it names.
        const { target, trigger, trusted } = trustedParts(this.parts.deps.stateSecret, entry);
        if (!trusted)
          app.log.warn(
            { resumed: entry.deliveryId, target, event: trigger.event },
            "a pending evaluation without a valid signature is resumed as a plain re-evaluation",
          );
        return this.schedule(context, target, trigger, entry.joinable);
      },
    });
  }
}
