/**
 * One evaluation of one pull request, in as few sequential round trips as possible:
 *   1. the GraphQL snapshot and the files pages, in parallel;
 *   2. what the snapshot points at: the policy blob (unless parsed before), missing files pages;
 *   3. only when the decision depends on them: team memberships of approving reviewers, the
 *      permission of whoever applied the exempt label or ticked the checklist;
 *   4. the writes, each only when it changes something.
 * Any error ends in a failing check that says what went wrong (fail closed).
 */
import type { Logger } from "pino";
import { evaluate } from "../engine/evaluate.js";
import { evaluateWithFloor } from "../engine/floor.js";
import { summarizeReviews } from "../engine/reviews.js";
import { canWrite, type Decision, type Label, type Permission, type PullRequestFacts } from "../engine/types.js";
import { POLICY_PATH, type Policy } from "../policy/schema.js";
import {
  applyEdit,
  decodeState,
  renderChecklistComment,
  renderNoChecklistComment,
  ticksForEngine,
  type ChecklistState,
} from "./checklist-comment.js";
import { describeError } from "./errors.js";
import { FileLister, pagesFor, type FileList } from "./files.js";
import type { GitHub } from "./octokit.js";
import { PolicyCache, policyLocations, resolvePolicy } from "./policy-source.js";
import { codeOwnersPending, codeOwnerTeams, loadCodeOwners } from "./codeowners-source.js";
import { planReviewRequests, requestReviews } from "./review-requests.js";
import {
  completeCheckRun,
  findCheckRun,
  newestRunOn,
  sameOutput,
  startCheckRun,
  syncFlagLabel,
  syncTierLabel,
  upsertComment,
} from "./publish.js";
import { withPlaygroundLink } from "../web/check-link.js";
import {
  MAX_OUTPUT_CHARS,
  renderDecision,
  renderEvaluationError,
  renderPolicyError,
  truncate,
  type CheckOutput,
  type PolicySource,
} from "./render-check.js";
import {
  loadProposedPolicy,
  previewSection,
  proposedPolicyFact,
  proposesPolicy,
  startPreview,
} from "./proposed-policy.js";
import { fetchSnapshot, PullRequestNotFoundError, type PullRequestSnapshot } from "./snapshot.js";
import {
  combineResults,
  coveredBy,
  judgeOther,
  MAX_SHARED_PULL_REQUESTS,
  otherPullRequestsOnHead,
  tooManyOnHead,
  withCommitLock,
} from "./shared-head.js";
import type { PullRequestLock } from "./pr-lock.js";
import { fetchMembership, fetchPermission } from "./permissions.js";
import { advanceDelegation, type DelegationObservation } from "../metrics/delegation.js";
import { readDelegationRecords, writeDelegationRecords } from "../metrics/delegation-record.js";
import {
  decisionRecord,
  errorRecord,
  headSinceFor,
  readDecisionRecords,
  writeDecisionRecords,
} from "../audit/decision-record.js";
import { applyOverride } from "../engine/override.js";
import type { CommandInput, OverrideEvent } from "../overrides/transition.js";
import { overrideSeq } from "../overrides/transition.js";
import { overrideCommentLines } from "../overrides/render.js";
import { policiesInForce, settleOverride } from "./override-command.js";

/** The PR changed under the evaluation: it fails closed and the newer event evaluates again. */
export class HeadMovedError extends Error {
  override name = "HeadMovedError";
}

export interface EvaluationDeps {
  github: GitHub;
  log: Logger;
  appId: number;
  /** Signs the checklist state in the comment. */
  stateSecret: string;
  policyCache: PolicyCache;
  /** Serialises evaluations of one commit across replicas (several PRs can share a head). */
  lock?: PullRequestLock;
  /** PLAYGROUND_URL: the summary links to the playground prefilled with this PR (src/web). */
  playgroundUrl?: string;
}

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
  /** A break-glass command (`/guardrails override …`) written in a comment on the PR. */
  overrideCommand?: CommandInput;
  /** A person's edit of the checklist comment. */
  tickEdit?: { commentId: number; editor: string; editedBody: string; previousBody?: string; at: string };
}

