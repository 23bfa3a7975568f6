/**
 * Issue 19, items 12 and 13: globs the engine and minimatch would read differently, or that would
 * throw in every evaluation, are refused at validation, at the glob's line and column, with a
 * message that says what is not supported and how to write it instead. Whatever a glob holds, a
 * glob that validates compiles in the engine (no evaluation throws on it).
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { compilePolicy } from "../../src/engine/compile.js";
import { loadPolicy, type PolicyProblem } from "../../src/policy/loader.js";
import { globProblem } from "../../src/policy/patterns.js";

/** A rule whose paths are `globs`: the glob at line 5, column 13 (the flow list starts at column 12). */
const ruleWithPath = (glob: string) =>
  `version: 1\nrules:\n  - name: a\n    tier: high\n    paths: [${JSON.stringify(glob)}]\n`;

function problemsOf(text: string): PolicyProblem[] {
  const result = loadPolicy(text);
  if (result.ok) throw new Error(`expected problems, the policy loaded:\n${text}`);
  return result.problems;
}

describe("refused at validation, at the glob's line and column", () => {
  it.each<[string, RegExp]>([
    // Item 12: a reversed range threw "Invalid regular expression" in every evaluation.
    ["src/[z-a].ts", /the range "z-a" in "\[z-a\]" is reversed .*write "a-z"/],
    ["src/[!z-a].ts", /the range "z-a" in "\[!z-a\]" is reversed/],
    ["src/{a,[9-0]}.ts", /the range "9-0" in "\[9-0\]" is reversed .*write "0-9"/],
    ["[b-aA-Z]/**", /the range "b-a" .* is reversed/],
    // Item 13: `.` and `..` segments; POSIX classes and `[[]` with a message that says what to write.
    ["src/../secrets/**", /has a "\.\." path segment: .*write the path without it \("secrets\/\*\*"\)/],
    ["src/./auth/**", /has a "\." path segment: .*\("src\/auth\/\*\*"\)/],
    ["src/{.,a}/x.ts", /has a "\." path segment/],
    ["src/..", /has a "\.\." path segment/],
    ["..", /has a "\.\." path segment/],
    [
      "src/[[:alpha:]].ts",
      /POSIX character classes such as "\[:alpha:\]" are not supported: list the characters instead/,
    ],
    ["src/[![:digit:]]*", /POSIX character classes such as "\[:digit:\]" are not supported/],
    ["src/[[].ts", /a "\[" inside brackets \("\[\[\]"\) is not supported: to match a "\[" write "\?"/],
  ])("%j", (glob, message) => {
    const problems = problemsOf(ruleWithPath(glob));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 5, column: 13 });
    expect(problems[0]!.message).toMatch(/^rules\[0\]\.paths\[0\]: /);
    expect(problems[0]!.message).toMatch(message);
  });

  it("refuses a reversed range in the ticket pattern too (RE2 says so), at its line and column", () => {
    const problems = problemsOf("version: 1\nticket:\n  pattern: '[z-a]-[0-9]+'\n");
    expect(problems).toEqual([
      { line: 3, column: 12, message: expect.stringMatching(/^ticket\.pattern: invalid regular expression .*range/) },
    ]);
  });

  it.each([
    "src/[a-z].ts",
    "src/[!a-z]*.ts",
    "src/[a-]*.ts",
    "src/[-a]*.ts",
    "src/[]a]*.ts",
    ".github/**",
    "**/.env",
    "a/.../b",
  ])("still accepts %j", (glob) => {
    expect(globProblem(glob)).toBeUndefined();
  });
});

describe("a glob that validates compiles in the engine", () => {
  it("holds for generated bracket expressions, dots and braces", () => {
    const part = fc.constantFrom("[", "]", "!", "^", "-", "a", "z", "0", "9", ":", ".", "..", "/", "*", "{", "}", ",");
    const glob = fc.array(part, { minLength: 1, maxLength: 10 }).map((parts) => `src/${parts.join("")}`);
    fc.assert(
      fc.property(glob, (g) => {
        const loaded = loadPolicy(ruleWithPath(g));
        if (!loaded.ok) return;
        const compiled = compilePolicy(loaded.policy);
        expect(() => compiled.classify("src/a/b.ts")).not.toThrow();
        expect(g.split("/").some((segment) => segment === "." || segment === "..")).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
