/**
 * The Probot app: which webhook events lead to which evaluation. Everything else is ignored
 * without a GitHub call. Evaluations of one PR are serialised (and plain re-evaluations
 * coalesced) by the PullRequestQueue.
 */
import type { ApplicationFunction, Context, Probot } from "probot";
import { POLICY_PATH } from "../policy/schema.js";
import { COMMENT_MARKER } from "./checklist-comment.js";
import { parseOverrideCommand } from "../overrides/command.js";
import { CheckNotWrittenError } from "./errors.js";
import { evaluateMergeGroup } from "./merge-group.js";
import { evaluatePullRequest, type PullRequestTarget, type Trigger } from "./evaluate-pull-request.js";
import type { GitHub } from "./octokit.js";
import { ORG_POLICY_REPOSITORY, PolicyCache } from "./policy-source.js";
import { noLock, type PullRequestLock } from "./pr-lock.js";
import { PullRequestQueue } from "./pr-queue.js";
import { CHECK_NAME, REEVALUATE_ACTION } from "./render-check.js";
import { coveredBy } from "./shared-head.js";
import { markDeliveryEvaluated } from "../metrics/deliveries.js";
import { recordEvaluation } from "../metrics/record.js";
import {
  DEFAULT_FAN_OUT_LIMITS,
  MemoryWriteBudget,
  paceFanOut,
  type FanOutItem,
  type FanOutLimits,
  type WriteBudget,
} from "../operations/fan-out.js";
import { rateLimitOf } from "./github-client.js";
import { startResuming, type PendingEvaluation, type PendingEvaluations } from "../operations/pending-evaluations.js";

export interface GuardrailsOptions {
  /** The GitHub App's id: only its own check runs and comments are trusted. */
  appId: number;
  /** Signs the checklist state kept in the sticky comment (the webhook secret by default). */
  stateSecret: string;
  /** The app's slug, when known, to ignore label events caused by the app itself. */
  appSlug?: string;
  queue?: PullRequestQueue;
  policyCache?: PolicyCache;
  /** Serialises evaluations of a PR across replicas (Redis); one process needs none. */
  lock?: PullRequestLock;
  /** The write budget of policy-push re-evaluations (Redis: shared by the replicas). */
  fanOutBudget?: WriteBudget;
  fanOutLimits?: Partial<FanOutLimits>;
  /** PLAYGROUND_URL (with the playground on): the check summary links to the playground. */
  playgroundUrl?: string;
  /** Evaluations scheduled and not finished, resumed after the process dies (src/operations/pending-evaluations.ts). */
  pending?: PendingEvaluations;
}

export const PULL_REQUEST_ACTIONS = [
  "opened",
  "reopened",
  "synchronize",
  "edited",
  "ready_for_review",
  "labeled",
  "unlabeled",
] as const;
export const REVIEW_ACTIONS = ["submitted", "edited", "dismissed"] as const;

