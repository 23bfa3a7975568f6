/**
 * The `codeowners: true` requirement: owned changed files (a rename by both paths) need a valid
 * approval from one of their owners; files are grouped by owner set; teams count only for the
 * repository owner's organisation and through the membership facts; e-mail owners match nobody.
 */
import { describe, expect, it } from "@jest/globals";
import { codeOwnersWork, parseCodeOwners } from "../../src/policy/codeowners.js";
import { MAX_CODEOWNERS_WORK } from "../../src/engine/codeowners.js";
import { monorepoCodeOwners } from "../../bench/codeowners.js";
import { monorepoFiles } from "../../bench/engine.js";
import { approve, file, manyFiles, NO_REQUIREMENTS, OLD, policy, renamed, requirement, run } from "./fixtures.js";

const CODEOWNERS = parseCodeOwners(
  [
    "* @lead",
    "/src/payments/ @acme/payments",
    "/docs/",
    "*.go ops@example.com",
    "/vendor/ @other-org/vendors",
    "/src/auth/ @alice @acme/security",
  ].join("\n"),
);
// High-risk changes need their code owner; low-risk ones do not.
const TIERED = policy({
  rules: [
    { name: "payments", tier: "high", paths: ["src/payments/**", "src/auth/**"] },
    { name: "docs", tier: "low", paths: ["docs/**"] },
  ],
  tiers: { ...NO_REQUIREMENTS, high: { codeowners: true } },
});
const OWNERS = { codeOwners: CODEOWNERS, repositoryOwner: "acme" };

describe("codeowners: true", () => {
  it("groups owned files by owner set and says which owners are missing", () => {
    const files = [...manyFiles(12, "src/payments"), file("src/auth/login.ts"), file("docs/a.md")];
    const decision = run(TIERED, { ...OWNERS, files });
    const result = requirement(decision, "codeowners");
    expect(result.met).toBe(false);
    expect(result.sources).toEqual(["tier:high"]);
    expect(result.ownerGroups!.map((g) => [g.owners, g.files.length, g.met])).toEqual([
      [["@acme/payments"], 12, false],
      [["@alice", "@acme/security"], 1, false],
    ]);
    expect(result.message).toBe(
      "`/src/payments/` (12 files): 1 approval from @acme/payments; `/src/auth/` (1 file): 1 approval from @alice or @acme/security",
    );
    expect(decision.conclusion).toBe("failure");
  });

  it("is met by an owner's approval, directly or through a team of the repository owner", () => {
    const files = [file("src/payments/pay.ts"), file("src/auth/login.ts")];
    const decision = run(TIERED, {
      ...OWNERS,
      files,
      reviews: [approve("alice"), approve("pat")],
      teamMembers: { payments: ["pat"] },
    });
    const result = requirement(decision, "codeowners");
    expect(result.met).toBe(true);
    expect(result.ownerGroups!.map((g) => g.approvedBy)).toEqual([["pat"], ["alice"]]);
    expect(decision.conclusion).toBe("success");
  });

  it("low-risk changes do not need their code owner", () => {
    const decision = run(TIERED, { ...OWNERS, files: [file("docs/guide.md")] });
    expect(decision.tier).toBe("low");
    expect(decision.requirements.map((r) => r.kind)).not.toContain("codeowners");
  });

  it("a rename needs the owners of both paths", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(
      run(p, { ...OWNERS, files: [renamed("src/payments/a.ts", "src/auth/a.ts")], reviews: [approve("alice")] }),
      "codeowners",
    );
    expect(result.met).toBe(false);
    expect(result.ownerGroups!.map((g) => [g.files, g.met])).toEqual([
      [["src/payments/a.ts"], false],
      [["src/auth/a.ts"], true],
    ]);
  });

  it("un-assigned files need nothing; no CODEOWNERS means no owners", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    expect(requirement(run(p, { ...OWNERS, files: [file("docs/x.md")] }), "codeowners")).toMatchObject({
      met: true,
      message: "no changed file has code owners",
    });
    expect(requirement(run(p, { files: [file("src/x.ts")], codeOwners: null }), "codeowners")).toMatchObject({
      met: true,
    });
  });

  it("an e-mail owner matches nobody, and the message says so", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(
      run(p, { ...OWNERS, files: [file("cmd/main.go")], reviews: [approve("ops")] }),
      "codeowners",
    );
    expect(result.met).toBe(false);
    expect(result.message).toContain("ops@example.com: an e-mail owner matches nobody");
  });

  it("a team of another organisation never counts, even for its members", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(
      run(p, {
        ...OWNERS,
        files: [file("vendor/lib.c")],
        reviews: [approve("vic")],
        teamMembers: { vendors: ["vic"] },
      }),
      "codeowners",
    );
    expect(result.met).toBe(false);
  });

  it("only valid approvals count: not the author's, not a stale one", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(
      run(p, {
        ...OWNERS,
        author: { login: "lead", isBot: false },
        files: [file("README.md")],
        reviews: [approve("lead")],
      }),
      "codeowners",
    );
    expect(result.met).toBe(false);
    const stale = requirement(
      run(p, { ...OWNERS, files: [file("README.md")], reviews: [approve("lead", { commit: OLD })] }),
      "codeowners",
    );
    expect(stale.met).toBe(false);
  });

  it("fails closed past GitHub's listing cap: unlisted files may have owners", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true }, high: { codeowners: true } } });
    const result = requirement(
      run(p, { ...OWNERS, files: [file("README.md")], filesComplete: false, reviews: [approve("lead")] }),
      "codeowners",
    );
    expect(result.met).toBe(false);
    expect(result.message).toContain("the file list is incomplete");
  });

  it("3000 changed files against a 500-line CODEOWNERS: every file gets its owners from the last matching line", () => {
    const lines: string[] = ["* @acme/everyone"];
    for (let i = 0; i < 499; i++)
      lines.push(i % 5 === 0 ? `*.ext${i} @acme/ext-${i}` : `/services/svc-${i}/ @acme/team-${i}`);
    const big = parseCodeOwners(lines.join("\n"));
    const files = Array.from({ length: 3000 }, (_, i) => file(`services/svc-${i % 600}/src/file-${i}.ts`));
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(run(p, { codeOwners: big, repositoryOwner: "acme", files }), "codeowners");
    const groups = result.ownerGroups!;
    // svc-0 … svc-498 that are not multiples of 5 have a team; the others fall back to everyone.
    const owned = new Set(Array.from({ length: 499 }, (_, i) => i).filter((i) => i % 5 !== 0));
    expect(groups.reduce((n, g) => n + g.files.length, 0)).toBe(3000);
    expect(groups.find((g) => g.owners[0] === "@acme/everyone")!.files.length).toBe(
      files.filter((_, i) => !owned.has(i % 600)).length,
    );
    expect(groups).toHaveLength(owned.size + 1);
  });
});

