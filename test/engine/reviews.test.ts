/**
 * Valid approvals and change requests (policy-v1 "Requirements"): the latest state per reviewer,
 * COMMENTED not replacing, DISMISSED removing, and approvals by the author, bots, outsiders and on
 * an older commit not counting.
 */
import { describe, expect, it } from "@jest/globals";
import type { Review } from "../../src/engine/types.js";
import {
  approve,
  AUTHOR,
  comment,
  dismissed,
  file,
  OLD,
  policy,
  requestChanges,
  requirement,
  review,
  run,
} from "./fixtures.js";

/** Every change needs one approval, nothing else. */
const oneApproval = (stale: "discard" | "keep" = "discard") =>
  policy({ approvals: { stale }, tiers: { low: { approvals: 1 }, medium: { approvals: 1 }, high: { approvals: 1 } } });

const judge = (reviews: Review[], stale: "discard" | "keep" = "discard") => {
  const decision = run(oneApproval(stale), { files: [file("a.ts")], reviews });
  return {
    decision,
    approvedBy: requirement(decision, "approvals").approvedBy,
    blockedBy: requirement(decision, "changes_requested").reviewers,
  };
};

describe("valid approvals", () => {
  it.each<[string, Review[], string[]]>([
    ["a MEMBER's approval on the head commit counts", [approve("alice")], ["alice"]],
    ["an OWNER's approval counts", [approve("alice", { association: "OWNER" })], ["alice"]],
    ["a COLLABORATOR's approval counts", [approve("alice", { association: "COLLABORATOR" })], ["alice"]],
    ["the association compares case-insensitively", [approve("alice", { association: "member" })], ["alice"]],
    ["the PR author's own approval does not count", [approve(AUTHOR)], []],
    ["the author's approval does not count under another letter case", [approve(AUTHOR.toUpperCase())], []],
    ["a bot's approval does not count", [approve("helper", { bot: true })], []],
    ["a login ending in [bot] is a bot even when not flagged", [approve("review-app[bot]")], []],
    ["an outsider (CONTRIBUTOR) does not count", [approve("alice", { association: "CONTRIBUTOR" })], []],
    ["an outsider (NONE) does not count", [approve("alice", { association: "NONE" })], []],
    [
      "an outsider (FIRST_TIME_CONTRIBUTOR) does not count",
      [approve("alice", { association: "FIRST_TIME_CONTRIBUTOR" })],
      [],
    ],
    ["an outsider (FIRST_TIMER) does not count", [approve("alice", { association: "FIRST_TIMER" })], []],
    ["an unknown association does not count", [approve("alice", { association: "" })], []],
    ["an approval on an older commit does not count (stale: discard)", [approve("alice", { commit: OLD })], []],
    ["a fresh approval after a stale one counts", [approve("alice", { commit: OLD }), approve("alice")], ["alice"]],
    [
      "a stale approval after a fresh one is the latest and does not count",
      [approve("alice"), approve("alice", { commit: OLD })],
      [],
    ],
    ["COMMENTED after APPROVED does not replace the approval", [approve("alice"), comment("alice")], ["alice"]],
    ["COMMENTED alone is not an approval", [comment("alice")], []],
    ["PENDING is not an approval and replaces nothing", [approve("alice"), review("PENDING", "alice")], ["alice"]],
    ["DISMISSED removes the approval", [approve("alice"), dismissed("alice")], []],
    ["an approval after a dismissal counts", [approve("alice"), dismissed("alice"), approve("alice")], ["alice"]],
    ["CHANGES_REQUESTED after APPROVED replaces the approval", [approve("alice"), requestChanges("alice")], []],
    ["APPROVED after CHANGES_REQUESTED counts", [requestChanges("alice"), approve("alice")], ["alice"]],
    ["two approvals by one reviewer count once", [approve("alice"), approve("alice")], ["alice"]],
    ["one reviewer under two letter cases counts once", [approve("alice"), approve("Alice")], ["Alice"]],
    ["distinct reviewers each count", [approve("alice"), approve("bob", { association: "OWNER" })], ["alice", "bob"]],
    [
      "only the valid ones of a mix count",
      [
        approve(AUTHOR),
        approve("bot[bot]"),
        approve("eve", { association: "NONE" }),
        approve("carol", { commit: OLD }),
        approve("bob"),
      ],
      ["bob"],
    ],
  ])("%s", (_name, reviews, approvedBy) => {
    const { decision, approvedBy: actual } = judge(reviews);
    expect(actual).toEqual(approvedBy);
    expect(requirement(decision, "approvals").met).toBe(approvedBy.length >= 1);
  });

  it.each<[string, Review[], string[]]>([
    ["stale: keep counts an approval on an older commit", [approve("alice", { commit: OLD })], ["alice"]],
    ["stale: keep still ignores the author", [approve(AUTHOR, { commit: OLD })], []],
    ["stale: keep still ignores outsiders", [approve("alice", { commit: OLD, association: "CONTRIBUTOR" })], []],
    ["stale: keep still honours a dismissal", [approve("alice", { commit: OLD }), dismissed("alice")], []],
  ])("%s", (_name, reviews, approvedBy) => {
    expect(judge(reviews, "keep").approvedBy).toEqual(approvedBy);
  });

  it("approvals needs that many distinct valid approvals", () => {
    const p = policy({ tiers: { low: {}, medium: { approvals: 2 }, high: {} } });
    const approvals = (reviews: Review[]) => requirement(run(p, { files: [file("a.ts")], reviews }), "approvals");
    expect(approvals([approve("alice")])).toMatchObject({ met: false, required: 2 });
    expect(approvals([approve("alice"), approve("alice")]).met).toBe(false);
    expect(approvals([approve("alice"), approve(AUTHOR)]).met).toBe(false);
    expect(approvals([approve("alice"), approve("bob")]).met).toBe(true);
  });

  it("a requirement of zero approvals is no requirement", () => {
    const p = policy({ tiers: { low: {}, medium: { approvals: 0 }, high: {} } });
    const decision = run(p, { files: [file("a.ts")] });
    expect(decision.requirements.some((r) => r.kind === "approvals")).toBe(false);
    expect(decision.conclusion).toBe("success");
  });

  it("the message says which approvals were not counted and why", () => {
    const { decision } = judge([
      approve(AUTHOR),
      approve("x[bot]"),
      approve("eve", { association: "NONE" }),
      approve("carol", { commit: OLD }),
    ]);
    const message = requirement(decision, "approvals").message;
    expect(message).toContain(`${AUTHOR} is the PR author`);
    expect(message).toContain("x[bot] is a bot");
    expect(message).toContain("eve is not a collaborator");
    expect(message).toContain("carol approved an older commit");
  });
});

