/**
 * Everything in a policy that costs time to prepare (globs, login patterns, the ticket pattern),
 * prepared once per policy object and reused by every evaluation against it.
 */
import { compileLoginPattern, compileTicketPattern, type LoginMatcher, type TicketMatcher } from "../policy/patterns.js";
import type { Policy } from "../policy/schema.js";
import { GlobIndex, globSet } from "./glob-index.js";

export interface CompiledPolicy {
  policy: Policy;
  /** Rule indexes whose `paths` match a path, minus those whose `exclude` matches it. */
  rulesMatching(path: string, into: Set<number>): void;
  sizeIgnored: GlobIndex<true>;
  testSource: GlobIndex<true>;
  testFiles: GlobIndex<true>;
  agentAuthors: { pattern: string; regex: LoginMatcher }[];
  agentCoAuthors: { pattern: string; regex: LoginMatcher }[];
  ticket: TicketMatcher;
}

const cache = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  const cached = cache.get(policy);
  if (cached) return cached;

  const includes = new GlobIndex<number>();
  const excludes = new GlobIndex<number>();
  policy.rules.forEach((rule, index) => {
    for (const glob of rule.paths) includes.add(glob, index);
    for (const glob of rule.exclude ?? []) excludes.add(glob, index);
  });
  const hasExcludes = policy.rules.some((rule) => (rule.exclude?.length ?? 0) > 0);

  const compiled: CompiledPolicy = {
    policy,
    rulesMatching(path, into) {
      if (!hasExcludes) {
        includes.forEachMatch(path, (index) => into.add(index));
        return;
      }
      const excluded = new Set<number>();
      excludes.forEachMatch(path, (index) => excluded.add(index));
      includes.forEachMatch(path, (index) => {
        if (!excluded.has(index)) into.add(index);
      });
    },
    sizeIgnored: globSet(policy.size.ignore),
    testSource: globSet(policy.tests.source),
    testFiles: globSet(policy.tests.tests),
    agentAuthors: policy.agents.authors.map((pattern) => ({ pattern, regex: compileLoginPattern(pattern) })),
    agentCoAuthors: policy.agents.co_authors.map((pattern) => ({ pattern, regex: compileLoginPattern(pattern) })),
    ticket: compileTicketPattern(policy.ticket.pattern),
  };
  cache.set(policy, compiled);
  return compiled;
}
