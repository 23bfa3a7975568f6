/**
 * Gather: the facts of one PR in as few sequential round trips as possible.
 *   1. the GraphQL snapshot and the files pages the payload announced, in parallel;
 *   2. what the snapshot points at: the policy blobs (unless parsed before), CODEOWNERS, the
 *      proposed policy and its preview's read, and any files pages the payload did not announce.
 * The files and the snapshot are read side by side: files listed at another head than the
 * snapshot's are listed once more, and if they still are, the evaluation fails (the newer head's
 * own event follows).
 */
import type { CodeOwners } from "../policy/codeowners.js";
import { codeOwnersPending, loadCodeOwners } from "../github/codeowners-source.js";
import { loadEnforcement } from "../github/enforcement-source.js";
import { FileLister, pagesFor, type FileList } from "../github/files.js";
import type { EnforcementHealth } from "../enforcement/health.js";
import { policyLocations, resolvePolicy, type ResolvedPolicy } from "../github/policy-source.js";
import { loadProposedPolicy, proposesPolicy, type ProposedPolicy } from "../github/proposed-policy.js";
import { startPreview } from "../github/preview-read.js";
import { fetchSnapshot, type PullRequestSnapshot } from "../github/snapshot.js";
import { POLICY_PATH } from "../policy/schema.js";
import { CHECK_NAME } from "../render/check-output.js";
import type { PreviewRead } from "../render/preview.js";
import type { PullRequestTarget } from "../trigger.js";
import { HeadMovedError, logFields, type EvaluationDeps } from "./deps.js";

export interface FirstRound {
  snapshot: PullRequestSnapshot;
  lister: FileLister;
}

export interface Gathered {
  snapshot: PullRequestSnapshot;
  resolved: ResolvedPolicy;
  files: FileList;
  proposed: ProposedPolicy | undefined;
  /** The base's CODEOWNERS (null: none; undefined: not asked). */
  codeOwners: CodeOwners | null | undefined;
  /** The proposed policy's preview read (undefined when the PR proposes none). */
  preview: Promise<PreviewRead | undefined>;
  /** Whether merges into the base wait for the check (undefined for a read-only judgement). */
  enforcement?: EnforcementHealth;
}

/** What a read-only judgement of another PR on a shared head skips: the files before the snapshot, the preview. */
export interface GatherOptions {
  readOnly?: boolean;
}

export async function gatherFirstRound(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  options: GatherOptions = {},
): Promise<FirstRound> {
  const lister = new FileLister(deps.github, target);
  if (!options.readOnly) lister.prefetch(target.changedFiles ?? 1);
  const snapshot = await fetchSnapshot(deps.github, target, deps.appId, POLICY_PATH);
  return { snapshot, lister };
}

/** Whether the second round costs a request (so the check is shown in progress first). */
export function needsAnotherRound(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
): boolean {
  return (
    policyLocations(snapshot).some((location) => !deps.policyCache.has(location)) ||
    (proposesPolicy(snapshot) &&
      snapshot.headPolicy?.blobOid !== undefined &&
      !deps.policyCache.has(snapshot.headPolicy)) ||
    codeOwnersPending(deps.policyCache, snapshot) ||
    pagesFor(snapshot.changedFiles) > pagesFor(target.changedFiles ?? 1)
  );
}

export async function gatherSecondRound(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  { snapshot, lister }: FirstRound,
  options: GatherOptions = {},
): Promise<Gathered> {
  const preview = options.readOnly
    ? Promise.resolve(undefined)
    : startPreview(deps.github, deps.log, target, snapshot, deps.previewCache);
  // Cached for a day per repository and branch; when read, beside the rest of this round (never failing it).
  const enforcement = options.readOnly
    ? undefined
    : loadEnforcement(
        deps.github,
        deps.enforcementCache,
        deps.log,
        { appId: deps.appId, checkName: CHECK_NAME },
        { owner: target.owner, repo: target.repo, branch: snapshot.baseBranch },
      );
  const [resolved, firstList, proposed, codeOwners] = await Promise.all([
    resolvePolicy(deps.github, deps.policyCache, snapshot),
    lister.list(snapshot.changedFiles),
    loadProposedPolicy(deps.github, deps.policyCache, snapshot),
    loadCodeOwners(deps.github, deps.policyCache, snapshot),
  ]);
  const files = await filesAtHead(deps, target, snapshot, firstList);
  return {
    snapshot,
    resolved,
    files,
    proposed,
    codeOwners,
    preview,
    ...(enforcement ? { enforcement: await enforcement } : {}),
  };
}

async function filesAtHead(
  deps: EvaluationDeps,
  target: PullRequestTarget,
  snapshot: PullRequestSnapshot,
  first: FileList,
): Promise<FileList> {
  const headOf = (list: FileList) => [...list.heads].find((sha) => sha !== snapshot.headSha);
  let list = first;
  const listedAt = headOf(list);
  if (listedAt !== undefined) {
    deps.log.info(
      { ...logFields(target, snapshot.headSha), listedAt },
      "files listed at another head than the snapshot's; listing them again",
    );
    list = await new FileLister(deps.github, target).list(snapshot.changedFiles);
  }
  const foreign = headOf(list);
  if (foreign)
    throw new HeadMovedError(
      `the pull request's head moved while it was read (files listed at ${foreign.slice(0, 7)}, head ${snapshot.headSha.slice(0, 7)}); its synchronize event evaluates it again, or press Re-evaluate`,
    );
  return list;
}