export interface EvaluationOutcome {
  status: "evaluated" | "skipped" | "policy_error" | "error";
  tier?: Decision["tier"];
  conclusion?: "success" | "failure";
  writes: number;
  reason?: string;
  /** For an error: whether the failing check could be written (if not, the delivery fails). */
  checkWritten?: boolean;
  agentAuthored?: boolean;
  /** Delegation figures this decision moved (counted once its check run is written). */
  observations?: DelegationObservation[];
  /** Break-glass events of this evaluation (granted, refused, withdrawn, ended). */
  overrideEvents?: OverrideEvent[];
}

export async function evaluatePullRequest(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  trigger: Trigger,
): Promise<EvaluationOutcome> {
  const { github, log } = deps;
  const repo = { owner: target.owner, repo: target.repo };
  const started = Date.now();
  const lister = new FileLister(github, target);
  lister.prefetch(target.changedFiles ?? 1);

  let snapshot: PullRequestSnapshot | undefined;
  let runId: number | undefined = trigger.checkRunId;
  let started$: Promise<number> | undefined;
  let writes = 0;

  try {
    snapshot = await fetchSnapshot(github, target, deps.appId, POLICY_PATH);
    if (snapshot.state !== "OPEN") {
      return { status: "skipped", writes, reason: `pull request is ${snapshot.state.toLowerCase()}` };
    }
    // A re-run of an older head's run: this evaluation is of the current head, so it goes to the
    // current head's run; the old run keeps the result of its own commit.
    if (runId !== undefined && target.headSha !== undefined && target.headSha !== snapshot.headSha) runId = undefined;
    runId ??= snapshot.checkRun?.id;
    // A push back to an earlier head finds that head's old run, perhaps passing under facts that
    // no longer hold: the first write of a synchronize takes it out of `success` while this runs.
    // A pass completed after the event is this event's own (a redelivery): it is not stale.
    const completedAt = Date.parse(snapshot.checkRun?.completedAt ?? "");
    const stalePass =
      trigger.resetsPass === true &&
      !(completedAt >= Date.parse(trigger.at ?? "")) &&
      runId !== undefined &&
      runId === snapshot.checkRun?.id &&
      snapshot.checkRun.status.toUpperCase() === "COMPLETED" &&
      snapshot.checkRun.conclusion?.toUpperCase() === "SUCCESS";
    const progressRun = (trigger.force && runId === trigger.checkRunId) || stalePass ? runId : undefined;
    const progress =
      progressRun !== undefined
        ? github
            .request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
              ...repo,
              check_run_id: progressRun,
              status: "in_progress",
              output: { title: "Evaluating…", summary: "Guardrails is evaluating this pull request again." },
            })
            .then(() => void writes++)
        : Promise.resolve();
    progress.catch(() => undefined);
    // A run taken out of `success` must be written again, even with the same output.
    if (stalePass) await progress;

    const needsAnotherRound =
      policyLocations(snapshot).some((location) => !deps.policyCache.has(location)) ||
      (proposesPolicy(snapshot) &&
        snapshot.headPolicy?.blobOid !== undefined &&
        !deps.policyCache.has(snapshot.headPolicy)) ||
      codeOwnersPending(deps.policyCache, snapshot) ||
      pagesFor(snapshot.changedFiles) > pagesFor(target.changedFiles ?? 1);
    // Show the check at once when gathering takes another round trip and no run exists yet.
    started$ =
      runId === undefined && needsAnotherRound
        ? startCheckRun(github, repo, snapshot.headSha, target.number)
        : undefined;
    started$?.catch(() => undefined);

    // A PR that changes the policy: its proposed file and the preview's read go in the same round.
    const preview$ = startPreview(github, log, target, snapshot);
    const [resolved, firstList, proposed] = await Promise.all([
      resolvePolicy(github, deps.policyCache, snapshot),
      lister.list(snapshot.changedFiles),
      loadProposedPolicy(github, deps.policyCache, snapshot),
      // CODEOWNERS in the same round as the policy (its blob id came with the snapshot).
      loadCodeOwners(github, deps.policyCache, snapshot),
    ]);
    if (started$) {
      runId = await started$;
      writes++;
    }
    // The files and the snapshot are read side by side: a push between the two would judge one
    // head's files under another head's sha. GitHub names the head each file was listed at. Files
    // listed before a push that the snapshot already saw are listed once more; files listed at any
    // other head than the snapshot's fail the evaluation (the newer head's own event follows).
    const headOf = (list: FileList) => [...list.heads].find((sha) => sha !== snapshot!.headSha);
    let fileList = firstList;
    const listedAt = headOf(fileList);
    if (listedAt !== undefined) {
      log.info(
        { ...logFields(target, snapshot), listedAt },
        "files listed at another head than the snapshot's; listing them again",
      );
      fileList = await new FileLister(github, target).list(snapshot.changedFiles);
    }
    const foreign = headOf(fileList);
    if (foreign) {
      throw new HeadMovedError(
        `the pull request's head moved while it was read (files listed at ${foreign.slice(0, 7)}, head ${snapshot.headSha.slice(0, 7)}); its synchronize event evaluates it again, or press Re-evaluate`,
      );
    }
    await progress;

    // A policy that does not load decides nothing: the repository's, or the organisation's when
    // it may be a floor (unknown whether it enforces: fail closed).
    const broken = !resolved.result.ok
      ? { problems: resolved.result.problems, source: resolved.source }
      : resolved.floor && !resolved.floor.result.ok
        ? { problems: resolved.floor.result.problems, source: resolved.floor.source }
        : undefined;
    if (broken) {
      const output = keepCoverage(
        renderPolicyError(broken.problems, broken.source),
        target.number,
        snapshot.checkRun?.externalId,
      );
      output.text = failureText(
        output.text,
        snapshot.checkRun?.text,
        target.number,
        snapshot.headSha,
        `the policy does not load (${broken.problems.length} problem${broken.problems.length === 1 ? "" : "s"})`,
        broken.source,
      );
      writes += (
        await writeCheck(deps, target, snapshot, runId, output, trigger.force === true || started$ !== undefined)
      ).writes;
      log.info(
        { ...logFields(target, snapshot), policy: broken.source, problems: broken.problems.length, writes },
        "policy error",
      );
      return { status: "policy_error", conclusion: "failure", writes };
    }

    if (!resolved.result.ok) throw new Error("unreachable: a policy error was answered above");
    const policy = resolved.result.policy;
    const floorPolicy = resolved.floor?.result.ok ? resolved.floor.result.policy : undefined;
    // With an enforced organisation policy, both judge the PR (src/engine/floor.ts).
    const decide = (f: PullRequestFacts) =>
      floorPolicy ? evaluateWithFloor(policy, floorPolicy, f) : evaluate(policy, f);
    const prKey = { owner: target.owner, repo: target.repo, number: target.number };
    let state = decodeState(deps.stateSecret, prKey, snapshot.comment?.body ?? trigger.tickEdit?.previousBody);
    const proposedFact = proposedPolicyFact(proposed);
    let facts = { ...buildFacts(snapshot, fileList, state), ...(proposedFact ? { proposedPolicy: proposedFact } : {}) };
    let decision = decide(facts);

    const extra = await gatherExtraFacts(github, repo, snapshot, policy, facts, decision, state, trigger);
    if (extra.changed) {
      state = extra.state;
      facts = {
        ...buildFacts(snapshot, fileList, state),
        ...(proposedFact ? { proposedPolicy: proposedFact } : {}),
        labels: extra.labels,
        teamMembers: extra.teamMembers,
      };
      decision = decide(facts);
    }
    const evaluatedAt = new Date().toISOString();
    const existingRecords = readDecisionRecords(snapshot.checkRun?.text);
    const ownPrevious = existingRecords[String(target.number)];
    // Break glass (src/overrides/): a command or a new head moves the signed state; an override in
    // force on this head makes the decision pass and names what it bypasses.
    const settled = await settleOverride(github, log, {
      repo,
      number: target.number,
      snapshot,
      state,
      record: ownPrevious,
      policies: policiesInForce(policy, floorPolicy),
      ...(trigger.overrideCommand ? { command: trigger.overrideCommand } : {}),
      now: evaluatedAt,
    });
    state = settled.state;
    // The delegation figures measure meeting the guardrails: an override is not that.
    const judged = decision;
    decision = applyOverride(decision, state.override, snapshot.headSha);

    const output = renderDecision(decision, resolved.source, state, resolved.floor?.source);
    // Who counts as approving this head (review requests skip them; the decision record names them).
    const validApprovers = summarizeReviews(facts, policy.approvals.stale).approvers;
    // approvals.request_reviews: once per head commit, never failing the check (review-requests.ts).
    const plan = planReviewRequests(policy, decision, {
      author: snapshot.author.login,
      repositoryOwner: target.owner,
      approving: validApprovers,
      requested: snapshot.requestedReviewers ?? { users: [], teams: [] },
    });
    const requested = await requestReviews(
      github,
      log,
      { owner: target.owner, repo: target.repo, number: target.number },
      plan,
      snapshot.checkRun?.summary,
    );
    writes += requested.writes;
    if (requested.line) output.summary = truncate(`${output.summary}\n\n${requested.line}`, MAX_OUTPUT_CHARS);
    if (deps.playgroundUrl)
      output.summary = await withPlaygroundLink(
        output.summary,
        deps.playgroundUrl,
        resolved,
        facts,
        `${target.owner}/${target.repo}#${target.number}`,
      );
    const preview = previewSection(await preview$, policy, proposed, facts, decision);
    if (preview) output.text = truncate(`${preview}\n${output.text}`, MAX_OUTPUT_CHARS);
    // The PR's delegation record travels in the check run's text (src/metrics/delegation-record.ts).
    const records = readDelegationRecords(snapshot.checkRun?.text);
    const previousRecord =
      records[String(target.number)] ?? readDelegationRecords(snapshot.previousHeadRunText)[String(target.number)];
    const delegation = advanceDelegation(previousRecord, judged, new Date());
    // The decision record (src/audit/decision-record.ts): what `guardrails audit` reads back.
    const ownRecord = decisionRecord({
      headSha: snapshot.headSha,
      decision,
      approvers: validApprovers,
      state,
      policy: resolved.source,
      ...(resolved.floor ? { floorPolicy: resolved.floor.source } : {}),
      overrideSeq: overrideSeq(state),
      headSince: headSinceFor(
        ownPrevious,
        snapshot.headSha,
        trigger.resetsPass ? (trigger.at ?? "") : undefined,
        evaluatedAt,
      ),
    });
    const decisionRecords = { ...existingRecords, [String(target.number)]: ownRecord };
    const withRecords = (o: CheckOutput) => ({
      ...o,
      text: writeDelegationRecords(writeDecisionRecords(o.text, decisionRecords), {
        ...records,
        [String(target.number)]: delegation.record,
      }),
    });
    const force = trigger.force === true || started$ !== undefined || stalePass;
    // One commit can be the head of several PRs: the run on it holds for all of them (shared-head.ts).
    const sharing = otherPullRequestsOnHead(snapshot, target.number);
    const own = { number: target.number, baseBranch: snapshot.baseBranch, output, decision };
    const commitKey = `${target.owner}/${target.repo}@${snapshot.headSha}`.toLowerCase();
    // The comment and label are written after the check is on its way (writes go out a second
    // apart per installation, and the check is what blocks the merge).
    let checkQueued!: () => void;
    const queued = new Promise<void>((resolve) => (checkQueued = () => setImmediate(resolve)));
    const writeTheCheck = (out: CheckOutput, run: number | undefined) => {
      const written = writeCheck(deps, target, snapshot!, run, out, force || run !== runId);
      checkQueued();
      return written;
    };
    const check$ = withCommitLock(deps, commitKey, async () => {
      let others = sharing;
      let runToWrite = runId;
      // A pass is written only after a fresh look at the commit's runs, inside the commit's lock:
      // a snapshot read before another PR took this head (or wrote its run) does not know of it,
      // and its pass would land as a newer run over that PR's failure.
      const passing = withRecords(output);
      const unchanged = !force && runId === snapshot!.checkRun?.id && sameOutput(snapshot!.checkRun, passing);
      if (passing.conclusion === "success" && sharing.length === 0 && snapshot!.sharedHead.complete && !unchanged) {
        const newest = await newestRunOn(github, repo, snapshot!.headSha, deps.appId);
        if (newest) {
          runToWrite = newest.id;
          others = coveredBy(newest.externalId).filter((n) => n !== target.number);
        }
      }
      if (others.length === 0 && snapshot!.sharedHead.complete) return writeTheCheck(passing, runToWrite);
      const combined =
        !snapshot!.sharedHead.complete || others.length >= MAX_SHARED_PULL_REQUESTS
          ? {
              ...tooManyOnHead(target.number, others, snapshot!.sharedHead.complete),
              coveredPullRequests: [target.number, ...others].sort((a, b) => a - b),
            }
          : combineResults([
              own,
              ...(await Promise.all(others.map((n) => judgeOther(deps, repo, n, snapshot!.headSha)))).filter(
                (p) => p !== undefined,
              ),
            ]);
      log.info(
        { ...logFields(target, snapshot!), sharedWith: others, conclusion: combined.conclusion },
        "one commit, several pull requests: the check holds for all of them",
      );
      return writeTheCheck(withRecords(combined), runToWrite);
    });
    check$.catch(() => checkQueued());
    const [checkWritten, commentWritten, labelWritten] = await Promise.allSettled([
      check$,
      queued.then(() => writeComment(deps, target, snapshot!, decision, state)),
      policy.labels.prefix === false
        ? 0
        : queued.then(async () => {
            const prefix = policy.labels.prefix as string;
            const [tier, overridden] = await Promise.all([
              syncTierLabel(github, repo, target.number, snapshot!.labels, prefix, decision.tier),
              // `<prefix>overridden` while an override is in force; the tier label stays as it is.
              syncFlagLabel(
                github,
                repo,
                target.number,
                snapshot!.labels,
                `${prefix}overridden`,
                decision.override !== undefined,
              ),
            ]);
            return tier + overridden;
          }),
    ]);
    // Settle every write first: when one fails, the failure goes to the run just written, not a second one.
    if (checkWritten.status === "fulfilled") {
      runId = checkWritten.value.id;
      writes += checkWritten.value.writes;
    }
    for (const written of [commentWritten, labelWritten]) if (written.status === "fulfilled") writes += written.value;
    for (const written of [checkWritten, commentWritten, labelWritten])
      if (written.status === "rejected") throw written.reason;

    log.info(
      {
        ...logFields(target, snapshot),
        tier: decision.tier,
        conclusion: decision.conclusion,
        // `org:` marks what an enforced organisation policy asks for.
        unmet: decision.requirements
          .filter((r) => !r.met)
          .map((r) => (r.policy === "organization" ? `org:${r.kind}` : r.kind)),
        ...(decision.override ? { overriddenBy: decision.override.by } : {}),
        policy: resolved.source,
        ...(floorPolicy ? { floorPolicy: resolved.floor!.source } : {}),
        event: trigger.event,
        writes,
        ms: Date.now() - started,
      },
      "decision",
    );
    return {
      status: "evaluated",
      tier: decision.tier,
      conclusion: decision.conclusion,
      writes,
      agentAuthored: decision.agentAuthored,
      observations: delegation.observations,
      ...(settled.events.length ? { overrideEvents: settled.events } : {}),
    };
  } catch (error) {
    if (error instanceof PullRequestNotFoundError) {
      log.info(
        { pr: `${target.owner}/${target.repo}#${target.number}` },
        "pull request not found; nothing to evaluate",
      );
      return { status: "skipped", writes, reason: error.message };
    }
    const message = describeError(error);
    const headSha = snapshot?.headSha ?? target.headSha;
    // A head that moved while it was read is a race the next event settles, not a fault.
    const level = error instanceof HeadMovedError ? "warn" : "error";
    log[level](
      { err: error, pr: `${target.owner}/${target.repo}#${target.number}`, head: headSha, event: trigger.event },
      `evaluation failed: ${message}`,
    );
    // An event without a head (a checklist tick, a comment) that failed before the PR was read:
    // its head is looked up, so that an old passing run there does not stay standing.
    const knownHead = headSha ?? (await headOfPullRequest(github, target).catch(() => undefined));
    if (!knownHead) return { status: "error", writes, reason: message, checkWritten: false };
    return failHead(knownHead, message);
  }

  async function failHead(headSha: string, message: string): Promise<EvaluationOutcome> {
    // The run created in progress (if its creation got through) is the one to complete.
    if (runId === undefined && started$) {
      runId = await started$.catch(() => undefined);
      if (runId !== undefined) writes++;
    }
    if (runId === undefined && !snapshot)
      runId = await findCheckRun(github, repo, headSha, deps.appId).catch(() => undefined);
    const output = keepCoverage(renderEvaluationError(message), target.number, snapshot?.checkRun?.externalId);
    output.text = failureText(output.text, snapshot?.checkRun?.text, target.number, headSha, message);
    let checkWritten = false;
    try {
      writes += (await completeCheckRun(github, repo, headSha, target.number, runId, output)).requests;
      checkWritten = true;
    } catch (writeError) {
      log.error({ err: writeError }, "could not write the failing check");
      // A refused update leaves the run as it was, perhaps passing: a new failing run supersedes
      // it (required checks go by the newest run of the name on the commit).
      if (runId !== undefined) {
        try {
          writes += (await completeCheckRun(github, repo, headSha, target.number, undefined, output)).requests;
          checkWritten = true;
        } catch (createError) {
          log.error({ err: createError }, "could not create a failing check either");
        }
      }
    }
    return { status: "error", conclusion: "failure", writes, reason: message, checkWritten };
  }
}