describe("change requests", () => {
  it.each<[string, Review[], string[]]>([
    ["a change request blocks", [requestChanges("alice")], ["alice"]],
    ["a change request after an approval blocks", [approve("alice"), requestChanges("alice")], ["alice"]],
    ["an approval after a change request unblocks", [requestChanges("alice"), approve("alice")], []],
    ["a comment after a change request does not unblock", [requestChanges("alice"), comment("alice")], ["alice"]],
    ["a dismissed change request no longer blocks", [requestChanges("alice"), dismissed("alice")], []],
    ["a change request on an older commit still blocks", [requestChanges("alice", { commit: OLD })], ["alice"]],
    [
      "a stale approval still clears the reviewer's change request",
      [requestChanges("alice"), approve("alice", { commit: OLD })],
      [],
    ],
    ["another reviewer's approval does not clear it", [requestChanges("alice"), approve("bob")], ["alice"]],
    ["a bot's change request does not block", [requestChanges("lint[bot]", { bot: true })], []],
    ["an outsider's change request does not block", [requestChanges("eve", { association: "CONTRIBUTOR" })], []],
    [
      "every blocking reviewer is named",
      [requestChanges("alice"), requestChanges("bob"), approve("carol")],
      ["alice", "bob"],
    ],
  ])("%s", (_name, reviews, blockedBy) => {
    const { decision, blockedBy: actual } = judge(reviews);
    expect(actual).toEqual(blockedBy);
    const changes = requirement(decision, "changes_requested");
    expect(changes.met).toBe(blockedBy.length === 0);
    expect(changes.sources).toEqual(["always"]);
  });

  it("a change request fails the check even when the approvals are there", () => {
    const { decision } = judge([approve("bob"), requestChanges("alice")]);
    expect(requirement(decision, "approvals").met).toBe(true);
    expect(decision.conclusion).toBe("failure");
  });

  it("a change request blocks a low PR that demands nothing", () => {
    const p = policy({ default_tier: "low", tiers: { low: {}, medium: {}, high: {} } });
    expect(run(p, { files: [file("a")], reviews: [requestChanges("alice")] }).conclusion).toBe("failure");
    expect(run(p, { files: [file("a")], reviews: [] }).conclusion).toBe("success");
  });
});

