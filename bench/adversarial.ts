/**
 * Adversarial engine cases (issue 8): policies built to be slow, within what the loader accepts,
 * against 3000 paths built to be slow (paths up to 4096 bytes, GitHub's limit). Reports the
 * median and worst of a few evaluations per case; the goal is <= 50 ms for the worst case.
 */
import { evaluate } from "../src/engine/evaluate.js";
import type { ChangedFile, PullRequestFacts } from "../src/engine/types.js";
import { loadPolicy } from "../src/policy/loader.js";
import type { Policy } from "../src/policy/schema.js";
import type { Figure } from "./report.js";
import { runTicketAdversarial } from "./adversarial-tickets.js";
import { runSimulateAdversarial } from "./adversarial-simulate.js";
import { MAX_SCANNING_GLOBS } from "../src/policy/patterns.js";
import { MAX_PATH_SEGMENTS } from "../src/engine/path-limits.js";

export interface AdversarialFigure {
  name: string;
  policy: string;
  paths: string;
  globs: number;
  medianMs: number;
  maxMs: number;
}

function load(text: string): Policy {
  const loaded = loadPolicy(text);
  if (!loaded.ok) throw new Error(`adversarial policy refused: ${JSON.stringify(loaded.problems.slice(0, 2))}`);
  return loaded.policy;
}

function policyOf(globs: string[], perRule = 50): string {
  const rules: string[] = [];
  for (let i = 0; i * perRule < globs.length; i++) {
    rules.push(
      `  - name: r${i}`,
      "    tier: high",
      `    paths: [${globs
        .slice(i * perRule, (i + 1) * perRule)
        .map((g) => JSON.stringify(g))
        .join(", ")}]`,
    );
  }
  return [
    "version: 1",
    "default_tier: low",
    "rules:",
    ...rules,
    'tests: { source: ["src/**"], tests: ["test/**"] }',
    "tiers: { low: {}, medium: {}, high: {} }",
  ].join("\n");
}

function facts(paths: string[]): PullRequestFacts {
  const files: ChangedFile[] = paths.map((path) => ({ path, status: "modified", additions: 1, deletions: 0 }));
  return {
    headSha: "h",
    author: { login: "dev", isBot: false },
    title: "t",
    body: "",
    headBranch: "b",
    files,
    filesComplete: true,
    labels: [],
    reviews: [],
    teamMembers: {},
    coAuthors: [],
    checklist: [],
  };
}

/** Paths of `segments` segments of `length` characters of `fill`, each different at the end. */
function longPaths(
  count: number,
  segments: number,
  length: number,
  fill: string,
  tail: (i: number) => string,
): string[] {
  return Array.from({ length: count }, (_, i) => {
    const body = Array.from({ length: segments }, () =>
      fill.repeat(Math.ceil(length / fill.length)).slice(0, length),
    ).join("/");
    return `${body}/${tail(i)}`.slice(0, 4096);
  });
}