/**
 * A failing run keeps every PR the run on the commit already covered: its external id is how a
 * later pass on the same commit learns of PRs GitHub does not list (fork PRs), so no write may
 * narrow it.
 */
function keepCoverage(output: CheckOutput, own: number, externalId: string | null | undefined): CheckOutput {
  const covered = [...new Set([own, ...coveredBy(externalId)])].sort((a, b) => a - b);
  return covered.length > 1 ? { ...output, coveredPullRequests: covered } : output;
}

/**
 * A failing run's text: this PR's decision record says why it failed (keeping what guards
 * overrides), and every other record of the run stays, the delegation records too: the next
 * decision continues from them.
 */
function failureText(
  text: string,
  runText: string | null | undefined,
  number: number,
  headSha: string,
  why: string,
  policy?: PolicySource,
): string {
  const existing = readDecisionRecords(runText);
  const records = { ...existing, [String(number)]: errorRecord(headSha, why, existing[String(number)], policy) };
  return writeDelegationRecords(writeDecisionRecords(text, records), readDelegationRecords(runText));
}

/** The PR's head by REST, for a failure that came before the snapshot could say it. */
async function headOfPullRequest(github: GitHub, target: PullRequestTarget): Promise<string | undefined> {
  const response = await github.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
  });
  return (response.data as { head?: { sha?: string } }).head?.sha;
}

