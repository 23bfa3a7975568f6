import { describe, expect, it } from "@jest/globals";
import { advanceDelegation, type DelegationRecord } from "../../src/metrics/delegation.js";
import {
  readDelegationRecords,
  stripDelegationRecords,
  writeDelegationRecords,
} from "../../src/state/delegation-record.js";
import { MAX_OUTPUT_CHARS } from "../../src/markdown.js";
import type { Decision, RequirementResult } from "../../src/engine/types.js";

const T0 = new Date("2026-12-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function requirement(kind: RequirementResult["kind"], met: boolean): RequirementResult {
  return { kind, met, message: "", howTo: "", sources: ["tier:medium"], local: false };
}
function decision(tier: Decision["tier"], requirements: RequirementResult[], agentAuthored = false) {
  return {
    tier,
    requirements,
    agentAuthored,
    conclusion: requirements.every((r) => r.met) ? ("success" as const) : ("failure" as const),
  };
}

describe("advanceDelegation", () => {
  it("follows a PR's life: new and failing, approved and passing, grown into a higher tier", () => {
    const first = advanceDelegation(
      undefined,
      decision("medium", [requirement("approvals", false), requirement("tests", true)]),
      at(0),
    );
    expect(first.observations).toEqual([{ kind: "new_pull_request", agent: false }]);
    expect(first.record).toEqual({
      first: at(0).toISOString(),
      tier: "medium",
      agent: false,
      asked: at(0).toISOString(),
    });

    // Nothing changed: nothing observed, the record stays equal (so the check run is not rewritten).
    const again = advanceDelegation(
      first.record,
      decision("medium", [requirement("approvals", false), requirement("tests", true)]),
      at(5),
    );
    expect(again.observations).toEqual([]);
    expect(again.record).toEqual(first.record);

    const approved = advanceDelegation(
      again.record,
      decision("medium", [requirement("approvals", true), requirement("tests", true)]),
      at(90),
    );
    expect(approved.observations).toEqual([
      { kind: "review_wait", tier: "medium", seconds: 90 * 60 },
      { kind: "first_pass", tier: "medium", agent: false, seconds: 90 * 60 },
    ]);

    // It grows into high and fails again: a tier change, but no second first pass or review wait.
    const grown = advanceDelegation(
      approved.record,
      decision("high", [requirement("approvals", false), requirement("checklist", false)]),
      at(120),
    );
    expect(grown.observations).toEqual([{ kind: "tier_change", from: "medium", to: "high" }]);
    const passedAgain = advanceDelegation(
      grown.record,
      decision("high", [requirement("approvals", true), requirement("checklist", true)]),
      at(180),
    );
    expect(passedAgain.observations).toEqual([]);
  });

  it.each([
    [
      "a low PR that passes at once",
      decision("low", []),
      [
        { kind: "new_pull_request", agent: false },
        { kind: "first_pass", tier: "low", agent: false, seconds: 0 },
      ],
    ],
    [
      "an agent's PR",
      decision("low", [], true),
      [
        { kind: "new_pull_request", agent: true },
        { kind: "first_pass", tier: "low", agent: true, seconds: 0 },
      ],
    ],
    [
      "a PR that fails on tests only (no approvals asked)",
      decision("medium", [requirement("tests", false)]),
      [{ kind: "new_pull_request", agent: false }],
    ],
  ] as const)("%s", (_name, d, expected) => {
    const { record, observations } = advanceDelegation(undefined, d, T0);
    expect(observations).toEqual(expected);
    expect(record.asked).toBeUndefined();
  });

  it("counts the wait for approvers and code owners like the wait for approvals", () => {
    const asked = advanceDelegation(
      undefined,
      decision("high", [requirement("approvers", false), requirement("codeowners", true)]),
      at(0),
    );
    const met = advanceDelegation(
      asked.record,
      decision("high", [requirement("approvers", true), requirement("codeowners", true)]),
      at(30),
    );
    expect(met.observations).toContainEqual({ kind: "review_wait", tier: "high", seconds: 1800 });
  });
});

describe("the delegation record in the check run's text", () => {
  const record: DelegationRecord = { first: T0.toISOString(), tier: "high", agent: true, asked: T0.toISOString() };

  it("round-trips as a hidden first line and leaves the visible text as it was", () => {
    const text = writeDelegationRecords("#### Files\n- a", { "12": record });
    expect(text.startsWith("<!-- guardrails-delegation v1 ")).toBe(true);
    expect(readDelegationRecords(text)).toEqual({ "12": record });
    expect(stripDelegationRecords(text)).toBe("#### Files\n- a");
    // Writing again replaces the line instead of adding one.
    expect(writeDelegationRecords(text, { "13": record })).toBe(
      writeDelegationRecords("#### Files\n- a", { "13": record }),
    );
  });

  it("keeps within GitHub's limit on the text", () => {
    const text = writeDelegationRecords("x".repeat(MAX_OUTPUT_CHARS), { "12": record });
    expect(text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(readDelegationRecords(text)).toEqual({ "12": record });
  });

  it.each([
    ["no record", "#### Files"],
    ["not JSON", "<!-- guardrails-delegation v1 {nope -->"],
    ["a wrong shape", '<!-- guardrails-delegation v1 {"12":{"first":"yesterday","tier":"low","agent":false}} -->'],
    ["a key that is not a PR number", `<!-- guardrails-delegation v1 {"__proto__":${JSON.stringify(record)}} -->`],
    [
      "an unknown tier",
      '<!-- guardrails-delegation v1 {"1":{"first":"2026-12-01T10:00:00Z","tier":"extreme","agent":false}} -->',
    ],
    ["no end", `<!-- guardrails-delegation v1 {"1":${JSON.stringify(record)}}`],
  ])("ignores %s", (_name, text) => {
    expect(readDelegationRecords(text)).toEqual({});
  });
});
