/**
 * The CODEOWNERS reader: text in, owners per path out, with GitHub's semantics ("About code
 * owners"), not minimatch's:
 * - a pattern follows gitignore's rules: `*.js` and `logs` (no slash but a trailing one) match at
 *   any depth, a pattern with a slash at its start or middle is anchored at the root, a trailing
 *   slash matches directories only, a match of a directory covers everything under it, `**` spans
 *   directories; unlike gitignore, `docs/*` matches `docs/a.md` but not `docs/a/b.md` (with a
 *   trailing slash, `services/*` + `/` matches the directories in services/ and so everything under
 *   them, as in git); a backslash makes the next character literal (`\*`, `\?`, `\ `);
 * - the last matching line wins; a pattern without owners un-assigns its files;
 * - `#` starts a comment (a whole line, or after whitespace at the end of a line);
 * - what GitHub documents as not working is reported and its line skipped: `!` negation, `[ ]`
 *   ranges and a `\#` escape of a leading `#`;
 * - owners are `@user`, `@org/team` or an e-mail address; a line with any other owner is skipped.
 * Paths match case-sensitively, as on GitHub. Matching never runs a regular expression: each
 * pattern is a list of segments matched by a linear scan, so an attacker's path costs at most
 * (path length × pattern length), and an index keyed by literal segments and extensions keeps
 * most lines from being tried at all.
 */

/** GitHub loads no CODEOWNERS file of 3 MB or more. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

/**
 * Lines of CODEOWNERS read. GitHub reads up to 3 MB (hundreds of thousands of short lines), which
 * took 6 s to parse here, on every new version a branch author pushes: past this many lines the
 * rest is not read and the owners of every file are unknown (`codeowners: true` fails closed).
 */
export const MAX_CODEOWNERS_LINES = 10_000;

/** Where GitHub looks for CODEOWNERS, in its order: the first that exists is used. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

export type Owner =
  | { kind: "user"; name: string; text: string }
  | { kind: "team"; org: string; name: string; text: string }
  | { kind: "email"; text: string };

export interface CodeOwnersLine {
  /** 1-based line number in the file. */
  line: number;
  pattern: string;
  /** Empty: the line un-assigns its files. */
  owners: Owner[];
}

export interface CodeOwnersProblem {
  line: number;
  column: number;
  message: string;
}

export interface OwnersOf {
  /** The line that decided (the last matching one); undefined when no line matches. */
  line?: CodeOwnersLine;
  /** Its owners (empty when no line matches or the line un-assigns). */
  owners: Owner[];
}

const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:_[A-Za-z0-9]{1,20})?$/;
const TEAM = /^@([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,99})$/;
// Deliberately simple (no nested quantifiers): local@domain.tld, no whitespace, one @.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{1,63}$/;

type Segment = { kind: "any" } | { kind: "glob"; text: string; literal: boolean };

interface CompiledLine {
  index: number;
  entry: CodeOwnersLine;
  /** Segments; `any` is `**`. */
  segments: Segment[];
  anchored: boolean;
  dirOnly: boolean;
  /** The last segment is exactly `*`: direct children only (GitHub's `docs/*`). */
  starOnlyLast: boolean;
  /** Whether any segment is `**` (otherwise an anchored line matches exactly segments.length path segments). */
  hasAny: boolean;
  /** The only `**` is the last segment (`dir/**`, or `a/*` + `/**`): matches from segments.length path segments on. */
  trailingAnyOnly: boolean;
}

/** What one directory of a path contributes, kept per directory (the files of a PR share few). */
interface DirectoryFacts {
  /** The directory's segments. */
  segments: string[];
  /** The last line (index) that matches the directory or a directory above it, or -1. */
  best: number;
  /**
   * The anchored lines after `best` that can match a file of this directory, last first, with
   * what is left to test of a file: nothing, its name against one pattern segment, or the whole
   * path (a line with `**` inside).
   */
  fileLines: FileLine[];
}

interface FileLine {
  index: number;
  /** Undefined: every file of the directory matches. */
  name?: Segment;
  /** The line, when the whole path must be tested. */
  general?: CompiledLine;
}

