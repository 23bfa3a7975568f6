/**
 * One commit can be the head of several open PRs (the same branch opened against `main` and
 * against another branch, or a fork's PR whose head equals a branch's). GitHub's required checks
 * are read per commit, so the `guardrails` run on that commit must hold for every one of them: it
 * passes only when each PR, judged under its own base's policy, passes. Whichever PR's event
 * arrives, the evaluation judges all of them (read-only for the others) and writes one combined
 * run, ordered by PR number so that the same facts give the same output whoever wrote it.
 *
 * The PRs on a head come from the commit's associated PRs in the snapshot (open, with this head)
 * and from the PR numbers the run on the commit already covers (its external id). An incomplete
 * list, or more PRs than MAX_SHARED_PULL_REQUESTS, fails closed. Evaluations of one commit are
 * serialised (in the process, and across replicas through the PR lock's store), so a stale view
 * of one PR cannot overwrite a newer one.
 */
import { nextOverrideState } from "../overrides/transition.js";
import { applyOverride } from "../engine/override.js";
import { overrideGuards, policiesInForce } from "./override-command.js";
import { readDecisionRecords } from "../audit/decision-record.js";
import type { Decision } from "../engine/types.js";
import { decodeState, ticksForEngine } from "./checklist-comment.js";
import { describeError } from "./errors.js";
import { buildFacts, gatherExtraFacts, type EvaluationDeps } from "./evaluate-pull-request.js";
import { FileLister } from "./files.js";
import { evaluateWithFloor } from "../engine/floor.js";
import { evaluate } from "../engine/evaluate.js";
import { POLICY_PATH } from "../policy/schema.js";
import { resolvePolicy } from "./policy-source.js";
import { loadCodeOwners } from "./codeowners-source.js";
import { loadProposedPolicy, proposedPolicyFact } from "./proposed-policy.js";
import {
  MAX_OUTPUT_CHARS,
  plainMarkdown,
  renderDecision,
  renderEvaluationError,
  renderPolicyError,
  truncate,
  type CheckOutput,
} from "./render-check.js";
import { fetchSnapshot, type PullRequestSnapshot } from "./snapshot.js";

/** More PRs on one commit than this are not judged one by one: the check fails and says so. */
export const MAX_SHARED_PULL_REQUESTS = 10;

/** One PR's part of the combined check. */
export interface PullRequestResult {
  number: number;
  baseBranch: string;
  output: CheckOutput;
  decision?: Decision;
}

/** The PR numbers a run's external id names (`12`, or `12,14` for a shared head). */
export function coveredBy(externalId: string | null | undefined): number[] {
  if (!externalId || !/^\d+(,\d+)*$/.test(externalId)) return [];
  return externalId.split(",").map(Number);
}

/** The other PRs that may share this PR's head: those GitHub lists, and those the run on it covered. */
export function otherPullRequestsOnHead(snapshot: PullRequestSnapshot, own: number): number[] {
  const numbers = new Set([...snapshot.sharedHead.numbers, ...coveredBy(snapshot.checkRun?.externalId)]);
  numbers.delete(own);
  return [...numbers].sort((a, b) => a - b);
}

/**
 * Judges another PR with the same head, without writing anything. A PR that is closed or whose
 * head moved no longer shares the commit (undefined); any failure to judge it is a failing part.
 */
export async function judgeOther(
  deps: EvaluationDeps,
  repo: { owner: string; repo: string },
  number: number,
  headSha: string,
): Promise<PullRequestResult | undefined> {
  const target = { ...repo, number };
  try {
    const snapshot = await fetchSnapshot(deps.github, target, deps.appId, POLICY_PATH);
    if (snapshot.state !== "OPEN" || snapshot.headSha !== headSha) return undefined;
    const [resolved, fileList, proposed] = await Promise.all([
      resolvePolicy(deps.github, deps.policyCache, snapshot),
      new FileLister(deps.github, target).list(snapshot.changedFiles),
      loadProposedPolicy(deps.github, deps.policyCache, snapshot),
      loadCodeOwners(deps.github, deps.policyCache, snapshot),
    ]);
    if ([...fileList.heads].some((sha) => sha !== headSha))
      throw new Error(`the files of PR #${number} were listed at another head`);
    const broken = !resolved.result.ok
      ? { problems: resolved.result.problems, source: resolved.source }
      : resolved.floor && !resolved.floor.result.ok
        ? { problems: resolved.floor.result.problems, source: resolved.floor.source }
        : undefined;
    if (broken || !resolved.result.ok)
      return { number, baseBranch: snapshot.baseBranch, output: renderPolicyError(broken!.problems, broken!.source) };
    const policy = resolved.result.policy;
    const floor = resolved.floor?.result.ok ? resolved.floor.result.policy : undefined;
    const decide = (f: Parameters<typeof evaluate>[1]) =>
      floor ? evaluateWithFloor(policy, floor, f) : evaluate(policy, f);
    let state = decodeState(deps.stateSecret, target, snapshot.comment?.body);
    const proposedFact = proposedPolicyFact(proposed);
    let facts = { ...buildFacts(snapshot, fileList, state), ...(proposedFact ? { proposedPolicy: proposedFact } : {}) };
    let decision = decide(facts);
    const extra = await gatherExtraFacts(deps.github, repo, snapshot, policy, facts, decision, state, {
      event: "shared-head",
    });
    if (extra.changed) {
      state = extra.state;
      facts = { ...facts, checklist: ticksForEngine(state), labels: extra.labels, teamMembers: extra.teamMembers };
      decision = decide(facts);
    }
    // Its override in force on this head counts (its own evaluation handles commands and logs).
    const settled = nextOverrideState(state, {
      headSha,
      author: snapshot.author.login,
      policies: policiesInForce(policy, floor),
      now: new Date().toISOString(),
      ...overrideGuards(snapshot, readDecisionRecords(snapshot.checkRun?.text)[String(number)]),
    });
    decision = applyOverride(decision, settled.state.override, headSha);
    return {
      number,
      baseBranch: snapshot.baseBranch,
      output: renderDecision(decision, resolved.source, state, resolved.floor?.source),
      decision,
    };
  } catch (error) {
    return {
      number,
      baseBranch: "?",
      output: renderEvaluationError(
        `PR #${number}, which has the same head commit, could not be evaluated: ${describeError(error)}`,
      ),
    };
  }
}

