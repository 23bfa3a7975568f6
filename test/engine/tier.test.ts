/**
 * The tier of a pull request (policy-v1 "Tier"): the highest of default_tier for unmatched files,
 * the tiers of matching rules, the size tier, agents.min_tier, and high for a policy change or an
 * incomplete file list. Requirements are switched off here so only the tier is under test.
 */
import { describe, expect, it } from "@jest/globals";
import type { ChangedFile, PullRequestFacts } from "../../src/engine/types.js";
import type { Tier } from "../../src/policy/schema.js";
import { added, file, manyFiles, NO_REQUIREMENTS, policy, reasonSummary, removed, renamed, run } from "./fixtures.js";

const rulesPolicy = policy({
  default_tier: "medium",
  rules: [
    { name: "docs", tier: "low", paths: ["docs/**", "**/*.md"] },
    { name: "auth", tier: "high", paths: ["src/auth/**", "src/session/**"], exclude: ["**/*.md"] },
    { name: "web", tier: "medium", paths: ["web/**"] },
  ],
  tiers: NO_REQUIREMENTS,
});

describe("rules and default_tier", () => {
  it("a rule's description travels with its reason, and into its message", () => {
    const p = policy({
      rules: [{ name: "auth", description: "Sign-in and sessions", tier: "high", paths: ["src/auth/**"] }],
      tiers: NO_REQUIREMENTS,
    });
    const reason = run(p, { files: [file("src/auth/a.ts")] }).reasons.find((r) => r.kind === "rule");
    expect(reason).toMatchObject({
      rule: "auth",
      description: "Sign-in and sessions",
      message: 'rule "auth" (Sign-in and sessions) matches 1 file',
    });
  });

  it.each<[string, ChangedFile[], Tier, string[]]>([
    ["no changed files is low", [], "low", []],
    [
      "a docs-only change takes the docs rule's low tier",
      [file("docs/guide.md"), file("README.md")],
      "low",
      ["rule:low"],
    ],
    ["a file no rule matches takes default_tier", [file("src/app.ts")], "medium", ["default:medium"]],
    [
      "docs plus an unmatched file is the higher of low and default",
      [file("docs/a.md"), file("lib/x.ts")],
      "medium",
      ["default:medium", "rule:low"],
    ],
    [
      "a high rule wins over low and default",
      [file("docs/a.md"), file("lib/x.ts"), file("src/auth/login.ts")],
      "high",
      ["default:medium", "rule:high", "rule:low"],
    ],
    [
      "a rule tier below default_tier still applies to its own files",
      [file("web/page.tsx")],
      "medium",
      ["rule:medium"],
    ],
    ["exclude takes the file out of that rule only", [file("src/auth/README.md")], "low", ["rule:low"]],
    [
      "exclude leaves other files of the rule matched",
      [file("src/auth/README.md"), file("src/session/store.ts")],
      "high",
      ["rule:high", "rule:low"],
    ],
    ["a rule matches deleted files too", [removed("src/session/old.ts")], "high", ["rule:high"]],
    ["a rule matches added files", [added("src/auth/new.ts")], "high", ["rule:high"]],
    [
      "rename out of a protected folder still matches the rule by its old path (and its unmatched new path takes default_tier)",
      [renamed("src/auth/x.ts", "src/public/x.ts")],
      "high",
      ["default:medium", "rule:high"],
    ],
    [
      "rename into a protected folder matches by its new path (and its unmatched old path takes default_tier)",
      [renamed("src/public/x.ts", "src/auth/x.ts")],
      "high",
      ["default:medium", "rule:high"],
    ],
    [
      "rename out of docs into an unmatched place is not low: the new path takes default_tier",
      [renamed("docs/a.md", "src/new.ts")],
      "medium",
      ["default:medium", "rule:low"],
    ],
    ["rename within docs stays low", [renamed("docs/a.md", "docs/b.md")], "low", ["rule:low"]],
    [
      "a copy is matched by its source path as well",
      [{ path: "src/public/y.ts", previousPath: "src/auth/y.ts", status: "copied", additions: 3, deletions: 0 }],
      "high",
      ["default:medium", "rule:high"],
    ],
  ])("%s", (_name, files, tier, reasons) => {
    const decision = run(rulesPolicy, { files });
    expect(decision.tier).toBe(tier);
    expect(reasonSummary(decision)).toEqual(reasons);
  });

  it.each<[Tier, Tier]>([
    ["low", "low"],
    ["medium", "medium"],
    ["high", "high"],
  ])("default_tier %s applies to an unmatched file", (defaultTier, expected) => {
    const p = policy({
      default_tier: defaultTier,
      rules: [{ name: "docs", tier: "low", paths: ["docs/**"] }],
      tiers: NO_REQUIREMENTS,
    });
    expect(run(p, { files: [file("src/a.ts")] }).tier).toBe(expected);
    expect(run(p, { files: [file("docs/a.md")] }).tier).toBe("low");
  });

  it("default_tier is medium when the policy leaves it out", () => {
    expect(run(policy({ tiers: NO_REQUIREMENTS }), { files: [file("anything.txt")] }).tier).toBe("medium");
  });

  it("the rule reason names the rule and every file it matched, a rename under its new path with its old one", () => {
    const decision = run(rulesPolicy, {
      files: [renamed("src/auth/x.ts", "src/public/x.ts"), file("src/session/s.ts"), file("lib/z.ts")],
    });
    const rule = decision.reasons.find((r) => r.kind === "rule");
    expect(rule).toMatchObject({
      rule: "auth",
      tier: "high",
      files: ["src/public/x.ts", "src/session/s.ts"],
      renamedFrom: { "src/public/x.ts": "src/auth/x.ts" },
    });
    expect(decision.reasons.find((r) => r.kind === "default")).toMatchObject({
      tier: "medium",
      files: ["src/public/x.ts", "lib/z.ts"],
    });
  });

  it("files named like Object's own properties are plain files (no rename invented, none lost)", () => {
    const decision = run(rulesPolicy, {
      files: [
        file("constructor"),
        file("toString"),
        renamed("old/name", "__proto__"),
        renamed("src/auth/hasOwnProperty", "valueOf"),
      ],
    });
    const unmatched = decision.reasons.find((r) => r.kind === "default")!;
    expect(unmatched.files).toEqual(["constructor", "toString", "__proto__", "valueOf"]);
    expect(Object.entries(unmatched.renamedFrom!)).toEqual([
      ["__proto__", "old/name"],
      ["valueOf", "src/auth/hasOwnProperty"],
    ]);
    const renamedFrom = (path: string) => unmatched.renamedFrom?.[path];
    expect(renamedFrom("constructor")).toBeUndefined();
    expect(renamedFrom("toString")).toBeUndefined();
  });

  it("a file matching several rules contributes every one of them", () => {
    const p = policy({
      rules: [
        { name: "a", tier: "low", paths: ["src/**"] },
        { name: "b", tier: "high", paths: ["**/*.sql"] },
      ],
      tiers: NO_REQUIREMENTS,
    });
    const decision = run(p, { files: [file("src/db/migrate.sql")] });
    expect(decision.tier).toBe("high");
    expect(decision.reasons.filter((r) => r.kind === "rule").map((r) => r.rule)).toEqual(["a", "b"]);
  });

  it("globs match dot files (minimatch dot: true)", () => {
    const p = policy({
      rules: [{ name: "yaml", tier: "high", paths: ["**/*.yml"] }],
      default_tier: "low",
      tiers: NO_REQUIREMENTS,
    });
    expect(run(p, { files: [file(".github/ci.yml")] }).tier).toBe("high");
    expect(run(p, { files: [file(".hidden/deep/.x.yml")] }).tier).toBe("high");
  });
});

