/**
 * The 2026-12-07 additions to the policy language (policy-v1): `checks` in tiers and rules,
 * `approvals.ignore_contributors`, `agents.trailers`, top-level `mode`, and the built-in rule
 * `agent-instructions`: defaults, normalised shapes, and problems at their line and column.
 */
import { describe, expect, it } from "@jest/globals";
import { evaluate } from "../../src/engine/evaluate.js";
import { builtInPolicy } from "../../src/policy/default.js";
import { loadPolicy, type PolicyProblem } from "../../src/policy/loader.js";
import type { Policy } from "../../src/policy/schema.js";
import { facts, file } from "../engine/fixtures.js";

function policyOf(text: string, organization = false): Policy {
  const result = loadPolicy(text, { organization });
  if (!result.ok) throw new Error(`expected a policy, got ${JSON.stringify(result.problems)}`);
  return result.policy;
}

function problemsOf(text: string): PolicyProblem[] {
  const result = loadPolicy(text);
  if (result.ok) throw new Error(`expected problems, the policy loaded:\n${text}`);
  return result.problems;
}

describe("checks", () => {
  it("takes names and mappings, in tiers and in rules, with conclusions defaulting to success", () => {
    const policy = policyOf(
      [
        "version: 1",
        "rules:",
        "  - name: api",
        "    tier: high",
        "    paths: ['src/**']",
        "    require:",
        "      checks: [e2e]",
        "tiers:",
        "  medium:",
        "    checks:",
        "      - test",
        "      - { name: CodeQL, app: github-advanced-security }",
        "      - { name: e2e, conclusions: [success, skipped] }",
        "      - build (ubuntu-latest, 20)",
        "",
      ].join("\n"),
    );
    expect(policy.tiers.medium.checks).toEqual([
      { name: "test", conclusions: ["success"] },
      { name: "CodeQL", app: "github-advanced-security", conclusions: ["success"] },
      { name: "e2e", conclusions: ["success", "skipped"] },
      { name: "build (ubuntu-latest, 20)", conclusions: ["success"] },
    ]);
    expect(policy.rules[0]!.require?.checks).toEqual([{ name: "e2e", conclusions: ["success"] }]);
  });

  it.each<[string, string, number, number, string]>([
    [
      "an unknown key in an entry, listing the allowed ones",
      "    checks: [{ name: test, ap: github-actions }]\n",
      4,
      28,
      'tiers.medium.checks[0]: unknown key "ap" (did you mean "app"?); allowed: name, app, conclusions',
    ],
    [
      "an unknown conclusion",
      "    checks: [{ name: test, conclusions: [passed] }]\n",
      4,
      42,
      'tiers.medium.checks[0].conclusions[0]: expected one of success, failure, neutral, cancelled, skipped, timed_out, action_required, stale, got "passed"',
    ],
    [
      "an empty conclusions list",
      "    checks: [{ name: test, conclusions: [] }]\n",
      4,
      41,
      "tiers.medium.checks[0].conclusions: needs at least 1 item",
    ],
    [
      "an entry that is neither a name nor a mapping",
      "    checks: [3]\n",
      4,
      14,
      "tiers.medium.checks[0]: invalid value number 3: expected a check name, or a mapping such as { name: test, app: github-actions }",
    ],
    ["an empty name", "    checks: ['']\n", 4, 14, "tiers.medium.checks[0]"],
    ["a name over two lines", '    checks: ["a\\nb"]\n', 4, 14, "tiers.medium.checks[0]"],
    [
      "an app that is not a slug",
      "    checks: [{ name: test, app: 'my app' }]\n",
      4,
      33,
      "tiers.medium.checks[0].app: expected a GitHub App's slug",
    ],
  ])("%s", (_name, line, lineNo, column, message) => {
    const [problem] = problemsOf(`version: 1\ntiers:\n  medium:\n${line}`);
    expect(problem).toMatchObject({ line: lineNo, column });
    expect(problem!.message).toContain(message);
  });
});

