/**
 * The pure parts of break glass, table-driven: the command's syntax, who may override under one or
 * two policies, and how the signed state moves (grant, refusal, withdrawal, a new head, a policy
 * that no longer allows, a replayed or stale command).
 */
import { describe, expect, it } from "@jest/globals";
import { parseOverrideCommand, MAX_REASON_CHARS } from "../../src/overrides/command.js";
import { applyOverride, authorizeOverride, overrideLookups, type PolicyInForce } from "../../src/engine/override.js";
import { nextOverrideState, type TransitionInput } from "../../src/overrides/transition.js";
import type { ChecklistState } from "../../src/state/checklist-state.js";
import type { Decision } from "../../src/engine/types.js";

describe("parseOverrideCommand", () => {
  it.each<[string, ReturnType<typeof parseOverrideCommand>]>([
    ["/guardrails override INC-1 outage", { kind: "grant", reason: "INC-1 outage" }],
    ["  /GUARDRAILS Override   spaced   out  \nsecond line", { kind: "grant", reason: "spaced out" }],
    ["/guardrails override off", { kind: "withdraw" }],
    ["/guardrails override OFF ", { kind: "withdraw" }],
    ["/guardrails override off now", { kind: "grant", reason: "off now" }],
    ["/guardrails override", { kind: "no_reason" }],
    ["/guardrails override \t ", { kind: "no_reason" }],
    ["/guardrails override\r\nreason below", { kind: "no_reason" }],
    ["/guardrails override a\u0007b\u2028c", { kind: "grant", reason: "a b c" }],
    ["please /guardrails override x", undefined],
    ["/guardrails overrides x", undefined],
    ["/guardrailsoverride x", undefined],
    ["", undefined],
  ])("%j", (body, expected) => {
    expect(parseOverrideCommand(body)).toEqual(expected);
  });

  it("caps the reason and reads only a bounded prefix of a huge first line", () => {
    const command = parseOverrideCommand(`/guardrails override ${"x".repeat(1_000_000)}`);
    expect(command).toMatchObject({ kind: "grant" });
    expect((command as { reason: string }).reason).toHaveLength(MAX_REASON_CHARS);
  });
});

const repoPolicy = (overrides?: PolicyInForce["overrides"]): PolicyInForce => ({ origin: "repository", overrides });
const orgPolicy = (overrides?: PolicyInForce["overrides"]): PolicyInForce => ({ origin: "organization", overrides });
const allow = (users: string[], teams: string[] = [], allow_author = false) => ({ users, teams, allow_author });

