/**
 * The facts of a local "pull request" BASE...HEAD, as far as git can tell them. What only GitHub
 * knows (reviews, who applied a label, ticked checklist items, team memberships, CI results) is
 * left empty or out, so those requirements stay unmet exactly as they would on a fresh PR.
 */
import { coAuthorsOf, trailersOf } from "../engine/co-authors.js";
import type { PullRequestFacts } from "../engine/types.js";
import { CODEOWNERS_PATHS, parseCodeOwners, type CodeOwners } from "../policy/codeowners.js";
import {
  branchNameOf,
  changedFiles,
  commitMessages,
  defaultBase,
  firstCommitMessage,
  mergeBase,
  readFileAtCommit,
  resolveCommit,
  type Git,
} from "./git.js";
import type { DiffInfo } from "../report/check-report.js";

export interface FactOptions {
  base?: string;
  head?: string;
  author?: string;
  title?: string;
  body?: string;
  branch?: string;
  labels: string[];
}

export interface LocalFacts {
  facts: PullRequestFacts;
  diff: DiffInfo;
}

/** Resolves BASE and HEAD (both must exist before anything else is read). */
export function resolveRange(
  git: Git,
  options: Pick<FactOptions, "base" | "head">,
): { baseRef: string; baseSha: string; headRef: string; headSha: string } {
  const baseRef = options.base ?? defaultBase(git);
  const headRef = options.head ?? "HEAD";
  const baseSha = resolveCommit(git, baseRef, options.base === undefined ? "default base" : "--base");
  const headSha = resolveCommit(git, headRef, "--head");
  return { baseRef, baseSha, headRef, headSha };
}

/** GitHub's files API lists at most this many files of a pull request. */
export const GITHUB_FILES_LIMIT = 3000;

export function gatherFacts(git: Git, range: ReturnType<typeof resolveRange>, options: FactOptions): LocalFacts {
  const { baseRef, baseSha, headRef, headSha } = range;
  const base = mergeBase(git, baseSha, headSha, baseRef, headRef);
  const changed = changedFiles(git, base, headSha);
  // As the app sees it: GitHub lists at most 3000 files of a PR, and the rest make the list incomplete.
  const files = changed.slice(0, GITHUB_FILES_LIMIT);
  const message = firstCommitMessage(git, baseSha, headSha);
  const author = options.author ?? "";
  const branch = options.branch ?? branchNameOf(git, headRef) ?? "";

  const facts: PullRequestFacts = {
    headSha,
    author: { login: author, isBot: author.toLowerCase().endsWith("[bot]") },
    title: options.title ?? message?.subject ?? "",
    body: options.body ?? message?.body ?? "",
    headBranch: branch,
    files,
    filesComplete: changed.length <= GITHUB_FILES_LIMIT,
    // Who applied a label is unknown locally, so a label never waives tests here.
    labels: options.labels.map((name) => ({ name })),
    reviews: [],
    teamMembers: {},
    ...trailerFacts(commitMessages(git, baseSha, headSha)),
    checklist: [],
    codeOwners: codeOwnersAt(git, baseRef, baseSha),
  };
  const diff: DiffInfo = {
    base: { ref: baseRef, sha: baseSha },
    head: { ref: headRef, sha: headSha, branch },
    mergeBase: base,
    files: changed.length,
    renames: files.flatMap((file) =>
      file.status === "renamed" && file.previousPath !== undefined ? [{ from: file.previousPath, to: file.path }] : [],
    ),
  };
  return { facts, diff };
}

/** The base's CODEOWNERS, read like GitHub: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS. */
export function codeOwnersAt(git: Git, ref: string, sha: string): CodeOwners | null {
  for (const path of CODEOWNERS_PATHS) {
    const text = readFileAtCommit(git, sha, path, `${ref}:${path}`);
    if (text !== undefined) return parseCodeOwners(text, path);
  }
  return null;
}

/** The commits' trailers, and their Co-authored-by values, read as the app reads them. */
function trailerFacts(messages: string[]): Pick<PullRequestFacts, "coAuthors" | "trailers"> {
  return { coAuthors: coAuthorsOf(messages), trailers: trailersOf(messages) };
}
