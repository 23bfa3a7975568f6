/**
 * The base's CODEOWNERS for the app. Its blob ids come in the snapshot query, beside the policy's
 * (the three places GitHub looks, in its order); the text is fetched by blob id in the same round
 * as the policy blob and parsed once per process (a blob never changes), like the policy.
 */
import { MAX_CODEOWNERS_BYTES, parseCodeOwners, type CodeOwners } from "../policy/codeowners.js";
import type { GitHub } from "./octokit.js";
import { fetchBlobText } from "./blobs.js";
import type { PolicyCache } from "./policy-source.js";
import type { CodeOwnersLocation, PullRequestSnapshot } from "./snapshot.js";

const keyOf = (location: CodeOwnersLocation) => `${location.repository.toLowerCase()}@${location.blobOid}`;

/** Whether loading the snapshot's CODEOWNERS takes a request (it is not parsed yet). */
export function codeOwnersPending(cache: PolicyCache, snapshot: PullRequestSnapshot): boolean {
  const location = snapshot.codeOwnersBlob;
  return !!location && (location.byteSize ?? 0) < MAX_CODEOWNERS_BYTES && !cache.codeOwners.has(keyOf(location));
}

/**
 * The base's CODEOWNERS (null when there is none; undefined when the base is unknown), parsed once
 * per blob. A failed read throws: fail closed.
 */
export async function loadCodeOwners(
  github: GitHub,
  cache: PolicyCache,
  snapshot: PullRequestSnapshot,
): Promise<CodeOwners | null | undefined> {
  const location = snapshot.codeOwnersBlob;
  if (location === undefined || location === null) return location;
  // GitHub does not load one past its size limit either: no owners, and the problem is reported.
  if ((location.byteSize ?? 0) >= MAX_CODEOWNERS_BYTES)
    return parseCodeOwners("#".repeat(MAX_CODEOWNERS_BYTES), location.path);
  return cache.codeOwners.get(keyOf(location), async () =>
    parseCodeOwners(await fetchBlobText(github, location), location.path),
  ).value;
}
