/**
 * The three kinds of pattern a policy contains, and what makes each one valid.
 * Path globs use minimatch semantics (dot files included); login and trailer patterns know only
 * `*`; the ticket pattern is an RE2 regular expression, so matching is linear in the text and a
 * policy cannot hang the server with a catastrophically backtracking pattern; its program size is
 * bounded too (linear with a factor of 40,000 is no bound: regex-cost.ts).
 */
import { Minimatch, minimatch } from "minimatch";
import { braceAlternatives, compileGlob } from "./glob-matcher.js";
import { RE2JS } from "re2js";
import { regexCost } from "./regex-cost.js";

export const GLOB_OPTIONS = { dot: true } as const;

/** Globs one glob's braces may expand to (`{a,b}{c,d}` is 4). */
export const MAX_BRACE_ALTERNATIVES = 64;
/** Globs a whole policy may hold once every brace is expanded. */
export const MAX_POLICY_GLOBS = 2000;
/** Globs (braces expanded) a policy may have that must be tried on every path (glob-matcher.ts scansEveryPath). */
export const MAX_SCANNING_GLOBS = 16;
/** Segments between two `**` of one glob. */
export const MAX_FLOATING_SEGMENTS = 4;
/** Path segments of one glob. */
export const MAX_GLOB_SEGMENTS = 32;

/** Why a path glob is unusable, or undefined when it is fine. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === "") return "glob is empty";
  if (glob.startsWith("!")) return `negated glob "${glob}" is not allowed in a list: use "exclude"`;
  if (glob.startsWith("#"))
    return `glob "${glob}" starts with "#", which minimatch reads as a comment that matches nothing`;
  if (glob.startsWith("/"))
    return `glob "${glob}" is absolute: paths are relative to the repository root, without a leading "/"`;
  if (glob.startsWith("./"))
    return `glob "${glob}" starts with "./": paths are relative to the repository root, write it without "./"`;
  if (glob.includes("\\")) return `glob "${glob}" contains a backslash: paths use "/" and escapes are not supported`;
  if (glob.length > 1024) return "glob is longer than 1024 characters";
  // Extglobs compile to backtracking regular expressions; braces say the same thing.
  const extglob = /[?*+@!]\(/.exec(glob);
  if (extglob)
    return `glob "${glob}" uses the extglob "${extglob[0]}…)", which is not supported: list the alternatives in braces, {a,b}`;
  // Counted before anything expands them: 14 brace pairs are 16,384 globs.
  const alternatives = braceAlternatives(glob);
  if (alternatives > MAX_BRACE_ALTERNATIVES) {
    return `glob "${glob.length > 80 ? `${glob.slice(0, 80)}…` : glob}" expands to ${alternatives >= 1_000_000 ? "over a million" : alternatives} globs; at most ${MAX_BRACE_ALTERNATIVES} per glob: split it`;
  }
  if (glob.split("/").length > MAX_GLOB_SEGMENTS)
    return `glob "${glob.slice(0, 80)}…" has more than ${MAX_GLOB_SEGMENTS} path segments`;
  const dots = dotSegmentProblem(glob);
  if (dots) return dots;
  const bracket = bracketProblem(glob);
  if (bracket) return bracket;
  // Between two `*` of one segment a part floats: found by a substring search when it is literal
  // (linear), but a `?` or `[...]` in it would be tried at every place of a long name.
  const floating = glob.split("/").find((segment) =>
    segment
      .split(/\*+/)
      .slice(1, -1)
      .some((part) => /[?[]/.test(part)),
  );
  if (floating)
    return `glob "${glob.length > 80 ? `${glob.slice(0, 80)}…` : glob}": a "?" or "[...]" between two "*" in one segment ("${floating.length > 40 ? `${floating.slice(0, 40)}…` : floating}") is not supported; write the part literally, or split the glob`;
  // The segments between two `**` are looked for at every folder of a path: a long run of them
  // would be tried again at each place.
  const runs = glob
    .split("/")
    .join("\n")
    .split(/(?:^|\n)\*\*(?:\n|$)/);
  if (runs.length > 2 && runs.slice(1, -1).some((run) => run.split("\n").length > MAX_FLOATING_SEGMENTS)) {
    return `glob "${glob.length > 80 ? `${glob.slice(0, 80)}…` : glob}" has more than ${MAX_FLOATING_SEGMENTS} segments between two "**": split it`;
  }
  // Each further `**` multiplies matching time by the path's depth, which a PR author controls.
  if (glob.split("/").filter((segment) => segment === "**").length > 2) {
    return `glob "${glob}" has more than two "**": matching it would slow down with deep paths; split it into several globs`;
  }
  // Each extra `*` in one segment multiplies minimatch's work on long names; nobody needs four.
  const starry = glob.split("/").find((segment) => segment !== "**" && (segment.match(/\*/g)?.length ?? 0) > 3);
  if (starry) return `glob "${glob}" has more than 3 "*" in the segment "${starry}": simplify it`;
  let mm: Minimatch;
  try {
    mm = new Minimatch(glob, GLOB_OPTIONS);
  } catch (error) {
    return `invalid glob "${glob}": ${(error as Error).message}`;
  }
  if (mm.makeRe() === false) return `invalid glob "${glob}"`;
  // What the engine compiles must compile: a glob that throws there would fail every evaluation.
  for (const alternative of minimatch.braceExpand(glob, GLOB_OPTIONS)) {
    try {
      compileGlob(alternative);
    } catch (error) {
      return `invalid glob "${glob}": ${(error as Error).message}`;
    }
  }
  const unbalanced = unbalancedBracket(glob);
  if (unbalanced) return `invalid glob "${glob}": ${unbalanced}`;
  if (glob.includes("//")) return `invalid glob "${glob}": empty path segment "//"`;
  if (glob.endsWith("/")) return `glob "${glob}" ends with "/" and so matches no file: write "${glob}**"`;
  return undefined;
}

