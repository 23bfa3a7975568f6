/**
 * The CODEOWNERS index (issue 10: a 3000-file PR against a 500-line CODEOWNERS within the
 * engine's time goal) against brute force. `ownersOf` looks up only the lines filed under keys of
 * the path, keeps what each directory contributes, and stops at the first match walking back; it
 * must give the deciding line that a brute-force reading gives: every line, from the last, tested
 * on its own. Two references: `ownersOfReference` (the reader's own per-line matcher, no index, no
 * memory) and, independent of the reader's code, a regular expression per line written from the
 * documented rules (gitignore-style, GitHub's `docs/*`, last match wins), on generated files and
 * paths that share folders, names and extensions (so that keys collide) and in any order (so that
 * the memory of directories is exercised).
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parseCodeOwners } from "../../src/policy/codeowners.js";

/** A regular expression for one CODEOWNERS pattern, from the rules; `test` takes a path's segments. */
function referenceMatcher(pattern: string): (segments: string[]) => boolean {
  let body = pattern;
  const dirOnly = body.endsWith("/");
  body = body.replace(/\/+$/, "");
  let anchored = body.startsWith("/") || body.replace(/^\/+/, "").includes("/");
  body = body.replace(/^\/+/, "");
  const parts: string[] = [];
  for (const part of body.split("/").filter((p) => p.length > 0))
    if (!(part === "**" && parts.at(-1) === "**")) parts.push(part);
  // The reader reads a lone `**` (with or without a trailing slash) as every file.
  if (!anchored && parts.length === 1 && parts[0] === "**") return () => true;
  // `**/x` is x at any depth, the same as an unanchored x.
  if (parts.length === 2 && parts[0] === "**" && parts[1] !== "**") anchored = false;
  // GitHub's `docs/*`: the files directly inside; with a trailing slash the `*` names directories (git).
  const starOnlyLast = anchored && !dirOnly && /^\*+$/.test(parts.at(-1)!) && parts.at(-1) !== "**";
  // An unanchored pattern is one segment at any depth: `**/` + it.
  const all = anchored ? parts : parts[0] === "**" ? parts : ["**", ...parts];
  let source = "";
  all.forEach((part, i) => {
    const last = i === all.length - 1;
    if (part === "**") source += last ? "[^/]+(?:/[^/]+)*" : "(?:[^/]+/)*";
    else {
      // A backslash makes the next character literal (`\*`, `\?`), as in git.
      source += (part.match(/\\.|./gs) ?? [])
        .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.slice(-1).replace(/[.*?+^${}()|[\]\\]/g, "\\$&")))
        .join("")
        .replace(/(\[\^\/\]\*)+/g, "[^/]*");
      if (!last) source += "/";
    }
  });
  const regex = new RegExp(`^${source}$`);
  return (segments) => {
    // The pattern matches a prefix: the file itself (all segments) or a directory above it.
    for (let k = 1; k <= segments.length; k++) {
      const isFile = k === segments.length;
      if (isFile && dirOnly) continue;
      if (!isFile && starOnlyLast) continue;
      if (regex.test(segments.slice(0, k).join("/"))) return true;
    }
    return false;
  };
}

/** The line number that decides a path, by brute force over the reader's lines. */
function referenceLine(text: string, path: string): number | undefined {
  const segments = path.split("/").filter((s) => s.length > 0);
  if (segments.length === 0) return undefined;
  const lines = parseCodeOwners(text).lines;
  for (let i = lines.length - 1; i >= 0; i--) if (referenceMatcher(lines[i]!.pattern)(segments)) return lines[i]!.line;
  return undefined;
}

const DIRS = ["src", "docs", "apps", "a", "b", "logs", "svc-1", "svc-2", "build"];
const NAMES = [
  "a.js",
  "b.ts",
  "x.test.ts",
  "README.md",
  "Makefile",
  "logs",
  "svc-1",
  "a",
  "c.js.map",
  "x*y",
  "x?y",
  "xzy",
];

const pathArb = fc
  .tuple(fc.array(fc.constantFrom(...DIRS), { maxLength: 5 }), fc.constantFrom(...NAMES))
  .map(([dirs, name]) => [...dirs, name].join("/"));

