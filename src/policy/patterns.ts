/**
 * The three kinds of pattern a policy contains, and what makes each one valid.
 * Path globs use minimatch semantics (dot files included); login and trailer patterns know only
 * `*`; the ticket pattern is an RE2 regular expression, so matching is linear in the text and a
 * policy cannot hang the server with a catastrophically backtracking pattern.
 */
import { Minimatch, minimatch } from "minimatch";
import { braceAlternatives, compileGlob } from "./glob-matcher.js";
import { RE2JS } from "re2js";

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

/** Why a ticket pattern is unusable (RE2 syntax), or undefined when it compiles. */
export function regexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return `invalid regular expression "${pattern}": ${(error as Error).message} (RE2 syntax: no backreferences or lookaround)`;
  }
}

/** A compiled ticket pattern; `find` returns the first match or undefined. */
export interface TicketMatcher {
  find(text: string): string | undefined;
}

export function compileTicketPattern(pattern: string): TicketMatcher {
  const re = RE2JS.compile(pattern);
  return {
    find(text: string) {
      const matcher = re.matcher(text);
      return matcher.find() ? (matcher.group(0) ?? undefined) : undefined;
    },
  };
}
