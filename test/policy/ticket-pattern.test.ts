/**
 * Issue 19, item 4: a ticket pattern's cost is bounded. re2js is linear in the text, with the
 * compiled program's size as the factor (a 405-character pattern within the old limits took
 * seconds for one search over 4 KiB), and compiling has costs of its own (case folding of wide
 * ranges, Unicode tables). Validation refuses, at the pattern's line and column, what would cost
 * too much, reading the cost from the text (regex-cost.ts, an upper bound of RE2's program size,
 * checked here against RE2 itself) before anything is compiled; the engine searches at most
 * TICKET_SEARCH_BUDGET characters x instructions per evaluation. Counts and limits, never times.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { RE2JS } from "re2js";
import { evaluate } from "../../src/engine/evaluate.js";
import { compilePolicy } from "../../src/engine/compile.js";
import { MAX_TICKET_BODY, searchTickets, ticketTextLimits } from "../../src/engine/tickets.js";
import { loadPolicy } from "../../src/policy/loader.js";
import {
  compileTicketPattern,
  MAX_TICKET_INSTRUCTIONS,
  regexProblem,
  TICKET_SEARCH_BUDGET,
} from "../../src/policy/patterns.js";
import { regexCost } from "../../src/policy/regex-cost.js";
import { facts } from "../engine/fixtures.js";

/** The shape of the issue's pattern: 405 characters, every one of its 44 repetitions within RE2's limits. */
const ISSUE_PATTERN = `(?i)${"\\pL{1000}".repeat(44)}x-\\d+`;

const policyWith = (pattern: string) =>
  `version: 1\nticket:\n  pattern: '${pattern}'\ntiers: { low: { ticket: true } }\n`;

describe("refused at validation, at the pattern's line and column", () => {
  it.each<[string, string, RegExp]>([
    [
      "the issue's 405-character pattern",
      ISSUE_PATTERN,
      /expands to more than 1,000 RE2 instructions .*"\\pL\{1000\}" at character 5/,
    ],
    [
      "one large counted repetition",
      "[A-Z]{2,900}-\\d+",
      /expands to more than 1,000 RE2 instructions .*at character 1 /,
    ],
    ["a repetition that compiles past the limit", "[A-Z]{120}-\\d+", /compiles to 12\d RE2 instructions; at most 100/],
    ["nested repetitions", "(?:(?:[A-Z]{10}){10}){10}", /expands to more than 1,000/],
    ["many alternatives", "(?:ab|cd)".repeat(20), /compiles to \d+ RE2 instructions; at most 100/],
    [
      "case folding of a wide range",
      "(?i)[\\x{100}-\\x{10FFFF}]-\\d+",
      /folds the case of 1,113,856 characters .*at most 10,000/,
    ],
    ["many Unicode classes", "\\pL\\pN".repeat(11), /has 22 Unicode class escapes .*at most 20/],
    ["a pattern that matches an empty text", "(?:JIRA-\\d+)?", /matches an empty text/],
    ["a reversed range (item 12)", "[z-a]-\\d+", /invalid regular expression .*range/],
  ])("%s", (_, pattern, message) => {
    expect(pattern.length).toBeLessThanOrEqual(500);
    const loaded = loadPolicy(policyWith(pattern));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([{ line: 3, column: 12, message: expect.stringMatching(/^ticket\.pattern: /) }]);
    expect(loaded.problems[0]!.message).toMatch(message);
  });

  it("is 405 characters long, as in the issue, and was accepted before (RE2 compiles it, to 44,000 instructions)", () => {
    expect(ISSUE_PATTERN).toHaveLength(405);
    expect(regexCost(ISSUE_PATTERN).instructions).toBeGreaterThan(44_000);
  });

  it.each([
    "[A-Z][A-Z0-9]+-[0-9]+",
    "(?i)\\b(?:PROJ|OPS|SEC|INFRA)-\\d{1,6}\\b",
    "#\\d+",
    "https://linear\\.app/acme/issue/[A-Z]+-\\d+",
    "(?:JIRA|jira)-[0-9]{1,7}|(?:https?://)?(?:www\\.)?github\\.com/[\\w.-]+/[\\w.-]+/issues/\\d+",
    "(?i)(?:ticket|issue|bug)[:# ]*\\d{3,8}",
    "(?i)[a-zà-ÿ]+-\\d+",
    "\\p{Greek}+-\\d+",
  ])("accepts the real pattern %j", (pattern) => {
    expect(regexProblem(pattern)).toBeUndefined();
    expect(compileTicketPattern(pattern).instructions).toBeLessThanOrEqual(MAX_TICKET_INSTRUCTIONS);
  });
});

