/**
 * The segment-wise glob matcher agrees with minimatch (dot: true) on what git can list, and its
 * brace counting agrees with minimatch's expansion, without expanding.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { minimatch } from "minimatch";
import {
  braceAlternatives,
  compileGlob,
  matchingWork,
  resetMatchingWork,
  type SegmentPattern,
  type ViewSlot,
} from "../../src/policy/glob-matcher.js";

const OPTIONS = { dot: true } as const;
const agree = (glob: string, path: string) =>
  expect({ glob, path, ours: compileGlob(glob).test(path) }).toEqual({
    glob,
    path,
    ours: minimatch(path, glob, OPTIONS),
  });

describe("compileGlob", () => {
  it.each([
    ["src/**", ["src/a.ts", "src/a/b.ts", "src", "srcx/a", "lib/src/a"]],
    ["**/*.md", ["README.md", "docs/a.md", ".github/x.md", "a.mdx", "docs/.md"]],
    ["**/__tests__/**", ["a/__tests__/b.ts", "__tests__/x", "__tests__", "a/__tests__"]],
    ["src/*/index.ts", ["src/a/index.ts", "src/index.ts", "src/a/b/index.ts"]],
    ["**/*.test.*", ["a.test.ts", "x/y/a.test.js", "a.test", "test.ts"]],
    ["services/*/src/**", ["services/auth/src/a.ts", "services/src/a.ts", "services/a/b/src/c"]],
    ["*.{ts,js}".replace("{ts,js}", "ts"), ["a.ts", "a/b.ts"]],
    ["a?c/[bx]y[!z]", ["abc/byq", "abc/byz", "ac/byq", "abbc/byq"]],
    ["[[:digit:]]*.txt", ["1a.txt", "a1.txt"]],
    ["**/*a*a*a0/**/*a*a*b", ["xaaa0/yaab", "aaa0/b/aab", "q/aa0/aab"]],
    ["**", ["a", "a/b", ".github/x"]],
    ["a/**/b", ["a/b", "a/x/b", "a/x/y/b", "b"]],
    [".github/**", [".github/workflows/ci.yml", ".github"]],
  ] as const)("%s", (glob, paths) => {
    for (const path of paths) agree(glob, path);
  });

  it("agrees with minimatch on generated globs and paths", () => {
    const name = fc.stringMatching(/^[a-c.]{1,4}$/).filter((s) => s !== "." && s !== "..");
    const segment = fc.oneof(
      name,
      fc.constantFrom("*", "**", "?", "a*", "*a", "*.c", "a*b", "*a*b*", "[ab]", "[!a]?", "?*"),
    );
    const glob = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((s) => s.join("/"))
      .filter((g) => g.split("/").filter((x) => x === "**").length <= 2);
    const path = fc.array(name, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
    fc.assert(
      fc.property(glob, path, (g, p) => compileGlob(g).test(p) === minimatch(p, g, OPTIONS)),
      { numRuns: 3000 },
    );
  });

  it("agrees with minimatch when globs share their segment patterns and each path's view (as in the engine's index)", () => {
    // Several globs compiled with one pattern map share the answers of a pattern on a path; the
    // paths are asked in turn, so a stale answer of the path before would show. The middle
    // segments (between two **) have literal parts, which are looked for in the path first.
    const name = fc.stringMatching(/^[ab.]{1,3}$/).filter((s) => s !== "." && s !== "..");
    const segment = fc.oneof(name, fc.constantFrom("*", "?", "a*", "*a", "ab*", "*.b", "a*b", "*ab*", "[ab]*", "b?"));
    const run = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"));
    const glob = fc.oneof(
      fc.tuple(run, run).map(([a, b]) => `**/${a}/**/${b}`),
      fc.tuple(run, run).map(([a, b]) => `${a}/**/${b}/**`),
      run.map((a) => `**/${a}/**`),
      run,
    );
    const path = fc.array(name, { minLength: 1, maxLength: 7 }).map((s) => s.join("/"));
    fc.assert(
      fc.property(
        fc.array(glob, { minLength: 1, maxLength: 6 }),
        fc.array(path, { minLength: 1, maxLength: 8 }),
        (globs, paths) => {
          const patterns = new Map<string, SegmentPattern>();
          const compiled = globs.map((g) => compileGlob(g, patterns));
          for (const p of [...paths, ...paths]) {
            const slot: ViewSlot = {};
            for (const g of compiled)
              expect({ glob: g.source, path: p, ours: g.test(p, slot) }).toEqual({
                glob: g.source,
                path: p,
                ours: minimatch(p, g.source, OPTIONS),
              });
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("counts its work: a glob whose literal part is not in the path costs one substring search, not a search at every folder", () => {
    const glob = compileGlob(`**/${"a".repeat(28)}*/${"a".repeat(28)}*/x0/**`);
    const path = `${Array.from({ length: 60 }, () => "a".repeat(63)).join("/")}/f`;
    resetMatchingWork();
    expect(glob.test(path)).toBe(false);
    const withoutLiteral = matchingWork();
    resetMatchingWork();
    // "x0" in the file's name: the search for the segments runs at every folder, and fails.
    expect(glob.test(path.replace(/\/f$/, "/x0f"))).toBe(false);
    const searched = matchingWork();
    expect(withoutLiteral).toBeLessThan(100);
    expect(searched).toBeGreaterThan(10 * withoutLiteral);
    expect(glob.test(path.replace(/\/f$/, "/x0/f"))).toBe(true);
  });

  it("stays linear on the backtracking trap (long segments, nested stars)", () => {
    const glob = compileGlob("**/*a*a*a0/**/*a*a*b");
    const path = Array.from({ length: 15 }, () => "a".repeat(250)).join("/");
    expect(glob.test(path)).toBe(false);
    expect(glob.test(`${path}/x0/aab`.replace("x0", "aaa0"))).toBe(true);
  });
});

describe("braceAlternatives", () => {
  it.each([
    "{a,b}",
    "{a,b}{c,d,e}",
    "x{a,{b,c}}y",
    "{1..10}",
    "{a..e}",
    "{1..10..3}",
    "no-braces",
    "{literal}",
    "{a,b}x/**",
    "a{b,c{d,e}f}g{h,i}",
    "{0..5}{a,b}",
  ])("%s as minimatch expands it", (glob) => {
    expect(braceAlternatives(glob)).toBe(minimatch.braceExpand(glob).length);
  });

  it("never counts fewer than minimatch expands (an empty alternative may be dropped there)", () => {
    expect(braceAlternatives("{,a}")).toBeGreaterThanOrEqual(minimatch.braceExpand("{,a}").length);
  });

  it("counts 16,384 alternatives without expanding them", () => {
    expect(braceAlternatives(`${"{a,b}".repeat(14)}x/**`)).toBe(16384);
    expect(braceAlternatives("{a,b}".repeat(40))).toBe(1_000_000);
  });
});
