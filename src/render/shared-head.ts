/**
 * One commit can be the head of several open PRs (the same branch opened against `main` and
 * against another branch, or a fork's PR whose head equals a branch's). GitHub's required checks
 * are read per commit, so the run on that commit must hold for every one of them: it passes only
 * when each PR, judged under its own base's policy, passes. The combined run is ordered by PR
 * number, so that the same facts give the same output whoever wrote it. Pure.
 */
import type { Decision } from "../engine/types.js";
import { MAX_OUTPUT_CHARS, plainMarkdown, truncate } from "../markdown.js";
import { renderEvaluationError, type CheckOutput } from "./check-output.js";

/** More PRs on one commit than this are not judged one by one: the check fails and says so. */
export const MAX_SHARED_PULL_REQUESTS = 10;

/** One PR's part of the combined check. */
export interface PullRequestResult {
  number: number;
  baseBranch: string;
  output: CheckOutput;
  decision?: Decision;
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