/** Directories remembered per CODEOWNERS; past it the memory starts again (a PR has at most 3000 files). */
const MAX_CACHED_DIRECTORIES = 20_000;

export class CodeOwners {
  readonly lines: readonly CodeOwnersLine[];
  readonly problems: readonly CodeOwnersProblem[];
  private readonly compiled: CompiledLine[];
  /** Anchored lines by their literal first segment. */
  private readonly byFirst = new Map<string, number[]>();
  /** Anchored lines by their two literal first segments (`services/svc-1`), when both are literal. */
  private readonly byFirstTwo = new Map<string, number[]>();
  /** Unanchored one-segment lines by their literal name (they match any segment of a path). */
  private readonly byName = new Map<string, number[]>();
  /** Unanchored one-segment lines `*.ext` (`*` then a literal) by the text after the last dot. */
  private readonly byExtension = new Map<string, number[]>();
  /** Lines that no key decides: tried for every path. */
  private readonly always: number[] = [];
  /** Of those, the anchored ones (`*` + `/config/`, `**` + `/a/b`): sorted out per directory. */
  private readonly alwaysAnchored: number[] = [];
  /** And the unanchored ones (`*`, `*.min.*`, `a*`): tested against the file's name. */
  private readonly alwaysUnanchored: number[] = [];
  private readonly directories = new Map<string, DirectoryFacts>();

  /** Lines not read past MAX_CODEOWNERS_LINES (0: the whole file was read). */
  readonly unreadLines: number;

  /** Where the file was read from (`.github/CODEOWNERS`), when the reader was told. */
  readonly path: string;

  constructor(
    lines: CodeOwnersLine[],
    problems: CodeOwnersProblem[],
    compiled: CompiledLine[],
    unreadLines = 0,
    path: string = CODEOWNERS_PATHS[0],
  ) {
    this.path = path;
    this.unreadLines = unreadLines;
    this.lines = lines;
    this.problems = problems;
    this.compiled = compiled;
    for (const line of compiled) this.file(line);
    for (const index of this.always)
      (this.compiled[index]!.anchored ? this.alwaysAnchored : this.alwaysUnanchored).push(index);
  }

  /** Whether any line assigns owners (a file of comments, or of un-assignments only, owns nothing). */
  get assignsOwners(): boolean {
    return this.lines.some((line) => line.owners.length > 0);
  }

  /**
   * The owners of a path (relative to the repository root, `/`-separated, no leading slash).
   *
   * A line matches a path when it matches the file itself or one of the directories above it,
   * and the last matching line wins. So the answer is the later of two: the last line matching a
   * directory of the path (a function of the directory alone, computed once per directory and
   * kept), and the last line matching the file itself. Each candidate list (lines filed under a
   * key of the path, in file order) is walked from its end and only down to the best line found
   * so far: the first match ends it. `ownersOfReference` is the same answer by brute force.
   */
  ownersOf(path: string): OwnersOf {
    const line = this.decidingLine(path);
    return line ? { line, owners: line.owners } : { owners: [] };
  }