describe("approvals.ignore_contributors", () => {
  it("defaults to false and takes true", () => {
    expect(policyOf("version: 1\n").approvals.ignore_contributors).toBe(false);
    expect(policyOf("version: 1\napprovals:\n  ignore_contributors: true\n").approvals.ignore_contributors).toBe(true);
  });

  it("is true or false only", () => {
    expect(problemsOf("version: 1\napprovals:\n  ignore_contributors: yes please\n")).toEqual([
      { line: 3, column: 24, message: 'approvals.ignore_contributors: expected true or false, got "yes please"' },
    ]);
  });
});

describe("agents.trailers", () => {
  it("defaults to Co-authored-by and keeps the keys as written", () => {
    expect(policyOf("version: 1\n").agents.trailers).toEqual(["Co-authored-by"]);
    expect(
      policyOf("version: 1\nagents:\n  trailers: [Co-authored-by, Assisted-by, generated-by]\n").agents.trailers,
    ).toEqual(["Co-authored-by", "Assisted-by", "generated-by"]);
  });

  it.each<[string, string, number]>([
    ["a key with a colon", "'Assisted-by:'", 14],
    ["a key with a space", "'Assisted by'", 14],
    ["an empty key", "''", 14],
  ])("rejects %s at its position", (_name, key, column) => {
    const [problem] = problemsOf(`version: 1\nagents:\n  trailers: [${key}]\n`);
    expect(problem).toMatchObject({ line: 3, column });
    expect(problem!.message).toContain("agents.trailers[0]: expected a trailer key of letters, digits and dashes");
  });

  it("needs at least one key", () => {
    expect(problemsOf("version: 1\nagents:\n  trailers: []\n")[0]!.message).toContain(
      "agents.trailers: needs at least 1 item",
    );
  });
});

describe("mode", () => {
  it("defaults to enforce; evaluate in a repository's and in the organisation's policy", () => {
    expect(policyOf("version: 1\n").mode).toBe("enforce");
    expect(policyOf("version: 1\nmode: evaluate\n").mode).toBe("evaluate");
    expect(policyOf("version: 1\nenforce: true\nmode: evaluate\n", true).mode).toBe("evaluate");
  });

  it("suggests the word meant", () => {
    expect(problemsOf("version: 1\nmode: evaluation\n")).toEqual([
      {
        line: 2,
        column: 7,
        message: 'mode: expected one of enforce, evaluate, got "evaluation" (did you mean "evaluate"?)',
      },
    ]);
  });
});

describe("the built-in rule agent-instructions", () => {
  const rule = () => builtInPolicy().rules.find((r) => r.name === "agent-instructions");

  it("is high and lists exactly the files that steer agents", () => {
    expect(rule()).toMatchObject({
      tier: "high",
      paths: [
        "AGENTS.md",
        "**/AGENTS.md",
        "CLAUDE.md",
        "**/CLAUDE.md",
        ".github/copilot-instructions.md",
        ".github/instructions/**",
        ".cursor/rules/**",
      ],
    });
  });

  it.each([
    "AGENTS.md",
    "packages/web/AGENTS.md",
    "CLAUDE.md",
    "services/api/CLAUDE.md",
    ".github/copilot-instructions.md",
    ".github/instructions/react.instructions.md",
    ".cursor/rules/style.mdc",
  ])("makes a PR changing %s high, though the docs rule matches *.md", (path) => {
    const decision = evaluate(builtInPolicy(), facts({ files: [file(path)] }));
    expect(decision.tier).toBe("high");
    expect(decision.reasons).toContainEqual(expect.objectContaining({ kind: "rule", rule: "agent-instructions" }));
  });

  it("leaves other Markdown low", () => {
    expect(evaluate(builtInPolicy(), facts({ files: [file("docs/agents.md")] })).tier).toBe("low");
  });
});