describe("authorizeOverride", () => {
  const table: [
    string,
    PolicyInForce[],
    { login: string; isBot?: boolean; permission?: "admin" | "write" | "read" | "none"; teams?: string[] },
    string,
    string,
  ][] = [
    ["a listed user with write", [repoPolicy(allow(["cto"]))], { login: "CTO", permission: "write" }, "dev", "ok:user"],
    [
      "a team member with admin",
      [repoPolicy(allow([], ["sre"]))],
      { login: "ann", permission: "admin", teams: ["SRE"] },
      "dev",
      "ok:team:sre",
    ],
    [
      "a listed user with read",
      [repoPolicy(allow(["cto"]))],
      { login: "cto", permission: "read" },
      "dev",
      "permission",
    ],
    [
      "a listed user without access",
      [repoPolicy(allow(["cto"]))],
      { login: "cto", permission: "none" },
      "dev",
      "permission",
    ],
    [
      "someone not listed",
      [repoPolicy(allow(["cto"], ["sre"]))],
      { login: "eve", permission: "admin" },
      "dev",
      "not_allowed",
    ],
    ["a bot", [repoPolicy(allow(["ci[bot]"]))], { login: "ci[bot]", permission: "admin" }, "dev", "bot"],
    [
      "a bot by type",
      [repoPolicy(allow(["deployer"]))],
      { login: "deployer", isBot: true, permission: "admin" },
      "dev",
      "bot",
    ],
    ["no overrides key", [repoPolicy(undefined)], { login: "cto", permission: "admin" }, "dev", "no_overrides"],
    ["the author", [repoPolicy(allow(["dev"]))], { login: "Dev", permission: "admin" }, "dev", "author"],
    [
      "the author with allow_author",
      [repoPolicy(allow(["dev"], [], true))],
      { login: "dev", permission: "write" },
      "dev",
      "ok:user",
    ],
    [
      "allowed by the repository, not by the enforced organisation policy",
      [repoPolicy(allow(["cto"])), orgPolicy(allow(["ciso"]))],
      { login: "cto", permission: "admin" },
      "dev",
      "not_allowed",
    ],
    [
      "an organisation policy without overrides",
      [repoPolicy(allow(["cto"])), orgPolicy(undefined)],
      { login: "cto", permission: "admin" },
      "dev",
      "no_overrides",
    ],
    [
      "allowed by both",
      [repoPolicy(allow(["cto"])), orgPolicy(allow([], ["sre"]))],
      { login: "cto", permission: "admin", teams: ["sre"] },
      "dev",
      "ok:user,team:sre",
    ],
  ];
  it.each(table)("%s", (_name, policies, actor, author, expected) => {
    const result = authorizeOverride(
      policies,
      {
        login: actor.login,
        isBot: actor.isBot ?? false,
        ...(actor.permission ? { permission: actor.permission } : {}),
        teams: actor.teams ?? [],
      },
      author,
    );
    expect(result.ok ? `ok:${result.via.join(",")}` : result.refusal.code).toBe(expected);
  });

  it("looks up nothing when the answer is already no, else the permission and only the teams that matter", () => {
    expect(overrideLookups([repoPolicy(undefined)], "cto", false, "dev")).toEqual({ permission: false, teams: [] });
    expect(overrideLookups([repoPolicy(allow(["dev"]))], "dev", false, "dev")).toEqual({
      permission: false,
      teams: [],
    });
    expect(overrideLookups([repoPolicy(allow(["cto"], ["sre"]))], "cto", false, "dev")).toEqual({
      permission: true,
      teams: [],
    });
    expect(
      overrideLookups([repoPolicy(allow([], ["SRE", "ops"])), orgPolicy(allow([], ["sre"]))], "ann", false, "dev"),
    ).toEqual({ permission: true, teams: ["ops", "sre"] });
  });
});

