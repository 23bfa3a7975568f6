/**
 * Writes a decision to GitHub: the check run, the sticky comment and the tier label, each only
 * when it differs from what GitHub already shows, so a repeated event writes nothing.
 */
import type { Tier } from "../policy/schema.js";
import { TIERS } from "../policy/schema.js";
import type { GitHub } from "./octokit.js";
import { CHECK_NAME, MAX_ANNOTATIONS_PER_REQUEST, REEVALUATE_ACTION, type CheckOutput } from "./render-check.js";
import type { ExistingCheckRun } from "./snapshot.js";

export interface RepoRef {
  owner: string;
  repo: string;
}

const LABEL_COLORS: Record<Tier, string> = { low: "0e8a16", medium: "fbca04", high: "d93f0b" };
const LABEL_DESCRIPTIONS: Record<Tier, string> = {
  low: "Guardrails: low risk",
  medium: "Guardrails: medium risk",
  high: "Guardrails: high risk, mandatory oversight",
};

export function sameOutput(existing: ExistingCheckRun | null, output: CheckOutput): boolean {
  return (
    existing !== null &&
    existing.status.toUpperCase() === "COMPLETED" &&
    (existing.conclusion ?? "").toLowerCase() === output.conclusion &&
    (existing.title ?? "") === output.title &&
    (existing.summary ?? "") === output.summary &&
    (existing.text ?? "") === output.text
  );
}

/**
 * The app's latest `guardrails` run on a commit, by REST: used only on the error path, when the
 * snapshot that normally tells it could not be read, so a failure updates that run instead of
 * adding a second one.
 */
export async function findCheckRun(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<number | undefined> {
  return (await newestRunOn(github, repo, headSha, appId))?.id;
}

/** The app's newest `guardrails` run on a commit, with the PRs it covers, read afresh (REST). */
export async function newestRunOn(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  appId: number,
): Promise<{ id: number; externalId: string | null } | undefined> {
  const response = await github.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    app_id: appId,
    filter: "latest",
  });
  const runs = (response.data as { check_runs: { id: number; external_id?: string | null }[] }).check_runs;
  const newest = runs.reduce<{ id: number; external_id?: string | null } | undefined>(
    (best, run) => (!best || run.id > best.id ? run : best),
    undefined,
  );
  return newest ? { id: newest.id, externalId: newest.external_id ?? null } : undefined;
}

/** Creates the check run `in_progress` (the PR shows the check at once while facts are gathered). */
export async function startCheckRun(github: GitHub, repo: RepoRef, headSha: string, prNumber: number): Promise<number> {
  const response = await github.request("POST /repos/{owner}/{repo}/check-runs", {
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "in_progress",
    external_id: String(prNumber),
    output: { title: "Evaluating…", summary: "Guardrails is gathering the facts of this pull request." },
  });
  return (response.data as { id: number }).id;
}

/** Completes (or creates completed) the check run; annotations go 50 per request. Returns the run id. */
export async function completeCheckRun(
  github: GitHub,
  repo: RepoRef,
  headSha: string,
  /** The PR the run belongs to; undefined for a merge group's run (nothing to re-evaluate there). */
  prNumber: number | undefined,
  existingId: number | undefined,
  output: CheckOutput,
): Promise<{ id: number; requests: number }> {
  const batches: CheckOutput["annotations"][] = [];
  for (let i = 0; i < output.annotations.length; i += MAX_ANNOTATIONS_PER_REQUEST) {
    batches.push(output.annotations.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
  }
  const body = (annotations: CheckOutput["annotations"] | undefined) => ({
    status: "completed" as const,
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    external_id: prNumber === undefined ? "merge-group" : (output.coveredPullRequests?.join(",") ?? String(prNumber)),
    output: {
      title: output.title,
      summary: output.summary,
      text: output.text,
      ...(annotations?.length ? { annotations } : {}),
    },
    actions: prNumber === undefined ? [] : [REEVALUATE_ACTION],
  });
  let id = existingId;
  if (id === undefined) {
    const response = await github.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      name: CHECK_NAME,
      head_sha: headSha,
      ...body(batches[0]),
    });
    id = (response.data as { id: number }).id;
  } else {
    await github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...repo,
      check_run_id: id,
      ...body(batches[0]),
    });
  }
  // Further annotations are appended by more updates of the same run.
  for (const batch of batches.slice(1)) {
    await github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...repo,
      check_run_id: id,
      ...body(batch),
    });
  }
  return { id, requests: Math.max(1, batches.length) };
}