describe("size", () => {
  const sizePolicy = policy({
    default_tier: "low",
    size: {
      ignore: ["**/package-lock.json", "**/*.snap"],
      medium: { lines: 200, files: 20 },
      high: { lines: 1000, files: 100 },
    },
    tiers: NO_REQUIREMENTS,
  });

  it.each<[string, ChangedFile[], Tier, { lines: number; files: number; ignoredFiles: number }]>([
    ["199 lines stays low", [file("a.ts", 199)], "low", { lines: 199, files: 1, ignoredFiles: 0 }],
    ["200 lines reaches medium", [file("a.ts", 200)], "medium", { lines: 200, files: 1, ignoredFiles: 0 }],
    [
      "additions and deletions both count",
      [{ path: "a.ts", status: "modified", additions: 120, deletions: 80 }],
      "medium",
      { lines: 200, files: 1, ignoredFiles: 0 },
    ],
    [
      "lines add up across files",
      [file("a.ts", 100), file("b.ts", 100)],
      "medium",
      { lines: 200, files: 2, ignoredFiles: 0 },
    ],
    ["999 lines stays medium", [file("a.ts", 999)], "medium", { lines: 999, files: 1, ignoredFiles: 0 }],
    ["1000 lines reaches high", [file("a.ts", 1000)], "high", { lines: 1000, files: 1, ignoredFiles: 0 }],
    ["19 files stays low", manyFiles(19), "low", { lines: 19, files: 19, ignoredFiles: 0 }],
    ["20 small files reach medium by count alone", manyFiles(20), "medium", { lines: 20, files: 20, ignoredFiles: 0 }],
    ["100 small files reach high by count alone", manyFiles(100), "high", { lines: 100, files: 100, ignoredFiles: 0 }],
    [
      "a lockfile-only 5000-line diff stays low",
      [file("package-lock.json", 5000)],
      "low",
      { lines: 0, files: 0, ignoredFiles: 1 },
    ],
    [
      "a nested lockfile is ignored too",
      [file("web/package-lock.json", 5000), file("web/a.ts", 10)],
      "low",
      { lines: 10, files: 1, ignoredFiles: 1 },
    ],
    [
      "ignored files do not count towards the file threshold",
      [...manyFiles(19), file("x/__snapshots__/a.snap", 1)],
      "low",
      { lines: 19, files: 19, ignoredFiles: 1 },
    ],
    [
      "a deleted file counts its deleted lines",
      [removed("old.ts", 1200)],
      "high",
      { lines: 1200, files: 1, ignoredFiles: 0 },
    ],
    [
      "renaming code to an ignored name does not hide it",
      [renamed("src/big.ts", "src/big.snap", 300)],
      "medium",
      { lines: 300, files: 1, ignoredFiles: 0 },
    ],
    [
      "a rename between two ignored names is ignored",
      [renamed("a/package-lock.json", "b/package-lock.json", 3000)],
      "low",
      { lines: 0, files: 0, ignoredFiles: 1 },
    ],
  ])("%s", (_name, files, tier, size) => {
    const decision = run(sizePolicy, { files });
    expect(decision.tier).toBe(tier);
    expect(decision.size).toEqual(size);
    const sizeReason = decision.reasons.find((r) => r.kind === "size");
    if (tier === "low") expect(sizeReason).toBeUndefined();
    else expect(sizeReason).toMatchObject({ tier, lines: size.lines, fileCount: size.files });
  });

  it.each<[string, Record<string, unknown>, ChangedFile[], Tier]>([
    ["without a size section nothing escalates", {}, [file("a.ts", 100000)], "low"],
    ["a threshold with only lines ignores the file count", { medium: { lines: 200 } }, manyFiles(500), "medium"],
    ["a threshold with only lines: few lines, many files", { medium: { lines: 1000 } }, manyFiles(500), "low"],
    ["a threshold with only files ignores the line count", { high: { files: 3 } }, [file("a.ts", 100000)], "low"],
    ["a threshold with only files", { high: { files: 3 } }, manyFiles(3), "high"],
    ["only a high threshold: below it nothing escalates", { high: { lines: 1000 } }, [file("a.ts", 999)], "low"],
    ["an empty threshold never applies", { medium: {} }, manyFiles(300, "x", 100), "low"],
    ["lines OR files: lines alone are enough", { medium: { lines: 10, files: 10 } }, [file("a.ts", 10)], "medium"],
    ["lines OR files: files alone are enough", { medium: { lines: 10, files: 2 } }, manyFiles(2), "medium"],
  ])("%s", (_name, size, files, tier) => {
    const p = policy({ default_tier: "low", size, tiers: NO_REQUIREMENTS });
    expect(run(p, { files }).tier).toBe(tier);
  });

  it("the size tier is only a floor: a high rule still wins", () => {
    const p = policy({
      default_tier: "low",
      rules: [{ name: "auth", tier: "high", paths: ["auth/**"] }],
      size: { medium: { lines: 1 } },
      tiers: NO_REQUIREMENTS,
    });
    expect(run(p, { files: [file("auth/a.ts", 5)] }).tier).toBe("high");
  });
});