/** The combined run of every PR on the commit (pure): success only when each part succeeds. */
export function combineResults(parts: PullRequestResult[]): CheckOutput & { coveredPullRequests: number[] } {
  const sorted = [...parts].sort((a, b) => a.number - b.number);
  const covered = sorted.map((p) => p.number);
  if (sorted.length === 1) return { ...sorted[0]!.output, coveredPullRequests: covered };
  const failing = sorted.filter((p) => p.output.conclusion !== "success");
  const list = sorted.map((p) => `#${p.number} (into \`${p.baseBranch}\`)`).join(", ");
  const title = failing.length
    ? `PR #${failing[0]!.number} blocks this commit · ${failing[0]!.output.title}${
        failing.length > 1
          ? ` (also ${failing
              .slice(1)
              .map((p) => `#${p.number}`)
              .join(", ")})`
          : ""
      }`
    : `All ${sorted.length} PRs on this commit pass · ${sorted.map((p) => `#${p.number} ${p.output.title.split(" · ")[0]}`).join(", ")}`;
  const summary = [
    `This commit is the head of ${sorted.length} open pull requests: ${list}. GitHub reads required checks per commit, so this check passes only when every one of them meets its own guardrails.${failing.length ? ` Failing: ${failing.map((p) => `#${p.number}`).join(", ")}.` : ""}`,
    "",
    ...sorted.flatMap((p) => [
      `### PR #${p.number} into \`${p.baseBranch}\`: ${p.output.conclusion === "success" ? "✅ passes" : "❌ fails"} · ${plainMarkdown(p.output.title)}`,
      "",
      p.output.summary,
      "",
    ]),
  ].join("\n");
  const text = sorted.map((p) => `### PR #${p.number}\n\n${p.output.text}`).join("\n\n");
  return {
    conclusion: failing.length ? "failure" : "success",
    title: truncate(title, 200),
    summary: truncate(summary, MAX_OUTPUT_CHARS),
    text: truncate(text, MAX_OUTPUT_CHARS),
    annotations: sorted.flatMap((p) => p.output.annotations),
    coveredPullRequests: covered,
  };
}

/** The output when the PRs on the commit cannot all be judged: fail closed and say why. */
export function tooManyOnHead(own: number, others: number[], complete: boolean): CheckOutput {
  const why = complete
    ? `${others.length + 1} open pull requests share this head commit (#${[own, ...others].join(", #")}); Guardrails judges at most ${MAX_SHARED_PULL_REQUESTS} together`
    : "GitHub listed only part of the pull requests that contain this commit, so some PR with the same head could be missing";
  return renderEvaluationError(
    `${why}. The check on a commit must hold for every PR whose head it is, so it fails closed; give the PRs distinct head commits`,
  );
}

/** In-process serialisation of evaluations per commit (the cross-replica part is the PR lock's). */
const commitTails = new Map<string, Promise<unknown>>();

export async function withCommitLock<T>(deps: EvaluationDeps, key: string, work: () => Promise<T>): Promise<T> {
  const previous = commitTails.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  commitTails.set(key, tail);
  await previous.catch(() => undefined);
  const release = deps.lock
    ? await deps.lock.acquire(`commit:${key}`).catch(() => () => Promise.resolve())
    : () => Promise.resolve();
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
    done();
    if (commitTails.get(key) === tail) commitTails.delete(key);
  }
}
