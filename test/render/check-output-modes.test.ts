/**
 * The check's title and summary for the 2026-12-07 additions (pure: decision in, text out): a
 * policy on trial (`mode: evaluate`) concludes success with a title that starts `Evaluate mode ·`
 * and says what would fail; an unmet `checks` entry is named in the title with its state.
 */
import { describe, expect, it } from "@jest/globals";
import { evaluateWithFloor } from "../../src/engine/floor.js";
import { renderDecision } from "../../src/render/check-output.js";
import type { Decision } from "../../src/engine/types.js";
import { facts, file, policy, run } from "../engine/fixtures.js";

const SOURCE = {
  kind: "repository" as const,
  repository: "acme/api",
  path: ".github/guardrails.yml",
  commit: "a".repeat(40),
};
const render = (decision: Decision) => renderDecision(decision, SOURCE, { ticks: {} });
const demanding = (mode: "enforce" | "evaluate") =>
  policy({ mode, tiers: { low: {}, medium: { approvals: 1, tests: true, checks: ["test"] }, high: {} } });
const untested = { files: [file("src/app.ts")] };

describe("the check of a policy on trial", () => {
  it("concludes success, its title starts 'Evaluate mode ·' and says what would fail", () => {
    const output = render(run(demanding("evaluate"), untested));
    expect(output.conclusion).toBe("success");
    expect(output.title).toBe("Evaluate mode · Medium risk · would fail: 1 more approval, tests, test (waiting)");
    expect(output.summary).toMatch(/^\*\*Evaluate mode\*\*: The policy is on trial .*would \*\*fail\*\*\./);
  });

  it("says it would pass when nothing is missing", () => {
    const pass = policy({ mode: "evaluate", tiers: { low: {}, medium: {}, high: {} } });
    expect(render(run(pass, untested)).title).toBe("Evaluate mode · Medium risk · would pass: all 1 requirements met");
  });

  it("switched to enforce, the same PR fails with the usual title", () => {
    const output = render(run(demanding("enforce"), untested));
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("Medium risk · missing: 1 more approval, tests, test (waiting)");
    expect(output.summary).not.toContain("Evaluate mode");
  });

  it("names a failed CI check by its conclusion", () => {
    const decision = run(demanding("enforce"), {
      ...untested,
      ci: {
        checkRuns: [{ id: 1, name: "test", appSlug: "github-actions", status: "completed", conclusion: "failure" }],
        statuses: [],
        complete: true,
        ownAppSlug: "guardrails",
      },
    });
    expect(render(decision).title).toContain("test (failure)");
  });
});

describe("an organisation floor on trial", () => {
  const repository = policy({ tiers: { low: {}, medium: { tests: true }, high: {} } });
  const organization = policy({
    enforce: true,
    mode: "evaluate",
    tiers: { low: {}, medium: { approvals: 1 }, high: {} },
  });

  it("keeps the repository's failure and names the trial's would-fail after it", () => {
    const output = render(evaluateWithFloor(repository, organization, facts(untested)));
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("Medium risk · missing: tests · on trial, would fail: 1 more approval");
    expect(output.summary).toContain("| ❌ | Approvals (evaluate mode) <sub>org:tier:medium</sub> |");
  });

  it("passes when the repository's requirements are met, saying what the floor on trial would fail", () => {
    const tested = facts({ files: [file("src/app.ts"), file("test/app.test.ts")] });
    const output = render(evaluateWithFloor(repository, organization, tested));
    expect(output.conclusion).toBe("success");
    expect(output.title).toBe(
      "Evaluate mode · Medium risk · enforced requirements met; the policy on trial would fail: 1 more approval",
    );
  });
});