/**
 * A PR's paths never hold `.` or `..` segments, and minimatch and the engine read them differently
 * (`src/../secrets/**`): refused, in every brace alternative.
 */
function dotSegmentProblem(glob: string): string | undefined {
  for (const alternative of minimatch.braceExpand(glob, GLOB_OPTIONS)) {
    const segment = alternative.split("/").find((part) => part === "." || part === "..");
    if (segment === undefined) continue;
    // The path it stands for: `.` dropped, `..` taking the folder before it away.
    const resolved: string[] = [];
    let above = false;
    for (const part of alternative.split("/")) {
      if (part === "..") above ||= resolved.pop() === undefined;
      else if (part !== ".") resolved.push(part);
    }
    const fixed = above ? "" : resolved.join("/");
    return `glob "${clip(glob)}" has a "${segment}" path segment: paths in a pull request never contain one, so write the path without it${fixed ? ` ("${clip(fixed)}")` : ""}`;
  }
  return undefined;
}

/**
 * Bracket expressions the engine cannot read as written: a reversed range (`[z-a]`, which would
 * throw in every evaluation), a POSIX class (`[[:alpha:]]`) and a `[` inside brackets (`[[]`).
 */
function bracketProblem(glob: string): string | undefined {
  for (let i = glob.indexOf("["); i >= 0 && i < glob.length; i = glob.indexOf("[", i + 1)) {
    const end = bracketEnd(glob, i);
    if (end < 0) return undefined;
    const whole = glob.slice(i, end + 1);
    const chars = Array.from(glob.slice(i + 1, end).replace(/^[!^]/, ""));
    if (/\[:[^\]]*:\]/.test(whole)) {
      return `glob "${clip(glob)}": POSIX character classes such as "${/\[:[^\]]*:\]/.exec(whole)![0]}" are not supported: list the characters instead, such as [a-zA-Z] for [[:alpha:]] or [0-9] for [[:digit:]]`;
    }
    if (chars.includes("[")) {
      return `glob "${clip(glob)}": a "[" inside brackets ("${clip(whole)}") is not supported: to match a "[" write "?" (any one character) there`;
    }
    for (let k = 0; k + 2 < chars.length; k++) {
      if (chars[k + 1] !== "-") continue;
      if (chars[k]!.codePointAt(0)! > chars[k + 2]!.codePointAt(0)!) {
        const range = `${chars[k]}-${chars[k + 2]}`;
        return `glob "${clip(glob)}": the range "${range}" in "${clip(whole)}" is reversed (its first character comes after its last): write "${chars[k + 2]}-${chars[k]}"`;
      }
      k += 2;
    }
    i = end;
  }
  return undefined;
}

