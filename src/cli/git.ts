/**
 * Git fact gathering for `guardrails check`: refs, the merge base, the changed files with renames
 * and line counts, commit messages, the current branch and the policy
 * file at a commit. Every git failure becomes a one-line CliError.
 */
import { spawnSync } from "node:child_process";
import type { ChangedFile, FileStatus } from "../engine/types.js";
import { CliError } from "./errors.js";

const MAX_OUTPUT = 512 * 1024 * 1024;

export interface GitResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class Git {
  constructor(readonly cwd: string) {}

  /** Runs git; only a git that cannot be started throws. */
  run(args: string[]): GitResult {
    const result = spawnSync("git", args, {
      cwd: this.cwd,
      encoding: "utf8",
      maxBuffer: MAX_OUTPUT,
      windowsHide: true,
    });
    if (result.error) {
      const code = (result.error as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        throw new CliError("git is not installed or not on PATH; guardrails check reads the diff with git");
      if (code === "ENOBUFS") throw new CliError(`git ${args[0]} printed more than ${MAX_OUTPUT / 1024 / 1024} MiB`);
      throw new CliError(`could not run git: ${result.error.message}`);
    }
    return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs git and returns its output; a failure becomes a CliError with git's own first line. */
  output(args: string[], what: string): string {
    const result = this.run(args);
    if (result.status !== 0)
      throw new CliError(`${what}: ${gitMessage(result.stderr) || `git exited with status ${result.status}`}`);
    return result.stdout;
  }
}

/** git's first meaningful stderr line, without its "fatal: " or "error: " prefix. */
function gitMessage(stderr: string): string {
  const line = stderr.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.replace(/^(fatal|error): /, "").trim();
}

/** A Git for `cwd`, after checking that git runs and that `cwd` is inside a repository. */
export function openRepository(cwd: string): Git {
  const git = new Git(cwd);
  const result = git.run(["rev-parse", "--git-dir"]);
  if (result.status !== 0) {
    const message = gitMessage(result.stderr);
    if (/not a git repository/i.test(message)) {
      throw new CliError(`not a git repository: ${cwd} (run guardrails check inside a git repository)`);
    }
    throw new CliError(
      `cannot use the git repository at ${cwd}: ${message || `git exited with status ${result.status}`}`,
    );
  }
  return git;
}

/** Refuses a ref that git could read as an option, or that cannot name anything. */
function checkRefSyntax(ref: string, option: string): void {
  if (ref.startsWith("-") || /[\0\n]/.test(ref)) throw new CliError(`${option}: "${ref}" is not a valid git ref`);
}

/** The commit a ref names, or a CliError that says which option named a missing ref. */
export function resolveCommit(git: Git, ref: string, option: string): string {
  checkRefSyntax(ref, option);
  const result = git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  const sha = result.stdout.trim();
  if (result.status !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new CliError(
      `unknown git ref "${ref}" (${option}): no branch, tag or commit of that name in this repository`,
    );
  }
  return sha;
}

/**
 * The default base: the branch origin/HEAD points to (set by `git clone`), else origin/main,
 * origin/master, main, master, the first that exists.
 */
export function defaultBase(git: Git): string {
  const originHead = git.run(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]);
  const target = originHead.stdout.trim();
  if (originHead.status === 0 && target.startsWith("refs/remotes/") && refExists(git, target)) {
    return target.slice("refs/remotes/".length);
  }
  const candidates = ["refs/remotes/origin/main", "refs/remotes/origin/master", "refs/heads/main", "refs/heads/master"];
  for (const candidate of candidates) {
    if (refExists(git, candidate)) return candidate.replace(/^refs\/(remotes|heads)\//, "");
  }
  throw new CliError(
    "cannot find the default base branch (tried origin/HEAD, origin/main, origin/master, main, master); pass --base REF",
  );
}

function refExists(git: Git, fullName: string): boolean {
  return git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", `${fullName}^{commit}`]).status === 0;
}

/** The merge base of two commits: what `git diff BASE...HEAD` compares against. */
export function mergeBase(git: Git, base: string, head: string, baseRef: string, headRef: string): string {
  const result = git.run(["merge-base", base, head]);
  const sha = result.stdout.trim().split("\n")[0] ?? "";
  if (result.status !== 0 || sha === "") {
    const detail = gitMessage(result.stderr);
    throw new CliError(
      `"${baseRef}" and "${headRef}" have no common ancestor${detail ? ` (${detail})` : ""}; in a shallow clone, fetch more history (git fetch --unshallow)`,
    );
  }
  return sha;
}

const DIFF_OPTIONS = ["-M", "-z", "--no-relative", "--no-ext-diff", "--no-textconv", "--no-color"];

const STATUS: Record<string, FileStatus> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
};

/**
 * The files changed from `from` to `to`, renames detected (old and new path), with additions and
 * deletions; a binary file counts 0 lines.
 */
export function changedFiles(git: Git, from: string, to: string): ChangedFile[] {
  const statusText = git.output(
    ["diff", ...DIFF_OPTIONS, "--name-status", from, to, "--"],
    "cannot list the changed files",
  );
  const numstatText = git.output(
    ["diff", ...DIFF_OPTIONS, "--numstat", from, to, "--"],
    "cannot count the changed lines",
  );

  const counts = new Map<string, { additions: number; deletions: number }>();
  for (const entry of parseNumstat(numstatText)) counts.set(entry.path, entry);

  return parseNameStatus(statusText).map((entry) => {
    const count = counts.get(entry.path) ?? { additions: 0, deletions: 0 };
    const file: ChangedFile = {
      path: entry.path,
      status: entry.status,
      additions: count.additions,
      deletions: count.deletions,
    };
    if (entry.previousPath !== undefined) file.previousPath = entry.previousPath;
    return file;
  });
}

/** `--name-status -z`: "M\0path\0", or "R087\0old\0new\0" for renames and copies. */
export function parseNameStatus(text: string): { path: string; previousPath?: string; status: FileStatus }[] {
  const tokens = text.split("\0");
  const entries: { path: string; previousPath?: string; status: FileStatus }[] = [];
  for (let i = 0; i < tokens.length;) {
    const code = tokens[i++] ?? "";
    if (code === "") continue;
    const letter = code[0]!;
    const status = STATUS[letter] ?? "modified";
    if (letter === "R" || letter === "C") {
      const previousPath = tokens[i++] ?? "";
      const path = tokens[i++] ?? "";
      entries.push({ path, previousPath, status });
    } else {
      entries.push({ path: tokens[i++] ?? "", status });
    }
  }
  return entries;
}

/** `--numstat -z`: "ADD\tDEL\tpath\0", or "ADD\tDEL\t\0old\0new\0" for renames; "-" for binary. */
export function parseNumstat(text: string): { path: string; additions: number; deletions: number }[] {
  const tokens = text.split("\0");
  const entries: { path: string; additions: number; deletions: number }[] = [];
  for (let i = 0; i < tokens.length;) {
    const token = tokens[i++] ?? "";
    if (token === "") continue;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(token);
    if (!match) continue;
    const lines = (value: string) => (value === "-" ? 0 : Number(value));
    let path = match[3]!;
    if (path === "") {
      i++; // the old path of a rename
      path = tokens[i++] ?? "";
    }
    entries.push({ path, additions: lines(match[1]!), deletions: lines(match[2]!) });
  }
  return entries;
}

/** Subject and body of the oldest commit in base..head, or undefined when there is none. */
export function firstCommitMessage(
  git: Git,
  base: string,
  head: string,
): { subject: string; body: string } | undefined {
  const shas = git
    .output(["rev-list", "--reverse", `${base}..${head}`], "cannot list the commits")
    .split("\n")
    .filter(Boolean);
  const first = shas[0];
  if (!first) return undefined;
  const text = git.output(
    ["log", "-1", "--no-show-signature", "--format=%s%x00%b", first],
    "cannot read a commit message",
  );
  const [subject = "", body = ""] = text.split("\0");
  return { subject: subject.trim(), body: body.trim() };
}

/** The commit messages of base..head, oldest first (as GitHub lists a PR's commits). */
export function commitMessages(git: Git, base: string, head: string): string[] {
  const text = git.output(
    ["log", "--reverse", "--no-show-signature", "--format=%B%x00", `${base}..${head}`],
    "cannot read the commit messages",
  );
  return text.split("\0").slice(0, -1);
}

/** The checked-out branch, or undefined on a detached HEAD. */
export function currentBranch(git: Git): string | undefined {
  const result = git.run(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  const name = result.stdout.trim();
  return result.status === 0 && name !== "" ? name : undefined;
}

/** The branch a ref names (`feature`, `origin/feature` -> `feature`), or undefined for a sha or tag. */
export function branchNameOf(git: Git, ref: string): string | undefined {
  if (ref === "HEAD") return currentBranch(git);
  checkRefSyntax(ref, "--head");
  const result = git.run(["rev-parse", "--symbolic-full-name", ref]);
  const full = result.stdout.trim().split("\n")[0] ?? "";
  if (result.status !== 0) return undefined;
  if (full.startsWith("refs/heads/")) return full.slice("refs/heads/".length);
  if (full.startsWith("refs/remotes/"))
    return full.slice("refs/remotes/".length).split("/").slice(1).join("/") || undefined;
  return undefined;
}

/**
 * The text of a file at a commit (path from the repository root), or undefined when the commit
 * has no such file. Anything there that is not a regular file is an error.
 */
export function readFileAtCommit(git: Git, commit: string, path: string, label: string): string | undefined {
  const listing = git.output(["ls-tree", "--full-tree", "-z", commit, "--", path], `cannot read ${label}`);
  const entry = listing.split("\0").find((line) => line.endsWith(`\t${path}`));
  if (!entry) return undefined;
  const [mode, type, object] = entry.split("\t")[0]!.split(" ");
  if (type !== "blob" || (mode !== "100644" && mode !== "100755")) {
    throw new CliError(
      `cannot read ${label}: it is a ${mode === "120000" ? "symbolic link" : (type ?? "special entry")}, not a file`,
    );
  }
  return git.output(["cat-file", "blob", object!], `cannot read ${label}`);
}