export function guardrailsApp(options: GuardrailsOptions): ApplicationFunction {
  return (app: Probot) => {
    const queue = options.queue ?? new PullRequestQueue();
    const policyCache = options.policyCache ?? new PolicyCache();
    const botLogin = options.appSlug ? `${options.appSlug}[bot]`.toLowerCase() : undefined;
    const lock = options.lock ?? noLock;
    const fanOutBudget =
      options.fanOutBudget ?? new MemoryWriteBudget({ ...DEFAULT_FAN_OUT_LIMITS, ...options.fanOutLimits });

    const schedule = async (
      context: Context,
      target: PullRequestTarget,
      trigger: Trigger,
      joinable = true,
      recorded?: string,
    ) => {
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      // Recorded before it starts, removed when it settles: a process that dies in between leaves
      // it for a live replica or the restarted process to resume. A fan-out records its PRs up front.
      const ticket =
        recorded ??
        (options.pending && installationId !== undefined
          ? await options.pending
              .add({ installationId, target, trigger, joinable, deliveryId: context.id, at: Date.now() })
              .catch((error: unknown) => {
                context.log.warn(
                  { err: error },
                  "could not record the evaluation as pending; it would not be resumed after a crash",
                );
                return undefined;
              })
          : undefined);
      try {
        return await evaluateQueued(context, target, trigger, joinable);
      } finally {
        if (ticket !== undefined)
          await options
            .pending!.remove(ticket)
            .catch((error: unknown) => context.log.warn({ err: error }, "could not clear the pending evaluation"));
      }
    };
    const evaluateQueued = (context: Context, target: PullRequestTarget, trigger: Trigger, joinable: boolean) => {
      markDeliveryEvaluated(context.id);
      const key = `${target.owner}/${target.repo}#${target.number}`.toLowerCase();
      const deps = {
        github: context.octokit as GitHub,
        log: context.log,
        appId: options.appId,
        stateSecret: options.stateSecret,
        policyCache,
        lock,
        playgroundUrl: options.playgroundUrl,
      };
      return queue.run(
        key,
        async () => {
          // Without the lock (Redis down, another replica stuck) evaluate anyway: a duplicate run
          // is better than leaving a stale passing check in place.
          const release = await lock.acquire(key).catch((error: unknown) => {
            context.log.error({ err: error, key }, "could not take the PR lock; evaluating without it");
            return () => Promise.resolve();
          });
          try {
            const started = performance.now();
            const outcome = await evaluatePullRequest(deps, target, trigger);
            recordEvaluation(outcome, trigger.event, (performance.now() - started) / 1000);
            // Nothing shows the failure on the PR (GitHub refused the check run or the token; the
            // required check is missing, which blocks the merge): fail the delivery, so that the
            // app's delivery log shows it and it can be redelivered once GitHub takes writes again.
            if (outcome.status === "error" && !outcome.checkWritten)
              throw new CheckNotWrittenError(key, outcome.reason);
            return outcome;
          } finally {
            await release().catch((error: unknown) =>
              context.log.warn({ err: error, key }, "could not release the PR lock"),
            );
          }
        },
        joinable,
      );
    };

    /**
     * A policy push's re-evaluation of many PRs: every PR is recorded as pending first (one write),
     * then they go out paced within GitHub's secondary limits (src/operations/fan-out.ts). A process
     * that dies part-way leaves the rest recorded, and they are resumed through the same pacing.
     */
    const fanOut = async (context: Context, targets: FanOutItem<PullRequestTarget>[], installation: string) => {
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      const tickets =
        options.pending && installationId !== undefined && targets.length > 0
          ? await options.pending
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
        async (target) => schedule(context, target, { event: "push" }, true, ticketOf.get(target)),
        {
          installation,
          budget: fanOutBudget,
          log: context.log,
          rateLimit: () => rateLimitOf(installation),
          ...(options.fanOutLimits ? { limits: options.fanOutLimits } : {}),
        },
      );
    };

    if (options.pending) {
      const contextFor = async (installationId: number, deliveryId: string | undefined) => {
        const octokit = await app.auth(installationId);
        return {
          octokit,
          log: app.log.child({ resumed: deliveryId ?? true }),
          id: `resumed-${deliveryId ?? "unknown"}`,
          payload: { installation: { id: installationId } },
        } as unknown as Context;
      };
      // Paced entries of one sweep are gathered per installation and fanned out again together.
      let paced = new Map<number, PendingEvaluation[]>();
      const flushPaced = async () => {
        const batches = paced;
        paced = new Map();
        await Promise.all(
          [...batches].map(async ([installationId, entries]) => {
            const context = await contextFor(installationId, entries[0]!.deliveryId);
            const fanned = await fanOut(
              context,
              entries.map((e) => ({ target: e.target, ...(e.updatedAt ? { updatedAt: e.updatedAt } : {}) })),
              String(installationId),
            );
            for (const failure of fanned.failed)
              app.log.error({ err: failure, installation: installationId }, "a resumed policy re-evaluation failed");
          }),
        );
      };
      startResuming({
        pending: options.pending,
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
          return schedule(context, entry.target, entry.trigger, entry.joinable);
        },
      });
    }

    app.on(
      PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
      async (context) => {
        const { payload } = context;
        if (payload.action === "edited") {
          const changes = (payload as { changes?: Record<string, unknown> }).changes ?? {};
          if (!("title" in changes || "body" in changes || "base" in changes)) return;
        }
        if (
          (payload.action === "labeled" || payload.action === "unlabeled") &&
          botLogin &&
          payload.sender.login.toLowerCase() === botLogin
        )
          return;
        const pr = payload.pull_request;
        const before = payload.action === "synchronize" ? (payload as { before?: string }).before : undefined;
        await schedule(
          context,
          {
            ...context.repo(),
            number: pr.number,
            headSha: pr.head.sha,
            changedFiles: pr.changed_files,
            ...(before ? { previousHeadSha: before } : {}),
          },
          {
            event: `pull_request.${payload.action}`,
            resetsPass:
              payload.action === "synchronize" ||
              payload.action === "opened" ||
              payload.action === "reopened" ||
              (payload.action === "edited" && "base" in ((payload as { changes?: object }).changes ?? {})),
            ...(pr.updated_at ? { at: pr.updated_at } : {}),
          },
        );
      },
    );

    app.on(
      REVIEW_ACTIONS.map((action) => `pull_request_review.${action}` as const),
      async (context) => {
        const pr = context.payload.pull_request;
        await schedule(
          context,
          { ...context.repo(), number: pr.number, headSha: pr.head.sha },
          { event: `pull_request_review.${context.payload.action}` },
        );
      },
    );

    app.on("issue_comment.edited", async (context) => {
      const { comment, issue, sender } = context.payload;
      if (!issue.pull_request || !comment.body?.includes(COMMENT_MARKER)) return;
      // The app's own re-renders and other bots' edits are not ticks by a person.
      if (sender.type === "Bot") return;
      const byThisApp =
        comment.performed_via_github_app?.id === options.appId ||
        (botLogin !== undefined && comment.user?.login.toLowerCase() === botLogin);
      if (!byThisApp) return;
      const previousBody = (context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from;
      await schedule(
        context,
        { ...context.repo(), number: issue.number },
        {
          event: "issue_comment.edited",
          tickEdit: {
            commentId: comment.id,
            editor: sender.login,
            editedBody: comment.body,
            ...(previousBody !== undefined ? { previousBody } : {}),
            at: comment.updated_at,
          },
        },
        false,
      );
    });

    // Break glass: `/guardrails override <reason>` or `/guardrails override off` as a comment's
    // first line. Any other comment costs nothing. Edits and deletions of a command are ignored:
    // the record is the signed state, not the comment (src/overrides/).
    app.on("issue_comment.created", async (context) => {
      const { comment, issue } = context.payload;
      if (!issue.pull_request) return;
      const command = parseOverrideCommand(comment.body);
      if (!command) return;
      const byThisApp =
        comment.performed_via_github_app?.id === options.appId ||
        (botLogin !== undefined && comment.user?.login.toLowerCase() === botLogin);
      if (byThisApp) return;
      const user = comment.user ?? context.payload.sender;
      await schedule(
        context,
        { ...context.repo(), number: issue.number },
        {
          event: "issue_comment.created",
          overrideCommand: {
            command,
            by: user.login,
            isBot: user.type === "Bot" || context.payload.sender.type === "Bot",
            commentId: comment.id,
            at: comment.created_at,
            // Posted through an integration acting for the person (refused: src/overrides/transition.ts).
            ...(comment.performed_via_github_app
              ? { viaApp: comment.performed_via_github_app.slug ?? String(comment.performed_via_github_app.id) }
              : {}),
          },
        },
        false,
      );
    });

    app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
      const { check_run: run } = context.payload;
      if (run.name !== CHECK_NAME || (run.app?.id !== undefined && run.app.id !== options.appId)) return;
      // A merge group's run belongs to no PR: the merge queue asks again on its own.
      if (run.external_id === "merge-group") return;
      if (context.payload.action === "requested_action") {
        const identifier = (context.payload as { requested_action?: { identifier?: string } }).requested_action
          ?.identifier;
        if (identifier !== REEVALUATE_ACTION.identifier) return;
      }
      const numbers = await pullRequestsOf(context, run.pull_requests, run.external_id, run.head_sha);
      await Promise.all(
        numbers.map((number) =>
          schedule(
            context,
            { ...context.repo(), number, headSha: run.head_sha },
            { event: `check_run.${context.payload.action}`, force: true, checkRunId: run.id },
            false,
          ),
        ),
      );
    });

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      if (suite.app?.id !== undefined && suite.app.id !== options.appId) return;
      const numbers = await pullRequestsOf(context, suite.pull_requests, null, suite.head_sha);
      await Promise.all(
        numbers.map((number) =>
          schedule(
            context,
            { ...context.repo(), number, headSha: suite.head_sha },
            { event: "check_suite.rerequested", force: true },
            false,
          ),
        ),
      );
    });

    app.on("merge_group.checks_requested", async (context) => {
      markDeliveryEvaluated(context.id);
      await evaluateMergeGroup(
        context.octokit as GitHub,
        context.log,
        context.repo(),
        context.payload.merge_group,
        options.appId,
      );
    });

    app.on("push", async (context) => {
      const { payload } = context;
      if (!payload.ref.startsWith("refs/heads/") || payload.deleted) return;
      const branch = payload.ref.slice("refs/heads/".length);
      // GitHub lists at most 20 commits in a push; with more (or none listed) assume the policy changed.
      const commits = payload.commits ?? [];
      const policyChanged =
        commits.length === 0 ||
        commits.length >= 20 ||
        commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(POLICY_PATH));
      if (!policyChanged) return;
      // Each listing fails on its own: the PRs that could be listed are evaluated all the same,
      // and then the delivery fails (GitHub shows it and it can be redelivered), since the PRs
      // that could not be listed keep their old check until their next event.
      const targets: FanOutItem<PullRequestTarget>[] = [];
      const failures: unknown[] = [];
      try {
        const open = (await context.octokit.paginate("GET /repos/{owner}/{repo}/pulls", {
          ...context.repo(),
          state: "open",
          base: branch,
          per_page: 100,
        })) as OpenPullRequest[];
        context.log.info(
          { repository: payload.repository.full_name, branch, pulls: open.length },
          "policy changed on a base branch: re-evaluating its open pull requests",
        );
        for (const pr of open)
          targets.push({
            target: { ...context.repo(), number: pr.number, headSha: pr.head.sha },
            ...(pr.updated_at ? { updatedAt: pr.updated_at } : {}),
          });
      } catch (error) {
        context.log.error(
          { err: error, repository: payload.repository.full_name, branch },
          "policy changed, but the branch's open pull requests could not be listed",
        );
        failures.push(error);
      }
      // The owner's `.github` repository holds the organisation's default policy: a change on its
      // default branch applies to every repository without a policy of its own, so their open PRs
      // are evaluated again (those with their own policy come out unchanged and write nothing).
      if (
        payload.repository.name.toLowerCase() === ORG_POLICY_REPOSITORY &&
        branch === payload.repository.default_branch
      ) {
        const { owner } = context.repo();
        try {
          const others = await openPullRequestsOfOtherRepositories(context.octokit as GitHub, owner);
          context.log.info(
            { owner, repositories: others.repositories, pulls: others.pulls.length },
            "organisation policy changed: re-evaluating the open pull requests of the installation's other repositories",
          );
          for (const { repo, pr } of others.pulls) {
            targets.push({
              target: { owner, repo, number: pr.number, headSha: pr.head.sha },
              ...(pr.updated_at ? { updatedAt: pr.updated_at } : {}),
            });
          }
          for (const { repo, error } of others.failed) {
            context.log.error(
              { err: error, repository: `${owner}/${repo}` },
              "organisation policy changed, but this repository's open pull requests could not be listed",
            );
            failures.push(error);
          }
        } catch (error) {
          context.log.error(
            { err: error, owner },
            "organisation policy changed, but the installation's repositories could not be listed",
          );
          failures.push(error);
        }
      }
      // Paced within GitHub's secondary limits, most recently updated first (src/operations/fan-out.ts).
      const installation = String((payload as { installation?: { id?: number } }).installation?.id ?? "none");
      const fanned = await fanOut(context, targets, installation);
      failures.push(...fanned.failed);
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1)
        throw new AggregateError(
          failures,
          `${failures.length} of the re-evaluations after the policy change failed: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; ")}`,
        );
    });
  };
}

