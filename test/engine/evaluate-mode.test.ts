/**
 * `mode: evaluate` (policy-v1 "Additions … 2026-12-07"): the PR is judged exactly as in enforce
 * mode, but the check concludes success and the decision says what would fail; under an enforced
 * organisation floor each policy keeps its own mode.
 */
import { describe, expect, it } from "@jest/globals";
import { evaluateWithFloor } from "../../src/engine/floor.js";
import type { Decision } from "../../src/engine/types.js";
import type { PolicyInput } from "../../src/policy/schema.js";
import { approve, facts, file, policy, requestChanges, run } from "./fixtures.js";

const demanding = (extra: Omit<PolicyInput, "version"> = {}) =>
  policy({ tiers: { low: {}, medium: { approvals: 1, tests: true }, high: {} }, ...extra });

/** Unmet requirements as kind:mode, for compact comparison. */
const unmet = (decision: Decision) =>
  decision.requirements.filter((r) => !r.met).map((r) => `${r.kind}:${r.policy ?? "-"}:${r.mode ?? "enforce"}`);

describe("mode: evaluate in one policy", () => {
  const pr = { files: [file("src/app.ts")] };

  it.each<[string, "enforce" | "evaluate" | undefined, object, Partial<Decision>]>([
    ["enforce (default), failing", undefined, pr, { conclusion: "failure", mode: "enforce", wouldFail: true }],
    ["enforce, failing", "enforce", pr, { conclusion: "failure", mode: "enforce", wouldFail: true }],
    [
      "evaluate, failing: success, would fail",
      "evaluate",
      pr,
      { conclusion: "success", mode: "evaluate", wouldFail: true },
    ],
    [
      "evaluate, passing: success, would pass",
      "evaluate",
      { files: [file("src/app.ts"), file("test/app.test.ts")], reviews: [approve("alice")] },
      { conclusion: "success", mode: "evaluate", wouldFail: false },
    ],
    [
      "enforce, passing",
      "enforce",
      { files: [file("src/app.ts"), file("test/app.test.ts")], reviews: [approve("alice")] },
      { conclusion: "success", mode: "enforce", wouldFail: false },
    ],
  ])("%s", (_name, mode, given, expected) => {
    expect(run(demanding(mode ? { mode } : {}), given)).toMatchObject(expected);
  });

  it("judges exactly as enforce mode: the same tier, reasons, requirements and checklist", () => {
    const given = { files: [file("src/app.ts")], reviews: [requestChanges("bob")] };
    const enforced = run(demanding(), given);
    const trial = run(demanding({ mode: "evaluate" }), given);
    const strip = (d: Decision) => ({
      ...d,
      conclusion: undefined,
      mode: undefined,
      requirements: d.requirements.map((r) => ({ ...r, mode: undefined })),
    });
    expect(strip(trial)).toEqual(strip(enforced));
    expect(unmet(trial)).toEqual(["approvals:-:evaluate", "tests:-:evaluate", "changes_requested:-:evaluate"]);
  });
});

describe("mode: evaluate with an enforced organisation floor", () => {
  const repo = (mode: "enforce" | "evaluate") =>
    policy({ mode, tiers: { low: {}, medium: { tests: true }, high: {} } });
  const org = (mode: "enforce" | "evaluate") =>
    policy({ enforce: true, mode, tiers: { low: {}, medium: { approvals: 1 }, high: {} } });
  // No test file (the repository's tests unmet) and no approval (the organisation's approvals unmet).
  const failingBoth = facts({ files: [file("src/app.ts")] });

  it.each<[string, "enforce" | "evaluate", "enforce" | "evaluate", Partial<Decision>, string[]]>([
    [
      "an organisation floor on trial never weakens the repository's enforced policy",
      "enforce",
      "evaluate",
      { conclusion: "failure", mode: "enforce", wouldFail: true },
      ["tests:repository:enforce", "approvals:organization:evaluate"],
    ],
    [
      "a repository policy on trial never weakens the enforced floor",
      "evaluate",
      "enforce",
      { conclusion: "failure", mode: "enforce", wouldFail: true },
      ["tests:repository:evaluate", "approvals:organization:enforce"],
    ],
    [
      "both on trial: success, would fail",
      "evaluate",
      "evaluate",
      { conclusion: "success", mode: "evaluate", wouldFail: true },
      ["tests:repository:evaluate", "approvals:organization:evaluate"],
    ],
    [
      "both enforced: failure",
      "enforce",
      "enforce",
      { conclusion: "failure", mode: "enforce", wouldFail: true },
      ["tests:repository:enforce", "approvals:organization:enforce"],
    ],
  ])("%s", (_name, repoMode, orgMode, expected, unmetKinds) => {
    const decision = evaluateWithFloor(repo(repoMode), org(orgMode), failingBoth);
    expect(decision).toMatchObject(expected);
    expect(unmet(decision)).toEqual(unmetKinds);
  });

  it("the floor on trial reports what would fail while the repository's own requirements pass", () => {
    const passingRepo = facts({ files: [file("src/app.ts"), file("test/app.test.ts")] });
    const decision = evaluateWithFloor(repo("enforce"), org("evaluate"), passingRepo);
    expect(decision).toMatchObject({ conclusion: "success", mode: "enforce", wouldFail: true });
    expect(unmet(decision)).toEqual(["approvals:organization:evaluate"]);
  });

  it("a change request blocks when either policy enforces it (shown once)", () => {
    const given = facts({
      files: [file("src/app.ts"), file("test/app.test.ts")],
      reviews: [approve("alice"), requestChanges("bob")],
    });
    const blocked = evaluateWithFloor(repo("evaluate"), org("enforce"), given);
    expect(unmet(blocked)).toEqual(["changes_requested:repository:enforce"]);
    expect(blocked.conclusion).toBe("failure");
    const trial = evaluateWithFloor(repo("evaluate"), org("evaluate"), given);
    expect(unmet(trial)).toEqual(["changes_requested:repository:evaluate"]);
    expect(trial.conclusion).toBe("success");
  });
});
