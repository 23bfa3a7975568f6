/**
 * Path globs matched without backtracking regular expressions. minimatch's regular expressions
 * backtrack: `** /*a*a*a0/** /*a*a*b` against a path of long segments took seconds, and the path
 * is the PR author's. Here a glob (its braces already expanded) is a list of segments, matched
 * segment by segment:
 *   - a segment pattern is literal chunks and fixed-width wildcard atoms (`?`, `[...]`) between
 *     `*`s; a chunk is found at its leftmost place (the standard wildcard algorithm: the leftmost
 *     place of each chunk is never worse), so a segment costs O(length x chunk width);
 *   - `**` matches zero or more segments (a trailing one, one or more, as minimatch() does); with
 *     at most two of them (the loader's limit) the segment positions are tried with a memo, so a
 *     path costs O(glob segments x path length) at worst.
 * Semantics are minimatch's with `dot: true` for what git can name (no `.`/`..` segments, no empty
 * segments); extglobs (`+(a|b)`) are refused by the loader. A property test checks agreement with
 * minimatch on generated globs and paths.
 */

type Atom = { kind: "char"; char: number } | { kind: "any" } | { kind: "class"; test: (char: string) => boolean };

/** A segment pattern: `first` must start the segment, `last` end it, `middle` occur in order. */
interface SegmentPattern {
  literal?: string;
  chunks: Atom[][];
  /** Per chunk, its text when it is all literal characters (matched by the string's own search). */
  texts: (string | undefined)[];
  /** Whether the pattern starts / ends with `*` (then the first / last chunk floats). */
  leadingStar: boolean;
  trailingStar: boolean;
  minLength: number;
}

/**
 * A path cut into segments once, shared by every glob tried on it. `serial` tells the views
 * apart (the memos of the segment patterns belong to one view at a time).
 */
export interface PathView {
  readonly path: string;
  readonly starts: number[];
  readonly count: number;
  /** A "." or ".." segment (git lists none; the general matcher decides those). */
  readonly dotSegment: boolean;
  readonly serial: number;
}

let serials = 0;

export function pathView(path: string): PathView {
  const starts: number[] = [0];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) starts.push(i + 1);
  const count = starts.length;
  let dotSegment = false;
  for (let j = 0; j < count && !dotSegment; j++) {
    if (path.charCodeAt(starts[j]!) === 46) {
      const length = (j + 1 < count ? starts[j + 1]! - 1 : path.length) - starts[j]!;
      dotSegment = length === 1 || (length === 2 && path.charCodeAt(starts[j]! + 1) === 46);
    }
  }
  work += count + (path.length >> 6);
  return { path, starts, count, dotSegment, serial: ++serials };
}

/**
 * Matching work done since the last `resetMatchingWork` (about one unit per path character
 * examined or segment tested): the engine stops judging paths past a budget (path-limits.ts).
 */
let work = 0;

export function matchingWork(): number {
  return work;
}

export function resetMatchingWork(): void {
  work = 0;
}

/** Work done outside the matcher on its behalf (the engine's index lookups). */
export function addMatchingWork(units: number): void {
  work += units;
}

const GLOBSTAR = Symbol("globstar");
type Segment = SegmentPattern | typeof GLOBSTAR;
export type { SegmentPattern };

/** Where the globs tried on one path find its view, made by the first that needs it. */
export interface ViewSlot {
  view?: PathView | undefined;
}

export interface CompiledGlob {
  readonly source: string;
  /** `slot`, when given, holds (or receives) `pathView(path)`, shared with the other globs tried on the path. */
  test(path: string, slot?: ViewSlot): boolean;
}

/**
 * Compiles one glob without braces. Throws on what it cannot read (the loader refuses it before).
 * Globs compiled with the same `patterns` map share their segment patterns (and so the answers
 * of a segment pattern on one path).
 */