describe("the cost read from the text is an upper bound of RE2's program", () => {
  const piece = fc.constantFrom(
    "a",
    "b",
    "\\d",
    "\\w",
    "[a-c]",
    "[^x]",
    ".",
    "\\pL",
    "\\p{Greek}",
    "\\Qa.b\\E",
    "\\x{41}",
    "\\101",
    "^",
    "$",
    "\\b",
    "(?i)",
    "(?s)",
    "(",
    "(?:",
    "(?i:",
    "(?P<n>",
    ")",
    "|",
    "*",
    "+",
    "?",
    "{2}",
    "{1,3}",
    "{3,}",
    "{0}",
    "*?",
    "{",
    "}",
    "-",
  );
  it("holds for generated patterns RE2 accepts", () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 14 }), (pieces) => {
        const pattern = pieces.join("");
        let size: number;
        try {
          size = RE2JS.compile(pattern).programSize();
        } catch {
          return;
        }
        compiled++;
        expect([pattern, regexCost(pattern).instructions >= size]).toEqual([pattern, true]);
      }),
      { numRuns: 8000 },
    );
    expect(compiled).toBeGreaterThan(500);
  });

  it.each(["a{1000}", "(a)(b)(c)", "\\pL{99}", "[\\]a-c]{50}", "(?i)k{40}", "(?:x{2,}){3}"])(
    "and close to it for %j",
    (pattern) => {
      const size = RE2JS.compile(pattern).programSize();
      expect(regexCost(pattern).instructions).toBeGreaterThanOrEqual(size);
      expect(regexCost(pattern).instructions).toBeLessThanOrEqual(size * 4 + 8);
    },
  );
});

describe("what one evaluation searches is bounded by characters x instructions", () => {
  const worst = "(?i)[\\pL\\pN]{96}x";
  const text = (n: number) => "k".repeat(n);

  it("a pattern at the instruction limit searches less of the body, and never more than the budget", () => {
    expect(regexProblem(worst)).toBeUndefined();
    const loaded = loadPolicy(policyWith(worst));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const compiled = compilePolicy(loaded.policy);
    const instructions = compiled.ticket.instructions;
    expect(instructions).toBeGreaterThan(90);
    const pr = facts({ title: text(70_000), headBranch: text(70_000), body: text(70_000) });
    const search = searchTickets(compiled, pr);
    expect(search.limits).toEqual(ticketTextLimits(instructions));
    expect(search.limits.body).toBeLessThan(4_000);
    expect(search.cost).toBeLessThanOrEqual(TICKET_SEARCH_BUDGET.first + TICKET_SEARCH_BUDGET.more);
    const decision = evaluate(loaded.policy, pr);
    const ticket = decision.requirements.find((r) => r.kind === "ticket")!;
    expect(ticket.met).toBe(false);
    expect(ticket.message).toContain(
      `the body is searched to its first ${search.limits.body.toLocaleString("en-US")} characters`,
    );
  });

  it("the default pattern searches most of the largest body, and a reference past that does not count (fail closed)", () => {
    const loaded = loadPolicy(policyWith("[A-Z][A-Z0-9]+-[0-9]+"));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const compiled = compilePolicy(loaded.policy);
    const { body } = ticketTextLimits(compiled.ticket.instructions);
    expect(body).toBeGreaterThan(25_000);
    const inside = facts({ body: `${"x".repeat(body - 20)} PAY-1234` });
    const outside = facts({ body: `${"x".repeat(body)} PAY-1234`.slice(0, MAX_TICKET_BODY) });
    expect(evaluate(loaded.policy, inside).requirements.find((r) => r.kind === "ticket")!.met).toBe(true);
    expect(evaluate(loaded.policy, outside).requirements.find((r) => r.kind === "ticket")!.met).toBe(false);
  });

  it("finds every reference, left to right, for the audit trail, within the budget; anchors see the whole text", () => {
    const loaded = loadPolicy(policyWith("\\b[A-Z]+-\\d+"));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const pr = facts({
      title: "ABC-1 fix",
      headBranch: "feature/x",
      body: "See ABC-2 and DEF-3, not xGHI-4.\nABC-2 again",
    });
    expect(evaluate(loaded.policy, pr).ticketReferences).toEqual(["ABC-1", "ABC-2", "DEF-3"]);
    const search = searchTickets(compilePolicy(loaded.policy), pr);
    expect(search.cost).toBeLessThanOrEqual(TICKET_SEARCH_BUDGET.first + TICKET_SEARCH_BUDGET.more);
    const anchored = loadPolicy(policyWith("^[A-Z]+-\\d+"));
    if (!anchored.ok) throw new Error(JSON.stringify(anchored.problems));
    expect(evaluate(anchored.policy, facts({ title: "x", body: "ABC-1 ABC-2" })).ticketReferences).toEqual(["ABC-1"]);
  });
});
