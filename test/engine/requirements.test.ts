/**
 * The requirements of a PR (policy-v1 "Requirements"): the union of the tier's, the matching
 * rules', the agents' and the policy change's, each judged against the facts; the conclusion is
 * success only when every one of them is met.
 */
import { describe, expect, it } from "@jest/globals";
import type { ChangedFile, Label, PullRequestFacts } from "../../src/engine/types.js";
import { DEFAULT_TICKET_PATTERN } from "../../src/policy/schema.js";
import {
  added,
  approve,
  file,
  kinds,
  label,
  OLD,
  policy,
  removed,
  renamed,
  requestChanges,
  requirement,
  run,
  ticks,
} from "./fixtures.js";

describe("union of requirements", () => {
  const unionPolicy = policy({
    default_tier: "medium",
    rules: [
      {
        name: "auth",
        tier: "high",
        paths: ["src/auth/**"],
        require: {
          approvals: 3,
          approvers: [{ teams: ["security"] }, { users: ["alice"] }],
          ticket: true,
          checklist: ["Threat model reviewed", "Rollback plan"],
        },
      },
      {
        name: "billing",
        tier: "medium",
        paths: ["src/billing/**"],
        require: { approvals: 2, approvers: [{ teams: ["security"] }], tests: true },
      },
      { name: "docs", tier: "low", paths: ["docs/**"], require: { checklist: ["Docs reviewed"] } },
    ],
    agents: { authors: ["*[bot]"], require: { approvals: 2, checklist: ["Agent output read line by line"] } },
    policy_change: { require: { approvers: [{ teams: ["platform"] }], checklist: ["Rollback plan"] } },
    tiers: {
      low: {},
      medium: { approvals: 1 },
      high: {
        approvals: 2,
        approvers: [{ teams: ["security"], count: 1 }],
        checklist: ["Rollback plan", "Dashboards"],
      },
    },
  });

  it("the tier's own requirements apply, named tier:<tier>", () => {
    const decision = run(unionPolicy, { files: [file("lib/a.ts")] });
    expect(decision.tier).toBe("medium");
    expect(kinds(decision)).toEqual(["approvals", "changes_requested"]);
    expect(requirement(decision, "approvals")).toMatchObject({ required: 1, sources: ["tier:medium"] });
  });

  it("a matching rule adds its requirements; approvals take the maximum", () => {
    const decision = run(unionPolicy, { files: [file("src/auth/login.ts")] });
    expect(decision.tier).toBe("high");
    expect(requirement(decision, "approvals")).toMatchObject({ required: 3, sources: ["rule:auth"] });
  });

  it("equal approval counts name every source", () => {
    const decision = run(unionPolicy, {
      files: [file("src/billing/pay.ts"), file("docs/x.md")],
      author: { login: "x[bot]", isBot: true },
    });
    expect(decision.tier).toBe("medium");
    expect(requirement(decision, "approvals")).toMatchObject({ required: 2, sources: ["rule:billing", "agents"] });
  });

  it("a lower tier's count does not lower a rule's", () => {
    const decision = run(unionPolicy, { files: [file("src/billing/pay.ts")] });
    expect(requirement(decision, "approvals")).toMatchObject({ required: 2, sources: ["rule:billing"] });
  });

  it("approver groups concatenate, and the same group from two sources is one group", () => {
    const decision = run(unionPolicy, { files: [file("src/auth/a.ts"), file("src/billing/b.ts")] });
    const groups = decision.requirements.filter((r) => r.kind === "approvers");
    expect(groups.map((g) => ({ group: g.group, sources: g.sources }))).toEqual([
      { group: { teams: ["security"], count: 1 }, sources: ["tier:high", "rule:auth", "rule:billing"] },
      { group: { users: ["alice"], count: 1 }, sources: ["rule:auth"] },
    ]);
  });

  it("groups that differ in count stay separate", () => {
    const p = policy({
      rules: [{ name: "a", tier: "medium", paths: ["**"], require: { approvers: [{ teams: ["t"], count: 2 }] } }],
      tiers: { low: {}, medium: { approvers: [{ teams: ["t"], count: 1 }] }, high: {} },
    });
    const groups = run(p, { files: [file("x")] }).requirements.filter((r) => r.kind === "approvers");
    expect(groups.map((g) => g.required)).toEqual([1, 2]);
  });

  it("checklists concatenate in order without duplicates", () => {
    const decision = run(unionPolicy, {
      files: [file("src/auth/a.ts"), file("docs/a.md"), file(".github/guardrails.yml")],
      author: { login: "x[bot]", isBot: true },
    });
    const expected = [
      "Rollback plan",
      "Dashboards",
      "Threat model reviewed",
      "Docs reviewed",
      "Agent output read line by line",
    ];
    expect(decision.checklist).toEqual(expected);
    const checklist = requirement(decision, "checklist");
    expect(checklist.items?.map((i) => i.item)).toEqual(expected);
    expect([...checklist.sources].sort()).toEqual(["agents", "policy_change", "rule:auth", "rule:docs", "tier:high"]);
  });

  it("tests and ticket are required when any source requires them", () => {
    const decision = run(unionPolicy, {
      files: [file("src/auth/a.ts"), file("src/billing/b.ts")],
      title: "ABC-1 change",
    });
    expect(requirement(decision, "tests").sources).toEqual(["rule:billing"]);
    expect(requirement(decision, "ticket").sources).toEqual(["rule:auth"]);
  });

  it("an incomplete file list adds every rule's and the policy change's requirements: the unlisted files could be anything", () => {
    const decision = run(unionPolicy, { files: [file("docs/a.md")], filesComplete: false });
    expect(decision.tier).toBe("high");
    expect(requirement(decision, "approvals")).toMatchObject({ required: 3, sources: ["rule:auth"] });
    const groups = decision.requirements.filter((r) => r.kind === "approvers");
    expect(groups.map((g) => ({ group: g.group, sources: g.sources }))).toEqual([
      { group: { teams: ["security"], count: 1 }, sources: ["tier:high", "rule:auth", "rule:billing"] },
      { group: { users: ["alice"], count: 1 }, sources: ["rule:auth"] },
      { group: { teams: ["platform"], count: 1 }, sources: ["policy_change"] },
    ]);
    expect(requirement(decision, "tests").sources).toEqual(["rule:billing"]);
    expect(requirement(decision, "ticket").sources).toEqual(["rule:auth"]);
    expect(decision.checklist).toEqual(["Rollback plan", "Dashboards", "Threat model reviewed", "Docs reviewed"]);
    // What the listed files show stays as it was: no rule matched beyond docs, no policy change seen.
    expect(decision.policyChanged).toBe(false);
  });

  it.each<[string, ChangedFile[], Label[], boolean, RegExp]>([
    [
      "only docs listed: source files may be among the unlisted, so tests are owed",
      [file("docs/a.md")],
      [],
      false,
      /the file list is incomplete, so source files may have changed unseen, without a test file/,
    ],
    [
      "a listed test file meets it",
      [file("docs/a.md"), file("test/a.test.ts")],
      [],
      true,
      /the file list is incomplete with 1 test file/,
    ],
    [
      "the exempt label applied by a writer waives it",
      [file("docs/a.md")],
      [label("no-tests-needed", "write")],
      true,
      /tests waived by label/,
    ],
  ])("an incomplete file list and the tests requirement: %s", (_name, files, labels, met, message) => {
    const decision = run(unionPolicy, { files, labels, filesComplete: false });
    expect(requirement(decision, "tests")).toMatchObject({ met, message: expect.stringMatching(message) });
    if (!met) expect(decision.conclusion).toBe("failure");
  });

  it("a rule that does not match adds nothing", () => {
    const decision = run(unionPolicy, { files: [file("docs/a.md")] });
    expect(decision.tier).toBe("low");
    expect(kinds(decision)).toEqual(["checklist", "changes_requested"]);
    expect(decision.checklist).toEqual(["Docs reviewed"]);
  });

  it("a rule below the PR's tier still adds its requirements", () => {
    const decision = run(unionPolicy, { files: [file("src/auth/a.ts"), file("docs/a.md")] });
    expect(decision.checklist).toContain("Docs reviewed");
  });

  it("agents.require applies only to an agent-authored PR", () => {
    const human = run(unionPolicy, { files: [file("docs/a.md")] });
    const agent = run(unionPolicy, { files: [file("docs/a.md")], author: { login: "renovate[bot]", isBot: true } });
    expect(human.checklist).not.toContain("Agent output read line by line");
    expect(agent.checklist).toContain("Agent output read line by line");
    expect(requirement(agent, "approvals")).toMatchObject({ required: 2, sources: ["agents"] });
  });

  it("policy_change.require applies only when the policy file changes", () => {
    const groupsOf = (files: ChangedFile[]) =>
      run(unionPolicy, { files })
        .requirements.filter((r) => r.kind === "approvers")
        .map((r) => r.sources);
    expect(groupsOf([file("lib/a.ts")])).toEqual([]);
    expect(groupsOf([renamed("x.yml", ".github/guardrails.yml")])).toEqual([["tier:high"], ["policy_change"]]);
  });

  it("a tier's requirements are those of the final tier only", () => {
    const decision = run(unionPolicy, { files: [file("src/auth/a.ts")] });
    expect(decision.requirements.flatMap((r) => r.sources).filter((s) => s.startsWith("tier:"))).not.toContain(
      "tier:medium",
    );
  });
});