export function compileGlob(glob: string, patterns?: Map<string, SegmentPattern>): CompiledGlob {
  const parts = glob.split("/");
  const segments: Segment[] = [];
  for (const part of parts) {
    // `**/**` is `**`.
    if (part === "**") {
      if (segments.at(-1) !== GLOBSTAR) segments.push(GLOBSTAR);
    } else {
      let pattern = patterns?.get(part);
      if (!pattern) {
        pattern = parseSegment(part);
        patterns?.set(part, pattern);
      }
      segments.push(pattern);
    }
  }
  const blocks = toBlocks(segments);
  // Every literal part of the segments between two `**` (which are tried at every folder) must
  // occur somewhere in a path that matches: a substring search rules most paths out first.
  const required = [
    ...new Set(
      blocks.middle
        .flat()
        .flatMap((pattern) =>
          pattern.literal !== undefined
            ? [pattern.literal]
            : pattern.texts.filter((text): text is string => text !== undefined),
        ),
    ),
  ]
    .filter((text) => text.length > 1)
    .sort((a, b) => b.length - a.length);
  return {
    source: glob,
    test(path, slot) {
      work++;
      // The last segment first, found from the end without splitting the path: it rejects most.
      if (blocks.globstars > 0 && blocks.last.length > 0) {
        const base = path.lastIndexOf("/") + 1;
        if (!matchSegment(blocks.last.at(-1)!, path, base, path.length)) return false;
      }
      for (const text of required) {
        const found = path.indexOf(text);
        work += 1 + ((found === -1 ? path.length : found) >> 6);
        if (found === -1) return false;
      }
      const v = slot ? (slot.view ??= pathView(path)) : pathView(path);
      // git never lists "." or ".." segments; a path with one goes to the general matcher.
      return v.dotSegment ? matchPath(segments, path) : matchBlocks(blocks, v);
    },
  };
}

/** The glob's segments between its `**`: `first` and `last` are anchored, `middle` float. */
interface Blocks {
  globstars: number;
  first: SegmentPattern[];
  middle: SegmentPattern[][];
  last: SegmentPattern[];
  /** The glob ends with `**`, which must take at least one segment. */
  trailingGlobstar: boolean;
}

function toBlocks(segments: Segment[]): Blocks {
  const runs: SegmentPattern[][] = [[]];
  for (const segment of segments) {
    if (segment === GLOBSTAR) runs.push([]);
    else runs.at(-1)!.push(segment);
  }
  const globstars = runs.length - 1;
  if (globstars === 0) return { globstars, first: runs[0]!, middle: [], last: [], trailingGlobstar: false };
  return {
    globstars,
    first: runs[0]!,
    middle: runs.slice(1, -1).filter((run) => run.length > 0),
    last: runs.at(-1)!,
    trailingGlobstar: segments.at(-1) === GLOBSTAR,
  };
}

/**
 * What each segment pattern said of each segment of the path being matched (0 unknown, 1 no,
 * 2 yes), for the one path (view serial) being matched: kept outside the patterns, in arrays
 * reused from path to path, so a compiled policy holds no memory per pattern. Patterns with the
 * same text are one object within a GlobIndex, so every glob that holds one shares its answers.
 */
const memos = new Map<SegmentPattern, Uint8Array>();
const memoPool: Uint8Array[] = [];
/** Arrays kept for reuse (64 bytes each); a path that needs more gets fresh ones. */
const MAX_POOLED_MEMOS = 1024;
let memoPoolUsed = 0;
let memoSerial = 0;

function memoOf(pattern: SegmentPattern, serial: number, count: number): Uint8Array {
  if (memoSerial !== serial) {
    memos.clear();
    memoPoolUsed = 0;
    memoSerial = serial;
  }
  let known = memos.get(pattern);
  if (!known) {
    known = memoPoolUsed < MAX_POOLED_MEMOS ? memoPool[memoPoolUsed] : undefined;
    if (!known || known.length < count) {
      known = new Uint8Array(Math.max(count, 64));
      if (memoPoolUsed < MAX_POOLED_MEMOS) memoPool[memoPoolUsed] = known;
    } else known.fill(0, 0, count);
    memoPoolUsed++;
    memos.set(pattern, known);
  }
  return known;
}

/**
 * Segment-level wildcard matching without dot segments: the first block at the start, the last at
 * the end, each middle block at its leftmost place after the one before (a leftmost place is never
 * worse, as for `*` within a name). O(glob segments x path length), and each (segment pattern,
 * path segment) pair is decided once per path, whichever glob asks.
 */
