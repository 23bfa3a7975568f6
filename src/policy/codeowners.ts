/**
 * The CODEOWNERS reader: text in, owners per path out, with GitHub's semantics ("About code
 * owners"), not minimatch's:
 * - a pattern follows gitignore's rules: `*.js` and `logs` (no slash but a trailing one) match at
 *   any depth, a pattern with a slash at its start or middle is anchored at the root, a trailing
 *   slash matches directories only, a match of a directory covers everything under it, `**` spans
 *   directories; unlike gitignore, `docs/*` matches `docs/a.md` but not `docs/a/b.md`;
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
}

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

  constructor(lines: CodeOwnersLine[], problems: CodeOwnersProblem[], compiled: CompiledLine[]) {
    this.lines = lines;
    this.problems = problems;
    this.compiled = compiled;
    for (const line of compiled) this.file(line);
  }

  /** Whether any line assigns owners (a file of comments, or of un-assignments only, owns nothing). */
  get assignsOwners(): boolean {
    return this.lines.some((line) => line.owners.length > 0);
  }

  /** The owners of a path (relative to the repository root, `/`-separated, no leading slash). */
  ownersOf(path: string): OwnersOf {
    const segments = path.split("/").filter((s) => s.length > 0);
    if (segments.length === 0) return { owners: [] };
    const candidates: number[] = [...this.always];
    const add = (list: number[] | undefined) => {
      if (list) for (const i of list) candidates.push(i);
    };
    add(this.byFirst.get(segments[0]!));
    if (segments.length > 1) add(this.byFirstTwo.get(`${segments[0]!}/${segments[1]!}`));
    for (const segment of segments) {
      add(this.byName.get(segment));
      const dot = segment.lastIndexOf(".");
      if (dot >= 0) add(this.byExtension.get(segment.slice(dot + 1)));
    }
    if (candidates.length === 0) return { owners: [] };
    candidates.sort((a, b) => b - a);
    let previous = -1;
    for (const index of candidates) {
      if (index === previous) continue;
      previous = index;
      const line = this.compiled[index]!;
      if (lineMatches(line, segments)) return { line: line.entry, owners: line.entry.owners };
    }
    return { owners: [] };
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
      if (first.kind === "glob" && first.literal && second?.kind === "glob" && second.literal) return push(this.byFirstTwo, `${first.text}/${second.text}`);
      if (first.kind === "glob" && first.literal) return push(this.byFirst, first.text);
    } else if (line.segments.length === 1 && first.kind === "glob") {
      if (first.literal) return push(this.byName, first.text);
      const tail = first.text.slice(1);
      if (first.text.startsWith("*") && tail.includes(".") && !/[*?]/.test(tail)) {
        return push(this.byExtension, tail.slice(tail.lastIndexOf(".") + 1));
      }
    }
    this.always.push(line.index);
  }
}

/** Reads a CODEOWNERS text. Never throws; every skipped line is in `problems`. */
export function parseCodeOwners(text: string): CodeOwners {
  const lines: CodeOwnersLine[] = [];
  const problems: CodeOwnersProblem[] = [];
  const compiled: CompiledLine[] = [];
  if (Buffer.byteLength(text, "utf8") >= MAX_CODEOWNERS_BYTES) {
    problems.push({ line: 1, column: 1, message: "the CODEOWNERS file is 3 MB or larger, and GitHub does not load it: no owners" });
    return new CodeOwners(lines, problems, compiled);
  }
  const raw = text.split(/\r\n|\n|\r/);
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
  return new CodeOwners(lines, problems, compiled);
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
  if (first!.raw.startsWith("!")) return problem(first!.column, "negation with ! does not work in CODEOWNERS (GitHub skips the line)");
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
      return problem(token.column, `"${token.raw.slice(0, 100)}" is not an owner: expected @user, @org/team or an e-mail address (GitHub skips the line)`);
    }
    owners.push(owner);
  }
  return { entry: { line, pattern, owners }, compiled };
}

interface Token {
  raw: string;
  /** With backslash escapes resolved (`\ ` is a space in a path). */
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
    let value = "";
    while (i < n && content[i] !== " " && content[i] !== "\t") {
      if (content[i] === "\\" && i + 1 < n) {
        value += content[i + 1];
        i += 2;
      } else {
        value += content[i];
        i++;
      }
    }
    tokens.push({ raw: content.slice(start, i), value, column: start + 1 });
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
      const text = part.replace(/\*{2,}/g, "*");
      segments.push({ kind: "glob", text, literal: !/[*?]/.test(text) });
    }
  }
  // `**/x` is `x` at any depth: unanchored when x is one segment.
  if (segments.length === 2 && segments[0]!.kind === "any" && segments[1]!.kind === "glob") {
    segments.shift();
    anchored = false;
  }
  const last = segments.at(-1)!;
  // GitHub: `docs/*` and `/*` match the files directly inside, not those deeper down.
  return { segments, anchored, dirOnly, starOnlyLast: anchored && last.kind === "glob" && last.text === "*" };
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
function prefixMatches(segments: Segment[], path: string[]): boolean[] {
  let current: boolean[] = new Array<boolean>(path.length + 1).fill(false);
  current[0] = true;
  segments.forEach((segment, s) => {
    const next: boolean[] = new Array<boolean>(path.length + 1).fill(false);
    if (segment.kind === "any") {
      const trailing = s === segments.length - 1;
      let seen = false;
      for (let j = 0; j <= path.length; j++) {
        if (trailing) {
          next[j] = seen;
          seen = seen || current[j]!;
        } else {
          seen = seen || current[j]!;
          next[j] = seen;
        }
      }
    } else {
      for (let j = 0; j < path.length; j++) if (current[j] && segmentMatches(segment, path[j]!)) next[j + 1] = true;
    }
    current = next;
  });
  return current;
}

/** `*` and `?` within one segment, two-pointer scan with a single resume point (no exponential cases). */
function segmentMatches(segment: Segment, name: string): boolean {
  if (segment.kind === "any") return true;
  if (segment.literal) return segment.text === name;
  const p = segment.text;
  let pi = 0;
  let ni = 0;
  let star = -1;
  let resume = 0;
  while (ni < name.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === name[ni])) {
      pi++;
      ni++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = ni;
    } else if (star >= 0) {
      pi = star + 1;
      ni = ++resume;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** An owner as written (`@user`, `@org/team`, `a@b.c`). */
export function ownerText(owner: Owner): string {
  return owner.text;
}
