/**
 * Plan and apply for one PR's decision: the desired check (the decision rendered, with the review
 * request line, the playground link, the preview and the records that travel in the run's text),
 * planned against what GitHub shows (src/reconcile/) and applied in order by the one writer: the
 * review request, the check (under the commit's lock, src/pipeline/shared-head.ts), then the
 * comment and the labels. Every write settles before a failure is thrown, so the failure goes to
 * the run just written.
 */
import type { GitHubWriter } from "../github/apply.js";
import { advanceDelegation, type DelegationObservation } from "../metrics/delegation.js";
import { MAX_OUTPUT_CHARS, neutraliseMentions, truncate } from "../markdown.js";
import { planComment } from "../reconcile/comment.js";
import { planOverriddenLabel, planTierLabel, type LabelWrite } from "../reconcile/labels.js";
import { planReviewRequests, reviewRequestLine, reviewRequestStep } from "../reconcile/review-requests.js";
import { failureText, keepCoverage, withRecords } from "../reconcile/run-text.js";
import { enforcementWarning } from "../enforcement/health.js";
import { renderDecision, renderPolicyError, type CheckOutput } from "../render/check-output.js";
import { mayEmbedPolicy, withPlaygroundLink } from "../web/playground-link.js";
import { previewSection } from "../render/preview.js";
import { decisionRecord } from "../state/decision-record.js";
import { readDelegationRecords } from "../state/delegation-record.js";
import { checkNeedsWrite } from "../reconcile/check.js";
import type { PullRequestTarget, Trigger } from "../trigger.js";
import type { EvaluationDeps } from "./deps.js";
import type { Gathered } from "./gather.js";
import type { DecisionJudgement, PolicyErrorJudgement } from "./judge.js";
import type { RunState } from "./run.js";
import { writeCheckOnCommit } from "./shared-head.js";

/** A policy that does not load: the check fails with its problems (annotations where they can point). */
export async function publishPolicyError(
  writer: GitHubWriter,
  target: PullRequestTarget,
  gathered: Gathered,
  judgement: PolicyErrorJudgement,
  run: RunState,
): Promise<void> {
  const { snapshot } = gathered;
  const count = judgement.problems.length;
  const output = keepCoverage(
    renderPolicyError(judgement.problems, judgement.source),
    target.number,
    snapshot.checkRun?.externalId,
  );
  output.text = failureText(
    output.text,
    snapshot.checkRun?.text,
    target.number,
    snapshot.headSha,
    `the policy does not load (${count} problem${count === 1 ? "" : "s"})`,
    judgement.source,
    judgement.guard,
    judgement.pushers,
    judgement.pushUnknown,
  );
  if (checkNeedsWrite(snapshot.checkRun, run.id, output, run.force))
    run.id = await writer.completeRun(snapshot.headSha, target.number, run.id, output);
}

export async function publishDecision(
  deps: EvaluationDeps,
  writer: GitHubWriter,
  target: PullRequestTarget,
  trigger: Trigger,
  gathered: Gathered,
  judgement: DecisionJudgement,
  run: RunState,
): Promise<DelegationObservation[]> {
  const { snapshot } = gathered;
  const reviewLine = await requestReviews(deps, writer, target, gathered, judgement);
  const output = await desiredOutput(deps, target, gathered, judgement, reviewLine);
  const { records, observations } = runRecords(target, gathered, judgement);
  const own = { number: target.number, baseBranch: snapshot.baseBranch, output, decision: judgement.decision };
  const [check] = await Promise.allSettled([writeCheckOnCommit(deps, writer, target, snapshot, run, own, records)]);
  const [comment, labels] = await Promise.allSettled([
    writer.comment(
      target.number,
      planComment(
        judgement.decision,
        judgement.state,
        snapshot.comment,
        { secret: deps.stateSecret, pr: target },
        discountsContributors(judgement),
      ),
    ),
    writer.labels(target.number, plannedLabels(deps, target, gathered, judgement), (name) =>
      deps.knownLabels.remember(`${target.owner}/${target.repo}`, name),
    ),
  ]);
  if (check.status === "fulfilled") run.id = check.value;
  for (const settled of [check, comment, labels]) if (settled.status === "rejected") throw settled.reason;
  return observations;
}

