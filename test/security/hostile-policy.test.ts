/**
 * Hostile policies: anyone who can push a branch can put a policy on it, and it is evaluated for
 * PRs into that branch. What cannot be bounded is refused at its line and column; what is accepted
 * is matched without backtracking. Work is asserted by counts, never by time (npm run bench times it).
 */
import { describe, expect, it } from "@jest/globals";
import { evaluate } from "../../src/engine/evaluate.js";
import { loadPolicy } from "../../src/policy/loader.js";
import { MAX_MATCHING_WORK, MAX_PATH_SEGMENTS } from "../../src/engine/path-limits.js";
import { matchingWork } from "../../src/policy/glob-matcher.js";
import { MAX_BRACE_ALTERNATIVES, MAX_POLICY_GLOBS, MAX_SCANNING_GLOBS } from "../../src/policy/patterns.js";
import { facts, file, policy } from "../engine/fixtures.js";
import { monorepoFiles, monorepoPolicy } from "../../bench/engine.js";

describe("brace expansion is counted, not done, and bounded", () => {
  it("refuses 14 brace pairs in one glob (16,384 globs) at its line and column, without expanding them", () => {
    const glob = `${"{a,b}".repeat(14)}x/**`;
    const globs = Array.from({ length: 20 }, () => `"${glob}"`).join(", ");
    const result = loadPolicy(`version: 1\nrules:\n  - name: r\n    tier: high\n    paths: [${globs}]\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toEqual({
      line: 5,
      column: 13,
      message: expect.stringContaining(`expands to 16384 globs; at most ${MAX_BRACE_ALTERNATIVES} per glob`),
    });
  });

  it("refuses a policy whose globs expand to more than the policy-wide budget, at the glob that goes over", () => {
    const glob = `"{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}x${"/**".slice(0)}"`; // 64 each
    const rules = Array.from({ length: 40 }, (_, i) => `  - name: r${i}\n    tier: high\n    paths: [${glob}]\n`).join(
      "",
    );
    const result = loadPolicy(`version: 1\nrules:\n${rules}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // 31 rules fit (1984 globs); the 32nd goes over: rules[31].paths[0].
    expect(result.problems).toEqual([
      {
        line: 2 + 31 * 3 + 3,
        column: 13,
        message: expect.stringContaining(
          `rules[31].paths[0]: the policy's globs expand to more than ${MAX_POLICY_GLOBS}`,
        ),
      },
    ]);
  });

  it("refuses extglobs, which only a backtracking regular expression can match", () => {
    const result = loadPolicy('version: 1\nrules:\n  - name: r\n    tier: high\n    paths: ["src/+(a|b)/**"]\n');
    expect(result).toMatchObject({
      ok: false,
      problems: [{ line: 5, column: 13, message: expect.stringContaining('uses the extglob "+(…)"') }],
    });
  });
});

describe("accepted globs are matched without backtracking", () => {
  it("ten backtracking traps against 100 paths of 15 segments x 250 characters decide correctly", () => {
    const traps = Array.from({ length: 10 }, (_, i) => `**/*a*a*a${i}/**/*a*a*b`);
    const p = policy({
      default_tier: "low",
      rules: [{ name: "trap", tier: "high", paths: traps }],
      tiers: { low: {}, medium: {}, high: {} },
    });
    const paths = Array.from(
      { length: 100 },
      (_, i) => Array.from({ length: 15 }, () => "a".repeat(250)).join("/") + `/f${i}`,
    );
    expect(evaluate(p, facts({ files: paths.map((path) => file(path)) })).tier).toBe("low");
    const hit = `${"a".repeat(250)}/aaa3/${"a".repeat(250)}/aab`;
    expect(evaluate(p, facts({ files: [file(hit)] })).tier).toBe("high");
  });
});

describe("a protected folder's own path", () => {
  const protectedAuth = () =>
    policy({
      default_tier: "low",
      rules: [{ name: "auth", tier: "high", paths: ["src/auth/**"], exclude: ["src/auth/docs/**"] }],
      tiers: { low: {}, medium: {}, high: {} },
    });

  it.each([
    ["a submodule bump (gitlink) at the folder's path", file("src/auth")],
    [
      "a file or symlink replacing the folder",
      { path: "src/auth", status: "added" as const, additions: 1, deletions: 0 },
    ],
    [
      "a rename onto the folder's path",
      { path: "src/auth", previousPath: "lib/auth-link", status: "renamed" as const, additions: 0, deletions: 0 },
    ],
  ])("%s is protected by the folder's rule", (_name, changed) => {
    const decision = evaluate(protectedAuth(), facts({ files: [changed] }));
    expect(decision.tier).toBe("high");
    expect(decision.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "rule", rule: "auth", files: ["src/auth"] })]),
    );
  });

  it("an exclude never unprotects the excluded folder's own path, and a sibling name is not the folder", () => {
    expect(evaluate(protectedAuth(), facts({ files: [file("src/auth/docs")] })).tier).toBe("high");
    expect(evaluate(protectedAuth(), facts({ files: [file("src/authentic")] })).tier).toBe("low");
  });
});

describe("what every path is tried against is bounded", () => {
  const rule = (globs: string[]) =>
    `version: 1\nrules:\n  - name: r\n    tier: high\n    paths: [${globs.map((g) => JSON.stringify(g)).join(", ")}]\ntests: { source: ["src/**"], tests: ["test/**"] }\n`;

  it(`refuses more than ${MAX_SCANNING_GLOBS} globs that must be tried on every path, at the one that goes over`, () => {
    const ok = Array.from({ length: MAX_SCANNING_GLOBS }, (_, i) => `*${i}*/**`);
    expect(loadPolicy(rule(ok)).ok).toBe(true);
    const result = loadPolicy(rule([...ok, "*x*/**"]));
    expect(result).toMatchObject({
      ok: false,
      problems: [
        {
          line: 5,
          message: expect.stringContaining(
            `rules[0].paths[${MAX_SCANNING_GLOBS}]: more than ${MAX_SCANNING_GLOBS} globs`,
          ),
        },
      ],
    });
  });

  it("refuses too many wildcard globs under one folder chain, and allows them spread over folders", () => {
    const spread = Array.from({ length: 40 }, (_, i) => `services/svc-${i}/*.yml`);
    expect(loadPolicy(rule(spread)).ok).toBe(true);
    const chain = [
      ...Array.from({ length: 10 }, (_, i) => `a/*${i}`),
      ...Array.from({ length: 7 }, (_, i) => `a/b/*${i}`),
    ];
    expect(loadPolicy(rule(chain))).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringContaining("globs with a wildcard after the folder a/") }],
    });
  });

  it(`judges no path deeper than ${MAX_PATH_SEGMENTS} folders: the PR is high, as with an incomplete list`, () => {
    const p = policy({
      default_tier: "low",
      rules: [{ name: "docs", tier: "low", paths: ["**"] }],
      tiers: { low: {}, medium: {}, high: { approvals: 1 } },
    });
    const deep = `${"a/".repeat(MAX_PATH_SEGMENTS)}x.md`;
    const decision = evaluate(p, facts({ files: [file("README.md"), file(deep)] }));
    expect(decision.tier).toBe("high");
    expect(decision.reasons).toContainEqual(
      expect.objectContaining({
        kind: "incomplete",
        files: [deep],
        message: expect.stringContaining(`deeper than ${MAX_PATH_SEGMENTS} folders`),
      }),
    );
    expect(decision.requirements).toContainEqual(expect.objectContaining({ kind: "approvals", met: false }));
  });
});