  /** The line that decides a path's owners (the last matching one), or undefined: `ownersOf` without its result object. */
  decidingLine(path: string): CodeOwnersLine | undefined {
    let directory: string;
    let name: string;
    if (
      path.length === 0 ||
      path.charCodeAt(0) === 47 ||
      path.charCodeAt(path.length - 1) === 47 ||
      path.includes("//")
    ) {
      // Empty segments are ignored (GitHub never lists such a path).
      const segments = path.split("/").filter((s) => s.length > 0);
      if (segments.length === 0) return undefined;
      name = segments.pop()!;
      directory = segments.join("/");
    } else {
      const slash = path.lastIndexOf("/");
      directory = slash === -1 ? "" : path.slice(0, slash);
      name = slash === -1 ? path : path.slice(slash + 1);
    }
    const dir = this.directory(directory);
    let best = dir.best;
    let full: string[] | undefined;
    // Every list is last line first and holds only lines after dir.best: the first match decides it.
    for (const candidate of dir.fileLines) {
      work++;
      if (work > workLimit) throw new CodeOwnersWorkExceeded();
      if (
        candidate.name
          ? segmentMatches(candidate.name, name)
          : candidate.general
            ? anchoredMatchesFile(candidate.general, (full ??= [...dir.segments, name]))
            : true
      ) {
        best = candidate.index;
        break;
      }
    }
    // A root file's first segment, and a file one folder down its second, is its name: those
    // lines are looked up per file.
    const depth = dir.segments.length;
    const list =
      depth === 0
        ? this.byFirst.get(name)
        : depth === 1 && this.byFirstTwo.size > 0
          ? this.byFirstTwo.get(`${directory}/${name}`)
          : undefined;
    if (list) {
      for (let i = list.length - 1; i >= 0 && list[i]! > best; i--) {
        work++;
        if (work > workLimit) throw new CodeOwnersWorkExceeded();
        const line = this.compiled[list[i]!]!;
        if (anchoredMatchesFile(line, (full ??= [...dir.segments, name]))) {
          best = line.index;
          break;
        }
      }
    }
    best = this.lastUnanchored(this.byName.get(name), name, best);
    const dot = name.lastIndexOf(".");
    if (dot >= 0) best = this.lastUnanchored(this.byExtension.get(name.slice(dot + 1)), name, best);
    best = this.lastUnanchored(this.alwaysUnanchored, name, best);
    return best < 0 ? undefined : this.compiled[best]!.entry;
  }

  /** The same answer as `ownersOf`, by brute force: every line, from the last, with no index or memory (for tests). */
  ownersOfReference(path: string): OwnersOf {
    const segments = path.split("/").filter((s) => s.length > 0);
    if (segments.length === 0) return { owners: [] };
    for (let i = this.compiled.length - 1; i >= 0; i--) {
      const line = this.compiled[i]!;
      if (lineMatches(line, segments)) return { line: line.entry, owners: line.entry.owners };
    }
    return { owners: [] };
  }

  /** The last line of `list` after `best` that matches the file name itself (unanchored, one segment), or `best`. */
  private lastUnanchored(list: readonly number[] | undefined, name: string, best: number): number {
    if (!list) return best;
    for (let i = list.length - 1; i >= 0 && list[i]! > best; i--) {
      work++;
      if (work > workLimit) throw new CodeOwnersWorkExceeded();
      const line = this.compiled[list[i]!]!;
      if (unanchoredMatchesFile(line, name)) return line.index;
    }
    return best;
  }

  /** What a directory ("" for the root) contributes to the owners of the files in it. */
  private directory(directory: string): DirectoryFacts {
    const known = this.directories.get(directory);
    if (known) return known;
    const segments = directory === "" ? [] : directory.split("/");
    let best = -1;
    const anchored: (readonly number[])[] = [];
    if (segments.length > 0) {
      const first = this.byFirst.get(segments[0]!);
      if (first) anchored.push(first);
      if (segments.length > 1) {
        const two = this.byFirstTwo.get(`${segments[0]!}/${segments[1]!}`);
        if (two) anchored.push(two);
      }
      // The last line that matches one of the directories of the path.
      const consider = (list: readonly number[] | undefined) => {
        if (!list) return;
        for (let i = list.length - 1; i >= 0 && list[i]! > best; i--) {
          work++;
          if (work > workLimit) throw new CodeOwnersWorkExceeded();
          if (matchesDirectoryOf(this.compiled[list[i]!]!, segments)) {
            best = list[i]!;
            return;
          }
        }
      };
      for (const list of anchored) consider(list);
      for (const segment of segments) {
        consider(this.byName.get(segment));
        const dot = segment.lastIndexOf(".");
        if (dot >= 0) consider(this.byExtension.get(segment.slice(dot + 1)));
      }
      consider(this.always);
    }
    // The anchored lines after `best` that a file directly in this directory can match.
    const fileLines: FileLine[] = [];
    for (const list of [...anchored, this.alwaysAnchored]) {
      for (let i = list.length - 1; i >= 0 && list[i]! > best; i--) {
        work++;
        if (work > workLimit) throw new CodeOwnersWorkExceeded();
        const candidate = fileLineOf(this.compiled[list[i]!]!, segments);
        if (candidate) fileLines.push(candidate);
      }
    }
    fileLines.sort((a, b) => b.index - a.index);
    const facts: DirectoryFacts = { segments, best, fileLines };
    if (this.directories.size >= MAX_CACHED_DIRECTORIES) this.directories.clear();
    this.directories.set(directory, facts);
    return facts;
  }

