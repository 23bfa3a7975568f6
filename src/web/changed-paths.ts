/**
 * The playground's "Changed paths" box read as a list of changed files: pure, used by the page
 * (bundled) and by the tests alike. A line is one of
 * - `git diff --numstat`: `ADDED<TAB>DELETED<TAB>PATH` (`-` counts for a binary file; a rename as
 *   `old => new` or `dir/{old => new}/file`);
 * - `git diff --name-status`: `M<TAB>PATH`, `R100<TAB>OLD<TAB>NEW`, `C75<TAB>OLD<TAB>NEW` (A, D, M, T);
 * - `git status` long form (`deleted:    path`, `renamed:    a -> b`) and `git diff --summary`
 *   (`delete mode 100644 path`, `rename a => b (100%)`);
 * - the page's own: `path` or `old -> new`, then optional `+N -N` and `(status)`, where git's words
 *   `(deleted)`, `(new)` and `(gone)` stand for removed, added and removed.
 * A terminal often turns tabs into spaces: numstat and name-status lines are read either way.
 * Git's quoted paths (`"caf\303\251.md"`) are unquoted. The same path twice is one file: a later
 * line fills in what an earlier one left out, so numstat and name-status output can be pasted
 * together. Anything that is not a plausible repository path (a line of a patch, a `--stat` bar,
 * `/abs`, `a/../b`) is a problem with its line number, never a file.
 */
import type { SimulateBody } from "./simulation.js";

export type ChangedPath = SimulateBody["pull_request"]["files"][number];
type Status = NonNullable<ChangedPath["status"]>;

export interface PathProblem {
  /** 1-based line of the box. */
  line: number;
  message: string;
}

export interface ChangedPaths {
  files: ChangedPath[];
  problems: PathProblem[];
}

/** As the simulate API: GitHub lists at most 3000 files, and a path is at most 4096 characters. */
export const MAX_PATHS = 3000;
export const MAX_PATH_CHARS = 4096;

const STATUSES = new Set<string>(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]);
/** Git's words for a status, where they differ from GitHub's. */
const GIT_WORDS: Record<string, Status> = { deleted: "removed", new: "added", gone: "removed" };
const NAME_STATUS: Record<string, Status> = { A: "added", D: "removed", M: "modified", T: "changed" };
const STATUS_LONG: Record<string, Status> = {
  "new file": "added",
  deleted: "removed",
  modified: "modified",
  renamed: "renamed",
  copied: "copied",
  typechange: "changed",
};
const ARROW = " -> ";

type Read = { file: ChangedPath } | { problem: string } | { skip: true };

/** Every line of the box: the files it names (in order, each path once) and the lines it cannot take. */
export function parseChangedPaths(text: string): ChangedPaths {
  const files: ChangedPath[] = [];
  const byPath = new Map<string, ChangedPath>();
  const problems: PathProblem[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const read = readLine(raw);
    if ("skip" in read) return;
    if ("problem" in read) return void problems.push({ line, message: read.problem });
    const problem = pathProblem(read.file.path) ?? pathProblem(read.file.previous_path);
    if (problem) return void problems.push({ line, message: problem });
    const seen = byPath.get(read.file.path);
    if (seen) return void Object.assign(seen, definedOnly(read.file));
    if (files.length >= MAX_PATHS)
      return void problems.push({ line, message: `more than ${MAX_PATHS} files (GitHub lists no more): left out` });
    byPath.set(read.file.path, read.file);
    files.push(read.file);
  });
  return { files, problems };
}

/** What a later line about the same path adds: its counts, its status (other than the default) and old path. */
function definedOnly(file: ChangedPath): Partial<ChangedPath> {
  const out: Partial<ChangedPath> = {};
  if (file.additions !== undefined) out.additions = file.additions;
  if (file.deletions !== undefined) out.deletions = file.deletions;
  if (file.status !== undefined && file.status !== "modified") out.status = file.status;
  if (file.previous_path !== undefined) out.previous_path = file.previous_path;
  return out;
}