export function adversarialCases(): {
  name: string;
  policyText: string;
  pathsText: string;
  policy: Policy;
  paths: string[];
}[] {
  const traps = Array.from({ length: 10 }, (_, i) => `**/*a*a*a${i}/**/*a*a*b`);
  // As many globs as the loader accepts that must be tried on every path, three stars each.
  const maxScanning = Array.from({ length: MAX_SCANNING_GLOBS }, (_, i) => `**/*a*a*${i}x/**`);
  // As many globs as the loader accepts in all, filed under one folder every path is in.
  const maxFiled = Array.from({ length: MAX_SCANNING_GLOBS }, (_, i) => `a/**/*a*${i}`);
  const deepTrap = Array.from({ length: 10 }, (_, i) => `**/a${i}/**/b*a*a*`);
  // Character classes at both anchored ends of a segment (between two `*` they are refused).
  const classes = Array.from(
    { length: MAX_SCANNING_GLOBS },
    (_, i) => `**/[ab][ab][ab][ab][ab][ab][ab][ab]*c${i}[ab][ab][ab][ab][ab][ab][ab][ab]/**`,
  );
  // Three floating segments and a literal one between two `**` (the run limit), 28 literal
  // characters and a star each: every run is tried at every folder of a deep path.
  const floating = Array.from(
    { length: MAX_SCANNING_GLOBS },
    (_, i) => `**/${`${"a".repeat(28)}*/`.repeat(3)}x${i}/**`,
  );
  // The same, built against the shared memo and the substring test: every glob's patterns differ
  // (lengths 12 + i), the first three match every folder and the fourth fails on each, while
  // its literal part occurs in the path (in the file name).
  const distinct = Array.from(
    { length: MAX_SCANNING_GLOBS },
    (_, i) => `**/${[0, 1, 2].map((k) => `${"a".repeat(12 + i + 16 * k)}*/`).join("")}${"a".repeat(12 + i)}b*/**`,
  );
  const long = longPaths(3000, 15, 250, "a", (i) => `f${i}`);
  return [
    {
      name: "the issue's trap: 10 x `**/*a*a*a0/**/*a*a*b`",
      policyText: policyOf(traps),
      pathsText: "3000 paths, 15 segments x 250 'a'",
      policy: load(policyOf(traps)),
      paths: long,
    },
    {
      name: `${MAX_SCANNING_GLOBS} globs tried on every path (the limit), three stars each`,
      policyText: "maxScanning",
      pathsText: "3000 paths, 15 segments x 250 'a'",
      policy: load(policyOf(maxScanning)),
      paths: long,
    },
    {
      name: `${MAX_SCANNING_GLOBS} globs tried on every path, deepest judged paths`,
      policyText: "maxScanning",
      pathsText: `3000 paths of ${MAX_PATH_SEGMENTS} segments`,
      policy: load(policyOf(maxScanning)),
      paths: longPaths(3000, MAX_PATH_SEGMENTS - 1, 30, "a", (i) => `${i}`),
    },
    {
      name: `${MAX_SCANNING_GLOBS} wildcard globs under the folder every path is in (the limit)`,
      policyText: "maxFiled",
      pathsText: "3000 paths under a/, 15 segments x 250 'a'",
      policy: load(policyOf(maxFiled)),
      paths: long.map((p) => `a/${p}`.slice(0, 4096)),
    },
    {
      name: `${MAX_SCANNING_GLOBS} globs with character classes at both ends of a segment`,
      policyText: "classes",
      pathsText: "3000 paths, 15 segments x 250 'ab'",
      policy: load(policyOf(classes)),
      paths: longPaths(3000, 15, 250, "ab", (i) => `f${i}`),
    },
    {
      name: `${MAX_SCANNING_GLOBS} globs of 3 floating segments and a literal between two **`,
      policyText: "floating",
      pathsText: `3000 paths of ${MAX_PATH_SEGMENTS - 2} x 63 'a' in 3000 folders`,
      policy: load(policyOf(floating)),
      paths: longPaths(3000, MAX_PATH_SEGMENTS - 3, 63, "a", (i) => `${i}/f`),
    },
    {
      name: `${MAX_SCANNING_GLOBS} globs of 4 floating segments, all different, the last failing on every folder`,
      policyText: "distinct",
      pathsText: `3000 paths of ${MAX_PATH_SEGMENTS - 2} x 63 'a' in 3000 folders, the last a{58}b<i>`,
      policy: load(policyOf(distinct)),
      paths: longPaths(3000, MAX_PATH_SEGMENTS - 3, 63, "a", (i) => `${"a".repeat(58)}b${i}/f`),
    },
    {
      name: "deep paths: 10 x `**/a0/**/b*a*a*`",
      policyText: policyOf(deepTrap),
      pathsText: "3000 paths of 2048 one-letter segments (too deep: not matched)",
      policy: load(policyOf(deepTrap)),
      paths: longPaths(3000, 2047, 1, "a", (i) => `${i}`),
    },
  ];
}

export function runAdversarial(runs = 5): AdversarialFigure[] {
  const figures: AdversarialFigure[] = [];
  for (const c of adversarialCases()) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      // A fresh policy object each run: compiling the index is part of the cost of a new policy.
      const policy = structuredClone(c.policy);
      const started = performance.now();
      evaluate(policy, facts(c.paths));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const globs = c.policy.rules.reduce((n, rule) => n + rule.paths.length, 0);
    figures.push({
      name: c.name,
      policy: c.policyText.slice(0, 60),
      paths: c.pathsText,
      globs,
      medianMs: round(times[Math.floor(times.length / 2)]!),
      maxMs: round(times.at(-1)!),
    });
  }
  return figures;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The adversarial figures for `npm run bench adversarial` (globs, ticket patterns, then the same
 * through the simulate API over HTTP): the median of 7 each, goal <= 50 ms.
 */
export async function runAdversarialBenchmark(): Promise<Figure[]> {
  return [...runAdversarialGlobs(), ...runTicketAdversarial(7), ...(await runSimulateAdversarial(7))];
}

function runAdversarialGlobs(): Figure[] {
  return runAdversarial(7).flatMap((f) => [
    {
      group: "adversarial",
      name: `${f.name}; ${f.paths}: median`,
      value: f.medianMs,
      unit: "ms",
      goal: "<= 50 ms",
      met: f.medianMs <= 50,
    },
    {
      group: "adversarial",
      name: `${f.name}: slowest of 7 (a new policy each time, first run cold)`,
      value: f.maxMs,
      unit: "ms",
    },
  ]);
}