  private file(line: CompiledLine): void {
    const push = (map: Map<string, number[]>, key: string) => {
      const list = map.get(key);
      if (list) list.push(line.index);
      else map.set(key, [line.index]);
    };
    const first = line.segments[0]!;
    if (line.anchored) {
      const second = line.segments[1];
      if (first.kind === "glob" && first.literal && second?.kind === "glob" && second.literal)
        return push(this.byFirstTwo, `${first.text}/${second.text}`);
      if (first.kind === "glob" && first.literal) return push(this.byFirst, first.text);
    } else if (line.segments.length === 1 && first.kind === "glob") {
      if (first.literal) return push(this.byName, first.text);
      const tail = first.text.slice(1);
      if (first.text.startsWith("*") && tail.includes(".") && !/[*?\\]/.test(tail)) {
        return push(this.byExtension, tail.slice(tail.lastIndexOf(".") + 1));
      }
    }
    this.always.push(line.index);
  }
}

/** Reads a CODEOWNERS text. Never throws; every skipped line is in `problems`. */
export function parseCodeOwners(text: string, path: string = CODEOWNERS_PATHS[0]): CodeOwners {
  const lines: CodeOwnersLine[] = [];
  const problems: CodeOwnersProblem[] = [];
  const compiled: CompiledLine[] = [];
  if (Buffer.byteLength(text, "utf8") >= MAX_CODEOWNERS_BYTES) {
    problems.push({
      line: 1,
      column: 1,
      message: "the CODEOWNERS file is 3 MB or larger, and GitHub does not load it: no owners",
    });
    return new CodeOwners(lines, problems, compiled, 0, path);
  }
  const all = text.split(/\r\n|\n|\r/);
  const raw = all.length > MAX_CODEOWNERS_LINES ? all.slice(0, MAX_CODEOWNERS_LINES) : all;
  const unread = all.length - raw.length;
  if (unread > 0)
    problems.push({
      line: MAX_CODEOWNERS_LINES + 1,
      column: 1,
      message: `the CODEOWNERS file has ${all.length} lines; Guardrails reads the first ${MAX_CODEOWNERS_LINES}, so the owners of every file are unknown`,
    });
  raw.forEach((content, i) => {
    const number = i + 1;
    const parsed = parseLine(content, number);
    if (parsed === undefined) return;
    if ("message" in parsed) {
      problems.push(parsed);
      return;
    }
    const index = compiled.length;
    lines.push(parsed.entry);
    compiled.push({ ...parsed.compiled, index, entry: parsed.entry });
  });
  return new CodeOwners(lines, problems, compiled, unread, path);
}

type ParsedLine = { entry: CodeOwnersLine; compiled: Omit<CompiledLine, "index" | "entry"> } | CodeOwnersProblem;

function parseLine(content: string, line: number): ParsedLine | undefined {
  const tokens = tokenize(content);
  if (tokens.length === 0) return undefined;
  const [first, ...rest] = tokens;
  const problem = (column: number, message: string): CodeOwnersProblem => ({ line, column, message });
  if (first!.raw.startsWith("\\#")) {
    return problem(first!.column, "escaping a leading # with \\ does not work in CODEOWNERS (GitHub skips the line)");
  }
  if (first!.raw.startsWith("!"))
    return problem(first!.column, "negation with ! does not work in CODEOWNERS (GitHub skips the line)");
  if (/[[\]]/.test(first!.raw)) {
    return problem(first!.column, "character ranges with [ ] do not work in CODEOWNERS (GitHub skips the line)");
  }
  const pattern = first!.value;
  const compiled = compilePattern(pattern);
  if (typeof compiled === "string") return problem(first!.column, compiled);
  const owners: Owner[] = [];
  for (const token of rest) {
    const owner = parseOwner(token.raw);
    if (!owner) {
      return problem(
        token.column,
        `"${token.raw.slice(0, 100)}" is not an owner: expected @user, @org/team or an e-mail address (GitHub skips the line)`,
      );
    }
    owners.push(owner);
  }
  return { entry: { line, pattern, owners }, compiled };
}