/** The `]` that closes the bracket opened at `start` (a `]` right after it is a member), or -1. */
function bracketEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  if (glob[i] === "]") i++;
  const end = glob.indexOf("]", i);
  return end;
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * minimatch quietly reads an unbalanced bracket as a literal character, so a typo such as
 * `src/{a,b/**` would match nothing and weaken the guardrail; report it instead.
 */
function unbalancedBracket(glob: string): string | undefined {
  const stack: string[] = [];
  const closing: Record<string, string> = { "}": "{", ")": "(", "]": "[" };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (stack.at(-1) === "[") {
      // Inside a character class only "]" is special (and not as its first member).
      if (c === "]" && glob[i - 1] !== "[") stack.pop();
      continue;
    }
    if (c === "{" || c === "[" || (c === "(" && i > 0 && "?*+@!".includes(glob[i - 1]!))) stack.push(c);
    else if (c in closing) {
      if (c === ")" && !stack.includes("(")) continue;
      if (stack.at(-1) !== closing[c]) return `"${c}" without a matching "${closing[c]}"`;
      stack.pop();
    }
  }
  return stack.length > 0 ? `unclosed "${stack.at(-1)}"` : undefined;
}

/** A compiled login or trailer pattern. */
export interface LoginMatcher {
  test(value: string): boolean;
}

/**
 * Compiles a login or trailer pattern: `*` matches any run of characters, every other character
 * is literal, and the whole value must match, case-insensitively. It is matched without a
 * backtracking regular expression (`^.*a.*a.*a.*b$` takes exponential time on a long trailer,
 * which a PR's commits control): the literal parts are found left to right, each at its first
 * place, which is linear in the value for each part.
 */
export function compileLoginPattern(pattern: string): LoginMatcher {
  const parts = pattern.toLowerCase().split("*");
  const first = parts[0]!;
  if (parts.length === 1) return { test: (value) => value.toLowerCase() === first };
  const last = parts.at(-1)!;
  const middle = parts.slice(1, -1).filter((part) => part !== "");
  return {
    test(raw) {
      const value = raw.toLowerCase();
      if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
      const end = value.length - last.length;
      let at = first.length;
      for (const part of middle) {
        const found = value.indexOf(part, at);
        if (found === -1 || found + part.length > end) return false;
        at = found + part.length;
      }
      return true;
    },
  };
}

/**
 * RE2 instructions a ticket pattern may compile to. A search costs up to one step per instruction
 * per character searched (20-45 ns a step here): the engine searches at most
 * TICKET_SEARCH_BUDGET / instructions characters (src/engine/tickets.ts). Real patterns take
 * 5-70 (`[A-Z][A-Z0-9]+-[0-9]+` is 8; `(?i)\b(?:PROJ|OPS|SEC)-\d{1,6}\b` 28).
 */
export const MAX_TICKET_INSTRUCTIONS = 100;
/** Code points of bracket ranges under `(?i)`: folding walks each one when the pattern compiles. */
export const MAX_FOLDED_RANGE_WIDTH = 10_000;
/** `\p` / `\P` escapes in a ticket pattern: each builds a Unicode range table when it compiles. */
export const MAX_UNICODE_CLASSES = 20;
/**
 * Characters x instructions one evaluation's ticket search may cost: the first search of the
 * title, the branch name and the body fit in the first, further references (the audit trail's)
 * in the second. 300,000 steps: 6-14 ms at 20-45 ns a step (docs/performance.md).
 */
export const TICKET_SEARCH_BUDGET = { first: 240_000, more: 60_000 } as const;
/** Upper bound (regex-cost.ts) past which a pattern is refused without being compiled at all. */
const MAX_ESTIMATED_INSTRUCTIONS = 1000;

