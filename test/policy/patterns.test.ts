/**
 * Login and trailer patterns (`agents.authors`, `agents.co_authors`): `*` is the only wildcard,
 * every other character is literal, the whole value must match, case-insensitively, and matching
 * stays fast on hostile values (a PR's commits control the trailers).
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { compileLoginPattern } from "../../src/policy/patterns.js";

/** The meaning of a pattern, spelled as a regular expression: the oracle on short values. */
function oracle(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(value);
}

describe("compileLoginPattern", () => {
  it.each<[string, string, boolean]>([
    ["*[bot]", "dependabot[bot]", true],
    ["*[bot]", "Renovate[BOT]", true],
    ["*[bot]", "robot", false],
    ["*[bot]", "[bot]", true],
    ["*[bot]", "x[bot]y", false],
    ["copilot-swe-agent", "copilot-swe-agent", true],
    ["copilot-swe-agent", "Copilot-SWE-Agent", true],
    ["copilot-swe-agent", "copilot-swe-agent2", false],
    ["copilot-swe-agent", "my-copilot-swe-agent", false],
    ["*copilot*", "GitHub Copilot <copilot@github.com>", true],
    ["*copilot*", "copilot", true],
    ["*copilot*", "co-pilot", false],
    ["*<bot@example.com>", "Build Bot <bot@example.com>", true],
    ["*<bot@example.com>", "Build Bot <bot@example.com>.", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "a-b-c", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["ab*ba", "abba", true],
    ["a*a", "a", false],
    ["a.c", "abc", false],
    ["a.c", "A.C", true],
    ["x?", "xy", false],
    ["x?", "x?", true],
    ["*", "", true],
    ["*", "anything at all", true],
    ["**", "x", true],
    ["*\\d*", "a1", false],
    ["*\\d*", "a\\d", true],
    ["*claude*", "Claude\n<noreply@anthropic.com>", true],
  ])("%j matches %j: %p", (pattern, value, expected) => {
    expect(compileLoginPattern(pattern).test(value)).toBe(expected);
    expect(oracle(pattern, value)).toBe(expected);
  });

  it("agrees with the regular-expression meaning on generated patterns and values", () => {
    const char = fc.constantFrom("a", "b", "A", "B", ".", "[", "]", "-", "<", ">", " ", "?");
    const value = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(""));
    const pattern = fc
      .array(fc.oneof(char, fc.constant("*")), { minLength: 1, maxLength: 8 })
      .map((chars) => chars.join(""));
    fc.assert(
      fc.property(pattern, fc.array(value, { minLength: 1, maxLength: 8 }), (p, values) => {
        const matcher = compileLoginPattern(p);
        for (const v of values) expect([p, v, matcher.test(v)]).toEqual([p, v, oracle(p, v)]);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it("stays fast on a hostile pattern and a long value", () => {
    const matcher = compileLoginPattern("*a*a*a*a*a*a*a*a*a*a*b");
    const started = Date.now();
    expect(matcher.test(`${"a".repeat(100000)}`)).toBe(false);
    expect(matcher.test(`${"a".repeat(100000)}b`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