describe("found in review: shapes that would still cost too much are refused", () => {
  const one = (glob: string) =>
    loadPolicy(`version: 1\nrules:\n  - name: r\n    tier: high\n    paths: [${JSON.stringify(glob)}]\n`);

  it("a ? or [...] between two * of one segment (tried at every place of a long name)", () => {
    expect(one(`**/*${"?".repeat(900)}0x*`)).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringContaining('a "?" or "[...]" between two "*" in one segment') }],
    });
    expect(one("**/*a[bc]d*/**")).toMatchObject({ ok: false });
    // Anchored ones stay: they are tried at one place.
    expect(one("src/[ab]*.ts").ok).toBe(true);
    expect(one("?akefile").ok).toBe(true);
  });

  it("more than 4 segments between two ** (tried again at every folder)", () => {
    expect(one("**/a*/b*/c*/d*/e*/**")).toMatchObject({
      ok: false,
      problems: [{ message: expect.stringContaining('more than 4 segments between two "**"') }],
    });
    expect(one("**/a*/b*/c*/d*/**").ok).toBe(true);
  });

  it("a policy of more than 2000 lines, before the YAML parser (its duplicate-key check is quadratic)", () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `k${i}: 1`).join("\n");
    expect(loadPolicy(`version: 1\n${keys}\n`)).toEqual({
      ok: false,
      problems: [{ line: 2001, column: 1, message: "the policy has 2502 lines; at most 2000" }],
    });
  });

  it("a rule's folder is protected by its own path also through braces and dir/**/*", () => {
    const p = policy({
      default_tier: "low",
      rules: [{ name: "auth", tier: "high", paths: ["{src/auth/**,lib/**}", "app/secure/**/*"] }],
      tiers: { low: {}, medium: {}, high: {} },
    });
    for (const path of ["src/auth", "lib", "app/secure"])
      expect(evaluate(p, facts({ files: [file(path)] })).tier).toBe("high");
  });
});