describe("agents", () => {
  const agentPolicy = (minTier: Tier = "medium") =>
    policy({
      default_tier: "low",
      agents: {
        authors: ["*[bot]", "copilot-swe-agent"],
        co_authors: ["*copilot*", "*claude*", "*<agent@example.com>"],
        min_tier: minTier,
      },
      tiers: NO_REQUIREMENTS,
    });

  it.each<[string, Partial<PullRequestFacts>, boolean]>([
    [
      "a bot, in either spelling (Copilot's coding agent is plain Copilot on REST)",
      { author: { login: "Copilot[bot]", isBot: true } },
      true,
    ],
    ["a user named like the pattern", { author: { login: "Copilot", isBot: false } }, true],
    [
      "a user whose login only looks like a bot's is not stripped",
      { author: { login: "copilot[bot]x", isBot: false } },
      false,
    ],
  ])("a pattern written without [bot] matches %s", (_name, facts, agent) => {
    const p = policy({ default_tier: "low", agents: { authors: ["copilot"] }, tiers: NO_REQUIREMENTS });
    expect(run(p, { files: [file("a")], ...facts }).agentAuthored).toBe(agent);
  });

  it.each<[string, Partial<PullRequestFacts>, boolean]>([
    ["an author login ending in [bot] matches *[bot]", { author: { login: "dependabot[bot]", isBot: true } }, true],
    [
      "a login pattern without * must match the whole login",
      { author: { login: "copilot-swe-agent", isBot: true } },
      true,
    ],
    ["login patterns compare case-insensitively", { author: { login: "Copilot-SWE-Agent", isBot: true } }, true],
    ["*[bot] matches case-insensitively", { author: { login: "Renovate[BOT]", isBot: true } }, true],
    [
      "a login that only contains the pattern does not match",
      { author: { login: "copilot-swe-agent-2", isBot: false } },
      false,
    ],
    ["[bot] is literal, not a character class", { author: { login: "robot", isBot: false } }, false],
    ["[bot] must come at the end", { author: { login: "x[bot]y", isBot: false } }, false],
    ["a bot author that no pattern names is not an agent", { author: { login: "ci-helper", isBot: true } }, false],
    [
      "a co-author trailer matching *copilot*",
      { coAuthors: ["Copilot <175728472+Copilot@users.noreply.github.com>"] },
      true,
    ],
    ["co-author trailers compare case-insensitively", { coAuthors: ["CLAUDE <noreply@anthropic.com>"] }, true],
    [
      "a co-author pattern can match the email part of Name <email>",
      { coAuthors: ["Build Helper <agent@example.com>"] },
      true,
    ],
    [
      "the co-author pattern must match the whole value",
      { coAuthors: ["Build Helper <agent@example.com.evil>"] },
      false,
    ],
    [
      "one matching trailer among several is enough",
      { coAuthors: ["Jane Doe <jane@example.com>", "Claude <noreply@anthropic.com>"] },
      true,
    ],
    ["a human co-author is not an agent", { coAuthors: ["Jane Doe <jane@example.com>"] }, false],
    ["author patterns are not applied to trailers", { coAuthors: ["someone[bot]"] }, false],
    ["co-author patterns are not applied to the author login", { author: { login: "claude", isBot: false } }, false],
    ["no author or trailer match", { author: { login: "alice", isBot: false }, coAuthors: [] }, false],
    [
      "commits left unread (trailers unknown) count as agent-authored when co_authors patterns exist",
      { coAuthors: ["Jane Doe <jane@example.com>"], coAuthorsComplete: false },
      true,
    ],
    [
      "all commits read and no matching trailer: not an agent",
      { coAuthors: ["Jane Doe <jane@example.com>"], coAuthorsComplete: true },
      false,
    ],
  ])("%s", (_name, overrides, agent) => {
    const decision = run(agentPolicy(), { files: [file("docs/a.md")], ...overrides });
    expect(decision.agentAuthored).toBe(agent);
    expect(decision.tier).toBe(agent ? "medium" : "low");
    expect(decision.reasons.some((r) => r.kind === "agent")).toBe(agent);
  });

  it("unread commits do not make a PR agent-authored when the policy has no co_authors patterns", () => {
    const p = policy({ agents: { authors: ["copilot-swe-agent"] }, tiers: NO_REQUIREMENTS });
    expect(run(p, { files: [file("docs/a.md")], coAuthorsComplete: false }).agentAuthored).toBe(false);
  });

  it("* is the only wildcard: other regular-expression and glob characters are literal", () => {
    const p = policy({
      default_tier: "low",
      agents: { authors: ["a.c", "x?", "b+"], co_authors: ["n(1)"] },
      tiers: NO_REQUIREMENTS,
    });
    const agent = (f: Partial<PullRequestFacts>) => run(p, { files: [file("a")], ...f }).agentAuthored;
    expect(agent({ author: { login: "abc", isBot: false } })).toBe(false);
    expect(agent({ author: { login: "a.c", isBot: false } })).toBe(true);
    expect(agent({ author: { login: "xy", isBot: false } })).toBe(false);
    expect(agent({ author: { login: "bb", isBot: false } })).toBe(false);
    expect(agent({ coAuthors: ["n1"] })).toBe(false);
    expect(agent({ coAuthors: ["N(1)"] })).toBe(true);
  });

  it("a lone * matches any author", () => {
    const p = policy({ default_tier: "low", agents: { authors: ["*"] }, tiers: NO_REQUIREMENTS });
    expect(run(p, { files: [file("a")] }).agentAuthored).toBe(true);
  });

  it.each<[string, Tier, ChangedFile[], Tier]>([
    ["min_tier high lifts a docs-only agent PR to high", "high", [file("docs/a.md")], "high"],
    ["min_tier medium lifts an agent PR without files to medium", "medium", [], "medium"],
    ["min_tier low leaves a docs-only agent PR low", "low", [file("docs/a.md")], "low"],
  ])("%s", (_name, minTier, files, expected) => {
    expect(run(agentPolicy(minTier), { files, author: { login: "dependabot[bot]", isBot: true } }).tier).toBe(expected);
  });

  it("min_tier is a floor, not a cap", () => {
    const p = policy({
      default_tier: "high",
      agents: { authors: ["*[bot]"], min_tier: "low" },
      tiers: NO_REQUIREMENTS,
    });
    expect(run(p, { files: [file("a")], author: { login: "x[bot]", isBot: true } }).tier).toBe("high");
  });

  it("without agent patterns nobody is an agent", () => {
    const p = policy({ default_tier: "low", tiers: NO_REQUIREMENTS });
    const decision = run(p, {
      files: [file("a")],
      author: { login: "dependabot[bot]", isBot: true },
      coAuthors: ["Copilot <c@x>"],
    });
    expect(decision.agentAuthored).toBe(false);
    expect(decision.tier).toBe("low");
  });
});