describe("tests requirement", () => {
  const testsPolicy = policy({
    tests: { source: ["src/**"], tests: ["test/**", "**/*.test.*"], exempt_label: "no-tests-needed" },
    tiers: { low: {}, medium: { tests: true }, high: {} },
  });
  const judgeTests = (files: ChangedFile[], labels: Label[] = []) =>
    requirement(run(testsPolicy, { files, labels }), "tests");

  it.each<[string, ChangedFile[], Label[], boolean]>([
    ["a source change without tests fails", [file("src/a.ts")], [], false],
    ["a source change with a test under test/ passes", [file("src/a.ts"), file("test/a.ts")], [], true],
    ["a source change with a *.test.* file passes", [file("src/a.ts"), added("src/a.test.ts")], [], true],
    ["a deleted test file does not count", [file("src/a.ts"), removed("test/a.ts")], [], false],
    [
      "a renamed test file counts as a test change",
      [file("src/a.ts"), renamed("test/old.ts", "test/new.ts")],
      [],
      true,
    ],
    ["no source change needs no tests", [file("docs/a.md"), file("package.json")], [], true],
    ["a deleted source file is a source change", [removed("src/gone.ts")], [], false],
    ["a rename out of the source folder is a source change", [renamed("src/a.ts", "lib/a.ts")], [], false],
    [
      "the exempt label applied by an admin waives tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "admin")],
      true,
    ],
    [
      "the exempt label applied by a maintainer waives tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "maintain")],
      true,
    ],
    [
      "the exempt label applied by a writer waives tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "write")],
      true,
    ],
    [
      "the exempt label applied by a reader does not waive tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "read")],
      false,
    ],
    [
      "the exempt label applied by a triager does not waive tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "triage")],
      false,
    ],
    [
      "the exempt label applied by someone without access does not waive tests",
      [file("src/a.ts")],
      [label("no-tests-needed", "none")],
      false,
    ],
    [
      "the exempt label without a known applier does not waive tests",
      [file("src/a.ts")],
      [label("no-tests-needed")],
      false,
    ],
    ["another label does not waive tests", [file("src/a.ts")], [label("skip-tests", "admin")], false],
    [
      "label names compare case-insensitively, as on GitHub",
      [file("src/a.ts")],
      [label("No-Tests-Needed", "write")],
      true,
    ],
  ])("%s", (_name, files, labels, met) => {
    const result = judgeTests(files, labels);
    expect(result.met).toBe(met);
    expect(result.local).toBe(true);
    expect(result.howTo === "").toBe(met);
  });

  it("the message explains why a reader's exempt label is not honoured", () => {
    const result = judgeTests([file("src/a.ts")], [label("no-tests-needed", { login: "reader", permission: "read" })]);
    expect(result.message).toContain("reader (read access)");
    expect(result.howTo).toContain("no-tests-needed");
  });

  it("a custom exempt label name is honoured", () => {
    const p = policy({
      tests: { exempt_label: "tests-waived" },
      tiers: { low: {}, medium: { tests: true }, high: {} },
    });
    const judge = (labels: Label[]) => requirement(run(p, { files: [file("src/a.ts")], labels }), "tests").met;
    expect(judge([label("tests-waived", "write")])).toBe(true);
    expect(judge([label("no-tests-needed", "write")])).toBe(false);
  });

  it.each<[string, ChangedFile[], boolean]>([
    ["src without tests", [file("src/a.ts")], false],
    ["lib without tests", [file("lib/a.go")], false],
    ["src with a *.spec.* file", [file("src/a.ts"), file("src/a.spec.ts")], true],
    ["pkg with a Go _test file", [file("pkg/x.go"), file("pkg/x_test.go")], true],
    ["app with a __tests__ folder", [file("app/x.js"), file("app/__tests__/x.js")], true],
    ["a python test_ file", [file("lib/mod.py"), file("lib/test_mod.py")], true],
    ["files outside the default source folders", [file("scripts/x.sh")], true],
  ])("without a tests section the built-in globs apply: %s", (_name, files, met) => {
    const p = policy({ tiers: { low: {}, medium: { tests: true }, high: {} } });
    expect(requirement(run(p, { files }), "tests").met).toBe(met);
  });

  it("tests are not judged when no requirement asks for them", () => {
    const p = policy({ tiers: { low: {}, medium: { approvals: 0 }, high: {} } });
    const decision = run(p, { files: [file("src/a.ts")] });
    expect(decision.requirements.some((r) => r.kind === "tests")).toBe(false);
    expect(decision.conclusion).toBe("success");
  });
});