describe("one evaluation's matching work is bounded: past the budget, paths are not judged (fail closed)", () => {
  // The worst accepted shape found (docs/performance.md): 16 globs tried on every path, each with
  // 4 different segments between two ** whose first three match every folder and whose last
  // fails on each while its literal part is in the path, against 3000 paths of 62 folders x 63
  // characters, each in its own folder. Without the budget: 1.3-2.4 s for one evaluation.
  const globs = Array.from(
    { length: MAX_SCANNING_GLOBS },
    (_, i) => `**/${[0, 1, 2].map((k) => `${"a".repeat(12 + i + 16 * k)}*/`).join("")}${"a".repeat(12 + i)}b*/**`,
  );
  const body = Array.from({ length: MAX_PATH_SEGMENTS - 3 }, () => "a".repeat(63)).join("/");
  const hostile = Array.from({ length: 3000 }, (_, i) => `${body}/${"a".repeat(58)}b${i}/f`);
  const text = [
    "version: 1",
    "default_tier: low",
    "rules:",
    "  - name: slow",
    "    tier: medium",
    `    paths: [${globs.map((g) => JSON.stringify(g)).join(", ")}]`,
    'tests: { source: ["src/**"], tests: ["test/**"] }',
    "tiers: { low: {}, medium: {}, high: { approvals: 1 } }",
  ].join("\n");
  const loaded = loadPolicy(text);
  const p = loaded.ok ? loaded.policy : policy();

  it("stops at the budget and decides high, naming the paths it did not judge and why", () => {
    // The loader accepts it: within every per-glob and per-policy limit.
    expect(loaded).toMatchObject({ ok: true });
    const decision = evaluate(p, facts({ files: hostile.map((path) => file(path)) }));
    // Counted, not timed: the work done stays within the budget and one path's worth over it.
    expect(matchingWork()).toBeGreaterThan(MAX_MATCHING_WORK);
    expect(matchingWork()).toBeLessThan(MAX_MATCHING_WORK * 1.01);
    expect(decision.tier).toBe("high");
    const incomplete = decision.reasons.find((reason) => reason.kind === "incomplete")!;
    expect(incomplete.message).toMatch(
      /^\d+ changed paths were not judged: matching the paths against the policy's globs ran past the work budget of one evaluation/,
    );
    expect(incomplete.message).toContain("every rule's and the policy change's requirements apply");
    const unjudged = Number(/^(\d+)/.exec(incomplete.message)![1]);
    expect(unjudged).toBeGreaterThan(0);
    expect(unjudged).toBeLessThan(3000);
    expect(incomplete.files).toEqual(hostile.slice(3000 - unjudged, 3000 - unjudged + 20));
    expect(decision.requirements).toContainEqual(expect.objectContaining({ kind: "approvals", met: false }));
    expect(decision.conclusion).toBe("failure");
  });

  it("the same globs on a few of those paths are judged in full (the budget is per evaluation)", () => {
    const decision = evaluate(p, facts({ files: hostile.slice(0, 20).map((path) => file(path)) }));
    expect(decision.reasons.map((reason) => reason.kind)).toEqual(["default"]);
    expect(decision.tier).toBe("low");
    // A path that does match one of them still does.
    const hit = `${body}/${"a".repeat(14)}b/f`;
    expect(evaluate(p, facts({ files: [file(hit)] })).tier).toBe("medium");
  });

  it("a realistic large PR uses a small part of it: 3000 files against a 200-rule monorepo policy", () => {
    const decision = evaluate(monorepoPolicy(200), facts({ files: monorepoFiles(3000, 200) }));
    expect(decision.reasons.map((reason) => reason.kind)).not.toContain("incomplete");
    expect(matchingWork()).toBeLessThan(MAX_MATCHING_WORK / 20);
  });
});

