/**
 * Which policy governs a PR: `.github/guardrails.yml` at the tip of the PR's base branch (never the
 * head), else the one in the owner's `.github` repository, else the built-in default. A policy is
 * fetched by its blob id and parsed once per process: a blob's content never changes.
 */
import { policyCacheHits, policyCacheMisses } from "../metrics/metrics.js";
import { isFloor } from "../engine/floor.js";
import { PromiseLru } from "./promise-lru.js";
import { BUILT_IN_POLICY_YAML, builtInPolicy } from "../policy/default.js";
import { loadPolicy, MAX_POLICY_BYTES, type LoadResult } from "../policy/loader.js";
import { POLICY_PATH } from "../policy/schema.js";
import type { GitHub } from "./octokit.js";
import type { PolicySource } from "../policy/source.js";
import type { CodeOwners } from "../policy/codeowners.js";
import { fetchBlobText } from "./blobs.js";
import type { PolicyLocation, PullRequestSnapshot } from "./snapshot.js";

export interface ResolvedPolicy {
  source: PolicySource;
  result: LoadResult;
  /** The YAML text it was loaded from (the built-in's for the built-in default), while it is cached. */
  text?: string;
  /**
   * The organisation policy, when the repository has its own and the organisation's applies in
   * addition (`enforce: true`), or when it does not load: whether it enforces is then unknown, and
   * an unknown floor fails closed.
   */
  floor?: { source: PolicySource; result: LoadResult; text?: string };
}

/** The repository whose `.github/guardrails.yml` is the owner's organisation policy. */
export const ORG_POLICY_REPOSITORY = ".github";

/** Whether a policy location is the organisation policy (the only one that may say `enforce`). */
export function isOrganizationLocation(location: PolicyLocation): boolean {
  return location.repository.split("/")[1]?.toLowerCase() === ORG_POLICY_REPOSITORY;
}

/** The PR's base policy is the organisation policy itself: the `.github` repository's, with the same text as at its default branch. */
function isOrganizationPolicyItself(own: PolicyLocation, org: PolicyLocation): boolean {
  return isOrganizationLocation(own) && own.blobOid === org.blobOid;
}

interface LoadedBlob {
  result: LoadResult;
  text: string;
}

/**
 * The parsed blobs of one app instance: policies and CODEOWNERS, keyed by repository and blob id.
 * A parsed and compiled policy takes 15-30 KiB, so the default holds 2,000 repositories in about
 * 30-60 MB. The capacity must exceed the repositories a process sees in turn: events that cycle
 * through more repositories than it holds miss every time (each miss costs a blob read and a
 * check run created in progress).
 */
export class PolicyCache {
  private readonly entries: PromiseLru<LoadedBlob>;
  readonly codeOwners = new PromiseLru<CodeOwners>(1000);
  constructor(capacity = 2000) {
    this.entries = new PromiseLru(capacity);
  }

  get(key: string, load: () => Promise<LoadedBlob>): Promise<LoadedBlob> {
    const { value, hit } = this.entries.get(key, load);
    (hit ? policyCacheHits : policyCacheMisses).inc();
    return value;
  }

  /** Whether the policy of this location is already parsed (so no request is needed). */
  has(location: PolicyLocation): boolean {
    return location.blobOid !== undefined && this.entries.has(cacheKey(location));
  }
}

const cacheKey = (location: PolicyLocation) => `${location.repository.toLowerCase()}@${location.blobOid}`;

/** The policy blobs an evaluation reads: the repository's, and the organisation's beside it or instead of it. */
export function policyLocations(snapshot: PullRequestSnapshot): PolicyLocation[] {
  const own = snapshot.basePolicy?.blobOid ? snapshot.basePolicy : undefined;
  const org = snapshot.orgPolicy?.blobOid ? snapshot.orgPolicy : undefined;
  return [own, org && !(own && isOrganizationPolicyItself(own, org)) ? org : undefined].filter(
    (l): l is PolicyLocation => l !== undefined,
  );
}

export async function resolvePolicy(
  github: GitHub,
  cache: PolicyCache,
  snapshot: PullRequestSnapshot,
): Promise<ResolvedPolicy> {
  const own = snapshot.basePolicy?.blobOid ? snapshot.basePolicy : undefined;
  const org = snapshot.orgPolicy?.blobOid ? snapshot.orgPolicy : undefined;
  if (!own && !org)
    return { source: { kind: "built-in" }, result: { ok: true, policy: builtInPolicy() }, text: BUILT_IN_POLICY_YAML };
  if (!own) return load(github, cache, "organization", org!);
  // The organisation policy is read beside the repository's (in parallel, cached by blob id):
  // only its text says whether it is a floor. The `.github` repository's own policy is that policy
  // only at its default branch: a side branch's copy is its writer's, and the floor still applies.
  const [resolved, floor] = await Promise.all([
    load(github, cache, "repository", own),
    org && !isOrganizationPolicyItself(own, org) ? load(github, cache, "organization", org) : undefined,
  ]);
  if (floor && (!floor.result.ok || isFloor(floor.result.policy))) return { ...resolved, floor };
  return resolved;
}

/** One policy blob: refused unread past the size limit, else read and parsed once per blob id. */
export function load(
  github: GitHub,
  cache: PolicyCache,
  kind: "repository" | "organization",
  location: PolicyLocation,
): Promise<ResolvedPolicy> {
  const source: PolicySource = { kind, repository: location.repository, path: POLICY_PATH, commit: location.commit };
  if ((location.byteSize ?? 0) > MAX_POLICY_BYTES) {
    return Promise.resolve({
      source,
      result: {
        ok: false,
        problems: [{ line: 1, column: 1, message: `the policy is larger than ${MAX_POLICY_BYTES / 1024} KiB` }],
      },
    });
  }
  return cache
    .get(cacheKey(location), async () => {
      const text = await fetchBlobText(github, location);
      return { result: loadPolicy(text, { organization: isOrganizationLocation(location) }), text };
    })
    .then(({ result, text }) => ({ source, result, text }));
}