interface Token {
  raw: string;
  /** With backslash escapes resolved (`\ ` is a space in a path), but `\*`, `\?` and `\\` kept. */
  value: string;
  column: number;
}

/** Splits a line at unescaped whitespace; `#` at a token's start begins a comment. */
function tokenize(content: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = content.length;
  while (i < n) {
    while (i < n && (content[i] === " " || content[i] === "\t")) i++;
    if (i >= n || content[i] === "#") break;
    const start = i;
    let escaped = false;
    while (i < n && content[i] !== " " && content[i] !== "\t") {
      if (content[i] === "\\" && i + 1 < n) {
        escaped = true;
        i += 2;
      } else i++;
    }
    const raw = content.slice(start, i);
    // Backslash escapes resolved (`\ ` is a space), except before `*`, `?` and `\`: those stay
    // escaped, literal characters that the pattern's segments read as such (git does).
    tokens.push({ raw, value: escaped ? raw.replace(/\\([^*?\\])/gs, "$1") : raw, column: start + 1 });
  }
  return tokens;
}

function parseOwner(text: string): Owner | undefined {
  if (USER.test(text)) return { kind: "user", name: text.slice(1), text };
  const team = TEAM.exec(text);
  if (team) return { kind: "team", org: team[1]!, name: team[2]!, text };
  if (!text.startsWith("@") && EMAIL.test(text)) return { kind: "email", text };
  return undefined;
}

function compilePattern(pattern: string): Omit<CompiledLine, "index" | "entry"> | string {
  let body = pattern;
  const dirOnly = body.endsWith("/");
  while (body.endsWith("/")) body = body.slice(0, -1);
  let anchored = body.startsWith("/");
  while (body.startsWith("/")) body = body.slice(1);
  if (body.length === 0) return "the pattern / matches nothing; use * for every file";
  // A slash at the start or in the middle anchors the pattern at the root.
  if (body.includes("/")) anchored = true;
  const parts = body.split("/").filter((part) => part.length > 0);
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === "**") {
      if (segments.at(-1)?.kind !== "any") segments.push({ kind: "any" });
    } else {
      // Other runs of asterisks are plain asterisks (gitignore); one stands for the run.
      const text = collapseStars(part);
      const literal = !hasWildcard(text);
      segments.push({ kind: "glob", text: literal ? text.replace(/\\(.)/gs, "$1") : text, literal });
    }
  }
  // `**/x` is `x` at any depth: unanchored when x is one segment.
  if (segments.length === 2 && segments[0]!.kind === "any" && segments[1]!.kind === "glob") {
    segments.shift();
    anchored = false;
  }
  const last = segments.at(-1)!;
  // GitHub: `docs/*` and `/*` match the files directly inside, not those deeper down.
  const anys = segments.filter((segment) => segment.kind === "any").length;
  return {
    segments,
    anchored,
    dirOnly,
    // With a trailing slash (`/services/*/`) the `*` names directories, and a directory covers
    // everything under it, as in git.
    starOnlyLast: anchored && !dirOnly && last.kind === "glob" && !last.literal && last.text === "*",
    hasAny: anys > 0,
    trailingAnyOnly: anys === 1 && last.kind === "any",
  };
}

/**
 * What is left to test of a file directly in `directory` for an anchored line to match it (the
 * file itself, not a directory above it), or undefined when no such file can match.
 */
function fileLineOf(line: CompiledLine, directory: string[]): FileLine | undefined {
  if (line.dirOnly) return undefined;
  const { segments } = line;
  const n = directory.length;
  if (line.hasAny && !line.trailingAnyOnly) return { index: line.index, general: line };
  // Without `**`: exactly n + 1 segments, the last one the name. With a trailing `**` after
  // `fixed` segments: at least fixed + 1, so the fixed ones all lie in the directory.
  const fixed = line.hasAny ? segments.length - 1 : segments.length;
  if (line.hasAny ? fixed > n : fixed !== n + 1) return undefined;
  for (let i = 0; i < Math.min(fixed, n); i++) if (!segmentMatches(segments[i]!, directory[i]!)) return undefined;
  return line.hasAny ? { index: line.index } : { index: line.index, name: segments[n]! };
}