describe("found by trying: the index's own lookups were quadratic in a path", () => {
  const loaded = (paths: string[]) => {
    const result = loadPolicy(
      [
        "version: 1",
        "default_tier: low",
        "rules:",
        "  - name: r",
        "    tier: high",
        `    paths: [${paths.map((g) => JSON.stringify(g)).join(", ")}]`,
        'tests: { source: ["src/**"], tests: ["test/**"] }',
      ].join("\n"),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.policy;
  };

  it("a name of 2000 dots against **/*.md is looked up by its short suffixes only (was 2000 suffixes of up to 4000 characters: 25 s for 3000 files)", () => {
    const p = loaded(["**/*.md", "**/*.test.ts"]);
    const dotted = Array.from({ length: 3000 }, (_, i) => `d${i}/${"a.".repeat(2000)}${i}`);
    const decision = evaluate(p, facts({ files: dotted.map((path) => file(path)) }));
    expect(decision.tier).toBe("low");
    // Counted: a few lookups per path, not one per dot.
    expect(matchingWork()).toBeLessThan(3000 * 10);
    // Still found by the extensions they have.
    expect(evaluate(p, facts({ files: [file(`x/${"a.".repeat(2000)}md`)] })).tier).toBe("high");
    expect(evaluate(p, facts({ files: [file(`x/${"a.".repeat(2000)}test.ts`)] })).tier).toBe("high");
  });

  it("a directory is walked folder by folder against the literal prefixes, not sliced at every depth (was 150 ms for one glob)", () => {
    const prefix = Array.from({ length: 30 }, () => "b").join("/");
    const p = loaded([`${prefix}/*.x`]);
    const deep = Array.from(
      { length: 3000 },
      (_, i) => `d${i}/${Array.from({ length: 60 }, () => "a".repeat(63)).join("/")}/f`,
    );
    expect(evaluate(p, facts({ files: deep.map((path) => file(path)) })).tier).toBe("low");
    // One step for the first folder, which no prefix has.
    expect(matchingWork()).toBeLessThan(3000 * 5);
    expect(evaluate(p, facts({ files: [file(`${prefix}/y.x`)] })).tier).toBe("high");
    expect(evaluate(p, facts({ files: [file(`${prefix}/c/y.x`)] })).tier).toBe("low");
  });
});
