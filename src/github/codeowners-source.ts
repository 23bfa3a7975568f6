/**
 * The base's CODEOWNERS for the app. Its blob ids come in the snapshot query, beside the policy's
 * (the three places GitHub looks, in its order); the text is fetched by blob id in the same round
 * as the policy blob and parsed once per process (a blob never changes), like the policy.
 */
import { CODEOWNERS_PATHS, MAX_CODEOWNERS_BYTES, parseCodeOwners, type CodeOwners } from "../policy/codeowners.js";
import type { Decision } from "../engine/types.js";
import type { GitHub } from "./octokit.js";
import { fetchBlobText } from "./policy-source.js";
import { PromiseLru } from "./promise-lru.js";
import type { PullRequestSnapshot } from "./snapshot.js";

const ALIASES = ["codeownersGithub", "codeownersRoot", "codeownersDocs"] as const;

/** GraphQL fields of the base commit: one per place GitHub looks for CODEOWNERS. */
export const CODEOWNERS_FIELDS = ALIASES.map(
  (alias, i) => `${alias}: file(path: "${CODEOWNERS_PATHS[i]}") { object { ... on Blob { oid byteSize } } }`,
).join(" ");

type RawFile = { object?: { oid?: string; byteSize?: number } | null } | null | undefined;
export type RawCodeOwnersFields = Partial<Record<(typeof ALIASES)[number], RawFile>>;

export interface CodeOwnersLocation {
  repository: string;
  path: string;
  blobOid: string;
  byteSize?: number;
}

/** The first of the three that exists, or null. */
export function codeOwnersLocation(repository: string, target: RawCodeOwnersFields): CodeOwnersLocation | null {
  for (const [i, alias] of ALIASES.entries()) {
    const blob = target[alias]?.object;
    if (blob?.oid)
      return {
        repository,
        path: CODEOWNERS_PATHS[i]!,
        blobOid: blob.oid,
        ...(blob.byteSize !== undefined ? { byteSize: blob.byteSize } : {}),
      };
  }
  return null;
}

/** An LRU of parsed CODEOWNERS by repository and blob id, one per cache owner (the app's policy cache). */
class CodeOwnersCache {
  private readonly entries = new PromiseLru<CodeOwners>(1000);
  has(key: string): boolean {
    return this.entries.has(key);
  }
  get(key: string, load: () => Promise<CodeOwners>): Promise<CodeOwners> {
    return this.entries.get(key, load).value;
  }
}

const caches = new WeakMap<object, CodeOwnersCache>();
function cacheFor(owner: object): CodeOwnersCache {
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new CodeOwnersCache()));
  return cache;
}
const keyOf = (location: CodeOwnersLocation) => `${location.repository.toLowerCase()}@${location.blobOid}`;

/** Whether loading the snapshot's CODEOWNERS takes a request (it is not parsed yet). */
export function codeOwnersPending(cacheOwner: object, snapshot: PullRequestSnapshot): boolean {
  const location = snapshot.codeOwnersBlob;
  return !!location && (location.byteSize ?? 0) < MAX_CODEOWNERS_BYTES && !cacheFor(cacheOwner).has(keyOf(location));
}

/** Loads the base's CODEOWNERS into `snapshot.codeOwners` (null when there is none). A failed read throws: fail closed. */
export async function loadCodeOwners(github: GitHub, cacheOwner: object, snapshot: PullRequestSnapshot): Promise<void> {
  const location = snapshot.codeOwnersBlob;
  if (location === undefined) return;
  if (location === null) {
    snapshot.codeOwners = null;
    return;
  }
  if ((location.byteSize ?? 0) >= MAX_CODEOWNERS_BYTES) {
    // GitHub does not load it either: no owners, and the problem is reported.
    snapshot.codeOwners = parseCodeOwners("#".repeat(MAX_CODEOWNERS_BYTES));
    return;
  }
  snapshot.codeOwners = await cacheFor(cacheOwner).get(keyOf(location), async () => {
    return parseCodeOwners(await fetchBlobText(github, location));
  });
}

/** Team slugs of the repository owner's organisation named by unmet owner groups: their memberships decide. */
export function codeOwnerTeams(decision: Decision, repositoryOwner: string): string[] {
  const org = repositoryOwner.toLowerCase();
  const teams = new Set<string>();
  for (const requirement of decision.requirements) {
    if (requirement.kind !== "codeowners" || requirement.met) continue;
    for (const group of requirement.ownerGroups ?? []) {
      if (group.met) continue;
      for (const owner of group.owners) {
        const match = /^@([^/]+)\/(.+)$/.exec(owner);
        if (match && match[1]!.toLowerCase() === org) teams.add(match[2]!);
      }
    }
  }
  return [...teams];
}