/** Whether a policy in force discounts contributors' approvals (then the pushers must be kept). */
function discountsContributors({ policies }: DecisionJudgement): boolean {
  return policies.repository.approvals.ignore_contributors || policies.floor?.approvals.ignore_contributors === true;
}

/** approvals.request_reviews: once per head commit, never failing the check. Returns the summary line. */
async function requestReviews(
  deps: EvaluationDeps,
  writer: GitHubWriter,
  target: PullRequestTarget,
  { snapshot }: Gathered,
  judgement: DecisionJudgement,
): Promise<string> {
  const plan = planReviewRequests(judgement.policy, judgement.decision, {
    author: snapshot.author.login,
    repositoryOwner: target.owner,
    approving: judgement.approvers,
    requested: snapshot.requestedReviewers ?? { users: [], teams: [] },
  });
  const step = reviewRequestStep(plan, snapshot.checkRun?.summary);
  if ("line" in step) return step.line;
  const { refused } = await writer.requestReviews(target.number, step.request, deps.log);
  return reviewRequestLine(step.request, refused);
}

async function desiredOutput(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  gathered: Gathered,
  judgement: DecisionJudgement,
  reviewLine: string,
): Promise<CheckOutput> {
  const { resolved, proposed } = gathered;
  const { decision, facts } = judgement;
  const output = renderDecision(decision, resolved.source, judgement.state, resolved.floor?.source);
  if (reviewLine) output.summary = truncate(`${output.summary}\n\n${reviewLine}`, MAX_OUTPUT_CHARS);
  // Where merges do not wait for this check, its first line says so (nothing when that is unknown).
  const warning = gathered.enforcement && enforcementWarning(gathered.enforcement);
  if (warning) output.summary = truncate(`${warning}\n\n${output.summary}`, MAX_OUTPUT_CHARS);
  if (
    deps.playgroundUrl &&
    resolved.text !== undefined &&
    mayEmbedPolicy(resolved.source, `${target.owner}/${target.repo}`)
  )
    output.summary = await withPlaygroundLink(output.summary, deps.playgroundUrl, {
      policy: resolved.text,
      withFloor: resolved.floor !== undefined,
      facts,
      pullRequest: `${target.owner}/${target.repo}#${target.number}`,
    });
  const preview = previewSection(await gathered.preview, judgement.policy, proposed, facts, decision);
  if (preview) output.text = truncate(`${neutraliseMentions(preview)}\n${output.text}`, MAX_OUTPUT_CHARS);
  return output;
}

/** The decision record and the delegation record of this PR, beside the other PRs' records on the run. */
function runRecords(target: PullRequestTarget, { snapshot, resolved }: Gathered, judgement: DecisionJudgement) {
  const key = String(target.number);
  const delegations = readDelegationRecords(snapshot.checkRun?.text);
  const previous = delegations[key] ?? readDelegationRecords(snapshot.previousHeadRunText)[key];
  const delegation = advanceDelegation(previous, judgement.judged, new Date());
  const own = decisionRecord({
    headSha: snapshot.headSha,
    decision: judgement.decision,
    approvers: judgement.approvers,
    state: judgement.state,
    policy: resolved.source,
    ...(resolved.floor ? { floorPolicy: resolved.floor.source } : {}),
    // Never below any counter seen, so the replay guard cannot go backwards.
    overrideSeq: judgement.guard.seq,
    headSince: judgement.guard.headSince,
    pushUnknown: judgement.pushUnknown,
  });
  const decisions = { ...judgement.runRecords, [key]: own };
  const allDelegations = { ...delegations, [key]: delegation.record };
  return {
    records: (output: CheckOutput) => withRecords(output, decisions, allDelegations),
    observations: delegation.observations,
  };
}

function plannedLabels(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  { snapshot }: Gathered,
  judgement: DecisionJudgement,
): LabelWrite[] {
  const prefix = judgement.policy.labels.prefix;
  if (prefix === false) return [];
  const repository = `${target.owner}/${target.repo}`;
  const known = (name: string) => deps.knownLabels.has(repository, name);
  const wanted = { prefix, tier: judgement.decision.tier, overridden: judgement.decision.override !== undefined };
  return [...planTierLabel(snapshot.labels, wanted, known), ...planOverriddenLabel(snapshot.labels, wanted, known)];
}