/** Creates or updates the sticky comment when its body differs. Returns the number of writes. */
export async function upsertComment(
  github: GitHub,
  repo: RepoRef,
  prNumber: number,
  existing: { id: number; body: string } | null,
  body: string,
): Promise<number> {
  if (existing?.body === body) return 0;
  if (existing) {
    await github.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      ...repo,
      comment_id: existing.id,
      body,
    });
  } else {
    await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: prNumber,
      body,
    });
  }
  return 1;
}

/**
 * Repositories known to have the tier labels already (saves a create per label change). Bounded:
 * the oldest entries go first (a forgotten label costs one create that answers 422).
 */
export const KNOWN_LABELS_LIMIT = 30_000;
const knownLabels = new Set<string>();

function rememberLabel(key: string): void {
  knownLabels.delete(key);
  knownLabels.add(key);
  if (knownLabels.size > KNOWN_LABELS_LIMIT) knownLabels.delete(knownLabels.values().next().value as string);
}

/** Makes `<prefix><tier>` the only tier label on the PR. Returns the number of writes. */
export async function syncTierLabel(
  github: GitHub,
  repo: RepoRef,
  prNumber: number,
  current: readonly string[],
  prefix: string,
  tier: Tier,
): Promise<number> {
  const wanted = `${prefix}${tier}`;
  const stale = TIERS.map((t) => `${prefix}${t}`).filter((name) => name !== wanted && current.includes(name));
  let writes = 0;
  await Promise.all(
    stale.map(async (name) => {
      writes++;
      try {
        await github.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
          ...repo,
          issue_number: prNumber,
          name,
        });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error; // already gone
      }
    }),
  );
  if (!current.includes(wanted)) {
    const key = `${repo.owner}/${repo.repo}:${wanted}`.toLowerCase();
    if (!knownLabels.has(key)) {
      writes++;
      try {
        await github.request("POST /repos/{owner}/{repo}/labels", {
          ...repo,
          name: wanted,
          color: LABEL_COLORS[tier],
          description: LABEL_DESCRIPTIONS[tier],
        });
      } catch (error) {
        if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
      }
      rememberLabel(key);
    }
    writes++;
    await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...repo,
      issue_number: prNumber,
      labels: [wanted],
    });
  }
  return writes;
}

/** Adds or removes one label that marks a state (`<prefix>overridden`), only when it differs. */
export async function syncFlagLabel(
  github: GitHub,
  repo: RepoRef,
  prNumber: number,
  current: readonly string[],
  name: string,
  wanted: boolean,
): Promise<number> {
  const has = current.some((label) => label.toLowerCase() === name.toLowerCase());
  if (has === wanted) return 0;
  if (!wanted) {
    try {
      await github.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        ...repo,
        issue_number: prNumber,
        name,
      });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error; // already gone
    }
    return 1;
  }
  let writes = 0;
  const key = `${repo.owner}/${repo.repo}:${name}`.toLowerCase();
  if (!knownLabels.has(key)) {
    writes++;
    try {
      await github.request("POST /repos/{owner}/{repo}/labels", {
        ...repo,
        name,
        color: "5319e7",
        description: "Guardrails: the check was overridden (break glass)",
      });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: it exists already
    }
    rememberLabel(key);
  }
  await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
    ...repo,
    issue_number: prNumber,
    labels: [name],
  });
  return writes + 1;
}

/** For tests: forget which labels exist. */
export function resetKnownLabels(): void {
  knownLabels.clear();
}