function matchBlocks(blocks: Blocks, view: PathView): boolean {
  const { path, starts, count, serial } = view;
  // Each (pattern, path segment) pair is decided once: a run tried at every place re-tests the
  // same pairs, which would multiply by the run's length, and globs share their patterns.
  const segmentMatches = (pattern: SegmentPattern, j: number) => {
    const known = memoOf(pattern, serial, count);
    if (known[j] === 0) {
      work += 2;
      known[j] = matchSegment(pattern, path, starts[j]!, j + 1 < count ? starts[j + 1]! - 1 : path.length) ? 2 : 1;
    }
    return known[j] === 2;
  };
  const runAt = (run: SegmentPattern[], j: number) => {
    for (let k = 0; k < run.length; k++) if (!segmentMatches(run[k]!, j + k)) return false;
    return true;
  };
  if (blocks.globstars === 0) return count === blocks.first.length && runAt(blocks.first, 0);
  const tail = blocks.last.length + (blocks.trailingGlobstar ? 1 : 0);
  // The anchored ends first: they cost one test each and reject most paths.
  if (blocks.first.length + tail > count || !runAt(blocks.first, 0)) return false;
  if (blocks.last.length > 0 && !runAt(blocks.last, count - blocks.last.length)) return false;
  const limit = count - tail;
  let at = blocks.first.length;
  for (const run of blocks.middle) {
    let found = -1;
    for (let j = at; j + run.length <= limit; j++) {
      work++;
      if (runAt(run, j)) {
        found = j;
        break;
      }
    }
    if (found === -1) return false;
    at = found + run.length;
  }
  return true;
}