function logFields(target: PullRequestTarget, snapshot: PullRequestSnapshot) {
  return { repository: `${target.owner}/${target.repo}`, pr: target.number, head: snapshot.headSha };
}

export function buildFacts(snapshot: PullRequestSnapshot, fileList: FileList, state: ChecklistState): PullRequestFacts {
  return {
    headSha: snapshot.headSha,
    author: snapshot.author,
    title: snapshot.title,
    body: snapshot.body,
    headBranch: snapshot.headBranch,
    files: fileList.files,
    filesComplete: fileList.complete,
    labels: snapshot.labels.map((name) => ({ name })),
    reviews: snapshot.reviews,
    ...(snapshot.baseChangedAt ? { baseChangedAt: snapshot.baseChangedAt } : {}),
    teamMembers: {},
    coAuthors: snapshot.coAuthors,
    coAuthorsComplete: snapshot.commitsComplete,
    checklist: ticksForEngine(state),
    ...(snapshot.codeOwners !== undefined ? { codeOwners: snapshot.codeOwners } : {}),
    repositoryOwner: snapshot.repository.split("/")[0]!,
  };
}

export interface ExtraFacts {
  changed: boolean;
  state: ChecklistState;
  labels: Label[];
  teamMembers: Record<string, string[]>;
}

