/**
 * Generated facts for the engine: it never throws, its decision is consistent with itself, adding
 * a changed file never lowers the tier, and adding a valid approval never turns a pass into a
 * failure.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { evaluate } from "../../src/engine/evaluate.js";
import type { ChangedFile, PullRequestFacts, Review } from "../../src/engine/types.js";
import { BUILT_IN_POLICY_YAML } from "../../src/policy/default.js";
import { loadPolicy } from "../../src/policy/loader.js";
import { TIERS, type Policy } from "../../src/policy/schema.js";
import { facts } from "./fixtures.js";

const examplesDir = new URL("../../examples/", import.meta.url);
const policies: Policy[] = [
  BUILT_IN_POLICY_YAML,
  "version: 1\n",
  ...readdirSync(examplesDir)
    .filter((name) => name.endsWith(".yml"))
    .map((name) => readFileSync(new URL(name, examplesDir), "utf8")),
].map((text) => {
  // examples/organization.yml says `enforce`, which only the organisation policy may.
  const loaded = loadPolicy(text, { organization: true });
  if (!loaded.ok) throw new Error(`fixture policy invalid: ${JSON.stringify(loaded.problems[0])}`);
  return loaded.policy;
});

const HEAD = "h".repeat(40);
const OLD = "o".repeat(40);
const segment = fc.constantFrom(
  "src",
  "auth",
  "payments",
  "docs",
  "infra",
  "test",
  "__tests__",
  ".github",
  "workflows",
  "services",
  "api",
  "packages",
  "web",
  "terraform",
  "charts",
  "lib",
  "a",
  "b",
);
const basename = fc.constantFrom(
  "index.ts",
  "x.test.ts",
  "README.md",
  "main.tf",
  "ci.yml",
  "guardrails.yml",
  "package-lock.json",
  "a.snap",
  "Dockerfile",
  "CODEOWNERS",
  "values.yaml",
  "handler.go",
  "x_test.go",
  ".env",
);
const path = fc.tuple(fc.array(segment, { maxLength: 4 }), basename).map(([dirs, base]) => [...dirs, base].join("/"));

const changedFile: fc.Arbitrary<ChangedFile> = fc
  .record({
    path,
    previousPath: fc.option(path, { nil: undefined }),
    status: fc.constantFrom("added", "removed", "modified", "renamed", "copied", "changed"),
    additions: fc.nat({ max: 3000 }),
    deletions: fc.nat({ max: 3000 }),
  })
  .map(({ previousPath, ...file }) => (previousPath === undefined ? file : { ...file, previousPath }) as ChangedFile);

const login = fc.constantFrom("alice", "bob", "carol", "dave", "dependabot[bot]", "copilot-swe-agent", "Alice");
const review: fc.Arbitrary<Review> = fc.record({
  author: login,
  authorIsBot: fc.boolean(),
  state: fc.constantFrom("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING"),
  commitId: fc.constantFrom(HEAD, OLD, ""),
  authorAssociation: fc.constantFrom(
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "NONE",
    "FIRST_TIME_CONTRIBUTOR",
  ),
});

const generatedFacts: fc.Arbitrary<PullRequestFacts> = fc
  .record({
    headSha: fc.constant(HEAD),
    author: fc.record({ login, isBot: fc.boolean() }),
    title: fc.oneof(fc.string({ maxLength: 80 }), fc.constant("Fix PLAT-123")),
    body: fc.string({ maxLength: 200 }),
    headBranch: fc.constantFrom("main", "feature/OPS-9-x", "fix"),
    files: fc.array(changedFile, { maxLength: 25 }),
    filesComplete: fc.boolean(),
    labels: fc.array(
      fc.record({
        name: fc.constantFrom("no-tests-needed", "risk:low", "other"),
        appliedBy: fc.option(
          fc.record({ login, permission: fc.constantFrom("admin", "maintain", "write", "triage", "read", "none") }),
          { nil: undefined },
        ),
      }),
      { maxLength: 2 },
    ),
    reviews: fc.array(review, { maxLength: 8 }),
    teamMembers: fc.dictionary(
      fc.constantFrom("security", "platform", "payments", "security-reviewers"),
      fc.array(login, { maxLength: 3 }),
    ),
    coAuthors: fc.array(
      fc.constantFrom("Copilot <copilot@github.com>", "Jane <jane@example.com>", "Claude <noreply@anthropic.com>"),
      { maxLength: 2 },
    ),
    checklist: fc.array(
      fc.record({ item: fc.constantFrom("Rollback plan is described in the PR", "other item"), tickedBy: login }),
      { maxLength: 2 },
    ),
  })
  .map((f) => {
    // Labels with an undefined applier must not carry the key at all.
    const labels = f.labels.map((l) => (l.appliedBy === undefined ? { name: l.name } : l));
    return { ...f, labels };
  });

const policy = fc.constantFrom(...policies);
const rank = (tier: string) => TIERS.indexOf(tier as (typeof TIERS)[number]);

describe("evaluate on generated facts", () => {
  it("never throws and returns a decision consistent with itself", () => {
    fc.assert(
      fc.property(policy, generatedFacts, (p, f) => {
        const decision = evaluate(p, f);
        expect(TIERS).toContain(decision.tier);
        // Only an enforced requirement (not one of a policy in mode: evaluate) can fail the check.
        const blocking = decision.requirements.some((r) => !r.met && r.mode !== "evaluate");
        expect(decision.conclusion).toBe(blocking ? "failure" : "success");
        expect(decision.wouldFail).toBe(decision.requirements.some((r) => !r.met));
        expect(decision.mode).toBe(p.mode);
        for (const reason of decision.reasons) expect(rank(reason.tier)).toBeLessThanOrEqual(rank(decision.tier));
        if (decision.reasons.length > 0) expect(decision.reasons.some((r) => r.tier === decision.tier)).toBe(true);
        for (const requirement of decision.requirements) {
          expect(requirement.message.length).toBeGreaterThan(0);
          if (!requirement.met) expect(requirement.howTo.length).toBeGreaterThan(0);
        }
        expect(decision.requirements.some((r) => r.kind === "changes_requested")).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("never lowers the tier when a changed file is added", () => {
    fc.assert(
      fc.property(policy, generatedFacts, changedFile, (p, f, extra) => {
        const before = evaluate(p, f);
        const after = evaluate(p, { ...f, files: [...f.files, extra] });
        expect(rank(after.tier)).toBeGreaterThanOrEqual(rank(before.tier));
      }),
      { numRuns: 1000 },
    );
  });

  it("never turns a pass into a failure when a valid approval is added", () => {
    fc.assert(
      fc.property(policy, generatedFacts, (p, f) => {
        const before = evaluate(p, f);
        // A fresh reviewer: not the author, not a bot, a member, on the current head.
        const approval: Review = {
          author: "zed-reviewer",
          authorIsBot: false,
          state: "APPROVED",
          commitId: HEAD,
          authorAssociation: "MEMBER",
        };
        const after = evaluate(p, { ...f, reviews: [...f.reviews, approval] });
        if (before.conclusion === "success") expect(after.conclusion).toBe("success");
        // The same requirements, in the same order; none met before is unmet after.
        expect(after.requirements.map((r) => r.kind)).toEqual(before.requirements.map((r) => r.kind));
        before.requirements.forEach((requirement, i) => {
          if (requirement.met) expect(after.requirements[i]!.met).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it("runs a catastrophic-looking ticket pattern over the largest text in linear time", () => {
    const loaded = loadPolicy('version: 1\nticket:\n  pattern: "(a+)+b"\ntiers:\n  low: { ticket: true }\n');
    if (!loaded.ok) throw new Error("policy");
    const f = facts({ title: `${"a".repeat(5000)}!`, body: `${"a".repeat(200_000)}!` });
    // A backtracking engine would not return from this in the lifetime of the test run.
    const decision = evaluate(loaded.policy, f);
    expect(decision.requirements.find((r) => r.kind === "ticket")?.met).toBe(false);
  });
});