describe("agents.trailers", () => {
  const trailerPolicy = (trailers?: string[]) =>
    policy({
      default_tier: "low",
      agents: { co_authors: ["*claude*"], ...(trailers ? { trailers } : {}) },
      tiers: NO_REQUIREMENTS,
    });
  const ASSISTED = [{ key: "Assisted-by", value: "Claude <noreply@anthropic.com>" }];

  it.each<[string, string[] | undefined, Partial<PullRequestFacts>, boolean, string | undefined]>([
    [
      "a PR marked only by Assisted-by is agent-authored when the key is listed",
      ["Co-authored-by", "Assisted-by"],
      { trailers: ASSISTED },
      true,
      'Assisted-by trailer "Claude <noreply@anthropic.com>" matches agents.co_authors "*claude*"',
    ],
    [
      "keys compare case-insensitively",
      ["ASSISTED-BY"],
      { trailers: [{ key: "assisted-by", value: "claude" }] },
      true,
      undefined,
    ],
    ["by default only Co-authored-by is read", undefined, { trailers: ASSISTED }, false, undefined],
    ["a key not listed is not read", ["Co-authored-by", "Generated-by"], { trailers: ASSISTED }, false, undefined],
    [
      "Co-authored-by values count when the key is listed",
      ["Co-authored-by"],
      { coAuthors: ["Claude <noreply@anthropic.com>"] },
      true,
      'co-author "Claude <noreply@anthropic.com>" matches agents.co_authors "*claude*"',
    ],
    [
      "Co-authored-by values do not count when the list leaves it out",
      ["Assisted-by"],
      { coAuthors: ["Claude <noreply@anthropic.com>"], trailers: [] },
      false,
      undefined,
    ],
    [
      "facts without trailers (an adapter that reads only Co-authored-by) fail closed on another listed key",
      ["Co-authored-by", "Assisted-by"],
      { coAuthors: [], trailers: undefined },
      true,
      "the commits' Assisted-by trailers were not read: treated as agent-authored",
    ],
    [
      "unread commits: every listed key is unknown",
      ["Co-authored-by", "Assisted-by"],
      { trailers: [], coAuthorsComplete: false },
      true,
      "the PR has more commits than could be read, so their Co-authored-by, Assisted-by trailers are unknown: treated as agent-authored",
    ],
  ])("%s", (_name, trailers, facts, agent, message) => {
    const decision = run(trailerPolicy(trailers), { files: [file("docs/a.md")], ...facts });
    expect(decision.agentAuthored).toBe(agent);
    if (message) expect(decision.reasons.find((r) => r.kind === "agent")?.message).toBe(message);
  });
});