describe("codeowners: true without CODEOWNERS facts", () => {
  it("fails closed when the adapter did not read CODEOWNERS (unknown is not 'none')", () => {
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(run(p, { files: [file("src/x.ts")] }), "codeowners");
    expect(result).toMatchObject({
      met: false,
      message: "CODEOWNERS was not read, so the owners of the changed files are unknown",
    });
  });
});

describe("a hostile CODEOWNERS (written by whoever can push the base branch) has a bounded cost", () => {
  it("past the work budget the owners of the remaining files are unknown: not met, and it says why", () => {
    // 10,000 wildcard lines that no folder or extension keys: 43 s for 300 paths before the budget.
    const hostile = parseCodeOwners(Array.from({ length: 10_000 }, (_, i) => `*q${i}*z @acme/t${i}`).join("\n"));
    const files = Array.from({ length: 3000 }, (_, i) =>
      file(`d${i}/${Array.from({ length: 20 }, () => "q".repeat(60)).join("/")}/f`),
    );
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(run(p, { codeOwners: hostile, repositoryOwner: "acme", files }), "codeowners");
    expect(result.met).toBe(false);
    expect(result.message).toMatch(
      /the owners of 3000 changed files were not worked out: matching the paths against CODEOWNERS ran past the work budget of one evaluation/,
    );
    expect(result.howTo).toContain("Simplify CODEOWNERS");
    // Counted, not timed: the work stops at the budget (within one line's match past it).
    expect(codeOwnersWork()).toBeGreaterThan(MAX_CODEOWNERS_WORK);
    expect(codeOwnersWork()).toBeLessThan(MAX_CODEOWNERS_WORK + 1000);
    // And the same CODEOWNERS still answers outside the budget (the limit is lifted).
    expect(hostile.ownersOf("a/q5zz").owners.map((o) => o.text)).toEqual(["@acme/t5"]);
  });

  it("a file longer than 10,000 lines is read only that far (6 s for 3 MB of short lines before): the owners are unknown, not met", () => {
    const long = parseCodeOwners(
      ["* @lead", ...Array.from({ length: 12_000 }, (_, i) => `/x${i}/ @acme/t${i}`)].join("\n"),
    );
    expect(long.unreadLines).toBe(2001);
    expect(long.lines).toHaveLength(10_000);
    expect(long.problems.at(-1)).toMatchObject({
      line: 10_001,
      message: expect.stringContaining("Guardrails reads the first 10000"),
    });
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true } } });
    const result = requirement(
      run(p, { codeOwners: long, repositoryOwner: "acme", files: [file("src/a.ts")], reviews: [approve("lead")] }),
      "codeowners",
    );
    expect(result.met).toBe(false);
    expect(result.message).toContain(
      "the CODEOWNERS file is longer than Guardrails reads (2001 lines past the first 10,000)",
    );
    // A file within the limit is read whole.
    expect(parseCodeOwners(Array.from({ length: 10_000 }, (_, i) => `/x${i}/ @u`).join("\n")).unreadLines).toBe(0);
  });

  it("the 3000-file x 500-line benchmark uses a small part of the budget", () => {
    const files = monorepoFiles(3000, 200);
    const p = policy({ tiers: { ...NO_REQUIREMENTS, medium: { codeowners: true }, high: { codeowners: true } } });
    const result = requirement(
      run(p, { codeOwners: monorepoCodeOwners(500), repositoryOwner: "acme", files }),
      "codeowners",
    );
    expect(result.message).not.toContain("work budget");
    expect(result.ownerGroups!.reduce((n, g) => n + g.files.length, 0)).toBeGreaterThan(3000);
    expect(codeOwnersWork()).toBeLessThan(MAX_CODEOWNERS_WORK / 10);
  });
});
