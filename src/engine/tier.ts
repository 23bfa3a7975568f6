/**
 * Why a PR gets its tier: every contribution (rules, unmatched files, size, agent authorship,
 * policy change, incomplete file list) as a reason; the tier is the highest of them.
 */
import { POLICY_PATH, TIERS, type Tier } from "../policy/schema.js";
import { MAX_PATH_SEGMENTS } from "./path-limits.js";
import type { ClassifiedFile, CompiledPolicy } from "./compile.js";

export type { ClassifiedFile };
import type { PullRequestFacts, Reason } from "./types.js";

export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);
export const maxTier = (a: Tier, b: Tier): Tier => (tierRank(a) >= tierRank(b) ? a : b);

export interface TierResult {
  tier: Tier;
  reasons: Reason[];
  /** Indexes of the rules that match at least one changed file. */
  matchedRules: number[];
  agentAuthored: boolean;
  policyChanged: boolean;
  size: { lines: number; files: number; ignoredFiles: number };
}

export function assessTier(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
  classified: ClassifiedFile[],
): TierResult {
  const { policy } = compiled;
  const grouped = groupFiles(policy.rules.length, classified);
  const reasons: Reason[] = [...ruleReasons(policy, grouped)];
  const { lines, countedFiles, ignoredFiles, policyFiles } = grouped;
  const size = sizeReason(policy.size, lines, countedFiles);
  if (size) reasons.push(size);
  const agent = agentMatch(compiled, facts);
  if (agent)
    reasons.push({
      kind: "agent",
      tier: policy.agents.min_tier,
      pattern: agent.pattern,
      value: agent.value,
      message: agent.message,
    });
  if (policyFiles.length > 0)
    reasons.push({
      kind: "policy_change",
      tier: "high",
      files: policyFiles,
      message: `the PR changes the policy file ${POLICY_PATH}`,
    });
  if (!facts.filesComplete) reasons.push(incompleteReason(facts));
  const tier = reasons.reduce<Tier>((highest, reason) => maxTier(highest, reason.tier), "low");
  return {
    tier,
    reasons,
    matchedRules: grouped.filesByRule.flatMap((files, index) => (files.length ? [index] : [])),
    agentAuthored: agent !== undefined,
    policyChanged: policyFiles.length > 0,
    size: { lines, files: countedFiles, ignoredFiles },
  };
}

interface GroupedFiles {
  filesByRule: string[][];
  unmatched: string[];
  policyFiles: string[];
  /** A Map, not an object: a file may be called `constructor` or `__proto__`. */
  renamedFrom: Map<string, string>;
  lines: number;
  countedFiles: number;
  ignoredFiles: number;
}

/** The changed files by rule, those no rule matches, the policy file, renames and the size figures. */
function groupFiles(ruleCount: number, classified: ClassifiedFile[]): GroupedFiles {
  const grouped: GroupedFiles = {
    filesByRule: Array.from({ length: ruleCount }, (): string[] => []),
    unmatched: [],
    policyFiles: [],
    renamedFrom: new Map(),
    lines: 0,
    countedFiles: 0,
    ignoredFiles: 0,
  };
  const hits = new Set<number>();
  for (const { file, paths, classes } of classified) {
    // Every path must be governed: a file renamed out of a rule's folder into an unmatched place
    // gets the rule's tier by its old path and default_tier by its new one.
    hits.clear();
    for (const cls of classes) for (const rule of cls.rules) hits.add(rule);
    if (classes.some((cls) => cls.rules.length === 0)) grouped.unmatched.push(file.path);
    for (const index of hits) grouped.filesByRule[index]!.push(file.path);
    if (paths.length > 1) grouped.renamedFrom.set(file.path, paths[1]!);
    if (paths.includes(POLICY_PATH)) grouped.policyFiles.push(file.path);
    // A rename counts unless both of its paths are ignored: renaming code to `x.snap` hides nothing.
    if (classes.every((cls) => cls.sizeIgnored)) grouped.ignoredFiles++;
    else {
      grouped.countedFiles++;
      grouped.lines += file.additions + file.deletions;
    }
  }
  return grouped;
}

/** A reason per matched rule, and one for the files no rule matches (default_tier). */
function ruleReasons(policy: CompiledPolicy["policy"], grouped: GroupedFiles): Reason[] {
  const renamesAmong = (files: string[]) => {
    const entries = files
      .filter((f) => grouped.renamedFrom.has(f))
      .map((f) => [f, grouped.renamedFrom.get(f)!] as const);
    // Without a prototype, a lookup of `constructor` finds nothing rather than Object's.
    return entries.length
      ? { renamedFrom: Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(entries)) }
      : {};
  };
  const reasons: Reason[] = [];
  grouped.filesByRule.forEach((files, index) => {
    if (files.length === 0) return;
    const rule = policy.rules[index]!;
    reasons.push({
      kind: "rule",
      tier: rule.tier,
      rule: rule.name,
      ...(rule.description ? { description: rule.description } : {}),
      files,
      ...renamesAmong(files),
      message: `rule "${rule.name}"${rule.description ? ` (${rule.description.replace(/\s+/g, " ").trim()})` : ""} matches ${plural(files.length, "file")}`,
    });
  });
  const { unmatched } = grouped;
  if (unmatched.length > 0)
    reasons.push({
      kind: "default",
      tier: policy.default_tier,
      files: unmatched,
      ...renamesAmong(unmatched),
      message: `${plural(unmatched.length, "file")} ${unmatched.length === 1 ? "matches" : "match"} no rule (default_tier)`,
    });
  return reasons;
}