describe("policy change and incomplete file list", () => {
  const lowPolicy = policy({ default_tier: "low", tiers: NO_REQUIREMENTS });

  it.each<[string, ChangedFile[], boolean]>([
    ["editing .github/guardrails.yml is a policy change", [file(".github/guardrails.yml")], true],
    ["adding it is a policy change", [added(".github/guardrails.yml")], true],
    ["deleting it is a policy change", [removed(".github/guardrails.yml")], true],
    ["renaming it away is a policy change", [renamed(".github/guardrails.yml", ".github/old-guardrails.yml")], true],
    ["renaming another file onto it is a policy change", [renamed("draft.yml", ".github/guardrails.yml")], true],
    ["the same name in a subfolder is not", [file("sub/.github/guardrails.yml")], false],
    ["another extension is not", [file(".github/guardrails.yaml")], false],
    ["another file in .github is not", [file(".github/CODEOWNERS")], false],
  ])("%s", (_name, files, changed) => {
    const decision = run(lowPolicy, { files });
    expect(decision.policyChanged).toBe(changed);
    expect(decision.tier).toBe(changed ? "high" : "low");
    expect(decision.reasons.some((r) => r.kind === "policy_change" && r.tier === "high")).toBe(changed);
  });

  it("a policy change is high even when a rule calls the file low", () => {
    const p = policy({
      default_tier: "low",
      rules: [{ name: "github", tier: "low", paths: [".github/**"] }],
      tiers: NO_REQUIREMENTS,
    });
    expect(run(p, { files: [file(".github/guardrails.yml")] }).tier).toBe("high");
  });

  it.each<[string, ChangedFile[]]>([
    ["with low files", [file("a.txt")]],
    ["with no files listed at all", []],
  ])("an incomplete file list forces high (%s)", (_name, files) => {
    const decision = run(lowPolicy, { files, filesComplete: false });
    expect(decision.tier).toBe("high");
    expect(decision.reasons.find((r) => r.kind === "incomplete")).toMatchObject({
      tier: "high",
      fileCount: files.length,
    });
  });

  it("a complete list of low files stays low", () => {
    expect(run(lowPolicy, { files: [file("a.txt")], filesComplete: true }).tier).toBe("low");
  });
});
