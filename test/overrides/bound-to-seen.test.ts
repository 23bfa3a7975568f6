/**
 * Issue 19, items 1, 2, 5 and 6, on the pure state machine: an override binds to the head and
 * base the person saw (the command may name the commit; when the app cannot tell, it refuses), a
 * retarget ends it, an override from before the head's current stint never comes back, and a
 * withdrawal by an allowed person always applies.
 */
import { describe, expect, it } from "@jest/globals";
import { parseOverrideCommand } from "../../src/overrides/command.js";
import type { PolicyInForce } from "../../src/engine/override.js";
import { nextOverrideState, type CommandInput, type TransitionInput } from "../../src/overrides/transition.js";
import type { ChecklistState } from "../../src/state/checklist-state.js";
import { errorRecord } from "../../src/state/decision-record.js";

const HEAD = "abc1234".padEnd(40, "0");
const OTHER = "def5678".padEnd(40, "0");
const policies: PolicyInForce[] = [
  { origin: "repository", overrides: { users: ["cto"], teams: [], allow_author: false } },
];
const ok = { ok: true as const, via: ["user"] };
const input = (extra: Partial<TransitionInput> = {}): TransitionInput => ({
  headSha: HEAD,
  baseBranch: "main",
  author: "dev",
  policies,
  now: "2026-12-07T10:00:00Z",
  headEvaluatedSince: "2026-12-07T09:00:00Z",
  ...extra,
});
const grant = (commentId: number, commit?: string, at = "2026-12-07T09:30:00Z"): CommandInput => ({
  command: { kind: "grant", reason: "INC-1", ...(commit ? { commit } : {}) },
  by: "cto",
  isBot: false,
  commentId,
  at,
});
const off = (commentId: number, at = "2026-12-07T09:40:00Z"): CommandInput => ({
  command: { kind: "withdraw" },
  by: "cto",
  isBot: false,
  commentId,
  at,
});
const granted: ChecklistState = nextOverrideState(
  { ticks: {} },
  input({ command: grant(10), authorization: ok }),
).state;

describe("item 1: the command binds to the head and base the person saw", () => {
  it("parses a leading commit word", () => {
    expect(parseOverrideCommand("/guardrails override ABC1234 INC-1 outage")).toEqual({
      kind: "grant",
      reason: "INC-1 outage",
      commit: "abc1234",
    });
    expect(parseOverrideCommand("/guardrails override abc1234")).toEqual({ kind: "no_reason" });
    expect(parseOverrideCommand("/guardrails override abc123 short word")).toEqual({
      kind: "grant",
      reason: "abc123 short word",
    });
  });

  it("records the base it was given on", () => {
    expect(granted.override).toMatchObject({ head: HEAD, base: "main" });
  });

  // The fast-forward race: the head was Y since 09:00, force-pushed back to X at 09:10, the command
  // about X written at 09:30, fast-forwarded to Y and handled before the synchronize.
  const race = { headForcePushedAt: "2026-12-07T09:10:00Z" };

  it("refuses an unnamed command when the head changed after it was last seen, and says how to repeat it", () => {
    const result = nextOverrideState({ ticks: {} }, input({ ...race, command: grant(10), authorization: ok }));
    expect(result.state.override).toBeUndefined();
    expect(result.state.refused).toMatchObject({ code: "head_uncertain" });
    expect(result.state.refused!.message).toContain("`/guardrails override abc1234 <reason>`");
  });

  it("grants a command that names the head, in the same race", () => {
    const result = nextOverrideState(
      { ticks: {} },
      input({ ...race, command: grant(10, "abc1234"), authorization: ok }),
    );
    expect(result.state.override).toMatchObject({ head: HEAD, base: "main" });
  });

  it("refuses a command that names another commit", () => {
    const result = nextOverrideState(
      { ticks: {} },
      input({ headSha: OTHER, command: grant(10, "abc1234"), authorization: ok }),
    );
    expect(result.state.override).toBeUndefined();
    expect(result.state.refused).toMatchObject({ code: "other_commit" });
  });

  it("refuses a named head that was not evaluated for the PR before the command", () => {
    const result = nextOverrideState(
      { ticks: {} },
      input({ headEvaluatedSince: "2026-12-07T09:45:00Z", command: grant(10, "abc1234"), authorization: ok }),
    );
    expect(result.state.refused).toMatchObject({ code: "head_moved" });
  });

  it.each([["2026-12-07T09:31:00Z"], ["2026-12-07T09:30:00Z"], ["unknown time"]])(
    "refuses a command when the base changed at %s (not before it was written)",
    (baseChangedAt) => {
      const result = nextOverrideState({ ticks: {} }, input({ baseChangedAt, command: grant(10), authorization: ok }));
      expect(result.state.override).toBeUndefined();
      expect(result.state.refused).toMatchObject({ code: "base_moved" });
    },
  );
});

describe("item 2: a retarget ends an override like a push", () => {
  it("ends it on another base", () => {
    const result = nextOverrideState(granted, input({ baseBranch: "release" }));
    expect(result.state.override).toBeUndefined();
    expect(result.state.ended).toMatchObject({ how: "retargeted" });
    expect(result.events.map((e) => e.kind)).toEqual(["override_ended"]);
  });

  it("ends it when the base changed after it was given, even back to the same name", () => {
    const result = nextOverrideState(granted, input({ baseChangedAt: "2026-12-07T09:50:00Z" }));
    expect(result.state.override).toBeUndefined();
    expect(result.state.ended).toMatchObject({ how: "retargeted" });
  });

  it("keeps it when the base changed before it was given", () => {
    expect(nextOverrideState(granted, input({ baseChangedAt: "2026-12-07T08:50:00Z" })).state.override).toBeDefined();
  });
});

describe("item 5: an ended override never comes back", () => {
  it("an override given before the head's current stint is not in force (the head left and came back)", () => {
    const result = nextOverrideState(granted, input({ headEvaluatedSince: "2026-12-07T09:45:00Z" }));
    expect(result.state.override).toBeUndefined();
    expect(result.state.ended).toMatchObject({ how: "new_head" });
  });

  it("an error record never lowers the counter nor keeps an older first-evaluation time", () => {
    const previous = { head: HEAD, conclusion: "success" as const, overrideSeq: 1, headSince: "2026-12-07T09:00:00Z" };
    const record = errorRecord(HEAD, "boom", previous, undefined, { seq: 3, headSince: "2026-12-07T09:50:00Z" });
    expect(record).toMatchObject({ overrideSeq: 3, headSince: "2026-12-07T09:50:00Z" });
    expect(errorRecord(HEAD, "boom", { ...previous, overrideSeq: 5 }, undefined, { seq: 3 }).overrideSeq).toBe(5);
  });
});

describe("item 6: a withdrawal by an allowed person always applies", () => {
  it("applies an off older than a refused command handled first", () => {
    const refusedFirst = nextOverrideState(
      granted,
      input({
        command: { ...grant(15), by: "dev" },
        authorization: { ok: false, refusal: { code: "author", message: "no" } },
      }),
    ).state;
    expect(refusedFirst.lastCommand).toBe(15);
    const result = nextOverrideState(refusedFirst, input({ command: off(12), authorization: ok }));
    expect(result.state.override).toBeUndefined();
    expect(result.state.ended).toMatchObject({ how: "withdrawn", endedByComment: 12 });
    expect(result.state.lastCommand).toBe(15);
  });

  it("does not apply an off written before the override it would end", () => {
    const result = nextOverrideState(granted, input({ command: off(9), authorization: ok }));
    expect(result.state.override).toBeDefined();
  });
});