/** An anchored line matches the whole path (the file itself, not a directory above it). */
function anchoredMatchesFile(line: CompiledLine, path: string[]): boolean {
  if (line.dirOnly) return false;
  const { segments } = line;
  if (!line.hasAny || line.trailingAnyOnly) {
    // Without `**`: exactly as many segments. With one trailing `**`: at least one more than the rest.
    if (line.hasAny ? path.length < segments.length : segments.length !== path.length) return false;
    const fixed = line.hasAny ? segments.length - 1 : segments.length;
    for (let i = 0; i < fixed; i++) if (!segmentMatches(segments[i]!, path[i]!)) return false;
    return true;
  }
  return prefixMatches(segments, path)[path.length] === 1;
}

/** An unanchored (one-segment) line matches the file's own name. */
function unanchoredMatchesFile(line: CompiledLine, name: string): boolean {
  const only = line.segments[0]!;
  if (only.kind === "any") return true;
  return !line.dirOnly && segmentMatches(only, name);
}

/** A line matches one of the directories `directory` (segments) is made of: it, or one above it. */
function matchesDirectoryOf(line: CompiledLine, directory: string[]): boolean {
  const { segments } = line;
  if (!line.anchored) {
    const only = segments[0]!;
    if (only.kind === "any") return true;
    for (let i = 0; i < directory.length; i++) if (segmentMatches(only, directory[i]!)) return true;
    return false;
  }
  // `docs/*` matches the files directly inside docs/, never a directory.
  if (line.starOnlyLast) return false;
  if (!line.hasAny || line.trailingAnyOnly) {
    // A directory of k segments matches a trailing `**` when k >= segments.length (one for the `**`).
    if (segments.length > directory.length) return false;
    const fixed = line.hasAny ? segments.length - 1 : segments.length;
    for (let i = 0; i < fixed; i++) if (!segmentMatches(segments[i]!, directory[i]!)) return false;
    return true;
  }
  const reach = prefixMatches(segments, directory);
  for (let k = 1; k <= directory.length; k++) if (reach[k]) return true;
  return false;
}

/**
 * Whether a line matches a file path. A pattern matches the file itself or a directory above it
 * (everything under a matched directory is matched), except that a trailing lone `*` matches
 * direct children only, and a trailing slash matches directories only.
 */
function lineMatches(line: CompiledLine, path: string[]): boolean {
  const { segments } = line;
  if (!line.anchored) {
    // One segment matching any segment of the path (a directory, or the file itself).
    const only = segments[0]!;
    const end = line.dirOnly ? path.length - 1 : path.length;
    if (only.kind === "any") return true;
    for (let i = 0; i < end; i++) if (segmentMatches(only, path[i]!)) return true;
    return false;
  }
  // Anchored: the pattern matches a prefix of the path of length k (k = path.length: the file;
  // k < path.length: a directory above it). A trailing `**` matches everything inside, never the
  // directory itself with nothing under it.
  const reach = prefixMatches(segments, path);
  for (let k = 1; k <= path.length; k++) {
    if (!reach[k]) continue;
    const isFile = k === path.length;
    if (line.dirOnly && isFile) continue;
    if (line.starOnlyLast && !isFile) continue;
    return true;
  }
  return false;
}

/**
 * reach[k]: the whole pattern matches path[0..k). Dynamic programming over (pattern segment, path
 * segment), O(pattern × path) with no backtracking. `**` spans zero or more whole segments; a
 * trailing one at least one (`dir/**` is what is inside dir).
 */
function prefixMatches(segments: Segment[], path: string[]): Uint8Array {
  const width = path.length + 1;
  work += segments.length * width;
  let current = new Uint8Array(width);
  let next = new Uint8Array(width);
  current[0] = 1;
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    next.fill(0);
    if (segment.kind === "any") {
      const trailing = s === segments.length - 1;
      let seen = 0;
      for (let j = 0; j < width; j++) {
        if (trailing) {
          next[j] = seen;
          seen |= current[j]!;
        } else {
          seen |= current[j]!;
          next[j] = seen;
        }
      }
    } else {
      for (let j = 0; j < path.length; j++) if (current[j] && segmentMatches(segment, path[j]!)) next[j + 1] = 1;
    }
    const swap = current;
    current = next;
    next = swap;
  }
  return current;
}

