/**
 * Paths deeper than this are not matched against the policy's globs: matching work grows with a
 * path's depth, which the PR author controls. Such a path is treated like a file past GitHub's
 * listing cap: the PR is high and every rule's requirements apply (fail closed). Real repositories
 * stay far below; GitHub's paths are at most 4096 bytes.
 */
import type { PullRequestFacts } from "./types.js";

export const MAX_PATH_SEGMENTS = 64;

function tooDeep(path: string): boolean {
  let segments = 1;
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) if (++segments > MAX_PATH_SEGMENTS) return true;
  return false;
}

/** The facts with too-deep paths taken out of the list, which then counts as incomplete. */
export function withoutUnjudgeablePaths(facts: PullRequestFacts): PullRequestFacts {
  const unjudged = facts.files.filter((file) => tooDeep(file.path) || (file.previousPath !== undefined && tooDeep(file.previousPath)));
  if (unjudged.length === 0) return facts;
  return { ...facts, files: facts.files.filter((file) => !unjudged.includes(file)), filesComplete: false, unjudgedFiles: unjudged.map((file) => file.path) };
}
