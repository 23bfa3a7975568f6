/**
 * Engine benchmark: a 3000-file monorepo PR (GitHub's listing cap) against a 200-rule policy, and
 * a 20-file PR against a 10-rule policy; median and p99 per evaluation, and the ratio to a naive
 * baseline that calls minimatch(file, glob) for every pair.
 */
import { minimatch } from "minimatch";
import { evaluate } from "../src/engine/evaluate.js";
import type { ChangedFile, PullRequestFacts } from "../src/engine/types.js";
import { loadPolicy } from "../src/policy/loader.js";
import type { Policy } from "../src/policy/schema.js";
import { monorepoCodeOwners } from "./codeowners.js";
import { percentile, type Figure } from "./report.js";

const SERVICES = ["auth", "payments", "billing", "search", "catalog", "orders", "users", "notify", "gateway", "ledger"];

/** A policy of `ruleCount` rules over a monorepo of services, packages and infrastructure. */
export function monorepoPolicy(ruleCount: number, codeowners = false): Policy {
  const rules: string[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const tier = i % 10 === 0 ? "high" : i % 3 === 0 ? "low" : "medium";
    const area = i % 2 === 0 ? `services/svc-${i}` : `packages/pkg-${i}`;
    rules.push(
      `  - name: rule-${i}`,
      `    tier: ${tier}`,
      `    paths: ["${area}/src/**", "${area}/config/*.{yml,yaml,json}", "${area}/migrations/**/*.sql"]`,
      `    exclude: ["${area}/**/*.md"]`,
    );
  }
  const text = [
    "version: 1",
    "default_tier: medium",
    "rules:",
    "  - name: docs",
    "    tier: low",
    '    paths: ["docs/**", "**/*.md"]',
    "  - name: infra",
    "    tier: high",
    '    paths: ["infra/**", "**/*.tf", ".github/workflows/**", "**/Dockerfile"]',
    ...rules.slice(0, Math.max(0, ruleCount - 2) * 4),
    "size:",
    '  ignore: ["**/package-lock.json", "**/*.snap", "**/pnpm-lock.yaml", "**/__generated__/**"]',
    "  medium: { lines: 400, files: 30 }",
    "  high: { lines: 2000, files: 300 }",
    "tests:",
    '  source: ["services/*/src/**", "packages/*/src/**"]',
    '  tests: ["**/*.test.ts", "**/__tests__/**", "services/*/test/**"]',
    "tiers:",
    `  high: { approvals: 2, tests: true, ticket: true${codeowners ? ", codeowners: true" : ""} }`,
  ].join("\n");
  const loaded = loadPolicy(text);
  if (!loaded.ok) throw new Error(`benchmark policy invalid: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  return loaded.policy;
}

/** `count` changed files with realistic monorepo paths (services, packages, infra, docs, tests, lockfiles). */
export function monorepoFiles(count: number, ruleCount: number): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (let i = 0; i < count; i++) {
    const owner = i % Math.max(1, ruleCount);
    const area = owner % 2 === 0 ? `services/svc-${owner}` : `packages/pkg-${owner}`;
    const service = SERVICES[i % SERVICES.length]!;
    const kind = i % 20;
    const path =
      kind < 9
        ? `${area}/src/${service}/handlers/h${i}.ts`
        : kind < 12
          ? `${area}/src/${service}/__tests__/h${i}.test.ts`
          : kind === 12
            ? `${area}/config/settings-${i}.yml`
            : kind === 13
              ? `${area}/migrations/2026/m${i}.sql`
              : kind === 14
                ? `docs/${service}/page-${i}.md`
                : kind === 15
                  ? `infra/terraform/${service}/main-${i}.tf`
                  : kind === 16
                    ? `${area}/package-lock.json`
                    : kind === 17
                      ? `${area}/src/__snapshots__/s${i}.snap`
                      : kind === 18
                        ? `${area}/README-${i}.md`
                        : `tools/scripts/run-${i}.sh`;
    const renamed = i % 50 === 0;
    files.push({
      path,
      ...(renamed ? { previousPath: path.replace(area, `legacy/${area}`) } : {}),
      status: renamed ? "renamed" : "modified",
      additions: (i * 7) % 40,
      deletions: (i * 3) % 15,
    });
  }
  return files;
}

export function factsFor(files: ChangedFile[]): PullRequestFacts {
  const headSha = "a".repeat(40);
  return {
    headSha,
    author: { login: "dev", isBot: false },
    title: "Refactor handlers PLAT-1234",
    body: "Moves the handlers.",
    headBranch: "refactor",
    files,
    filesComplete: true,
    labels: [],
    reviews: [{ author: "lee", authorIsBot: false, state: "APPROVED", commitId: headSha, authorAssociation: "MEMBER" }],
    teamMembers: {},
    coAuthors: [],
    checklist: [],
  };
}

/** What the engine's matching does, done the naive way: minimatch for every (file, glob) pair. */
function naiveMatch(policy: Policy, files: ChangedFile[]): number {
  let hits = 0;
  const options = { dot: true };
  for (const file of files) {
    const paths = file.previousPath ? [file.path, file.previousPath] : [file.path];
    for (const rule of policy.rules) {
      const matched = paths.some(
        (p) =>
          rule.paths.some((g) => minimatch(p, g, options)) &&
          !(rule.exclude ?? []).some((g) => minimatch(p, g, options)),
      );
      if (matched) hits++;
    }
    if (paths.every((p) => policy.size.ignore.some((g) => minimatch(p, g, options)))) hits++;
    if (paths.some((p) => policy.tests.source.some((g) => minimatch(p, g, options)))) hits++;
    if (policy.tests.tests.some((g) => minimatch(file.path, g, options))) hits++;
  }
  return hits;
}

function time(fn: () => void, iterations: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

export function runEngineBenchmark(): Figure[] {
  const figures: Figure[] = [];
  for (const { files: fileCount, rules: ruleCount, iterations, naiveIterations } of [
    { files: 3000, rules: 200, iterations: 200, naiveIterations: 3 },
    { files: 20, rules: 10, iterations: 2000, naiveIterations: 200 },
  ]) {
    const policy = monorepoPolicy(ruleCount);
    const files = monorepoFiles(fileCount, ruleCount);
    const facts = factsFor(files);
    // The first evaluation compiles the policy's globs; later ones reuse them (cached per policy).
    const [cold] = time(() => evaluate(policy, facts), 1);
    time(() => evaluate(policy, facts), 20); // warm-up
    const warm = time(() => evaluate(policy, facts), iterations);
    const naive = time(() => naiveMatch(policy, files), naiveIterations);
    const median = percentile(warm, 50);
    const ratio = percentile(naive, 50) / median;
    const label = `${fileCount} files × ${ruleCount} rules`;
    figures.push(
      {
        group: "engine",
        name: `${label}: evaluation median`,
        value: median,
        unit: "ms",
        goal: fileCount >= 3000 ? "a few ms (≤ 5)" : "",
        met: fileCount >= 3000 ? median <= 5 : undefined,
      },
      { group: "engine", name: `${label}: evaluation p99`, value: percentile(warm, 99), unit: "ms" },
      { group: "engine", name: `${label}: first evaluation (compiles the policy)`, value: cold!, unit: "ms" },
      { group: "engine", name: `${label}: naive minimatch baseline median`, value: percentile(naive, 50), unit: "ms" },
      {
        group: "engine",
        name: `${label}: speed-up over naive`,
        value: ratio,
        unit: "×",
        goal: fileCount >= 3000 ? "≥ 20×" : "",
        met: fileCount >= 3000 ? ratio >= 20 : undefined,
      },
    );
  }
  figures.push(...runCodeOwnersBenchmark());
  return figures;
}

/**
 * 3000 files × 200 rules × a 500-line CODEOWNERS (`codeowners: true` in the high tier, which the
 * PR reaches): the whole evaluation, matching every changed path (and a rename's old path) against
 * the CODEOWNERS lines included. Same goal as the evaluation without CODEOWNERS.
 */
export function runCodeOwnersBenchmark(iterations = 200): Figure[] {
  const policy = monorepoPolicy(200, true);
  const files = monorepoFiles(3000, 200);
  const facts: PullRequestFacts = { ...factsFor(files), codeOwners: monorepoCodeOwners(500), repositoryOwner: "acme" };
  const decision = evaluate(policy, facts);
  if (!decision.requirements.some((r) => r.kind === "codeowners"))
    throw new Error("the CODEOWNERS benchmark's PR does not reach codeowners: true");
  // A new CODEOWNERS object: the first evaluation against it compiles its index.
  const [cold] = time(() => evaluate(policy, { ...facts, codeOwners: monorepoCodeOwners(500) }), 1);
  time(() => evaluate(policy, facts), 20); // warm-up
  const warm = time(() => evaluate(policy, facts), iterations);
  const median = percentile(warm, 50);
  const label = "3000 files × 200 rules × 500-line CODEOWNERS";
  return [
    {
      group: "engine",
      name: `${label}: evaluation median`,
      value: median,
      unit: "ms",
      goal: "a few ms (≤ 5)",
      met: median <= 5,
    },
    { group: "engine", name: `${label}: evaluation p99`, value: percentile(warm, 99), unit: "ms" },
    { group: "engine", name: `${label}: first evaluation (parses and indexes CODEOWNERS)`, value: cold!, unit: "ms" },
  ];
}