function parseSegment(text: string): SegmentPattern {
  if (!/[*?[]/.test(text))
    return { literal: text, chunks: [], texts: [], leadingStar: false, trailingStar: false, minLength: text.length };
  const chunks: Atom[][] = [[]];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "*") {
      while (text[i] === "*") i++;
      chunks.push([]);
      continue;
    }
    if (c === "?") {
      chunks.at(-1)!.push({ kind: "any" });
      i++;
      continue;
    }
    if (c === "[") {
      const end = classEnd(text, i);
      if (end > 0) {
        chunks.at(-1)!.push({ kind: "class", test: compileClass(text.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    chunks.at(-1)!.push({ kind: "char", char: text.charCodeAt(i) });
    i++;
  }
  const leadingStar = chunks[0]!.length === 0;
  const trailingStar = chunks.length > 1 && chunks.at(-1)!.length === 0;
  const nonEmpty = chunks.filter((chunk) => chunk.length > 0);
  const texts = nonEmpty.map((chunk) =>
    chunk.every((atom) => atom.kind === "char")
      ? String.fromCharCode(...chunk.map((atom) => (atom as { char: number }).char))
      : undefined,
  );
  return {
    chunks: nonEmpty,
    texts,
    leadingStar: leadingStar && chunks.length > 1,
    trailingStar,
    minLength: nonEmpty.reduce((n, chunk) => n + chunk.length, 0),
  };
}

/** The index of the `]` closing the class opened at `start`, or -1 (then `[` is literal, as in minimatch). */
function classEnd(text: string, start: number): number {
  let i = start + 1;
  if (text[i] === "!" || text[i] === "^") i++;
  if (text[i] === "]") i++;
  for (; i < text.length; i++) {
    if (text[i] === "[" && text[i + 1] === ":") {
      const close = text.indexOf(":]", i + 2);
      if (close > 0) {
        i = close + 1;
        continue;
      }
    }
    if (text[i] === "]") return i;
  }
  return -1;
}

const POSIX: Record<string, string> = {
  alnum: "\\p{L}\\p{Nl}\\p{Nd}",
  alpha: "\\p{L}\\p{Nl}",
  ascii: "\\x00-\\x7f",
  blank: "\\p{Zs}\\t",
  cntrl: "\\p{Cc}",
  digit: "\\p{Nd}",
  graph: "\\p{Z}\\p{C}",
  lower: "\\p{Ll}",
  print: "\\p{C}",
  punct: "\\p{P}",
  space: "\\p{Z}\\t\\r\\n\\v\\f",
  upper: "\\p{Lu}",
  word: "\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}",
  xdigit: "A-Fa-f0-9",
};

/** A bracket expression's body as a one-character test (a one-character regular expression cannot backtrack). */
function compileClass(body: string): (char: string) => boolean {
  let negate = false;
  let rest = body;
  if (rest.startsWith("!") || rest.startsWith("^")) {
    negate = true;
    rest = rest.slice(1);
  }
  let source = "";
  let negatedPosix = "";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "[" && rest[i + 1] === ":") {
      const close = rest.indexOf(":]", i + 2);
      const name = close > 0 ? rest.slice(i + 2, close) : "";
      if (name in POSIX) {
        // graph and print are "not these": kept apart and negated.
        if (name === "graph" || name === "print") negatedPosix += POSIX[name];
        else source += POSIX[name];
        i = close + 1;
        continue;
      }
    }
    const c = rest[i]!;
    source += /[\\\]^-]/.test(c) && !(c === "-" && i > 0 && i < rest.length - 1) ? `\\${c}` : c;
  }
  const positive = source ? new RegExp(`^[${source}]$`, "u") : undefined;
  const notNegated = negatedPosix ? new RegExp(`^[^${negatedPosix}]$`, "u") : undefined;
  return (char) => {
    const inside = (positive?.test(char) ?? false) || (notNegated?.test(char) ?? false);
    return negate ? !inside : inside;
  };
}

function atomMatches(atom: Atom, text: string, at: number): boolean {
  switch (atom.kind) {
    case "char":
      return text.charCodeAt(at) === atom.char;
    case "any":
      return true;
    case "class":
      return atom.test(text[at]!);
  }
}

function chunkAt(chunk: Atom[], text: string, at: number): boolean {
  for (let k = 0; k < chunk.length; k++) if (!atomMatches(chunk[k]!, text, at + k)) return false;
  return true;
}

/** The leftmost place at or after `from` (and at most `limit`) where the chunk matches, or -1. */
function findChunk(chunk: Atom[], literal: string | undefined, text: string, from: number, limit: number): number {
  if (literal !== undefined) {
    work += 1 + ((limit - from) >> 5);
    const found = text.indexOf(literal, from);
    return found !== -1 && found <= limit ? found : -1;
  }
  // (The loader refuses `?` and `[...]` between two `*`: this is not reached from a policy.)
  work += (limit - from + 1) * chunk.length;
  for (let at = from; at <= limit; at++) if (chunkAt(chunk, text, at)) return at;
  return -1;
}

/** The chunk at exactly `at`: the string's own comparison when it is literal. */
function chunkIs(chunk: Atom[], literal: string | undefined, text: string, at: number): boolean {
  work += 1 + (chunk.length >> 2);
  if (literal === undefined) return chunkAt(chunk, text, at);
  // A slice compared whole is several times faster than startsWith on long chunks (V8).
  return literal.length < 8 ? text.startsWith(literal, at) : text.slice(at, at + literal.length) === literal;
}

/** Whether `text.slice(start, end)` (one path segment) matches the pattern. */
function matchSegment(pattern: SegmentPattern, text: string, start: number, end: number): boolean {
  const length = end - start;
  if (pattern.literal !== undefined)
    return length === pattern.literal.length && text.startsWith(pattern.literal, start);
  // No empty segment matches (git has none), nor "." and ".." (minimatch never matches them to a wildcard).
  if (length === 0 || length < pattern.minLength) return false;
  if (text.charCodeAt(start) === 46 && (length === 1 || (length === 2 && text.charCodeAt(start + 1) === 46)))
    return false;
  const { chunks, texts } = pattern;
  if (chunks.length === 0) return true; // `*`
  let from = start;
  let to = end;
  let first = 0;
  let last = chunks.length;
  if (!pattern.leadingStar) {
    if (start + chunks[0]!.length > end || !chunkIs(chunks[0]!, texts[0], text, start)) return false;
    from = start + chunks[0]!.length;
    first = 1;
  }
  if (!pattern.trailingStar && last > first) {
    const tail = chunks[last - 1]!;
    if (end - tail.length < from || !chunkIs(tail, texts[last - 1], text, end - tail.length)) return false;
    to = end - tail.length;
    last--;
  } else if (!pattern.trailingStar) {
    // A single chunk without stars on either side: it had to be the whole segment.
    return from === end;
  }
  for (let c = first; c < last; c++) {
    const chunk = chunks[c]!;
    const found = findChunk(chunk, texts[c], text, from, to - chunk.length);
    if (found === -1) return false;
    from = found + chunk.length;
  }
  return true;
}

function matchPath(segments: Segment[], path: string): boolean {
  // Segment boundaries of the path: segment j is [starts[j], endOf(j)).
  const starts: number[] = [0];
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) starts.push(i + 1);
  const count = starts.length;
  const endOf = (j: number) => (j + 1 < count ? starts[j + 1]! - 1 : path.length);
  const dot = (j: number) => isDotSegment(path, starts[j]!, endOf(j));
  const width = count + 1;
  // memo[i * width + j]: 0 unknown, 1 no, 2 yes: glob segments i.. match path segments j..
  const memo = new Uint8Array((segments.length + 1) * width);
  const match = (i: number, j: number): boolean => {
    const key = i * width + j;
    if (memo[key] !== 0) return memo[key] === 2;
    let result: boolean;
    if (i === segments.length) result = j === count;
    else if (segments[i] === GLOBSTAR) {
      if (i === segments.length - 1) {
        // A trailing `**` takes every remaining segment, at least one (`src/**` does not match `src`).
        result = j < count && !dot(j) && (j + 1 === count || match(i, j + 1));
      } else {
        // Zero segments, or one more and `**` again: O(1) per position, so a path is linear.
        result = match(i + 1, j) || (j < count && !dot(j) && match(i, j + 1));
      }
    } else
      result =
        j < count && matchSegment(segments[i] as SegmentPattern, path, starts[j]!, endOf(j)) && match(i + 1, j + 1);
    memo[key] = result ? 2 : 1;
    return result;
  };
  return match(0, 0);
}

