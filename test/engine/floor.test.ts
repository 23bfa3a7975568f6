/**
 * The organisation floor: with `enforce: true` the organisation policy judges every PR in addition
 * to the repository's own; the tier is the higher, the requirements the union, each with its origin.
 */
import { describe, expect, it } from "@jest/globals";
import { combineWithFloor, evaluateWithFloor, isFloor } from "../../src/engine/floor.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicy } from "../../src/policy/loader.js";
import { facts, file, NO_REQUIREMENTS, policy } from "./fixtures.js";

const ORG = () =>
  policy({
    enforce: true,
    default_tier: "low",
    rules: [
      {
        name: "infra",
        tier: "high",
        paths: ["infra/**", "**/*.tf"],
        require: { approvers: [{ teams: ["platform"] }], checklist: ["Plan reviewed"] },
      },
    ],
    tiers: { low: {}, medium: {}, high: { approvals: 2 } },
  });
/** What a PR author would like the repository's policy to say. */
const LAX = () => policy({ default_tier: "low", tiers: NO_REQUIREMENTS });

describe("the organisation floor", () => {
  it("a lax repository policy cannot lower it: the tier is the higher, the organisation's requirements apply", () => {
    const pr = facts({ files: [file("infra/main.tf", 3)] });
    expect(evaluate(LAX(), pr)).toMatchObject({ tier: "low", conclusion: "success" });

    const decision = evaluateWithFloor(LAX(), ORG(), pr);
    expect(decision.tier).toBe("high");
    expect(decision.conclusion).toBe("failure");
    expect(decision.reasons).toEqual([
      expect.objectContaining({ kind: "default", tier: "low", policy: "repository" }),
      expect.objectContaining({ kind: "rule", rule: "infra", tier: "high", policy: "organization" }),
    ]);
    const unmet = decision.requirements.filter((r) => !r.met).map((r) => [r.kind, r.policy, r.sources]);
    expect(unmet).toEqual([
      ["approvals", "organization", ["org:tier:high"]],
      ["approvers", "organization", ["org:rule:infra"]],
      ["checklist", "organization", ["org:rule:infra"]],
    ]);
    expect(decision.checklist).toEqual(["Plan reviewed"]);
  });

  it("keeps the repository's own stricter demands too (the union)", () => {
    const strict = policy({
      default_tier: "medium",
      tiers: { low: {}, medium: { approvals: 1, checklist: ["Release notes written"] }, high: {} },
    });
    const decision = evaluateWithFloor(strict, ORG(), facts({ files: [file("src/app.ts")] }));
    expect(decision.tier).toBe("medium");
    expect(decision.requirements.map((r) => [r.kind, r.policy])).toEqual([
      ["approvals", "repository"],
      ["checklist", "repository"],
      ["changes_requested", "repository"],
    ]);
  });

  it("judges change requests once, not once per policy", () => {
    const decision = combineWithFloor(evaluate(LAX(), facts()), evaluate(ORG(), facts()));
    expect(decision.requirements.filter((r) => r.kind === "changes_requested")).toHaveLength(1);
  });

  it("merges the checklists without duplicates", () => {
    const repo = policy({ tiers: { low: {}, medium: { checklist: ["Plan reviewed", "Docs updated"] }, high: {} } });
    const decision = evaluateWithFloor(repo, ORG(), facts({ files: [file("infra/a.tf")] }));
    expect(decision.checklist).toEqual(["Plan reviewed", "Docs updated"]);
  });

  it("is only a floor with enforce: true", () => {
    expect(isFloor(ORG())).toBe(true);
    expect(isFloor(policy({ enforce: false }))).toBe(false);
    expect(isFloor(policy({}))).toBe(false);
  });
});

describe("enforce in the loader", () => {
  it("is refused in a repository's own policy, at its line and column", () => {
    expect(loadPolicy("version: 1\ndefault_tier: low\nenforce: true\n")).toEqual({
      ok: false,
      problems: [
        {
          line: 3,
          column: 1,
          message:
            "enforce: only the organisation policy (.github/guardrails.yml in the owner's .github repository) may set enforce; a repository's own policy cannot (validate the organisation policy with `guardrails validate --org`)",
        },
      ],
    });
  });

  it("is accepted in the organisation policy, and must be true or false", () => {
    const loaded = loadPolicy("version: 1\nenforce: true\n", { organization: true });
    expect(loaded.ok && loaded.policy.enforce).toBe(true);
    expect(loadPolicy("version: 1\nenforce: yes please\n", { organization: true })).toMatchObject({
      ok: false,
      problems: [{ line: 2, column: 10 }],
    });
  });
});