describe("ticket requirement", () => {
  const ticketPolicy = (pattern?: string) =>
    policy({ ...(pattern ? { ticket: { pattern } } : {}), tiers: { low: {}, medium: { ticket: true }, high: {} } });

  it.each<[string, Partial<PullRequestFacts>, boolean, string]>([
    ["a ticket in the title", { title: "ABC-123: fix login" }, true, "title"],
    ["a ticket in the body", { title: "Fix login", body: "Fixes PAY-9 for good" }, true, "body"],
    ["a ticket in the head branch name", { title: "Fix", headBranch: "feature/OPS-42-retry" }, true, "branch name"],
    ["no ticket anywhere", { title: "Fix login", body: "no reference", headBranch: "fix-login" }, false, ""],
    ["a lower-case key is not a ticket for the default pattern", { title: "abc-123 fix" }, false, ""],
    ["a one-letter key is not a ticket for the default pattern", { title: "A-123 fix" }, false, ""],
  ])("%s", (_name, overrides, met, place) => {
    const result = requirement(run(ticketPolicy(), { files: [file("a")], ...overrides }), "ticket");
    expect(result.met).toBe(met);
    expect(result.local).toBe(true);
    if (met) expect(result.message).toContain(`in the ${place}`);
    else expect(result.howTo).toContain(DEFAULT_TICKET_PATTERN);
  });

  it.each<[string, string, boolean]>([
    ["#\\d+", "Fixes #42", true],
    ["#\\d+", "Fixes 42", false],
    ["(?i)jira-\\d+", "see JIRA-7", true],
    ["^RELEASE-\\d+$", "RELEASE-1 is the title", false],
  ])("a custom pattern %s on %j: %p", (pattern, title, met) => {
    expect(requirement(run(ticketPolicy(pattern), { files: [file("a")], title }), "ticket").met).toBe(met);
  });
});