/** `**` does not cross "." or ".." segments (minimatch's rule; git never lists them). */
function isDotSegment(path: string, start: number, end: number): boolean {
  return (
    path.charCodeAt(start) === 46 && (end - start === 1 || (end - start === 2 && path.charCodeAt(start + 1) === 46))
  );
}

// ---- brace expansion, counted before it is done ---------------------------------------------------

/** Stops counting past this (the loader's limits are far below). */
const COUNT_CAP = 1_000_000;

/**
 * How many globs a glob's braces expand to, computed without expanding them (`{a,b}{a,b}...`
 * fourteen times is 16,384 globs; expanding first is what cost seconds and gigabytes). Follows
 * brace-expansion's reading: `{a,b}` and `{1..9}` (numeric or single-letter ranges, with an
 * optional step) expand; a `{` without a comma or range at its level is literal.
 */
export function braceAlternatives(glob: string): number {
  return countSequence(glob, 0, glob.length);
}

function countSequence(text: string, start: number, end: number): number {
  let total = 1;
  for (let i = start; i < end; i++) {
    if (text[i] !== "{") continue;
    const close = matchingBrace(text, i, end);
    if (close === -1) continue;
    const inner = countGroup(text, i + 1, close);
    if (inner === undefined) continue; // literal braces
    total = Math.min(COUNT_CAP, total * inner);
    i = close;
  }
  return total;
}

function matchingBrace(text: string, open: number, end: number): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** The alternatives of `{...}`'s body, or undefined when it does not expand. */
function countGroup(text: string, start: number, end: number): number | undefined {
  const commas: number[] = [];
  let depth = 0;
  for (let i = start; i < end; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}") depth--;
    else if (text[i] === "," && depth === 0) commas.push(i);
  }
  if (commas.length === 0) {
    const range = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(?:\.\.(-?\d+))?$/.exec(text.slice(start, end));
    if (!range) return undefined;
    const from = Number.isNaN(Number(range[1])) ? range[1]!.charCodeAt(0) : Number(range[1]);
    const to = Number.isNaN(Number(range[2])) ? range[2]!.charCodeAt(0) : Number(range[2]);
    const step = Math.max(1, Math.abs(Number(range[3] ?? 1)) || 1);
    return Math.min(COUNT_CAP, Math.floor(Math.abs(to - from) / step) + 1);
  }
  let total = 0;
  let from = start;
  for (const comma of [...commas, end]) {
    total = Math.min(COUNT_CAP, total + countSequence(text, from, comma));
    from = comma + 1;
  }
  return total;
}

/**
 * Whether a glob (braces expanded) must be tried against every changed path: it has no literal
 * first folder and is none of the forms the engine's index files by a key (`** /*.ext`,
 * `** /name`, `** /name/**`). The loader bounds how many a policy has.
 */
export function scansEveryPath(alternative: string): boolean {
  const first = alternative.split("/")[0]!;
  if (!/[*?[]/.test(first)) return false;
  return !/^\*\*\/(\*\.[^/*?[\]{}()!+@]+|[^/*?[\]{}()!+@]+|[^/*?[\]{}()!+@]+\/\*\*)$/.test(alternative);
}

/**
 * The literal folders a glob (braces expanded) starts with, when it must be tried on every path
 * under them (`services/* /src/**` under `services`); undefined when the engine's index decides it
 * by a key alone (an exact path, `dir/**`) or when it has no literal folder (see scansEveryPath).
 */
export function scansUnderPrefix(alternative: string): string | undefined {
  const segments = alternative.split("/");
  const literal: string[] = [];
  for (const segment of segments) {
    if (/[*?[]/.test(segment)) break;
    literal.push(segment);
  }
  if (literal.length === 0 || literal.length === segments.length) return undefined;
  if (literal.length === segments.length - 1 && segments.at(-1) === "**") return undefined;
  return literal.join("/");
}