interface OpenPullRequest {
  number: number;
  head: { sha: string };
  updated_at?: string;
}

/**
 * The open PRs of the installation's repositories of `owner` but its `.github` repository: one
 * request per 100 repositories, then one per repository (in parallel, as the throttling allows).
 */
async function openPullRequestsOfOtherRepositories(
  github: GitHub,
  owner: string,
): Promise<{
  repositories: number;
  pulls: { repo: string; pr: OpenPullRequest }[];
  failed: { repo: string; error: unknown }[];
}> {
  const all = (await github.paginate("GET /installation/repositories", { per_page: 100 })) as {
    name: string;
    owner: { login: string };
    archived?: boolean;
  }[];
  const repositories = all.filter(
    (r) =>
      r.owner.login.toLowerCase() === owner.toLowerCase() &&
      r.name.toLowerCase() !== ORG_POLICY_REPOSITORY &&
      r.archived !== true,
  );
  const lists = await Promise.allSettled(
    repositories.map(
      async (r) =>
        (await github.paginate("GET /repos/{owner}/{repo}/pulls", {
          owner,
          repo: r.name,
          state: "open",
          per_page: 100,
        })) as OpenPullRequest[],
    ),
  );
  const pulls: { repo: string; pr: OpenPullRequest }[] = [];
  const failed: { repo: string; error: unknown }[] = [];
  lists.forEach((list, i) => {
    const repo = repositories[i]!.name;
    if (list.status === "fulfilled") for (const pr of list.value) pulls.push({ repo, pr });
    else failed.push({ repo, error: list.reason });
  });
  return { repositories: repositories.length, pulls, failed };
}

/**
 * The PRs a check run or suite belongs to. GitHub leaves `pull_requests` empty for PRs from forks,
 * so the run's external id (the PR number the app stored) or the commit's PRs are asked instead.
 */
async function pullRequestsOf(
  context: Context,
  listed: { number: number; base: { repo: { id: number } } }[] | undefined,
  externalId: string | null | undefined,
  headSha: string,
): Promise<number[]> {
  const repoId = (context.payload as { repository: { id: number } }).repository.id;
  const numbers = (listed ?? []).filter((pr) => pr.base.repo.id === repoId).map((pr) => pr.number);
  if (numbers.length > 0) return numbers;
  // The PR numbers the app stored: one, or several when the commit is the head of several PRs.
  const covered = coveredBy(externalId);
  if (covered.length > 0) return covered;
  const response = await context.octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
    ...context.repo(),
    commit_sha: headSha,
  });
  return (response.data as { number: number; state: string }[])
    .filter((pr) => pr.state === "open")
    .map((pr) => pr.number);
}