/**
 * The facts that cost a request each, fetched only when the decision can depend on them, all in
 * one parallel round: memberships of approving reviewers in teams of unmet approver groups, the
 * permission of whoever applied the exempt label (when tests are otherwise unmet), and the
 * permission of whoever just edited the checklist.
 */
export async function gatherExtraFacts(
  github: GitHub,
  repo: { owner: string; repo: string },
  snapshot: PullRequestSnapshot,
  policy: Policy,
  facts: PullRequestFacts,
  decision: Decision,
  state: ChecklistState,
  trigger: Trigger,
): Promise<ExtraFacts> {
  const permissions = new Map<string, Promise<Permission>>();
  const permissionOf = (login: string) => {
    const key = login.toLowerCase();
    let pending = permissions.get(key);
    if (!pending) {
      pending = fetchPermission(github, repo, login);
      permissions.set(key, pending);
    }
    return pending;
  };

  // Team memberships: approving reviewers × teams of the approver groups not yet satisfied.
  const memberships: Promise<[string, string, boolean]>[] = [];
  if (snapshot.ownerIsOrganization) {
    const approvers = summarizeReviews(facts, policy.approvals.stale).approvers;
    const asked = new Set<string>();
    for (const requirement of decision.requirements) {
      if (requirement.kind !== "approvers" || requirement.met || !requirement.group?.teams?.length) continue;
      const listed = new Set((requirement.group.users ?? []).map((u) => u.toLowerCase()));
      for (const team of requirement.group.teams) {
        for (const login of approvers) {
          const key = `${team}\n${login.toLowerCase()}`;
          if (listed.has(login.toLowerCase()) || asked.has(key)) continue;
          asked.add(key);
          memberships.push(fetchMembership(github, repo.owner, team, login).then((member) => [team, login, member]));
        }
      }
    }
    // Code owners: approving reviewers × teams of the owner's organisation in unmet owner groups.
    for (const team of codeOwnerTeams(decision, repo.owner)) {
      for (const login of approvers) {
        const key = `${team}\n${login.toLowerCase()}`;
        if (asked.has(key)) continue;
        asked.add(key);
        memberships.push(fetchMembership(github, repo.owner, team, login).then((member) => [team, login, member]));
      }
    }
  }

  // The exempt label counts only when applied by someone with write access or above.
  const tests = decision.requirements.find((r) => r.kind === "tests");
  // Label names are case-insensitive on GitHub, as in the engine: the PR's own spelling is looked up.
  const exempt = policy.tests.exempt_label.toLowerCase();
  const exemptLabel = snapshot.labels.find((name) => name.toLowerCase() === exempt);
  const applier = exemptLabel === undefined ? undefined : snapshot.labelAppliedBy[exemptLabel];
  const labelPermission = tests && !tests.met && applier ? permissionOf(applier) : undefined;

  // A checklist edit counts only from someone with write access or above.
  let edit: { state: ChecklistState; editor: string } | undefined;
  let editorPermission: Promise<Permission> | undefined;
  // Only an edit of the comment the app itself wrote on this PR can tick anything.
  if (trigger.tickEdit && snapshot.comment?.id === trigger.tickEdit.commentId) {
    const applied = applyEdit(
      state,
      trigger.tickEdit.editedBody,
      decision.checklist,
      trigger.tickEdit.editor,
      trigger.tickEdit.at,
    );
    if (applied.changed) {
      edit = { state: applied.state, editor: trigger.tickEdit.editor };
      editorPermission = permissionOf(trigger.tickEdit.editor);
    }
  }

  if (memberships.length === 0 && !labelPermission && !editorPermission) {
    return { changed: false, state, labels: facts.labels, teamMembers: {} };
  }
  const [members, appliedByPermission, editorCan] = await Promise.all([
    Promise.all(memberships),
    labelPermission,
    editorPermission,
  ]);

  const teamMembers: Record<string, string[]> = {};
  for (const [team, login, member] of members) if (member) (teamMembers[team] ??= []).push(login);
  const labels = facts.labels.map((label) =>
    label.name === exemptLabel && applier && appliedByPermission
      ? { ...label, appliedBy: { login: applier, permission: appliedByPermission } }
      : label,
  );
  const mayTick = canWrite(editorCan);
  return { changed: true, state: edit && mayTick ? edit.state : state, labels, teamMembers };
}