function sizeReason(size: CompiledPolicy["policy"]["size"], lines: number, files: number): Reason | undefined {
  const sizeTier = sizeEscalation(size, lines, files);
  if (!sizeTier) return undefined;
  const threshold = size[sizeTier]!;
  const byLines = threshold.lines !== undefined && lines >= threshold.lines;
  return {
    kind: "size",
    tier: sizeTier,
    lines,
    fileCount: files,
    message: byLines
      ? `${lines} changed lines ≥ ${threshold.lines} (size.${sizeTier}.lines)`
      : `${files} changed files ≥ ${threshold.files} (size.${sizeTier}.files)`,
  };
}

/** The file list is incomplete (GitHub's cap, paths too deep, the matching budget): high, and why. */
function incompleteReason(facts: PullRequestFacts): Reason {
  const unjudged = facts.unjudgedFiles ?? [];
  const overBudget = facts.unjudgedOverBudget ?? 0;
  const tooDeep = unjudged.length - overBudget;
  const why = [
    ...(tooDeep > 0
      ? [
          `${tooDeep} changed path${tooDeep === 1 ? " is" : "s are"} deeper than ${MAX_PATH_SEGMENTS} folders and cannot be judged`,
        ]
      : []),
    ...(overBudget > 0
      ? [
          `${overBudget} changed path${overBudget === 1 ? " was" : "s were"} not judged: matching the paths against the policy's globs ran past the work budget of one evaluation (a policy and paths built to be slow, or very long paths against many wildcard globs)`,
        ]
      : []),
  ];
  return {
    kind: "incomplete",
    tier: "high",
    fileCount: facts.files.length,
    ...(unjudged.length ? { files: unjudged.slice(0, 20) } : {}),
    message: unjudged.length
      ? `${why.join("; ")}; the PR is treated as high risk and every rule's and the policy change's requirements apply`
      : `only the first ${facts.files.length} changed files were listed; the list is incomplete, so the PR is treated as high risk and every rule's and the policy change's requirements apply`,
  };
}

function sizeEscalation(
  size: CompiledPolicy["policy"]["size"],
  lines: number,
  files: number,
): "medium" | "high" | undefined {
  const reaches = (threshold?: { lines?: number; files?: number }) =>
    threshold !== undefined &&
    ((threshold.lines !== undefined && lines >= threshold.lines) ||
      (threshold.files !== undefined && files >= threshold.files));
  if (reaches(size.high)) return "high";
  if (reaches(size.medium)) return "medium";
  return undefined;
}

function agentMatch(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
): { pattern: string; value: string; message: string } | undefined {
  // A bot is `name[bot]` on REST for most GitHub Apps, but some (Copilot's coding agent) are
  // plain `name`: a bot's login is matched in both spellings, so either pattern finds it.
  const login = facts.author.login;
  const logins = facts.author.isBot && /\[bot\]$/i.test(login) ? [login, login.slice(0, -"[bot]".length)] : [login];
  for (const { pattern, regex } of compiled.agentAuthors) {
    if (logins.some((candidate) => regex.test(candidate))) {
      return { pattern, value: login, message: `author ${login} matches agents.authors "${pattern}"` };
    }
  }
  const trailers = agentTrailers(compiled, facts);
  for (const { pattern, regex } of compiled.agentCoAuthors) {
    for (const { key, value } of trailers.values) {
      if (!regex.test(value)) continue;
      const what = key.toLowerCase() === "co-authored-by" ? "co-author" : `${key} trailer`;
      return { pattern, value, message: `${what} "${value}" matches agents.co_authors "${pattern}"` };
    }
  }
  // Fail closed: trailers of commits nobody could read may name an agent.
  if (compiled.agentCoAuthors.length > 0 && (facts.coAuthorsComplete === false || trailers.unread.length > 0)) {
    const unread = trailers.unread.length ? trailers.unread.join(", ") : "Co-authored-by";
    return {
      pattern: "agents.co_authors",
      value: "unread commits",
      message:
        facts.coAuthorsComplete === false
          ? `the PR has more commits than could be read, so their ${policyTrailerNames(compiled)} trailers are unknown: treated as agent-authored`
          : `the commits' ${unread} trailers were not read: treated as agent-authored`,
    };
  }
  return undefined;
}

/**
 * The values of the commits' trailers whose key `agents.trailers` lists (any case), and the keys
 * whose values are unknown: an adapter that gives only `coAuthors` knows no other key.
 */
function agentTrailers(
  compiled: CompiledPolicy,
  facts: PullRequestFacts,
): { values: { key: string; value: string }[]; unread: string[] } {
  const keys = new Set(compiled.policy.agents.trailers.map((key) => key.toLowerCase()));
  const values: { key: string; value: string }[] = [];
  if (keys.has("co-authored-by")) values.push(...facts.coAuthors.map((value) => ({ key: "Co-authored-by", value })));
  if (facts.trailers) values.push(...facts.trailers.filter((t) => keys.has(t.key.toLowerCase())));
  const unread = facts.trailers
    ? []
    : compiled.policy.agents.trailers.filter((key) => key.toLowerCase() !== "co-authored-by");
  return { values, unread };
}

function policyTrailerNames(compiled: CompiledPolicy): string {
  return compiled.policy.agents.trailers.join(", ");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