describe("checklist requirement", () => {
  const checklistPolicy = policy({
    tiers: { low: {}, medium: { checklist: ["Rollback plan", "Dashboards"] }, high: {} },
  });
  const judge = (ticked: string[]) =>
    requirement(run(checklistPolicy, { files: [file("a")], checklist: ticks(...ticked) }), "checklist");

  it.each<[string, string[], boolean, boolean[]]>([
    ["nothing ticked", [], false, [false, false]],
    ["one of two ticked", ["Dashboards"], false, [false, true]],
    ["every item ticked", ["Rollback plan", "Dashboards"], true, [true, true]],
    ["ticks with surrounding spaces still count", ["  Rollback plan ", "Dashboards"], true, [true, true]],
    ["a tick of an item that is not required does not help", ["Rollback plan", "Something else"], false, [true, false]],
    ["a tick must match the item exactly", ["rollback plan", "Dashboards"], false, [false, true]],
  ])("%s", (_name, ticked, met, perItem) => {
    const result = judge(ticked);
    expect(result.met).toBe(met);
    expect(result.items?.map((i) => i.ticked)).toEqual(perItem);
  });

  it("names who ticked an item", () => {
    const decision = run(checklistPolicy, {
      files: [file("a")],
      checklist: [{ item: "Dashboards", tickedBy: "alice" }],
    });
    expect(requirement(decision, "checklist").items).toEqual([
      { item: "Rollback plan", ticked: false, tickedBy: undefined },
      { item: "Dashboards", ticked: true, tickedBy: "alice" },
    ]);
  });
});