async function writeCheck(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  runId: number | undefined,
  output: CheckOutput,
  force: boolean,
): Promise<{ id: number | undefined; writes: number }> {
  if (!force && runId === snapshot.checkRun?.id && sameOutput(snapshot.checkRun, output))
    return { id: runId, writes: 0 };
  // Only owner and repo: the target's other fields would end up in the request body.
  const result = await completeCheckRun(
    deps.github,
    { owner: target.owner, repo: target.repo },
    snapshot.headSha,
    target.number,
    runId,
    output,
  );
  return { id: result.id, writes: result.requests };
}

function writeComment(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  decision: Decision,
  state: ChecklistState,
): Promise<number> {
  const key = { owner: target.owner, repo: target.repo, number: target.number };
  const repo = { owner: target.owner, repo: target.repo };
  // The break-glass section: the override in force, or what happened to the last command.
  const overrideLines = overrideCommentLines(state);
  if (decision.checklist.length === 0) {
    // No comment on PRs that need no checklist and have no override to record; an existing one
    // says it is no longer needed.
    if (!snapshot.comment && overrideLines.length === 0) return Promise.resolve(0);
    return upsertComment(
      deps.github,
      repo,
      target.number,
      snapshot.comment,
      renderNoChecklistComment(deps.stateSecret, key, state, overrideLines, snapshot.comment !== null),
    );
  }
  const organizationItems = decision.requirements
    .filter((r) => r.kind === "checklist" && r.policy === "organization")
    .flatMap((r) => (r.items ?? []).map((i) => i.item));
  const body = renderChecklistComment(deps.stateSecret, key, {
    tierLabel: `${decision.tier} risk`,
    items: decision.checklist,
    state,
    organizationItems,
    overrideLines,
  });
  return upsertComment(deps.github, repo, target.number, snapshot.comment, body);
}