describe("approver groups", () => {
  const groups = policy({
    tiers: {
      low: {},
      medium: {
        approvers: [
          { teams: ["security"], count: 1 },
          { users: ["alice", "Bob"], teams: ["leads"], count: 2 },
        ],
      },
      high: {},
    },
  });
  const teamMembers = { security: ["sam", "Alice"], leads: ["lee"] };
  const judgeGroups = (reviews: Review[]) => {
    const decision = run(groups, { files: [file("a.ts")], reviews, teamMembers });
    const results = decision.requirements.filter((r) => r.kind === "approvers");
    return { decision, met: results.map((r) => r.met), approvedBy: results.map((r) => r.approvedBy) };
  };

  it.each<[string, Review[], boolean[], string[][]]>([
    ["no approvals meet no group", [], [false, false], [[], []]],
    ["a team member meets the team group", [approve("sam")], [true, false], [["sam"], []]],
    ["team membership compares logins case-insensitively", [approve("SAM")], [true, false], [["SAM"], []]],
    ["a non-member approval meets neither group", [approve("zed")], [false, false], [[], []]],
    ["a listed user counts, case-insensitively", [approve("bob")], [false, false], [[], ["bob"]]],
    [
      "users and team members add up to the group's count",
      [approve("bob"), approve("lee")],
      [false, true],
      [[], ["bob", "lee"]],
    ],
    [
      "one person may satisfy several groups",
      [approve("alice"), approve("lee")],
      [true, true],
      [["alice"], ["alice", "lee"]],
    ],
    ["an invalid approval by a member does not count", [approve("sam", { commit: OLD })], [false, false], [[], []]],
    ["a member's approval does not count when they are the author", [approve(AUTHOR)], [false, false], [[], []]],
  ])("%s", (_name, reviews, met, approvedBy) => {
    const result = judgeGroups(reviews);
    expect(result.met).toEqual(met);
    expect(result.approvedBy).toEqual(approvedBy);
    expect(result.decision.conclusion).toBe(met.every(Boolean) ? "success" : "failure");
  });

  it("the author is never counted even when named in the group", () => {
    const p = policy({ tiers: { low: {}, medium: { approvers: [{ users: [AUTHOR] }] }, high: {} } });
    expect(requirement(run(p, { files: [file("a")], reviews: [approve(AUTHOR)] }), "approvers").met).toBe(false);
  });

  it("a team with no known members cannot approve", () => {
    const p = policy({ tiers: { low: {}, medium: { approvers: [{ teams: ["ghosts"] }] }, high: {} } });
    const result = requirement(
      run(p, { files: [file("a")], reviews: [approve("alice")], teamMembers: {} }),
      "approvers",
    );
    expect(result).toMatchObject({ met: false, required: 1, approvedBy: [] });
  });
});