/** The shapes a CODEOWNERS holds, over the same names as the paths. */
const patternArb = fc.oneof(
  fc.constantFrom(
    "*",
    "*.js",
    "*.ts",
    "*.test.ts",
    "*.md",
    "*.map",
    "/*",
    "*/",
    "**",
    "**/",
    "/**",
    "/**/",
    "docs/*",
    "/docs/*",
    "src/*/",
    "*/*.js",
    "a*",
    "?",
    "svc-?",
    "s*c-1/",
    "x\\*y",
    "x\\?y",
    "/x\\*",
    "*\\?y",
    "/*/x\\*y",
  ),
  fc
    .tuple(fc.constantFrom(...DIRS, ...NAMES), fc.constantFrom("", "/", "/**", "/*", "/**/*.js", "/**/logs", "/*/a.js"))
    .map(([d, rest]) => `${d}${rest}`),
  fc
    .tuple(
      fc.constantFrom("/", "", "**/"),
      fc.constantFrom(...DIRS),
      fc.constantFrom(...DIRS, ...NAMES),
      fc.constantFrom("", "/", "/**"),
    )
    .map(([lead, a, b, tail]) => `${lead}${a}/${b}${tail}`),
  fc.tuple(fc.constantFrom("/", "**/"), fc.constantFrom(...DIRS, ...NAMES)).map(([lead, name]) => `${lead}${name}`),
  fc
    .tuple(
      fc.array(fc.constantFrom(...DIRS, "*", "**", "?", "a*", "*.js"), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([parts, lead, trail]) => `${lead ? "/" : ""}${parts.join("/")}${trail ? "/" : ""}`),
);
const lineArb = fc
  .tuple(patternArb, fc.constantFrom([], ["@a"], ["@b"], ["@org/t"], ["e@x.io"], ["@a", "@org/t"]))
  .map(([p, owners]) => [p, ...owners].join(" "));

describe("ownersOf equals brute force (generated CODEOWNERS and paths that share keys)", () => {
  it("the deciding line is the brute-force one, whatever the order paths are asked in", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 60 }),
        fc.array(pathArb, { minLength: 1, maxLength: 40 }),
        (lines, paths) => {
          const text = lines.join("\n");
          const file = parseCodeOwners(text);
          expect(file.problems).toEqual([]);
          // Asked forwards, then backwards on the same object (its memory of directories is warm).
          for (const path of [...paths, ...[...paths].reverse()]) {
            const expected = referenceLine(text, path);
            expect([path, file.ownersOf(path).line?.line]).toEqual([path, expected]);
            expect([path, file.ownersOfReference(path).line?.line]).toEqual([path, expected]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the owners returned are the deciding line's (empty for a line that un-assigns)", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), pathArb, (lines, path) => {
        const result = parseCodeOwners(lines.join("\n")).ownersOf(path);
        expect(result.owners).toBe(result.line?.owners ?? result.owners);
        if (!result.line) expect(result.owners).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("ownersOf equals brute force on the index's edges", () => {
  it.each([
    // [CODEOWNERS lines, path, the deciding line number or undefined]
    [["/README.md @a"], "README.md", 1],
    [["/README.md @a"], "docs/README.md", undefined],
    [["README.md @a"], "docs/README.md", 1],
    [["/services/svc-1 @a"], "services/svc-1", 1],
    [["/services/svc-1/ @a"], "services/svc-1", undefined],
    [["/services/svc-1/ @a"], "services/svc-1/x", 1],
    [["services/svc-1/** @a"], "services/svc-1", undefined],
    [["services/svc-1/** @a"], "services/svc-1/x/y", 1],
    [["* @all", "/services/ @s", "/services/*/config/ @c"], "services/svc-2/config/a.yml", 3],
    [["* @all", "/services/*/config/ @c", "/services/ @s"], "services/svc-2/config/a.yml", 3],
    [["/services/*/config/ @c", "*.yml @y"], "services/svc-2/config/a.yml", 2],
    [["*.yml @y", "/services/*/config/ @c"], "services/svc-2/config/a.yml", 2],
    [["docs/* @d"], "docs/a/b.md", undefined],
    [["docs/* @d"], "docs/b.md", 1],
    [["*.js/ @d"], "lib.js/index.ts", 1],
    [["*.js/ @d"], "lib/index.js", undefined],
    [["*.js @d"], "lib.js/index.ts", 1],
    [["logs/ @d"], "logs", undefined],
    [["logs @d"], "a/logs", 1],
    [["**/logs/** @d"], "a/logs/x", 1],
    [["**/logs/** @d"], "a/logs", undefined],
    [["a/**/b @d"], "a/b", 1],
    [["a/**/b @d"], "a/x/b/y", 1],
    [["** @d"], "README.md", 1],
    [["**/ @d"], "README.md", 1],
    [["/**/ @d"], "README.md", undefined],
    [["/**/ @d"], "a/README.md", 1],
    [["*/ @d"], "README.md", undefined],
    [["*/ @d"], "a/README.md", 1],
    [["* @all", "/vendor/", "/vendor/ours/ @us"], "vendor/x.c", 2],
    [["* @all", "/vendor/", "/vendor/ours/ @us"], "vendor/ours/x.c", 3],
    [["/a/ @a"], "a//b", 1],
    [["/a/ @a"], "/a/b", 1],
    [["* @a"], "/", undefined],
  ])("%j: %s → line %s", (lines, path, expected) => {
    const text = lines.join("\n");
    const file = parseCodeOwners(text);
    expect(file.ownersOf(path).line?.line).toBe(expected);
    expect(file.ownersOfReference(path).line?.line).toBe(expected);
    expect(referenceLine(text, path)).toBe(expected);
  });

  it("past the memory's capacity (20,000 directories) the answers stay the same", () => {
    const file = parseCodeOwners(["* @all", "/d1/ @one", "**/x7 @seven", "*.md @docs"].join("\n"));
    for (let i = 0; i < 25_000; i++) {
      const path = `d${i % 3}/x${i}/f.${i % 2 ? "md" : "ts"}`;
      const expected = i % 2 ? 4 : i === 7 ? 3 : i % 3 === 1 ? 2 : 1;
      if (file.ownersOf(path).line?.line !== expected)
        throw new Error(`${path}: line ${file.ownersOf(path).line?.line}, expected ${expected}`);
    }
    expect(file.ownersOf("d1/x9/f.ts").line?.line).toBe(2);
  });
});