function readLine(raw: string): Read {
  const line = raw.replace(/\s+$/, "");
  const notAPath = notAPathLine(line.trim());
  if (notAPath) return notAPath;
  return numstatLine(line) ?? nameStatusLine(line) ?? gitStatusLine(line.trim()) ?? ownLine(line);
}

/** Lines people paste along with the paths: said why they are left out. */
function notAPathLine(line: string): Read | undefined {
  if (/^\d+ files? changed(, \d+ insertions?\(\+\))?(, \d+ deletions?\(-\))?$/.test(line))
    return { problem: "the --stat summary line, not a file: left out" };
  if (/^(diff --git |index [0-9a-f]+\.\.|--- |\+\+\+ |@@ )/.test(line))
    return { problem: "a line of a patch, not a path: paste the output of git diff --numstat or --name-status" };
  if (/^\S.*\s\|\s+(\d+\s*[+-]*|Bin\b.*)$/.test(line))
    return {
      problem: "a line of git diff --stat (its + and - are scaled, not counts): paste --numstat output instead",
    };
  if (/^(\$ |git )/.test(line)) return { problem: "a command, not a path" };
  if (/^(On branch |Changes (not staged|to be committed)|Untracked files|\(use "git )/.test(line))
    return { skip: true };
  return undefined;
}

/** `12<TAB>3<TAB>path` (or spaces), `-<TAB>-<TAB>path` for a binary file. */
function numstatLine(line: string): Read | undefined {
  const match = /^\s*(\d+|-)(?:\t| +)(\d+|-)(?:\t| +)(\S.*)$/.exec(line);
  if (!match) return undefined;
  const count = (text: string) => (text === "-" ? 0 : Number(text));
  const counts = { additions: count(match[1]!), deletions: count(match[2]!) };
  const rename = numstatRename(unquote(match[3]!));
  return {
    file: rename ? { path: rename.to, previous_path: rename.from, ...counts } : { path: unquote(match[3]!), ...counts },
  };
}

/** Numstat's rename forms: `old => new` and `common/{old => new}/rest` (either side may be empty). */
export function numstatRename(text: string): { from: string; to: string } | undefined {
  const braced = /^(.*)\{(.*) => (.*)\}(.*)$/.exec(text);
  if (braced) {
    const [, prefix, from, to, suffix] = braced as unknown as [string, string, string, string, string];
    // `a/{ => sub}/b.ts`: an empty side leaves `a//b.ts`, which git writes as `a/b.ts`.
    const join = (middle: string) => `${prefix}${middle}${suffix}`.replace(/\/\/+/g, "/");
    return { from: join(from), to: join(to) };
  }
  const plain = text.split(" => ");
  return plain.length === 2 ? { from: plain[0]!, to: plain[1]! } : undefined;
}

/** `M<TAB>path`, `R100<TAB>old<TAB>new` (with spaces only when both paths are single words). */
function nameStatusLine(line: string): Read | undefined {
  // With spaces instead of a tab, only the letters of a change (a file may be named `X marks.txt`).
  const match = /^\s*([ADMTUX]|[RC]\d{0,3})\t(\S.*)$/.exec(line) ?? /^\s*([ADMT]|[RC]\d{0,3}) +(\S.*)$/.exec(line);
  if (!match) return undefined;
  const letter = match[1]![0]!;
  const rest = match[2]!;
  if (letter === "R" || letter === "C") {
    const parts = rest.includes("\t") ? rest.split("\t") : rest.split(/ +/);
    if (parts.length !== 2)
      return { problem: `a ${letter === "R" ? "rename" : "copy"} needs two paths, separated by a tab` };
    const status: Status = letter === "R" ? "renamed" : "copied";
    return { file: { path: unquote(parts[1]!), previous_path: unquote(parts[0]!), status } };
  }
  const status = NAME_STATUS[letter];
  if (!status)
    return {
      problem: `git's status ${letter} (${letter === "U" ? "unmerged" : "unknown"}) is no change a pull request shows`,
    };
  return { file: { path: unquote(rest), status } };
}

/** `git status` (`deleted:    a.ts`, `renamed:    a -> b`) and `git diff --summary` lines. */
function gitStatusLine(line: string): Read | undefined {
  const long = /^(new file|deleted|modified|renamed|copied|typechange):\s+(\S.*)$/.exec(line);
  if (long) {
    const status = STATUS_LONG[long[1]!]!;
    const arrow = long[2]!.indexOf(ARROW);
    if ((status === "renamed" || status === "copied") && arrow > 0)
      return {
        file: {
          path: unquote(long[2]!.slice(arrow + ARROW.length)),
          previous_path: unquote(long[2]!.slice(0, arrow)),
          status,
        },
      };
    return { file: { path: unquote(long[2]!), status } };
  }
  const mode = /^(create|delete) mode \d{6} (\S.*)$/.exec(line);
  if (mode) return { file: { path: unquote(mode[2]!), status: mode[1] === "create" ? "added" : "removed" } };
  const rename = /^(rename|copy) (\S.*) \(\d{1,3}%\)$/.exec(line);
  const moved = rename ? numstatRename(rename[2]!) : undefined;
  if (rename && moved)
    return {
      file: { path: moved.to, previous_path: moved.from, status: rename[1] === "rename" ? "renamed" : "copied" },
    };
  if (/^mode change \d{6} => \d{6} /.test(line)) return { skip: true };
  return undefined;
}

/** The page's own line: `path` or `old -> new`, then `+N`, `-N` and `(status)` in any order. */
function ownLine(line: string): Read {
  const file = parsePathLine(line);
  return file ? { file } : { skip: true };
}

/** One line of the page's own format as a file (undefined for a blank line). */
export function parsePathLine(line: string): ChangedPath | undefined {
  let rest = line.trim();
  if (rest === "") return undefined;
  let additions: number | undefined;
  let deletions: number | undefined;
  let status: Status | undefined;
  for (;;) {
    const match = /\s+(\+\d+|-\d+|\([a-z]+\))$/.exec(rest);
    if (!match) break;
    const token = match[1]!;
    if (token.startsWith("(")) {
      const word = token.slice(1, -1);
      const named = STATUSES.has(word) ? (word as Status) : GIT_WORDS[word];
      if (named === undefined || status !== undefined) break;
      status = named;
    } else if (token.startsWith("+") && additions === undefined) additions = Number(token.slice(1));
    else if (token.startsWith("-") && deletions === undefined) deletions = Number(token.slice(1));
    else break;
    rest = rest.slice(0, match.index).trimEnd();
  }
  const arrow = rest.indexOf(ARROW);
  const file: ChangedPath =
    arrow >= 0
      ? { path: rest.slice(arrow + ARROW.length).trim(), previous_path: rest.slice(0, arrow).trim() }
      : { path: rest };
  if (status !== undefined) file.status = status;
  if (additions !== undefined) file.additions = additions;
  if (deletions !== undefined) file.deletions = deletions;
  return file;
}

/** Git's C-style quoting of unusual paths: `"a\tb"`, `"caf\303\251"` (octal bytes of UTF-8). */
export function unquote(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      bytes.push(...new TextEncoder().encode(char));
      continue;
    }
    const octal = /^[0-3][0-7]{2}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (simple[body[i + 1] ?? ""] !== undefined) bytes.push(simple[body[++i]!]!);
    else return text;
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(new Uint8Array(bytes));
}

/** Why a path cannot be one of a repository's files, or undefined when it can. */
function pathProblem(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (path === "") return "an empty path";
  if (path.length > MAX_PATH_CHARS) return `a path longer than ${MAX_PATH_CHARS} characters`;
  // Control characters (U+0000-U+001F, U+007F): a tab left between fields, or no path at all.
  if ([...path].some((char) => char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127))
    return `"${path.slice(0, 80)}" holds a control character (a tab between fields?)`;
  if (path.startsWith("/")) return `"${path.slice(0, 80)}" is absolute: paths start at the repository's root`;
  if (path.endsWith("/")) return `"${path.slice(0, 80)}" is a folder: name each changed file`;
  const segments = path.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    return `"${path.slice(0, 80)}" has an empty, . or .. segment: git names files without them`;
  return undefined;
}
