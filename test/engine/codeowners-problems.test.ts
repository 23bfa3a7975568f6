/**
 * Issue 19, item 16: CODEOWNERS problems (lines GitHub skips: unsupported patterns, owners that
 * are not owners) are not dropped. The engine carries them in the decision, whether or not
 * `codeowners: true` applies (GitHub's own code owner reviews skip those lines too), and each
 * reader shows them at `path:line:column`: `guardrails check` (text and --json, which keeps its
 * schema), the check's details (plain text: the file is whoever can push the base's), and
 * `guardrails doctor` through the same pure function.
 */
import { describe, expect, it } from "@jest/globals";
import { decisionOutputSchema } from "../../src/report/decision-schema.js";
import { renderHuman } from "../../src/cli/format.js";
import { renderJson } from "../../src/report/json.js";
import type { CheckReport } from "../../src/report/check-report.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { evaluateWithFloor } from "../../src/engine/floor.js";
import type { Decision } from "../../src/engine/types.js";
import { codeOwnersProblemsMarkdown, renderDecision } from "../../src/render/check-output.js";
import {
  codeOwnersProblems,
  formatCodeOwnersProblem,
  MAX_LISTED_CODEOWNERS_PROBLEMS,
  parseCodeOwners,
} from "../../src/policy/codeowners.js";
import { facts, NO_REQUIREMENTS, policy } from "./fixtures.js";

const CODEOWNERS = [
  "* @org/everyone",
  "!docs/** @org/docs",
  "/src/[ab]/ @org/src",
  "/api/ @org/api not-an-owner",
  "*.md @docs-team @someone",
].join("\n");

const EXPECTED = [
  { path: ".github/CODEOWNERS", line: 2, column: 1, message: expect.stringMatching(/^negation with ! does not work/) },
  { path: ".github/CODEOWNERS", line: 3, column: 1, message: expect.stringMatching(/^character ranges with \[ \]/) },
  {
    path: ".github/CODEOWNERS",
    line: 4,
    column: 16,
    message: expect.stringMatching(/^"not-an-owner" is not an owner: expected @user, @org\/team or an e-mail/),
  },
];

function decisionWith(text: string, path = ".github/CODEOWNERS", withRequirement = false): Decision {
  const tiers = withRequirement
    ? { low: { codeowners: true }, medium: { codeowners: true }, high: {} }
    : NO_REQUIREMENTS;
  return evaluate(
    policy({ default_tier: "low", tiers }),
    facts({
      files: [{ path: "api/x.ts", status: "modified", additions: 1, deletions: 0 }],
      codeOwners: parseCodeOwners(text, path),
      repositoryOwner: "org",
    }),
  );
}

describe("the engine carries the problems", () => {
  it("in the decision, at their file, line and column, with or without codeowners: true", () => {
    expect(decisionWith(CODEOWNERS).codeOwnersProblems).toEqual(EXPECTED);
    expect(decisionWith(CODEOWNERS, ".github/CODEOWNERS", true).codeOwnersProblems).toEqual(EXPECTED);
    expect(decisionWith(CODEOWNERS, "docs/CODEOWNERS").codeOwnersProblems?.[0]?.path).toBe("docs/CODEOWNERS");
  });

  it("not at all when the file has none, or there is no file", () => {
    expect(decisionWith("* @org/everyone").codeOwnersProblems).toBeUndefined();
    expect(evaluate(policy(), facts({ codeOwners: null })).codeOwnersProblems).toBeUndefined();
  });

  it("once when an enforced organisation policy judges the same facts", () => {
    const pr = facts({ codeOwners: parseCodeOwners(CODEOWNERS, ".github/CODEOWNERS") });
    expect(evaluateWithFloor(policy(), policy({ enforce: true }), pr).codeOwnersProblems).toEqual(EXPECTED);
  });

  it("at most 100 of a broken file's, in line order", () => {
    const text = Array.from({ length: 300 }, (_, i) => `!x${i} @a`).join("\n");
    const listed = codeOwnersProblems(parseCodeOwners(text));
    expect(listed).toHaveLength(MAX_LISTED_CODEOWNERS_PROBLEMS);
    expect(listed.map((p) => p.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("one plain line each, for guardrails check and guardrails doctor", () => {
    expect(codeOwnersProblems(parseCodeOwners(CODEOWNERS)).map(formatCodeOwnersProblem)).toEqual([
      expect.stringMatching(/^\.github\/CODEOWNERS:2:1: negation with ! does not work/),
      expect.stringMatching(/^\.github\/CODEOWNERS:3:1: character ranges/),
      expect.stringMatching(/^\.github\/CODEOWNERS:4:16: "not-an-owner" is not an owner/),
    ]);
    expect(codeOwnersProblems(null)).toEqual([]);
    expect(codeOwnersProblems(undefined)).toEqual([]);
  });
});

function report(decision: Decision): CheckReport {
  return {
    decision,
    policy: { source: "ref", path: ".github/guardrails.yml", ref: "main", sha: "abc" },
    diff: {
      base: { ref: "main", sha: "b" },
      head: { ref: "HEAD", sha: "h", branch: "x" },
      mergeBase: "b",
      files: 1,
      renames: [],
    },
  };
}

describe("guardrails check shows them", () => {
  it("in its text, each at path:line:column", () => {
    const text = renderHuman(report(decisionWith(CODEOWNERS)));
    expect(text).toContain(
      "CODEOWNERS problems (GitHub skips these lines):\n  .github/CODEOWNERS:2:1: negation with !",
    );
    expect(text).toContain('  .github/CODEOWNERS:4:16: "not-an-owner" is not an owner');
    expect(renderHuman(report(decisionWith("* @a")))).not.toContain("CODEOWNERS problems");
  });

  it("in --json, within the documented schema", () => {
    const json = JSON.parse(renderJson(report(decisionWith(CODEOWNERS)))) as unknown;
    const parsed = decisionOutputSchema.parse(json);
    expect(parsed.codeOwnersProblems).toEqual(EXPECTED);
  });
});

describe("the check's details show them", () => {
  it("as plain text, whose @mentions notify nobody and whose Markdown does nothing", () => {
    const decision = decisionWith("* @org/everyone\n/api/ @org/api [x](https://e.example) `@ceo`\n");
    const lines = codeOwnersProblemsMarkdown(decision);
    expect(lines[0]).toBe("#### CODEOWNERS problems (GitHub skips this line)");
    expect(lines[2]).toMatch(/^- `\.github\/CODEOWNERS:2:16`: ".*is not an owner/);
    expect(lines[2]).not.toMatch(/\[x\]\(/);
    expect(lines[2]).not.toMatch(/@[a-z]/);
    const output = renderDecision(
      decision,
      { kind: "repository", repository: "org/r", path: ".github/guardrails.yml", commit: "abc" },
      { ticks: {} },
    );
    expect(output.text).toContain(lines.join("\n"));
    expect(codeOwnersProblemsMarkdown(decisionWith("* @a"))).toEqual([]);
  });
});
