/**
 * Paths deeper than this are not matched against the policy's globs: matching work grows with a
 * path's depth, which the PR author controls. Such a path is treated like a file past GitHub's
 * listing cap: the PR is high and every rule's requirements apply (fail closed). Real repositories
 * stay far below; GitHub's paths are at most 4096 bytes.
 */
import { matchingWork, resetMatchingWork } from "../policy/glob-matcher.js";
import { pathsOf, type ClassifiedFile, type CompiledPolicy } from "./compile.js";
import type { PullRequestFacts } from "./types.js";

export const MAX_PATH_SEGMENTS = 64;

function tooDeep(path: string): boolean {
  let segments = 1;
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1))
    if (++segments > MAX_PATH_SEGMENTS) return true;
  return false;
}

/** The facts with too-deep paths taken out of the list, which then counts as incomplete. */
export function withoutUnjudgeablePaths(facts: PullRequestFacts): PullRequestFacts {
  const unjudged = facts.files.filter(
    (file) => tooDeep(file.path) || (file.previousPath !== undefined && tooDeep(file.previousPath)),
  );
  if (unjudged.length === 0) return facts;
  return {
    ...facts,
    files: facts.files.filter((file) => !unjudged.includes(file)),
    filesComplete: false,
    unjudgedFiles: unjudged.map((file) => file.path),
  };
}

/**
 * The matching work (glob-matcher.ts `matchingWork`, about one unit per path character examined
 * or segment tested) one evaluation may spend on the policy's globs. The loader's limits bound
 * each path's cost, but a policy and 3000 paths built together to be slow can still add up; past
 * this budget the remaining paths are not judged and count as unlisted (fail closed: high, every
 * rule's requirements). Realistic policies use a small part of it: the 3000-file x 200-rule
 * benchmark about 1.3 %; see docs/performance.md (hostile policies) for the figures.
 */
export const MAX_MATCHING_WORK = 1_500_000;

/** Classifies the files in order until the budget runs out; the files left are unjudged. */
export function classifyWithinBudget(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
): { facts: PullRequestFacts; classified: ClassifiedFile[] } {
  resetMatchingWork();
  const classified: ClassifiedFile[] = [];
  const files = facts.files;
  for (let i = 0; i < files.length; i++) {
    if (matchingWork() > MAX_MATCHING_WORK) {
      const rest = files.slice(i);
      return {
        classified,
        facts: {
          ...facts,
          files: files.slice(0, i),
          filesComplete: false,
          unjudgedFiles: [...(facts.unjudgedFiles ?? []), ...rest.map((file) => file.path)],
          unjudgedOverBudget: rest.length,
        },
      };
    }
    const file = files[i]!;
    const paths = pathsOf(file);
    classified.push({ file, paths, classes: paths.map((path) => compiled.classify(path)) });
  }
  return { facts, classified };
}