describe("nextOverrideState", () => {
  const HEAD = "a".repeat(40);
  const base = (extra: Partial<TransitionInput> = {}): TransitionInput => ({
    headSha: HEAD,
    baseBranch: "main",
    author: "dev",
    policies: [repoPolicy(allow(["cto"]))],
    now: "2026-12-04T10:00:00Z",
    headEvaluatedSince: "2026-12-04T09:00:00Z",
    ...extra,
  });
  const grant = (commentId: number, at = "2026-12-04T09:30:00Z") => ({
    command: { kind: "grant" as const, reason: "incident" },
    by: "cto",
    isBot: false,
    commentId,
    at,
  });
  const ok = { ok: true as const, via: ["user"] };
  const granted = nextOverrideState({ ticks: {} }, base({ command: grant(10), authorization: ok })).state;

  it("grants, records who, when, why, which head and how, and logs one event", () => {
    const result = nextOverrideState({ ticks: {} }, base({ command: grant(10), authorization: ok }));
    expect(result.state).toEqual({
      ticks: {},
      lastCommand: 10,
      seq: 1,
      override: {
        by: "cto",
        at: "2026-12-04T09:30:00Z",
        reason: "incident",
        head: HEAD,
        base: "main",
        via: ["user"],
        commentId: 10,
      },
    });
    expect(result.events.map((e) => e.kind)).toEqual(["override"]);
  });

  it.each<[string, ChecklistState, Partial<TransitionInput>, string[], boolean]>([
    ["a new head ends it", granted, { headSha: "b".repeat(40) }, ["override_ended"], false],
    [
      "a policy that drops the person ends it",
      granted,
      { policies: [repoPolicy(allow(["ciso"]))] },
      ["override_ended"],
      false,
    ],
    [
      "a policy that drops overrides ends it",
      granted,
      { policies: [repoPolicy(undefined)] },
      ["override_ended"],
      false,
    ],
    [
      "an enforced floor that appears ends it",
      granted,
      { policies: [repoPolicy(allow(["cto"])), orgPolicy(allow(["cto"]))] },
      ["override_ended"],
      false,
    ],
    ["a state older than the run's record is not trusted", granted, { runOverrideSeq: 2 }, [], false],
    ["a replayed command is ignored", granted, { command: grant(10), authorization: ok }, [], true],
    [
      "an older command is ignored",
      granted,
      { command: { ...grant(9), command: { kind: "withdraw" } }, authorization: ok },
      [],
      true,
    ],
    ["nothing happens without a command", granted, {}, [], true],
  ])("%s", (_name, state, input, events, stillInForce) => {
    const result = nextOverrideState(state, base(input));
    expect(result.events.map((e) => e.kind)).toEqual(events);
    expect(result.state.override !== undefined).toBe(stillInForce);
  });

  it.each<[string, Partial<TransitionInput>]>([
    ["the PR was first evaluated at this head after the command", { headEvaluatedSince: "2026-12-04T09:45:00Z" }],
    ["the PR was never evaluated at this head", { headEvaluatedSince: null }],
    [
      "the head was force-pushed after the command (it may have come back to a head seen long ago)",
      { headForcePushedAt: "2026-12-04T09:40:00Z" },
    ],
    ["the head was force-pushed in the same second", { headForcePushedAt: "2026-12-04T09:30:00Z" }],
    ["a force-push whose time is unknown", { headForcePushedAt: "unknown time" }],
  ])("refuses a grant when %s", (_name, input) => {
    const result = nextOverrideState({ ticks: {} }, base({ command: grant(10), authorization: ok, ...input }));
    expect(result.state.override).toBeUndefined();
    // A force-push after the head's first evaluation: which head the person saw is unknown.
    expect(result.state.refused).toMatchObject({
      code: input.headForcePushedAt ? "head_uncertain" : "head_moved",
      commentId: 10,
    });
  });

  it("grants after a force-push that came before the head's first evaluation", () => {
    expect(
      nextOverrideState(
        { ticks: {} },
        base({ command: grant(10), authorization: ok, headForcePushedAt: "2026-12-04T08:50:00Z" }),
      ).state.override,
    ).toMatchObject({ by: "cto" });
  });

  it("counts every change in seq, above the run's, so an older state pasted back is not trusted", () => {
    expect(granted.seq).toBe(1);
    const afterRun = nextOverrideState(
      { ticks: {} },
      base({ command: grant(20), authorization: ok, runOverrideSeq: 7 }),
    ).state;
    expect(afterRun.seq).toBe(8);
    const ended = nextOverrideState(granted, base({ headSha: "d".repeat(40) })).state;
    expect(ended.seq).toBe(2);
    // The granted state (seq 1) against a run that recorded the end (seq 2): not trusted.
    expect(nextOverrideState(granted, base({ runOverrideSeq: 2 })).state.override).toBeUndefined();
  });

  it("withdraws, keeping the ended record; a refusal is shown only on its head", () => {
    const withdrawn = nextOverrideState(
      granted,
      base({
        command: { command: { kind: "withdraw" }, by: "cto", isBot: false, commentId: 12, at: "2026-12-04T09:50:00Z" },
        authorization: ok,
      }),
    );
    expect(withdrawn.state.override).toBeUndefined();
    expect(withdrawn.state.ended).toMatchObject({ how: "withdrawn", endedBy: "cto", endedByComment: 12 });
    const refused = nextOverrideState(
      { ticks: {} },
      base({ command: grant(13), authorization: { ok: false, refusal: { code: "not_allowed", message: "no" } } }),
    ).state;
    expect(refused.refused).toMatchObject({ code: "not_allowed", head: HEAD });
    expect(nextOverrideState(refused, base({ headSha: "c".repeat(40) })).state.refused).toBeUndefined();
  });
});

describe("applyOverride", () => {
  const decision: Decision = {
    tier: "high",
    conclusion: "failure",
    mode: "enforce",
    wouldFail: true,
    reasons: [],
    requirements: [
      { kind: "approvals", met: false, message: "0 of 1", howTo: "", sources: ["tier:high"], local: false },
      { kind: "tests", met: true, message: "ok", howTo: "", sources: ["tier:high"], local: true },
    ],
    checklist: [],
    agentAuthored: false,
    policyChanged: false,
    size: { lines: 1, files: 1, ignoredFiles: 0 },
  };
  const record = { by: "cto", at: "t", reason: "r", head: "h1", via: ["user"] };

  it("passes the decision on its own head only, naming what it bypasses", () => {
    const applied = applyOverride(decision, record, "h1");
    expect(applied.conclusion).toBe("success");
    expect(applied.override?.bypassed.map((r) => r.kind)).toEqual(["approvals"]);
    expect(applied.tier).toBe("high");
    expect(applyOverride(decision, record, "h2")).toBe(decision);
    expect(applyOverride(decision, undefined, "h1")).toBe(decision);
  });
});