/** Whether a segment's text has an unescaped `*` or `?`. */
function hasWildcard(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "*" || text[i] === "?") return true;
  }
  return false;
}

/** Runs of unescaped asterisks as one (an escaped `\*` is a character, not part of a run). */
function collapseStars(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && i + 1 < text.length) {
      out += text.slice(i, i + 2);
      i++;
    } else if (text[i] !== "*" || out.at(-1) !== "*" || out.at(-2) === "\\") out += text[i];
  }
  return out;
}

/** `*` and `?` within one segment (`\` escapes the next character), two-pointer scan with a single resume point (no exponential cases). */
function segmentMatches(segment: Segment, name: string): boolean {
  if (segment.kind === "any") return true;
  if (segment.literal) return segment.text === name;
  const p = segment.text;
  let pi = 0;
  let ni = 0;
  let star = -1;
  let resume = 0;
  let steps = 1;
  while (ni < name.length) {
    steps++;
    const c = pi < p.length ? p.charCodeAt(pi) : -1;
    if (c === 92 /* \ */ && pi + 1 < p.length) {
      // An escaped character is literal (`\*`, `\?`, `\\`).
      if (p.charCodeAt(pi + 1) === name.charCodeAt(ni)) {
        pi += 2;
        ni++;
      } else if (star >= 0) {
        pi = star + 1;
        ni = ++resume;
      } else {
        work += steps;
        return false;
      }
    } else if (c === 63 /* ? */ || (c !== -1 && c !== 42 && c === name.charCodeAt(ni))) {
      pi++;
      ni++;
    } else if (c === 42 /* * */) {
      star = pi++;
      resume = ni;
    } else if (star >= 0) {
      pi = star + 1;
      ni = ++resume;
    } else {
      work += steps;
      return false;
    }
  }
  work += steps;
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/**
 * Matching work (about one unit per character compared or line tried) since the last
 * `resetCodeOwnersWork`: a CODEOWNERS is written by whoever can push a branch, so the engine
 * stops working out owners past a budget (src/engine/codeowners.ts) and fails closed.
 */
let work = 0;

export function codeOwnersWork(): number {
  return work;
}

export function resetCodeOwnersWork(limit = Number.POSITIVE_INFINITY): void {
  work = 0;
  workLimit = limit;
}

let workLimit = Number.POSITIVE_INFINITY;

/** Lifts the limit (the count stays readable). */
export function endCodeOwnersWorkLimit(): void {
  workLimit = Number.POSITIVE_INFINITY;
}

/** Thrown by `ownersOf` once the work passes the limit given to `resetCodeOwnersWork`. */
export class CodeOwnersWorkExceeded extends Error {
  constructor() {
    super("matching against CODEOWNERS ran past its work budget");
  }
}

/** A problem of a CODEOWNERS file, with the file it is in: what GitHub skips, and why. */
export interface LocatedCodeOwnersProblem extends CodeOwnersProblem {
  path: string;
}

/** Problems listed at most (a broken file can have thousands; the first ones say what to fix). */
export const MAX_LISTED_CODEOWNERS_PROBLEMS = 100;

/**
 * The problems of a CODEOWNERS file (none when there is no file or it was not read), in line
 * order, at most MAX_LISTED_CODEOWNERS_PROBLEMS: for the check's details, `guardrails check` and
 * `guardrails doctor`.
 */
export function codeOwnersProblems(file: CodeOwners | null | undefined): LocatedCodeOwnersProblem[] {
  if (!file) return [];
  return file.problems.slice(0, MAX_LISTED_CODEOWNERS_PROBLEMS).map((problem) => ({ path: file.path, ...problem }));
}

/** One problem as a line of plain text: `path:line:column: message` (what `grep -n` and editors read). */
export function formatCodeOwnersProblem(problem: LocatedCodeOwnersProblem): string {
  return `${problem.path}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** An owner as written (`@user`, `@org/team`, `a@b.c`). */
export function ownerText(owner: Owner): string {
  return owner.text;
}
