/** The head commit's CI results and the commits' GitHub users, read from the snapshot's answer (pure). */
import type { CheckRunFact, CheckRunStatus, CiFacts, CommitStatusFact, Contributor } from "../engine/types.js";
import type { RawCiSuite, RawCommit, RawStatusContext } from "./snapshot-query.js";

/** Who authored and committed the commits, as GitHub users (a commit by an unknown e-mail names nobody). */
export function commitContributorsOf(commits: RawCommit[]): Contributor[] {
  const seen = new Set<string>();
  const out: Contributor[] = [];
  const add = (login: string | undefined, why: Contributor["why"]) => {
    if (!login || seen.has(`${login.toLowerCase()} ${why}`)) return;
    seen.add(`${login.toLowerCase()} ${why}`);
    out.push({ login, why });
  };
  for (const commit of commits) {
    add(commit.author?.user?.login, "authored a commit");
    add(commit.committer?.user?.login, "committed");
  }
  return out;
}

const RUN_STATUSES: readonly CheckRunStatus[] = [
  "queued",
  "in_progress",
  "completed",
  "waiting",
  "requested",
  "pending",
];
const STATUS_STATES: Record<string, CommitStatusFact["state"]> = {
  SUCCESS: "success",
  FAILURE: "failure",
  ERROR: "error",
  PENDING: "pending",
  EXPECTED: "pending",
};

/**
 * The head commit's CI results for `checks`: the runs of every app but this one (by app id) and
 * the commit statuses. A list GitHub cut short makes the facts incomplete (no entry is then met).
 */
export function ciOf(
  suites: { totalCount: number; nodes: RawCiSuite[] } | null | undefined,
  contexts: RawStatusContext[] | null | undefined,
  appId: number,
): CiFacts {
  if (!suites) return { checkRuns: [], statuses: [], complete: false, ownAppSlug: "" };
  let complete = suites.totalCount <= suites.nodes.length;
  let ownAppSlug = "";
  const checkRuns: CheckRunFact[] = [];
  for (const suite of suites.nodes) {
    if (suite.app?.databaseId === appId) {
      ownAppSlug = suite.app.slug;
      continue;
    }
    if (suite.checkRuns.totalCount > suite.checkRuns.nodes.length) complete = false;
    for (const run of suite.checkRuns.nodes) checkRuns.push(checkRunFact(run, suite.app?.slug ?? ""));
  }
  const statuses = (contexts ?? []).map((c): CommitStatusFact => ({
    context: c.context,
    state: STATUS_STATES[c.state] ?? "pending",
    ...(c.targetUrl ? { url: c.targetUrl } : {}),
  }));
  return { checkRuns, statuses, complete, ownAppSlug };
}

function checkRunFact(run: RawCiSuite["checkRuns"]["nodes"][number], appSlug: string): CheckRunFact {
  const status = run.status.toLowerCase() as CheckRunStatus;
  const url = run.permalink ?? run.detailsUrl;
  return {
    id: run.databaseId,
    name: run.name,
    appSlug,
    // An unknown status is not completed: the entry waits (fail closed).
    status: RUN_STATUSES.includes(status) ? status : "pending",
    conclusion: run.conclusion ? run.conclusion.toLowerCase() : null,
    ...(url ? { url } : {}),
  };
}