describe("conclusion", () => {
  const strict = policy({
    tests: { source: ["src/**"], tests: ["test/**"] },
    tiers: {
      low: {},
      medium: {
        approvals: 1,
        tests: true,
        ticket: true,
        checklist: ["Rollback plan"],
        approvers: [{ users: ["alice"] }],
      },
      high: {},
    },
  });
  const complete: Partial<PullRequestFacts> = {
    files: [file("src/a.ts"), file("test/a.ts")],
    reviews: [approve("alice")],
    title: "ABC-1 change",
    checklist: ticks("Rollback plan"),
  };

  it("is success when every requirement is met", () => {
    const decision = run(strict, complete);
    expect(decision.requirements.every((r) => r.met)).toBe(true);
    expect(kinds(decision)).toEqual(["approvals", "approvers", "tests", "ticket", "checklist", "changes_requested"]);
    expect(decision.conclusion).toBe("success");
  });

  it.each<[string, Partial<PullRequestFacts>, string[]]>([
    ["no approval", { reviews: [] }, ["approvals", "approvers"]],
    ["the approver is not in the group", { reviews: [approve("bob")] }, ["approvers"]],
    ["no tests", { files: [file("src/a.ts")] }, ["tests"]],
    ["no ticket", { title: "change" }, ["ticket"]],
    ["an unticked item", { checklist: [] }, ["checklist"]],
    [
      "an open change request",
      { reviews: [approve("alice"), requestChanges("carol", { commit: OLD })] },
      ["changes_requested"],
    ],
  ])("is failure when a requirement is unmet: %s", (_name, overrides, unmet) => {
    const decision = run(strict, { ...complete, ...overrides });
    expect(decision.requirements.filter((r) => !r.met).map((r) => r.kind)).toEqual(unmet);
    expect(decision.conclusion).toBe("failure");
  });

  it("an unmet requirement has a how-to, a met one none", () => {
    const decision = run(strict, { ...complete, reviews: [] });
    for (const r of decision.requirements) {
      expect(r.message.length).toBeGreaterThan(0);
      expect(r.message).not.toContain("\n");
      expect(r.howTo === "").toBe(r.met);
    }
  });

  it("a PR with no files and no demands succeeds", () => {
    const decision = run(strict, { files: [] });
    expect(decision.tier).toBe("low");
    expect(kinds(decision)).toEqual(["changes_requested"]);
    expect(decision.conclusion).toBe("success");
  });
});
