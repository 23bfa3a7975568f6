import { describe, expect, it } from "@jest/globals";
import { evaluate } from "../../src/engine/evaluate.js";
import { builtInPolicy } from "../../src/policy/default.js";
import { renderHuman, styleFor } from "../../src/cli/format.js";
import type { CheckReport } from "../../src/report/check-report.js";
import { facts } from "../engine/fixtures.js";

const decision = evaluate(
  builtInPolicy(),
  facts({
    headSha: "b".repeat(40),
    author: { login: "", isBot: false },
    title: "Change the workflow",
    headBranch: "ci",
    files: [{ path: ".github/workflows/ci.yml", status: "modified", additions: 2, deletions: 1 }],
  }),
);
const report: CheckReport = {
  decision,
  policy: { source: "built-in", path: null, ref: "main", sha: "a".repeat(40) },
  diff: {
    base: { ref: "main", sha: "a".repeat(40) },
    head: { ref: "HEAD", sha: "b".repeat(40), branch: "ci" },
    mergeBase: "a".repeat(40),
    files: 1,
    renames: [],
  },
};

describe("human rendering", () => {
  it("colours only for a terminal, and never with NO_COLOR or TERM=dumb", () => {
    const ESC = "\u001b[";
    expect(renderHuman(report, styleFor({ isTTY: true }, {}))).toContain(ESC);
    expect(renderHuman(report, styleFor({ isTTY: false }, {}))).not.toContain(ESC);
    expect(renderHuman(report, styleFor({ isTTY: true }, { NO_COLOR: "1" }))).not.toContain(ESC);
    expect(renderHuman(report, styleFor({ isTTY: true }, { TERM: "dumb" }))).not.toContain(ESC);
  });

  it("renders the tier, the reasons, each requirement and the policy used", () => {
    expect(renderHuman(report)).toBe(
      [
        "Tier: high  main...HEAD (ci): 1 changed file, 3 lines",
        '  high  rule  rule "ci-and-ownership" (CI workflows and code ownership decide what runs and who reviews) matches 1 file: .github/workflows/ci.yml',
        "",
        "Requirements:",
        ...decision.requirements.flatMap((r) => [
          `  ${r.met ? "✓" : "✗"} ${r.kind.padEnd(17)}  ${r.message}`,
          ...(r.met ? [] : [`    ${" ".repeat(19)}→ ${r.howTo}`]),
        ]),
        "",
        "Conclusion: failure (2 of 4 requirements unmet; approvals, checklist can only be met on GitHub)",
        "Policy: built-in default (main has no .github/guardrails.yml)",
        "",
      ].join("\n"),
    );
  });
});