/** Why a ticket pattern is unusable (RE2 syntax, or too costly to search), or undefined when it is fine. */
export function regexProblem(pattern: string): string | undefined {
  // The schema says an empty pattern is empty.
  if (pattern === "") return undefined;
  const cost = regexCost(pattern);
  const shown = pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
  const why = `a search costs every instruction at every character of the title, body and branch name`;
  if (cost.instructions > MAX_ESTIMATED_INSTRUCTIONS) {
    const largest = cost.largestRepetition;
    const culprit = largest
      ? `; the counted repetition "${largest.text.length > 40 ? `${largest.text.slice(0, 40)}…` : largest.text}" at character ${largest.at + 1} alone makes about ${largest.instructions.toLocaleString("en-US")}: use + or * or a smaller count`
      : "; use fewer alternatives";
    return `the regular expression "${shown}" expands to more than ${MAX_ESTIMATED_INSTRUCTIONS.toLocaleString("en-US")} RE2 instructions (at most ${MAX_TICKET_INSTRUCTIONS}, because ${why})${culprit}`;
  }
  if (cost.foldedRangeWidth > MAX_FOLDED_RANGE_WIDTH) {
    return `the regular expression "${shown}" folds the case of ${cost.foldedRangeWidth.toLocaleString("en-US")} characters of bracket ranges (at most ${MAX_FOLDED_RANGE_WIDTH.toLocaleString("en-US")}, because compiling it folds each one): narrow the ranges, or drop (?i) and write both cases`;
  }
  if (cost.unicodeClasses > MAX_UNICODE_CLASSES) {
    return `the regular expression "${shown}" has ${cost.unicodeClasses} Unicode class escapes (\\p, \\P); at most ${MAX_UNICODE_CLASSES}`;
  }
  let compiled: RE2JS;
  try {
    compiled = compiledTicketPattern(pattern);
  } catch (error) {
    return `invalid regular expression "${shown}": ${(error as Error).message} (RE2 syntax: no backreferences or lookaround)`;
  }
  // An empty match is no ticket, and would be found first wherever the pattern allows one.
  if (compiled.matcher("").find())
    return `the regular expression "${shown}" matches an empty text, so it finds no ticket: require at least one character (+ instead of *)`;
  const size = compiled.programSize();
  if (size > MAX_TICKET_INSTRUCTIONS) {
    return `the regular expression "${shown}" compiles to ${size} RE2 instructions; at most ${MAX_TICKET_INSTRUCTIONS}, because ${why} (a counted repetition such as {20} is that many copies: use + or a smaller count; each alternative and character is one more)`;
  }
  return undefined;
}

/** A match of a ticket pattern and where it ends in the text searched. */
export interface TicketMatch {
  text: string;
  end: number;
}

/** A compiled ticket pattern. */
export interface TicketMatcher {
  /** Instructions of the compiled program: what a search costs per character. */
  readonly instructions: number;
  /** The first match at or after `from` (anchors still see the whole text), or undefined. */
  find(text: string, from?: number): TicketMatch | undefined;
}

/** Compiled patterns by their text, shared by validation and the engine (a policy is loaded, then evaluated). */
const compiledPatterns = new Map<string, RE2JS>();
const MAX_COMPILED_PATTERNS = 64;

function compiledTicketPattern(pattern: string): RE2JS {
  const known = compiledPatterns.get(pattern);
  if (known) return known;
  const compiled = RE2JS.compile(pattern);
  if (compiledPatterns.size >= MAX_COMPILED_PATTERNS) compiledPatterns.delete(compiledPatterns.keys().next().value!);
  compiledPatterns.set(pattern, compiled);
  return compiled;
}

export function compileTicketPattern(pattern: string): TicketMatcher {
  const re = compiledTicketPattern(pattern);
  return {
    instructions: re.programSize(),
    find(text, from = 0) {
      const matcher = re.matcher(text);
      if (!matcher.find(from)) return undefined;
      return { text: matcher.group(0) ?? "", end: matcher.end() };
    },
  };
}
