/**
 * Enforcement health in the app: whether merges into a PR's base wait for the `guardrails` check
 * (src/enforcement/health.ts), read with the installation client and kept per repository and
 * branch for a day. A `repository_ruleset` or `branch_protection_rule` event drops the
 * repository's entries, so the next evaluation reads them again. Usually 3 requests per
 * repository and branch per day; a read that fails is `unknown` and never fails the check.
 */
import type { Logger } from "pino";
import { classify, type Enforcement, type EnforcementHealth } from "../enforcement/health.js";
import { readEnforcement } from "../enforcement/read.js";
import type { GitHub } from "./octokit.js";

export const ENFORCEMENT_TTL_MS = 24 * 3_600_000;
/** Entries kept (repository and branch); the oldest goes first. */
const CAPACITY = 5000;
const STATES: readonly Enforcement[] = ["pinned", "required_unpinned", "not_required", "unknown"];
/** A repository with branches in several states is counted once, under the one that needs attention most. */
const SEVERITY: Record<Enforcement, number> = { not_required: 3, required_unpinned: 2, unknown: 1, pinned: 0 };

interface Entry {
  repository: string;
  at: number;
  health: Promise<EnforcementHealth>;
  settled?: Enforcement;
}

export interface EnforcementTarget {
  owner: string;
  repo: string;
  branch: string;
}

export class EnforcementCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = ENFORCEMENT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The branch's health: the cached reading while fresh, else `read` (started once, shared by concurrent callers). */
  get(target: EnforcementTarget, read: () => Promise<EnforcementHealth>): Promise<EnforcementHealth> {
    const repository = repositoryKey(target);
    const key = `${repository}@${target.branch}`;
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.health;
    this.entries.delete(key);
    const entry: Entry = { repository, at: this.now(), health: read() };
    this.entries.set(key, entry);
    while (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    void entry.health.then((health) => (entry.settled = health.enforcement));
    return entry.health;
  }

  /** A ruleset or branch protection changed: the repository's entries are read again on next use. */
  invalidate(target: { owner: string; repo: string }): void {
    const repository = repositoryKey(target);
    for (const [key, entry] of this.entries) if (entry.repository === repository) this.entries.delete(key);
  }

  /** Drops one branch's entry (a read that failed is tried again at the next evaluation). */
  forget(target: EnforcementTarget): void {
    this.entries.delete(`${repositoryKey(target)}@${target.branch}`);
  }

  /** Distinct repositories by state (fresh entries only); no repository is named. */
  counts(): Record<Enforcement, number> {
    const worst = new Map<string, Enforcement>();
    for (const entry of this.entries.values()) {
      if (entry.settled === undefined || this.now() - entry.at >= this.ttlMs) continue;
      const known = worst.get(entry.repository);
      if (known === undefined || SEVERITY[entry.settled] > SEVERITY[known]) worst.set(entry.repository, entry.settled);
    }
    const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<Enforcement, number>;
    for (const state of worst.values()) counts[state]++;
    return counts;
  }
}

const repositoryKey = (target: { owner: string; repo: string }) => `${target.owner}/${target.repo}`.toLowerCase();

/**
 * The base branch's enforcement health, from the cache or read now (2 requests, plus one per
 * ruleset that requires the check). Any failure is `unknown`: it is shown as nothing, never as a claim.
 */
export function loadEnforcement(
  github: GitHub,
  cache: EnforcementCache,
  log: Logger,
  subject: { appId: number; checkName: string },
  target: EnforcementTarget,
): Promise<EnforcementHealth> {
  return cache.get(target, async () => {
    try {
      const reading = await readEnforcement(github.request, {
        ...target,
        checkName: subject.checkName,
      });
      return classify(reading, subject);
    } catch (error) {
      log.warn(
        { repository: `${target.owner}/${target.repo}`, branch: target.branch, err: error },
        "enforcement health could not be read",
      );
      cache.forget(target);
      return {
        enforcement: "unknown",
        branch: target.branch,
        required: [],
        bypass: null,
        mergeQueue: null,
        findings: [],
      };
    }
  });
}
